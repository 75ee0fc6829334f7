"""Writes of the recruitment pipeline. Each step is checked against the order of the 细则 and the
time rules in force (rules.RuleSetting.objects.ruleset()); a step that breaks a rule is refused with the rule and
its source, or — where the rule allows exceptions — needs a recorded reason."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.lib.periods import add_months
from dangjian.lib.workdays import WorkCalendar
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import membership
from .choices import BY_CODE, NUMBERED, ONGOING, Outcome, Stage
from .models import Applicant, RuleSetting, Step
from .progress import step_label
from .rules import Rule, Ruleset

EXCUSE_HINT = "如确有特殊情况，请在“特殊情况说明”中写明原因后再登记"


def _names(text: str) -> list[str]:
    for sep in ("，", ",", "；", ";", " ", "/"):
        text = text.replace(sep, "、")
    return [n for n in (p.strip() for p in text.split("、")) if n]


def _breach(rule: Rule, what: str) -> str:
    return f"{what}。{rule.label}：{rule.note}（{rule.source}）"


@transaction.atomic
def applicant_create(*, org: Org, name: str, birth_date: date | None, applied_on: date, user=None, sex: str = "",
                     id_number: str = "", phone: str = "", education: str = "", employer: str = "",
                     by: str = "", rules: Ruleset | None = None, today: date | None = None) -> Applicant:
    """Step 1: the application letter. The applicant must be 18 on the day of the letter (第五条)."""
    rules = rules or RuleSetting.objects.ruleset()
    today = today or timezone.localdate()
    if birth_date is None:
        raise ValidationError({"birth_date": "请填写出生日期（申请入党须年满十八岁）"})
    if applied_on > today:
        raise ValidationError({"applied_on": "日期不能晚于今天"})
    applicant = Applicant(org=org, name=name.strip(), birth_date=birth_date, applied_on=applied_on, sex=sex,
                          id_number=id_number, phone=phone, education=education, employer=employer, created_by=user)
    rule = rules["min_age"]
    age = applicant.age_on(applied_on)
    if age < rule.value:
        raise ValidationError({"birth_date": _breach(rule, f"{applicant.name}递交申请书时{age}周岁，未满{rule.value}周岁")})
    applicant.full_clean()
    applicant.save()
    Step.objects.create(applicant=applicant, code="apply", done_on=applied_on, by=by or applicant.name,
                        document=BY_CODE["apply"].document, recorded_by=user)
    return applicant


def _check_order(applicant: Applicant, code: str, done: dict[str, date], done_on: date) -> None:
    d = BY_CODE[code]
    if d.number:
        before = [s for s in NUMBERED if s.number < d.number and s.code not in ONGOING]
        if applicant.from_roster:
            before = [s for s in before if s.number >= 22]
        missing = [s for s in before if s.code not in done]
        if missing:
            raise ValidationError(f"请先登记“{step_label(missing[-1].code) if len(missing) == 1 else step_label(missing[0].code)}”")
        if before and done_on < done[before[-1].code]:
            raise ValidationError(f"日期不能早于上一步“{step_label(before[-1].code)}”（{done[before[-1].code]:%Y-%m-%d}）")
        return
    if code in ("report", "review"):
        since = applicant.activist_on or (applicant.admitted_on if applicant.from_roster else None)
        if since is None:
            raise ValidationError("确定为入党积极分子后才登记思想汇报和考察")
        if done_on < since:
            raise ValidationError(f"日期不能早于确定为入党积极分子之日（{since:%Y-%m-%d}）")
    elif code in ("extend", "cancel"):
        if applicant.member_id is None or applicant.admitted_on is None:
            raise ValidationError("只有经上级党委批准的预备党员才能延长或取消预备期")
        if done_on < applicant.admitted_on:
            raise ValidationError(f"日期不能早于支部大会通过之日（{applicant.admitted_on:%Y-%m-%d}）")
        if "conversion_approval" in done:
            raise ValidationError("已批准转正")


def _check_rules(applicant: Applicant, code: str, fields: dict, done_on: date, rules: Ruleset,
                 calendar: WorkCalendar) -> tuple[list[str], list[str]]:
    """(refusals, breaches a recorded reason may excuse)."""
    refuse: list[str] = []
    excusable: list[str] = []
    people = _names(fields.get("people") or "")
    if code == "talk":
        rule = rules["talk_months"]
        deadline = add_months(applicant.applied_on, rule.value)
        if done_on > deadline:
            excusable.append(_breach(rule, f"谈话日期{done_on:%Y-%m-%d}晚于时限{deadline:%Y-%m-%d}"))
    elif code == "contacts":
        rule = rules["contacts_max"]
        if not 1 <= len(people) <= rule.value:
            refuse.append(_breach(rule, f"培养联系人应为1至{rule.value}名，现填写{len(people)}名"))
    elif code == "introducers":
        rule = rules["introducers"]
        if len(people) != rule.value:
            refuse.append(_breach(rule, f"入党介绍人应为{rule.value}名，现填写{len(people)}名"))
    elif code == "candidate":
        rule = rules["activist_years"]
        earliest = add_months(applicant.activist_on, 12 * rule.value)
        if done_on < earliest:
            refuse.append(_breach(rule, f"确定为入党积极分子（{applicant.activist_on:%Y-%m-%d}）未满{rule.value}年，"
                                        f"最早可于{earliest:%Y-%m-%d}列为发展对象"))
    elif code == "training":
        starts, ends, hours = fields.get("starts_on"), fields.get("ends_on"), fields.get("hours")
        days_rule, hours_rule = rules["training_days"], rules["training_hours"]
        if not starts or not ends:
            refuse.append("请填写培训的起止日期")
        else:
            days = (ends - starts).days + 1
            if days < days_rule.value and (hours or 0) < hours_rule.value:
                refuse.append(_breach(days_rule, f"培训{days}天、{hours or 0}学时，不足{days_rule.value}天"
                                                 f"（或{hours_rule.value}学时）"))
    elif code == "branch_review":
        starts, ends = fields.get("starts_on"), fields.get("ends_on")
        rule = rules["publicity_days"]
        if not starts or not ends:
            refuse.append("请填写公示的起止日期")
        else:
            n = calendar.working_days_between(starts - timedelta(days=1), ends)
            if n < rule.value:
                refuse.append(_breach(rule, f"公示{starts:%Y-%m-%d}至{ends:%Y-%m-%d}共{n}个工作日，不足{rule.value}个工作日"))
            if done_on < ends:
                refuse.append(f"支委会审查日期不能早于公示结束（{ends:%Y-%m-%d}）")
    elif code == "application_form":
        if not fields.get("doc_number"):
            refuse.append("请填写入党志愿书编号")
    elif code in ("branch_meeting", "conversion_meeting"):
        if fields.get("votes_for") is None:
            refuse.append("请填写表决结果（赞成票数）")
        if code == "conversion_meeting" and done_on < applicant.probation_ends_on:
            rule = rules["probation_years"]
            refuse.append(_breach(rule, f"预备期至{applicant.probation_ends_on:%Y-%m-%d}届满，届满后方可讨论转正"))
    elif code == "approval":
        rule = rules["approval_months"]
        deadline = add_months(applicant.admitted_on, rule.value)
        limit = add_months(applicant.admitted_on, rule.limit or rule.value)
        if done_on > limit:
            refuse.append(_breach(rule, f"审批日期{done_on:%Y-%m-%d}距支部大会已超过{rule.limit}个月，应重新履行入党手续"))
        elif done_on > deadline:
            excusable.append(_breach(rule, f"审批日期{done_on:%Y-%m-%d}晚于时限{deadline:%Y-%m-%d}"))
    elif code == "conversion_approval":
        rule = rules["conversion_months"]
        deadline = add_months(applicant.probation_ends_on, rule.value)
        if done_on > deadline:
            excusable.append(_breach(rule, f"审批日期{done_on:%Y-%m-%d}晚于时限{deadline:%Y-%m-%d}"))
    elif code == "extend":
        rule = rules["extension_months"]
        months = fields.get("months")
        if applicant.extended_months:
            refuse.append(_breach(rule, "预备期已延长过一次"))
        elif months is None or not rule.value <= months <= (rule.limit or rule.value):
            refuse.append(_breach(rule, f"延长{months or 0}个月不在{rule.value}至{rule.limit}个月之间"))
        if not fields.get("doc_number"):
            refuse.append("请填写延长预备期的决定（文号）")
    elif code == "cancel":
        if not fields.get("doc_number"):
            refuse.append("请填写取消预备资格的决定（文号）")
    elif code == "stop":
        if not fields.get("reason"):
            refuse.append("请写明终止培养的原因")
    return refuse, excusable


STEP_FIELDS = ("by", "people", "document", "doc_number", "doc_date", "starts_on", "ends_on", "hours", "months",
               "votes_for", "votes_against", "reason", "note")


@transaction.atomic
def step_record(*, applicant: Applicant, code: str, done_on: date, user=None, rules: Ruleset | None = None,
                today: date | None = None, calendar: WorkCalendar | None = None, **fields) -> Step:
    """Record one step (or entry) of a person's way into the party; apply its effect."""
    if code not in BY_CODE or code == "apply":
        raise ValidationError("没有这个步骤")
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    rules = rules or RuleSetting.objects.ruleset()
    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar()
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    d = BY_CODE[code]
    if applicant.outcome != Outcome.ACTIVE and not (code == "archive" and applicant.outcome == Outcome.CONVERTED):
        raise ValidationError(f"{applicant.name}已{applicant.get_outcome_display()}，不能再登记")
    if done_on > today:
        raise ValidationError({"done_on": "日期不能晚于今天"})
    done: dict[str, date] = {}
    for c, on in applicant.steps.values_list("code", "done_on"):
        done[c] = max(on, done.get(c, on))
    if code in done and not d.repeatable and code != "extend":  # a second extension: the rule says why
        raise ValidationError(f"“{step_label(code)}”已登记（{done[code]:%Y-%m-%d}）")
    _check_order(applicant, code, done, done_on)
    refuse, excusable = _check_rules(applicant, code, fields, done_on, rules, calendar)
    if refuse:
        raise ValidationError(refuse)
    if excusable and not (fields.get("reason") or "").strip():
        raise ValidationError([*excusable, EXCUSE_HINT])
    step = Step(applicant=applicant, code=code, done_on=done_on, recorded_by=user,
                **{k: v for k, v in fields.items() if v is not None})
    if not step.document:
        step.document = d.document
    step.full_clean()
    step.save()
    _apply(applicant, step, user)
    applicant._change_reason = f"{step_label(code)}（{done_on:%Y-%m-%d}）"
    applicant.full_clean()
    applicant.save()
    return step


