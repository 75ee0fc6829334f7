"""The demo community's 2023年第三季度 report, generated as `dangjian report` does.

Every figure in the JSON is recomputed here from the database with plain ORM queries (not
through any app's figures.py) and compared with the JSON and with the .docx (the appendix
table, and the sentences of the body). The .docx is then converted to PDF with LibreOffice
and its page count checked against a line count of the text on the 22 × 28 grid.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dangjian.demo import build
from dangjian.lib.periods import Period
from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind
from dangjian.reports.rendering import docx_text

from .docxcheck import Docx

PERIOD = Period.parse("2023Q3")
FIRST, LAST = PERIOD.first_day, PERIOD.last_day


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build the demo once for the module inside a transaction that is rolled back at the end."""
    out = tmp_path_factory.mktemp("demo-report")
    with django_db_blocker.unblock(), transaction.atomic():
        build(communities=1, log=lambda *a: None)
        org = Org.objects.get(name="和平社区党总支")
        docx = out / "report.docx"
        call_command("report", org=org.name, period=str(PERIOD), reporter="杨书记", output=str(docx), stdout=io.StringIO())
        buf = io.StringIO()
        call_command("report", org=org.name, period=str(PERIOD), format="json", stdout=buf)
        yield {"org": org, "docx": docx.read_bytes(), "json": json.loads(buf.getvalue()), "dir": out}
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


# --- independent recomputation ---------------------------------------------------------------------

def members_expected(org: Org) -> dict:
    roll = Member.objects.filter(org__path__startswith=org.path).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=LAST)).filter(Q(archived_on__isnull=True) | Q(archived_on__gt=LAST))
    full = roll.filter(confirmed_on__isnull=False, confirmed_on__lte=LAST).count()
    return {
        "members.total": roll.count(), "members.full": full, "members.probationary": roll.count() - full,
        "members.mobile": roll.filter(is_mobile=True).filter(Q(mobile_since__isnull=True) | Q(mobile_since__lte=LAST)).count(),
        "members.infirm": roll.filter(is_infirm=True).count(),
    }


