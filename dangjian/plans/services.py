"""Writes on plans and problems: each checks its rule, records the event, keeps history."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.orgs.models import Org
from dangjian.orgs.scoping import may_keep_records, may_sign

from . import reminders
from .choices import (
    DEFAULT_CATEGORIES,
    DEFAULT_REPORT_PARTS,
    DEFAULT_SOURCES,
    ItemStatus,
    MeasureStatus,
    ProblemEventKind,
    ProblemStatus,
)
from .evidence import record_url, resolve_evidence_url, target_org
from .models import (
    EvidenceLink,
    Measure,
    Milestone,
    PlanItem,
    Problem,
    ProblemCategory,
    ProblemCause,
    ProblemEvent,
    ProblemSource,
    ProgressNote,
    WorkPlan,
)


def _keeper_in(user, org: Org) -> None:
    if user is not None and not (may_keep_records(user) and may_keep_records(user, org)):
        raise PermissionDenied("只有本组织的党务人员可以修改计划和整改台账")


def _save(obj, user=None, reason: str = "") -> None:
    obj.full_clean()
    if user is not None:
        obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()


# ---------------------------------------------------------------------------------------------
# Plans


@transaction.atomic
def plan_create(*, org: Org, title: str, kind: str, start_on: date, end_on: date, period: str = "",
                summary: str = "", campaign_tag: str = "", user=None) -> WorkPlan:
    _keeper_in(user, org)
    plan = WorkPlan(org=org, title=title, kind=kind, period=period, start_on=start_on, end_on=end_on,
                    summary=summary, campaign_tag=campaign_tag.strip(), created_by=user)
    _save(plan, user)
    return plan


@transaction.atomic
def plan_item_add(*, plan: WorkPlan, title: str, owner: str, deadline: date, detail: str = "",
                  owner_user=None, sort: int | None = None, user=None) -> PlanItem:
    _keeper_in(user, plan.org)
    if sort is None:
        sort = plan.items.count() + 1
    item = PlanItem(plan=plan, title=title, owner=owner, deadline=deadline, detail=detail,
                    owner_user=owner_user, sort=sort)
    _save(item, user)
    return item


@transaction.atomic
def milestone_add(*, item: PlanItem, title: str, deadline: date, note: str = "", user=None) -> Milestone:
    _keeper_in(user, item.plan.org)
    if not item.is_open:
        raise ValidationError(f"事项“{item.title}”已{item.get_status_display()}，不能再添加时间节点")
    milestone = Milestone(item=item, title=title, deadline=deadline, note=note, sort=item.milestones.count() + 1)
    _save(milestone, user)
    return milestone


@transaction.atomic
def milestone_complete(*, milestone: Milestone, done_on: date, note: str = "", user=None) -> Milestone:
    _keeper_in(user, milestone.item.plan.org)
    if milestone.done_on is not None:
        raise ValidationError(f"时间节点“{milestone.title}”已于{milestone.done_on:%Y-%m-%d}完成")
    milestone.done_on = done_on
    if note:
        milestone.note = note
    _save(milestone, user, "节点完成")
    item = milestone.item
    if item.status == ItemStatus.TODO:
        item.status = ItemStatus.DOING
        _save(item, user, "节点完成，事项开始推进")
    reminders.resolve_for(milestone)
    return milestone


@transaction.atomic
def plan_item_start(*, item: PlanItem, user=None) -> PlanItem:
    _keeper_in(user, item.plan.org)
    if item.status != ItemStatus.TODO:
        raise ValidationError(f"事项“{item.title}”当前为“{item.get_status_display()}”，不能开始")
    item.status = ItemStatus.DOING
    _save(item, user, "开始推进")
    return item


@transaction.atomic
def plan_item_complete(*, item: PlanItem, done_on: date, user=None) -> PlanItem:
    """Done only when all its milestones are: a plan item is not finished with steps left open."""
    _keeper_in(user, item.plan.org)
    if not item.is_open:
        raise ValidationError(f"事项“{item.title}”已{item.get_status_display()}")
    left = [m.title for m in item.milestones.filter(done_on__isnull=True)]
    if left:
        raise ValidationError(f"事项“{item.title}”还有{len(left)}个时间节点未完成：{'、'.join(left)}")
    item.status, item.done_on = ItemStatus.DONE, done_on
    _save(item, user, "完成")
    reminders.resolve_for(item)
    return item


@transaction.atomic
def plan_item_cancel(*, item: PlanItem, reason: str, user=None) -> PlanItem:
    _keeper_in(user, item.plan.org)
    if not reason.strip():
        raise ValidationError("取消事项须说明原因")
    if not item.is_open:
        raise ValidationError(f"事项“{item.title}”已{item.get_status_display()}")
    item.status = ItemStatus.CANCELLED
    _save(item, user, f"取消：{reason.strip()}"[:100])
    ProgressNote.objects.create(item=item, on=timezone.localdate(), text=f"事项取消：{reason.strip()}", author=user)
    reminders.resolve_for(item)
    for milestone in item.milestones.filter(done_on__isnull=True):
        reminders.resolve_for(milestone)
    return item


@transaction.atomic
def progress_add(*, item: PlanItem, on: date, text: str, user=None) -> ProgressNote:
    _keeper_in(user, item.plan.org)
    note = ProgressNote(item=item, on=on, text=text, author=user)
    note.full_clean()
    note.save()
    if item.status == ItemStatus.TODO:
        item.status = ItemStatus.DOING
        _save(item, user, "记录推进情况")
    return note


# ---------------------------------------------------------------------------------------------
# Evidence


@transaction.atomic
def evidence_add(*, owner: PlanItem | Measure, label: str, url: str = "", target=None, user=None,
                 host: str = "") -> EvidenceLink:
    """Link a record (target) or a page (url) as evidence; the record must lie in the user's scope."""
    org = owner.plan.org if isinstance(owner, PlanItem) else owner.problem.org
    _keeper_in(user, org)
    if target is None and url:
        url, target = resolve_evidence_url(user, url, host=host)
    elif target is not None:
        record_org = target_org(target)
        if record_org is None:
            raise ValidationError("该类记录不能作为佐证（无法确定所属组织）")
        if user is not None and not may_keep_records(user, record_org):
            raise ValidationError("该记录不在您的管辖范围内，不能作为佐证")
        url = url or record_url(target)
    if not url:
        raise ValidationError("请填写链接，或选择一条有详情页的记录")
    link = EvidenceLink(label=label.strip() or str(target or url)[:120], url=url, added_by=user,
                        **({"item": owner} if isinstance(owner, PlanItem) else {"measure": owner}))
    if target is not None:
        link.target = target
    _save(link, user)
    return link