def _apply(applicant: Applicant, step: Step, user) -> None:
    """The step's effect on where the person stands (and on the roster)."""
    code, on = step.code, step.done_on
    if code == "talk":
        applicant.talked_on = on
    elif code == "activist":
        applicant.activist_on, applicant.stage = on, Stage.ACTIVIST
    elif code == "candidate":
        applicant.candidate_on, applicant.stage = on, Stage.CANDIDATE
    elif code == "branch_review":
        applicant.stage = Stage.ADMISSION
    elif code == "branch_meeting":
        applicant.admitted_on = on
    elif code == "approval":
        applicant.approved_on, applicant.stage = on, Stage.PROBATION
        introducers = applicant.steps.filter(code="introducers").values_list("people", flat=True).first() or ""
        applicant.member = membership.admit(applicant=applicant, approved_on=on, introducers=introducers, user=user)
    elif code == "report":
        applicant.last_report_on = max(on, applicant.last_report_on or on)
    elif code == "review":
        applicant.last_review_on = max(on, applicant.last_review_on or on)
    elif code == "extend":
        applicant.extended_months = step.months
    elif code == "conversion_meeting":
        applicant.conversion_meeting_on = on
    elif code == "conversion_approval":
        applicant.converted_on, applicant.outcome = applicant.probation_ends_on, Outcome.CONVERTED
        membership.confirm(member=applicant.member, on=applicant.converted_on, approved_on=on, user=user)
    elif code == "cancel":
        applicant.outcome, applicant.ended_on = Outcome.CANCELLED, on
        membership.cancel(member=applicant.member, on=on, decision=step.doc_number, user=user)
    elif code == "stop":
        applicant.outcome, applicant.ended_on = Outcome.STOPPED, on