def meetings_expected(org: Org) -> dict:
    from dangjian.meetings.models import Activity, Attendance, SelfStudy, Send, Visit

    sub = {"org__path__startswith": org.path}
    acts = Activity.objects.filter(**sub, status="submitted", held_on__gte=FIRST, held_on__lte=LAST)
    att = Attendance.objects.filter(activity__in=acts).aggregate(n=Count("pk"), p=Count("pk", filter=Q(mark__in=("到会", "迟到"))))
    rate = round(100 * att["p"] / att["n"], 1) if att["n"] else 0
    visits = Visit.objects.filter(**sub, visited_on__gte=FIRST, visited_on__lte=LAST)
    sends = Send.objects.filter(**sub, sent_on__gte=FIRST, sent_on__lte=LAST)
    study = SelfStudy.objects.filter(**sub, studied_on__gte=FIRST, studied_on__lte=LAST)
    exp = {
        "meetings.held": acts.count(), "meetings.attendance_rate": rate,
        "meetings.visits": visits.count(), "meetings.visited_members": visits.values("member").distinct().count(),
        "meetings.sends": sends.count(), "meetings.sent_members": sends.values("member").distinct().count(),
        "meetings.sends_confirmed": sends.filter(confirmed_on__isnull=False).count(),
        "meetings.self_study": study.count(), "meetings.self_study_members": study.values("member").distinct().count(),
        "meetings.self_study_hours": study.aggregate(h=Sum("hours"))["h"] or 0,
    }
    # Reach: on the roll at the period's end and present at a meeting, visited or sent material.
    roll = set(Member.objects.filter(org__path__startswith=org.path).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=LAST)).filter(
        Q(archived_on__isnull=True) | Q(archived_on__gt=LAST)).values_list("pk", flat=True))
    reached = (set(Attendance.objects.filter(activity__in=acts, mark__in=("到会", "迟到")).values_list("member_id", flat=True))
               | set(visits.values_list("member_id", flat=True)) | set(sends.values_list("member_id", flat=True)))
    exp["meetings.reached"] = len(roll & reached)
    exp["meetings.not_reached"] = len(roll - reached)

    # Per type: every submitted activity of the type, combined ones included.
    by_type: Counter = Counter()
    for a in acts.prefetch_related("also_types").select_related("type"):
        for code in {a.type.code, *(t.code for t in a.also_types.all())}:
            by_type[code] += 1
    secretary = acts.filter(Q(type__code="lecture") | Q(also_types__code="lecture"), is_secretary_lecture=True).distinct().count()
    exp["meetings.secretary_lectures"] = secretary
    # The default rules of 《中国共产党支部工作条例（试行）》 for a quarter: 支部党员大会 and 党课 once a
    # quarter, 支委会 (with 3+ committee members) and 主题党日 monthly, 党小组会 monthly per group.
    branches = list(Org.objects.filter(path__startswith=org.path, kind=OrgKind.BRANCH))
    groups = list(Org.objects.filter(path__startswith=org.path, kind=OrgKind.GROUP))
    committee = {b.pk: Member.objects.filter(org__path__startswith=b.path, is_committee=True, pk__in=roll).count() for b in branches}
    with_committee = [b for b in branches if committee[b.pk] >= 3]
    required = {"congress": len(branches), "lecture": len(branches), "theme_day": 3 * len(branches),
                "committee": 3 * len(with_committee), "group": 3 * len(groups)}
    for key, n in required.items():
        exp[f"meetings.type.{key}.required"] = n
    from dangjian.meetings.models import ActivityType

    for code in ActivityType.objects.filter(is_active=True).values_list("code", flat=True):
        exp[f"meetings.type.{code}.held"] = by_type[code]  # the rules' keys are their type codes
    exp["meetings.type.secretary_lecture.held"] = secretary

    # A branch meets the rules when every month (quarter) it owes has enough of each type.
    def held_in(owner_path: str, code: str, first: date, last: date, exact_org: int | None = None) -> int:
        qs = acts.filter(held_on__gte=first, held_on__lte=last).filter(Q(type__code=code) | Q(also_types__code=code))
        qs = qs.filter(org_id=exact_org) if exact_org else qs.filter(org__path__startswith=owner_path)
        return qs.distinct().count()

    ok = short = 0
    for b in branches:
        units = [("congress", PERIOD.first_day, PERIOD.last_day), ("lecture", PERIOD.first_day, PERIOD.last_day)]
        units += [("theme_day", m.first_day, m.last_day) for m in PERIOD.months()]
        if committee[b.pk] >= 3:
            units += [("committee", m.first_day, m.last_day) for m in PERIOD.months()]
        met = all(held_in(b.path, code, f, t) >= 1 for code, f, t in units)
        for g in (g for g in groups if g.parent_id == b.pk):
            met = met and all(held_in(g.path, "group", m.first_day, m.last_day, exact_org=g.pk) >= 1 for m in PERIOD.months())
        ok, short = (ok + 1, short) if met else (ok, short + 1)
    exp["meetings.branches_ok"], exp["meetings.branches_short"] = ok, short
    exp.update(lapses_expected(org, roll))
    # 同时开展: an activity with a second type counts under both; the extra counts are the second types.
    second = [(a.pk, t.pk) for a in acts.prefetch_related("also_types") for t in a.also_types.all() if t.pk != a.type_id]
    exp["meetings.combined"] = len({a for a, _t in second})
    exp["meetings.extra_counts"] = len(second)
    # The secretary named on the org record, when exactly one member on the roll has that name.
    named = Member.objects.filter(pk__in=roll, name=org.secretary)
    if org.secretary and named.count() == 1:
        present = acts.filter(attendance__member=named.get(), attendance__mark__in=("到会", "迟到"))
        exp["meetings.secretary_attended"] = present.distinct().count()
        exp["meetings.secretary_attended_study"] = present.filter(
            Q(type__code="study") | Q(also_types__code="study")).distinct().count()
    # Self-study by platform (学习强国 …), as imported.
    slugs = {"学习强国": "xuexi", "书籍原著": "book", "网络课程": "online", "报刊": "newspaper", "其他": "other"}
    for source in set(study.values_list("source", flat=True)):
        rows = study.filter(source=source)
        base = f"meetings.study.{slugs[source]}"
        exp[f"{base}.records"] = rows.count()
        exp[f"{base}.members"] = rows.values("member").distinct().count()
        exp[f"{base}.hours"] = Decimal(rows.aggregate(h=Sum("hours"))["h"] or 0).quantize(Decimal("0.1"))
        if rows.filter(points__isnull=False).exists():
            exp[f"{base}.points"] = rows.aggregate(p=Sum("points"))["p"]
    return exp