@transaction.atomic
def evidence_remove(*, link: EvidenceLink, user=None) -> None:
    _keeper_in(user, link.owner_org)
    if link.measure_id and link.measure.problem.is_closed:
        raise ValidationError("问题已销号，佐证材料不能删除")
    if user is not None:
        link._history_user = user
    link.delete()


# ---------------------------------------------------------------------------------------------
# Problems


def terms_ensure_defaults() -> None:
    """Re-create the default categories and sources if missing (migration 0002 writes them;
    a database flush — the demo on an emptied database, browser tests — removes them)."""
    for model, names in ((ProblemCategory, DEFAULT_CATEGORIES), (ProblemSource, DEFAULT_SOURCES)):
        for i, name in enumerate(names, start=1):
            defaults = {"sort": i * 10}
            if model is ProblemCategory:
                defaults["report_part"] = DEFAULT_REPORT_PARTS.get(name, "")
            model.objects.get_or_create(name=name, defaults=defaults)


def _event(problem: Problem, kind: str, *, on: date | None = None, user=None, measure: Measure | None = None,
           note: str = "") -> ProblemEvent:
    return ProblemEvent.objects.create(problem=problem, kind=kind, on=on or timezone.localdate(), user=user,
                                       measure=measure, note=note[:300])


@transaction.atomic
def problem_create(*, org: Org, title: str, category: ProblemCategory, source: ProblemSource, found_on: date,
                   description: str = "", causes: list[str] | tuple[str, ...] = (), plan: WorkPlan | None = None,
                   user=None) -> Problem:
    _keeper_in(user, org)
    if plan is not None and not org.is_within(plan.org) and not plan.org.is_within(org):
        raise ValidationError(f"关联计划“{plan.title}”不属于{org.name}")
    problem = Problem(org=org, title=title, description=description, category=category, source=source,
                      found_on=found_on, plan=plan, created_by=user)
    _save(problem, user)
    _event(problem, ProblemEventKind.FOUND, on=found_on, user=user, note=f"{source.name}：{title}")
    for i, text in enumerate(t.strip() for t in causes):
        if text:
            _save(ProblemCause(problem=problem, text=text, sort=i + 1), user)
    return problem


def _require_open(problem: Problem, what: str) -> None:
    if problem.is_closed:
        raise ValidationError(f"问题“{problem.title}”已销号，不能{what}；如需继续整改请先重新打开")