@transaction.atomic
def probationer_adopt(*, member: Member, user=None) -> Applicant:
    """A 预备党员 already on the roll (imported, or entered before this module): track their
    probation from the roster's 入党日期 (the branch meeting) so the 转正 step comes due."""
    existing = Applicant.objects.filter(member=member).first()
    if existing is not None:
        return existing
    if member.status != "预备" or member.joined_on is None:
        raise ValidationError(f"{member.name}不是有入党日期的预备党员")
    applicant = Applicant(name=member.name, sex=member.sex, birth_date=member.birth_date, id_number=member.id_number,
                          phone=member.phone, education=member.education, employer=member.employer,
                          org=member.branch, stage=Stage.PROBATION, admitted_on=member.joined_on,
                          from_roster=True, member=member, created_by=user)
    applicant.full_clean()
    applicant.save()
    Step.objects.create(applicant=applicant, code="branch_meeting", done_on=member.joined_on, recorded_by=user,
                        document=BY_CODE["branch_meeting"].document, note="据党员名册中的入党日期")
    return applicant


def probationers_adopt_all(*, org: Org | None = None, user=None) -> int:
    """Adopt every 预备党员 on the roll (of org's subtree) not yet tracked; returns how many."""
    qs = Member.objects.current().filter(status="预备", joined_on__isnull=False, recruitment__isnull=True)
    if org is not None:
        qs = qs.in_org(org)
    n = 0
    for member in qs.select_related("org__parent"):
        probationer_adopt(member=member, user=user)
        n += 1
    return n