def lapses_expected(org: Org, roll: set[int]) -> dict:
    """Members whose last contact (present/excused at a meeting, a visit, a send) lies 3 (6) or more
    whole months before the period's end, counted from the first record in the system."""
    from dangjian.meetings.models import Activity, Attendance, Send, Visit

    start = Activity.objects.filter(status="submitted").order_by("held_on").values_list("held_on", flat=True).first()
    if start is None:
        return {"meetings.lapse_warnings": 0, "meetings.lapse_flags": 0}
    last: dict[int, date] = {}
    rows = list(Attendance.objects.filter(member__org__path__startswith=org.path, activity__status="submitted",
                                          activity__held_on__lte=LAST,
                                          mark__in=("到会", "迟到", "病假", "事假", "公假")).values_list("member_id", "activity__held_on"))
    rows += list(Visit.objects.filter(member__org__path__startswith=org.path, visited_on__lte=LAST).values_list("member_id", "visited_on"))
    rows += list(Send.objects.filter(member__org__path__startswith=org.path, sent_on__lte=LAST).values_list("member_id", "sent_on"))
    for mid, day in rows:
        last[mid] = max(day, last.get(mid, day))
    index = lambda d: d.year * 12 + d.month - 1  # noqa: E731
    end = index(LAST) - (1 if LAST >= timezone.localdate() else 0)
    warn = flag = 0
    for m in Member.objects.filter(pk__in=roll):
        contact = last.get(m.pk)
        if contact is not None and index(contact) >= end:
            continue
        first_owed = max(index(start), index(m.joined_on) if m.joined_on else 0)
        begin = max(index(contact) + 1 if contact else first_owed, first_owed)
        months = end - begin + 1
        if months >= 6:
            flag += 1
        elif months >= 3:
            warn += 1
    return {"meetings.lapse_warnings": warn + flag, "meetings.lapse_flags": flag}