@transaction.atomic
def cause_add(*, problem: Problem, text: str, user=None) -> ProblemCause:
    _keeper_in(user, problem.org)
    _require_open(problem, "补充原因")
    cause = ProblemCause(problem=problem, text=text.strip(), sort=problem.causes.count() + 1)
    _save(cause, user)
    _event(problem, ProblemEventKind.CAUSE, user=user, note=cause.text[:100])
    return cause


@transaction.atomic
def measure_add(*, problem: Problem, title: str, owner: str, deadline: date, detail: str = "",
                owner_user=None, created_on: date | None = None, user=None) -> Measure:
    _keeper_in(user, problem.org)
    _require_open(problem, "添加整改措施")
    measure = Measure(problem=problem, title=title, detail=detail, owner=owner, owner_user=owner_user,
                      deadline=deadline, created_on=created_on or timezone.localdate(),
                      sort=problem.measures.count() + 1)
    _save(measure, user)
    _event(problem, ProblemEventKind.MEASURE, on=measure.created_on, user=user, measure=measure,
           note=f"{title}（责任人：{owner}，时限：{deadline:%Y-%m-%d}）")
    return measure


@transaction.atomic
def measure_update(*, measure: Measure, user=None, **changes) -> Measure:
    """Change an open measure's text, owner or deadline; the old values stay in its history."""
    _keeper_in(user, measure.problem.org)
    _require_open(measure.problem, "调整整改措施")
    if measure.is_done:
        raise ValidationError(f"整改措施“{measure.title}”已完成，不能修改")
    old_deadline = measure.deadline
    for name in ("title", "detail", "owner", "owner_user", "deadline", "status"):
        if name in changes:
            setattr(measure, name, changes[name])
    if measure.status == MeasureStatus.DONE:
        raise ValidationError("请用“完成整改”登记完成日期和完成情况")
    _save(measure, user, "调整措施")
    if measure.deadline != old_deadline:
        _event(measure.problem, ProblemEventKind.MEASURE_CHANGED, user=user, measure=measure,
               note=f"{measure.title}：时限 {old_deadline:%Y-%m-%d} → {measure.deadline:%Y-%m-%d}")
    return measure


@transaction.atomic
def measure_complete(*, measure: Measure, done_on: date, result: str, user=None) -> Measure:
    _keeper_in(user, measure.problem.org)
    _require_open(measure.problem, "登记措施完成")
    if measure.is_done:
        raise ValidationError(f"整改措施“{measure.title}”已于{measure.done_on:%Y-%m-%d}完成")
    if not result.strip():
        raise ValidationError(f"整改措施“{measure.title}”：请填写完成情况（整改成效、佐证材料）")
    if done_on < measure.created_on:
        raise ValidationError(f"整改措施“{measure.title}”：完成日期不能早于制定日期{measure.created_on:%Y-%m-%d}")
    measure.status, measure.done_on, measure.result = MeasureStatus.DONE, done_on, result.strip()
    _save(measure, user, "完成整改")
    _event(measure.problem, ProblemEventKind.MEASURE_DONE, on=done_on, user=user, measure=measure,
           note=f"{measure.title}" + ("（逾期完成）" if measure.done_late else ""))
    reminders.resolve_for(measure)
    return measure


def _lock(problem: Problem) -> None:
    """Serialise sign-off and reopening of one problem, then work on its current row."""
    Problem.objects.select_for_update().filter(pk=problem.pk).first()
    problem.refresh_from_db()


def close_blockers(problem: Problem) -> list[str]:
    """Why the problem cannot be closed yet (empty when it can)."""
    if problem.is_closed:
        return ["问题已销号"]
    measures = list(problem.measures.all())
    if not measures:
        return ["尚未制定整改措施"]
    return [f"整改措施“{m.title}”尚未完成" for m in measures if not m.is_done]


@transaction.atomic
def problem_close(*, problem: Problem, user, on: date | None = None, note: str = "") -> Problem:
    """销号: every measure done, and the community secretary (or the street) signs."""
    _lock(problem)
    if not may_sign(user, problem.org):
        raise PermissionDenied("只有社区书记（或街道）可以签字销号")
    blockers = close_blockers(problem)
    if blockers:
        raise ValidationError("不能销号：" + "；".join(blockers))
    on = on or timezone.localdate()
    last_done = max(m.done_on for m in problem.measures.all())
    if on < last_done:
        raise ValidationError(f"销号日期不能早于最后一条措施的完成日期{last_done:%Y-%m-%d}")
    problem.status, problem.closed_on, problem.closed_by, problem.close_note = ProblemStatus.CLOSED, on, user, note.strip()
    _save(problem, user, "签字销号")
    _event(problem, ProblemEventKind.CLOSED, on=on, user=user, note=note.strip() or "整改措施全部完成，同意销号")
    return problem