def plans_expected(org: Org) -> dict:
    from dangjian.plans.models import Measure, Milestone, PlanItem, Problem, ProblemEvent, WorkPlan

    def problems_open_on(day: date) -> set[int]:
        events = defaultdict(list)
        for pid, on, kind, pk in ProblemEvent.objects.filter(on__lte=day, kind__in=("closed", "reopened")).values_list(
                "problem_id", "on", "kind", "pk"):
            events[pid].append((on, pk, kind))
        ids = set()
        for pid in Problem.objects.filter(org__path__startswith=org.path, found_on__lte=day).values_list("pk", flat=True):
            last = max(events[pid]) if events[pid] else None
            if last is None or last[2] == "reopened":
                ids.add(pid)
        return ids

    as_of = min(LAST, timezone.localdate())
    items = PlanItem.objects.filter(plan__org__path__startswith=org.path, deadline__gte=FIRST, deadline__lte=LAST).exclude(status="cancelled")
    on_time = sum(1 for d, dl in items.values_list("done_on", "deadline") if d and d <= dl)
    late = sum(1 for d, dl in items.values_list("done_on", "deadline") if d and d > dl)
    overdue = sum(1 for d, dl in items.values_list("done_on", "deadline") if not d and dl < as_of)
    stones = Milestone.objects.filter(item__plan__org__path__startswith=org.path, deadline__gte=FIRST,
                                      deadline__lte=LAST).exclude(item__status="cancelled")
    open_end = problems_open_on(LAST)
    closed_ids = set(ProblemEvent.objects.filter(kind="closed", on__gte=FIRST, on__lte=LAST,
                                                 problem__org__path__startswith=org.path).values_list("problem_id", flat=True))
    measures = list(Measure.objects.filter(problem__org__path__startswith=org.path).values_list("created_on", "done_on", "deadline"))
    nxt = PERIOD.next()
    next_items = PlanItem.objects.filter(plan__org__path__startswith=org.path, deadline__gte=nxt.first_day,
                                         deadline__lte=nxt.last_day).exclude(status="cancelled").count()
    next_stones = Milestone.objects.filter(item__plan__org__path__startswith=org.path, deadline__gte=nxt.first_day,
                                           deadline__lte=nxt.last_day).exclude(item__status="cancelled").count()
    from dangjian.meetings.models import Activity

    # The period's ledger: on the books at some point of it (carried over, found, closed or open at its end).
    open_start = problems_open_on(FIRST - timedelta(days=1))
    in_period = set(ProblemEvent.objects.filter(on__gte=FIRST, on__lte=LAST).values_list("problem_id", flat=True))
    ledger = [p for p in Problem.objects.filter(org__path__startswith=org.path, found_on__lte=LAST).select_related("category")
              if p.pk in open_start or p.found_on >= FIRST or p.pk in in_period]
    exp = {}
    for cat in {p.category for p in ledger if p.category.report_part}:
        mine = [p for p in ledger if p.category_id == cat.pk]
        exp[f"plans.category.{cat.pk}.listed"] = len(mine)
        exp[f"plans.category.{cat.pk}.closed"] = sum(1 for p in mine if p.pk not in open_end)
    for plan in WorkPlan.objects.filter(org__path__startswith=org.path, kind="campaign", start_on__lte=LAST, end_on__gte=FIRST):
        due = PlanItem.objects.filter(plan=plan, deadline__gte=FIRST, deadline__lte=LAST).exclude(status="cancelled")
        exp[f"plans.campaign.{plan.pk}.items_due"] = due.count()
        exp[f"plans.campaign.{plan.pk}.items_done"] = due.filter(done_on__isnull=False).count()
        if plan.campaign_tag:
            exp[f"plans.campaign.{plan.pk}.activities"] = Activity.objects.filter(
                org__path__startswith=org.path, status="submitted", held_on__gte=FIRST, held_on__lte=LAST,
                tags__name=plan.campaign_tag).distinct().count()
    exp["plans.open_measures_listed"] = sum(1 for c, d, _dl in measures if c <= LAST and (d is None or d > LAST))
    return {
        **exp,
        "plans.problems_listed": len(ledger),
        "plans.problems_carried": sum(1 for p in ledger if p.found_on < FIRST),
        "plans.plans": WorkPlan.objects.filter(org__path__startswith=org.path, start_on__lte=LAST, end_on__gte=FIRST).count(),
        "plans.items_due": items.count(), "plans.items_on_time": on_time, "plans.items_late": late,
        "plans.items_overdue": overdue,
        "plans.milestones_due": stones.count(),
        "plans.milestones_on_time": sum(1 for d, dl in stones.values_list("done_on", "deadline") if d and d <= dl),
        "plans.problems_found": Problem.objects.filter(org__path__startswith=org.path, found_on__gte=FIRST, found_on__lte=LAST).count(),
        "plans.problems_closed": len(closed_ids - open_end), "plans.problems_open": len(open_end),
        "plans.measures_done": sum(1 for _c, d, _dl in measures if d and FIRST <= d <= LAST),
        "plans.measures_open": sum(1 for c, d, _dl in measures if c <= LAST and (d is None or d > LAST)),
        "plans.measures_overdue": sum(1 for c, d, dl in measures if c <= LAST and dl < as_of and (d is None or d > as_of)),
        "plans.next_items_due": next_items, "plans.next_milestones_due": next_stones,
    }


# 中组发〔2008〕3号 (DOMAIN.md §2): the whole base at its bracket's rate; fixed amounts otherwise.
EMPLOYED = [(Decimal(3000), Decimal("0.005")), (Decimal(5000), Decimal("0.01")), (Decimal(10000), Decimal("0.015")), (None, Decimal("0.02"))]
RETIRED = [(Decimal(5000), Decimal("0.005")), (None, Decimal("0.01"))]
CENT = Decimal("0.01")


def _rate(base: Decimal, table) -> Decimal:
    return next(rate for limit, rate in table if limit is None or base <= limit)


def dues_expected(org: Org) -> dict:
    """应交 from each member's 核定 base (or fixed amount) and reliefs, 实交 from the allocations of
    payments to months, 按时足额 from the payment dates against each month's deadline (the month's
    last day, or the quarter's for members paying quarterly), 连续未交 over the 24 months before."""
    from dangjian.dues.models import DuesAllocation, DuesBase, DuesEntry, DuesProfile, DuesRelief

    def month_index(d: date) -> int:
        return d.year * 12 + d.month - 1

    def month_at(i: int) -> date:
        return date(i // 12, i % 12 + 1, 1)

    window = [month_at(i) for i in range(month_index(FIRST) - 24, month_index(LAST) + 1)]
    months = [m.first_day for m in PERIOD.months()]
    roll = list(Member.objects.filter(org__path__startswith=org.path).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=LAST)).filter(Q(archived_on__isnull=True) | Q(archived_on__gte=FIRST)))
    quarterly = set(DuesProfile.objects.filter(member__in=roll, pay_schedule="quarterly").values_list("member_id", flat=True))
    bases = defaultdict(list)
    for b in DuesBase.objects.filter(member__in=roll).order_by("effective_month", "pk"):
        bases[b.member_id].append(b)
    reliefs = defaultdict(list)
    for r in DuesRelief.objects.filter(member__in=roll):
        reliefs[r.member_id].append(r)

    def deadline(member_id: int, month: date) -> date:
        p = Period.of(month, "quarter" if member_id in quarterly else "month")
        return p.last_day

    def due_of(m: Member, month: date) -> Decimal | None:
        base = next((b for b in reversed(bases[m.pk]) if b.effective_month <= month), None)
        if base is None:
            return None
        if base.category in ("在职", "年薪制", "个体"):
            due = (base.base * _rate(base.base, EMPLOYED)).quantize(CENT, ROUND_HALF_UP)
        elif base.category == "离退休":
            due = (base.base * _rate(base.base, RETIRED)).quantize(CENT, ROUND_HALF_UP)
        elif base.category in ("农民", "其他"):
            due = base.fixed_amount.quantize(CENT, ROUND_HALF_UP)
        else:
            due = Decimal("0.20")
        for r in reliefs[m.pk]:
            if r.from_month <= month and (r.to_month is None or month <= r.to_month):
                due = Decimal(0) if r.kind == "exempt" else r.monthly_amount
        return due

    paid_on_time, paid, extra = defaultdict(Decimal), defaultdict(Decimal), Decimal(0)
    # Payments that stand (a payment not cancelled by a reversal) and were made by the period's end.
    for a in DuesAllocation.objects.filter(member__in=roll, month__in=window, entry__kind="payment",
                                           entry__reversal__isnull=True, entry__paid_on__lte=LAST).select_related("entry"):
        if a.kind == "extra":
            extra += a.amount if a.month in months else 0
            continue
        paid[(a.member_id, a.month)] += a.amount
        if a.entry.paid_on <= deadline(a.member_id, a.month):
            paid_on_time[(a.member_id, a.month)] += a.amount
    due_total = paid_total = arrears = overpaid = Decimal(0)
    payers = judged = on_time = unassessed = warned = alarmed = 0
    for m in roll:
        owes = [mo for mo in window if not (m.joined_on and m.joined_on.replace(day=1) > mo)]
        member_due, late, missing = Decimal(0), False, False
        for month in (mo for mo in owes if mo in months):
            due = due_of(m, month)
            if due is None:
                missing = True
                continue
            due_total, member_due = due_total + due, member_due + due
            got = paid[(m.pk, month)]
            paid_total += got
            arrears += max(due - got, Decimal(0))
            overpaid += max(got - due, Decimal(0))
            if due > 0 and paid_on_time[(m.pk, month)] < due:
                late = True
        unassessed += missing
        if member_due > 0:
            payers, judged, on_time = payers + 1, judged + 1, on_time + (0 if late else 1)
        streak = 0
        for month in reversed(owes):
            due = due_of(m, month)
            if due is None or due == 0 or paid[(m.pk, month)] > 0:
                break
            streak += 1
        warned += streak >= 3
        alarmed += streak >= 6
    large = DuesEntry.objects.filter(org__path__startswith=org.path, paid_on__gte=FIRST, paid_on__lte=LAST,
                                     amount__gte=1000, kind="payment", reversal__isnull=True).count()
    rate = str((Decimal(on_time * 100) / judged).quantize(Decimal("0.1"))) if judged else "—"
    return {"dues.due": str(due_total.quantize(CENT)), "dues.paid": str(paid_total.quantize(CENT)),
            "dues.arrears": str(arrears.quantize(CENT)), "dues.extra": str(extra.quantize(CENT)),
            "dues.members": payers, "dues.judged": judged, "dues.on_time": on_time, "dues.on_time_rate": rate,
            "dues.large_payments": large, "dues.pending": "0.00", "dues.prepaid": "0.00",
            # Every month of a past quarter is due: nothing is pending or paid ahead.
            "dues.paid_ahead": "0.00", "dues.overpaid": str(overpaid.quantize(CENT)),
            "dues.unassessed": unassessed, "dues.warned": warned, "dues.alarmed": alarmed}