@transaction.atomic
def problem_reopen(*, problem: Problem, user, reason: str, on: date | None = None) -> Problem:
    """Reopen a closed problem; the earlier sign-off stays in the events and the history."""
    _lock(problem)
    if not may_sign(user, problem.org):
        raise PermissionDenied("只有社区书记（或街道）可以重新打开已销号的问题")
    if not problem.is_closed:
        raise ValidationError(f"问题“{problem.title}”未销号，无需重新打开")
    if not reason.strip():
        raise ValidationError("重新打开须说明原因")
    on = on or timezone.localdate()
    if on < problem.closed_on:
        raise ValidationError(f"重新打开日期不能早于销号日期{problem.closed_on:%Y-%m-%d}")
    problem.status, problem.closed_on, problem.closed_by, problem.close_note = ProblemStatus.OPEN, None, None, ""
    _save(problem, user, f"重新打开：{reason.strip()}"[:100])
    _event(problem, ProblemEventKind.REOPENED, on=on, user=user, note=reason.strip())
    return problem


# ---------------------------------------------------------------------------------------------
# The State Council holiday schedule of a year the calendar package does not know yet

_SCHEDULE_OFF = ("休", "放假", "休息")
_SCHEDULE_ON = ("班", "上班", "调休上班")


def parse_schedule_lines(year: int, text: str) -> list[tuple[date, bool, str]]:
    """Lines like "2027-02-05~2027-02-11 休 春节" or "2027-02-14 班 春节" (one day or a range, 休/放假
    or 班/上班, the holiday's name) → (day, working, name). Errors name the line."""
    import re

    from dangjian.lib.workdays import is_statutory_holiday

    rows: dict[date, tuple[date, bool, str]] = {}
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().replace("～", "~").replace("至", "~").replace("—", "~").replace("/", "-")
        if not line:
            continue
        m = re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})(?:\s*~\s*(\d{4}-\d{1,2}-\d{1,2}))?\s+(\S+)\s*(\S*)", line)
        if not m:
            errors.append(f"第{number}行“{raw.strip()}”：应写成“日期[~日期] 休/班 节日名称”")
            continue
        try:
            first = date.fromisoformat("-".join(f"{int(x):02d}" for x in m[1].split("-")))
            last = date.fromisoformat("-".join(f"{int(x):02d}" for x in m[2].split("-"))) if m[2] else first
        except ValueError:
            errors.append(f"第{number}行：日期不存在")
            continue
        if m[3] not in _SCHEDULE_OFF + _SCHEDULE_ON:
            errors.append(f"第{number}行：“{m[3]}”应为“休”或“班”")
            continue
        if first.year != year or last.year != year or last < first:
            errors.append(f"第{number}行：日期应在{year}年内，且起日不晚于止日")
            continue
        working = m[3] in _SCHEDULE_ON
        day = first
        while day <= last:
            if working and is_statutory_holiday(day):
                errors.append(f"第{number}行：{day:%Y-%m-%d}是法定节假日，不能安排上班")
            elif day in rows:
                errors.append(f"第{number}行：{day:%Y-%m-%d}重复")
            else:
                rows[day] = (day, working, m[4][:20])
            day += timedelta(days=1)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError("请逐行填写放假和调休上班的日期")
    return sorted(rows.values())


@transaction.atomic
def holiday_schedule_enter(*, year: int, document: str, published_on: date, text: str, user=None):
    """Enter (or replace) the published schedule of a year; deadlines in it become exact."""
    from dangjian.lib.workdays import package_knows

    from .models import HolidaySchedule, HolidayScheduleDay

    if package_knows(year):
        raise ValidationError(f"{year}年的节假日安排系统已内置，无需录入")
    days = parse_schedule_lines(year, text)
    schedule = HolidaySchedule.objects.filter(year=year).first() or HolidaySchedule(year=year)
    schedule.document, schedule.published_on, schedule.entered_by = document, published_on, user
    schedule.full_clean()
    schedule.save()
    schedule.days.all().delete()
    HolidayScheduleDay.objects.bulk_create(
        [HolidayScheduleDay(schedule=schedule, day=d, working=w, name=n) for d, w, n in days])
    return schedule