def grid_expected(org: Org) -> dict:
    """The register at the period's end, moves within it, and the survey campaigns overlapping it
    (a household counts as surveyed with a 已摸排 or 空置 visit, the default rule)."""
    from dangjian.grid.models import Campaign, Grid, GridAssignment, Household, Resident, Visit

    sub = Q(household__grid__community__path__startswith=org.path)
    register = Resident.objects.filter(sub).filter(Q(moved_in_on__isnull=True) | Q(moved_in_on__lte=LAST)).filter(
        Q(archived_on__isnull=True) | Q(archived_on__gt=LAST))
    born_by = LAST.replace(year=LAST.year - 80)
    campaigns = list(Campaign.objects.filter(community__path__startswith=org.path, starts_on__lte=LAST, deadline__gte=FIRST))
    total = sum(Household.objects.filter(grid__in=c.grids.all()).count() for c in campaigns)
    done = sum(Visit.objects.filter(campaign=c, result__in=("已摸排", "空置")).values("household").distinct().count()
               for c in campaigns)
    moved = Resident.objects.filter(sub)
    return {
        "grid.grids": Grid.objects.filter(community__path__startswith=org.path).count(),
        "grid.workers": GridAssignment.objects.filter(grid__community__path__startswith=org.path, started_on__lte=LAST).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=LAST)).values("user").distinct().count(),
        "grid.households": Household.objects.filter(grid__community__path__startswith=org.path).count(),
        "grid.residents": register.count(),
        "grid.migrants": register.filter(hukou_type="外来人口").count(),
        "grid.separated": register.filter(hukou_type="人户分离").count(),
        "grid.elderly": register.filter(birth_date__lte=born_by).count(),
        "grid.members": register.filter(member__isnull=False).count(),
        "grid.moved_in": moved.filter(moved_in_on__gte=FIRST, moved_in_on__lte=LAST).count(),
        "grid.moved_out": moved.filter(moved_out_on__gte=FIRST, moved_out_on__lte=LAST).count(),
        "grid.died": moved.filter(died_on__gte=FIRST, died_on__lte=LAST).count(),
        "grid.campaigns": len(campaigns), "grid.survey_total": total, "grid.survey_done": done,
        "grid.survey_percent": round(100 * done / total) if total else 0,
    }


def recruitment_expected(org: Org) -> dict:
    """People approved as 预备党员, and converted, by a step dated in the period."""
    from dangjian.recruitment.models import Step

    def approved(code: str) -> int:
        return (Step.objects.filter(applicant__org__path__startswith=org.path, code=code, done_on__gte=FIRST,
                                    done_on__lte=LAST).values("applicant").distinct().count())

    return {"recruitment.admitted": approved("approval"), "recruitment.converted": approved("conversion_approval")}


def appraisal_expected(org: Org) -> dict:
    """民主评议 等次 decided by meetings held in the period."""
    from dangjian.meetings.models import Appraisal

    rows = Appraisal.objects.filter(activity__org__path__startswith=org.path, activity__held_on__gte=FIRST,
                                    activity__held_on__lte=LAST)
    codes = {"优秀": "excellent", "合格": "qualified", "基本合格": "basic", "不合格": "unqualified"}
    return {"meetings.appraised": rows.count(),
            **{f"meetings.appraisal_{code}": rows.filter(result=r).count() for r, code in codes.items()}}


def expected(org: Org) -> dict:
    return {**members_expected(org), **meetings_expected(org), **plans_expected(org), **dues_expected(org),
            **grid_expected(org), **recruitment_expected(org), **appraisal_expected(org)}


# --- the tests -------------------------------------------------------------------------------------

def _norm(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def test_it_recomputes_every_figure_in_the_json_from_the_database(demo):
    got = {k: f["value"] for k, f in demo["json"]["figures"].items()}
    want = expected(demo["org"])
    unchecked = sorted(set(got) - set(want))
    assert not unchecked or set(unchecked) <= UNCHECKED, unchecked
    mismatched = {k: (got[k], want[k]) for k in want if k in got and _norm(got[k]) != _norm(want[k])}
    assert not mismatched


def test_it_prints_every_json_figure_in_the_docx_appendix(demo):
    rows = {r[1]: r for r in Docx(demo["docx"]).table_rows()[1:]}
    for key, f in demo["json"]["figures"].items():
        row = rows[f["label"]]
        shown = row[2].split("/")[0]
        assert _norm(shown) == _norm(f["value"]) or shown == str(f["value"]), key
        assert row[4] == f["source"], key


def test_it_writes_the_recomputed_figures_into_the_body_text(demo):
    text = docx_text(demo["docx"])
    want = expected(demo["org"])
    sentences = [
        f"共有党员{want['members.total']}名，其中正式党员{want['members.full']}名、预备党员{want['members.probationary']}名",
        f"流动党员{want['members.mobile']}名，年老体弱、行动不便党员{want['members.infirm']}名",
        f"共开展组织生活{want['meetings.held']}次",
        f"支部党员大会{want['meetings.type.congress.held']}次（应开展{want['meetings.type.congress.required']}次）",
        f"送学上门{want['meetings.visits']}次、覆盖{want['meetings.visited_members']}人",
        f"寄送学习资料{want['meetings.sends']}次、覆盖{want['meetings.sent_members']}人",
        f"应交党费{want['dues.due']}元，实交{want['dues.paid']}元",
        f"在账问题{want['plans.problems_listed']}个（上期结转{want['plans.problems_carried']}个、本季度新查摆{want['plans.problems_found']}个），"
        f"已整改销号{want['plans.problems_closed']}个，期末尚未销号{want['plans.problems_open']}个",
    ]
    for sentence in sentences:
        assert sentence in text


def test_it_lists_the_ledgers_problems_and_open_measures(demo):
    from dangjian.plans.models import Measure, Problem

    text = docx_text(demo["docx"])
    org = demo["org"]
    found = Problem.objects.filter(org__path__startswith=org.path, found_on__gte=FIRST, found_on__lte=LAST)
    open_measures = Measure.objects.filter(problem__org__path__startswith=org.path, created_on__lte=LAST).filter(
        Q(done_on__isnull=True) | Q(done_on__gt=LAST))
    assert found.exists() and open_measures.exists()
    for title in [*found.values_list("title", flat=True), *open_measures.values_list("title", flat=True)]:
        assert title in text


def test_it_gives_every_paragraph_its_sources_or_says_it_is_the_secretarys_or_a_placeholder(demo):
    paragraphs = demo["json"]["paragraphs"]
    kinds = {p["kind"] for p in paragraphs}
    assert kinds <= {"computed", "secretary", "placeholder", "heading"} and "placeholder" in kinds
    for p in paragraphs:
        if p["kind"] == "computed":
            assert p["figures"] or p["records"], p["key"]
            assert all(f["link"] for f in p["figures"]), p["key"]
        if p["kind"] == "heading":
            # A heading's own numbering ("1. ") is the document's structure, not a figure.
            assert p["style"] != "body" and not re.search(r"\d", re.sub(r"^\d+\. ", "", p["text"])), p["key"]


def test_it_lists_as_many_problems_in_part_three_as_it_counts(demo):
    figures = demo["json"]["figures"]
    listed = [p for p in demo["json"]["paragraphs"] if re.fullmatch(r"s3\.p\d+", p["key"])]
    assert len(listed) == figures["plans.problems_listed"]["value"] == len(demo["json"]["extra"]["plans.problems"])
    assert figures["plans.problems_listed"]["value"] == figures["plans.problems_closed"]["value"] + figures["plans.problems_open"]["value"]
    assert figures["plans.problems_listed"]["value"] == figures["plans.problems_carried"]["value"] + figures["plans.problems_found"]["value"]
    assert [p["text"][3:] for p in listed] == [p["title"] for p in demo["json"]["extra"]["plans.problems"]]


def test_it_adds_up_the_parts_of_the_meetings_sentence(demo):
    life = next(p for p in demo["json"]["paragraphs"] if p["key"] == "s1.work.education.life")
    values = {f["key"]: f["value"] for f in life["figures"]}
    held = values["meetings.held"]
    parts = sum(v for k, v in values.items() if re.fullmatch(r"meetings\.type\.\w+\.held", k))
    combined = demo["json"]["figures"]["meetings.combined"]["value"]
    extra = demo["json"]["figures"]["meetings.extra_counts"]["value"]
    assert combined > 0  # the demo holds 主题党日 together with 党课
    assert parts == held + extra
    assert f"（{combined}次活动同时计入两类）" in life["text"] if extra == combined else f"多{extra}次" in life["text"]


def test_it_writes_the_campaign_and_online_study_from_the_records(demo):
    by_key = {p["key"]: p for p in demo["json"]["paragraphs"]}
    campaign = next(p for k, p in by_key.items() if k.startswith("s1.work.key.campaign"))
    assert "主题教育" in campaign["text"] and campaign["records"]
    assert "学习强国" in by_key["s1.study.online"]["text"] and "积分" in by_key["s1.study.online"]["text"]
    assert "一岗双责" in by_key["s2.body"]["text"]


# Figures the test does not recompute, with the reason (kept empty when all are covered).
# Who stands at which stage on a day follows from the order of 25 steps, extensions, cancellations and
# stops: recruitment/tests check those counts against their own board; here only the dated approvals
# are recomputed independently.
UNCHECKED: set[str] = {"recruitment.in_pipeline", "recruitment.overdue",
                       *(f"recruitment.stage_{i}" for i in range(1, 6))}


# --- PDF ----------------------------------------------------------------------------------------------

NO_LINE_START = set("，。、；：？！”’）》」』】〉,.;:?!)%")


def grid_lines(text: str, indent: int = 2, cells: int = 28) -> int:
    """Lines a paragraph takes on the 28-character grid (half-width characters take half a cell;
    a line never starts with closing punctuation: the character before moves down with it)."""
    lines, used = 1, indent
    for ch in text:
        width = 1 if unicodedata.east_asian_width(ch) in "WF" else 0.5
        if used + width > cells:
            lines, used = lines + 1, (1 if ch in NO_LINE_START else 0)
        used += width
    return lines


def body_lines(docx: Docx) -> int:
    """The body's lines on the 22-line grid: title and the blank line under it, paragraphs, the blank
    line before the signature, signer and date."""
    total = 0
    body = docx.doc.find("w:body", {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})
    for p in body.iterchildren("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        style = docx.style_name(p)
        text = "".join(t.text or "" for t in p.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
        if style == "附件标识":
            break
        if style == "公文标题":
            total += 2
        elif style == "署名日期":
            total += 1
        elif text.strip():
            total += grid_lines(text.strip())
    return total


needs_soffice = pytest.mark.skipif(not shutil.which("soffice") and not os.environ.get("CI"),
                                   reason="LibreOffice not installed (apt-get install libreoffice-writer-nogui fonts-noto-cjk poppler-utils)")


@needs_soffice
def test_it_converts_to_pdf_with_the_expected_page_count(demo):
    from dangjian.reports.pdf import docx_to_pdf

    pdf = demo["dir"] / "report.pdf"
    pdf.write_bytes(docx_to_pdf(demo["docx"]))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page_texts = text.split("\f")[:pages]
    lines = body_lines(Docx(demo["docx"]))
    body_pages = math.ceil(lines / 22)
    table_pages = sum(1 for t in page_texts if "序号" in t)  # the table's header row repeats on each of its pages
    assert pages == body_pages + table_pages
    assert "附表" in page_texts[body_pages] and "附表" not in "".join(page_texts[:body_pages])
    # Every full body page holds 22 lines of the grid (the page number is the extra line).
    for t in page_texts[1:body_pages - 1]:
        assert len([ln for ln in t.splitlines() if ln.strip()]) == 22 + 1
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts


def test_it_finalised_the_demo_report_with_the_secretarys_own_words(demo):
    from dangjian.reports.models import Report
    from dangjian.reports.services import version_json

    final = Report.objects.get(org=demo["org"], period=str(PERIOD)).final_version()
    kinds = Counter(p["kind"] for p in version_json(final)["paragraphs"])
    assert kinds["secretary"] > 0 and kinds["placeholder"] == 0 and kinds["unsourced"] == 0
