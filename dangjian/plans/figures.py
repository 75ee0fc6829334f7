"""Plans' and the rectification ledger's numbers for an org subtree and a period.

The duty report drafts "制定了工作计划，严格按照时间节点" from the item/milestone figures, its part
三、存在问题和原因 from `problems` (found in the period or still open at its end, with causes) and
part 四、下一步工作措施 from `open_measures`. A constant number of queries, whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from dangjian.lib.figures import Figure, Relation, at_most, equals, link, sums_to
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org

from .choices import ItemState, ItemStatus, LedgerShow, PlanKind, ProblemEventKind
from .models import Measure, Milestone, PlanItem, Problem, ProblemCause, ProblemEvent, WorkPlan


@dataclass
class MeasureDigest:
    id: int
    title: str
    detail: str
    owner: str
    deadline: date
    done_on: date | None
    problem_id: int
    problem_title: str
    link: str

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "detail": self.detail, "owner": self.owner,
                "deadline": self.deadline.isoformat(), "done_on": self.done_on.isoformat() if self.done_on else None,
                "problem_id": self.problem_id, "problem": self.problem_title, "link": self.link}


@dataclass
class ProblemDigest:
    """A problem as the report reads it: headline, detail, causes, and its measures."""

    id: int
    org: str
    title: str
    description: str
    category: str
    source: str
    found_on: date
    closed_on: date | None  # as of the period's end (None: still open then)
    causes: list[str]
    measures: list[MeasureDigest]
    link: str
    category_id: int = 0
    report_part: str = ""  # the category's ReportPart: also summed up in part 二 / on 意识形态工作

    @property
    def open_at_end(self) -> bool:
        return self.closed_on is None

    def as_json(self) -> dict:
        return {"id": self.id, "org": self.org, "title": self.title, "description": self.description,
                "category": self.category, "source": self.source, "found_on": self.found_on.isoformat(),
                "closed_on": self.closed_on.isoformat() if self.closed_on else None, "open_at_end": self.open_at_end,
                "causes": self.causes, "measures": [m.as_json() for m in self.measures], "link": self.link,
                "category_id": self.category_id, "report_part": self.report_part}


@dataclass
class PlanFigures:
    org: Org
    period: Period
    as_of: date  # the period's last day, or today for the current period
    plans: Figure
    items_due: Figure
    items_on_time: Figure
    items_late: Figure
    items_overdue: Figure
    milestones_due: Figure  # deadline within the period
    milestones_on_time: Figure  # … done by their deadline
    problems_found: Figure
    problems_carried: Figure  # on the books from before the period (open at its start, or reopened in it)
    problems_listed: Figure  # the ledger of the period: found + carried = closed + open at end
    problems_closed: Figure
    problems_open: Figure
    measures_done: Figure
    measures_open: Figure
    measures_overdue: Figure
    problems: list[ProblemDigest] = field(default_factory=list)
    open_measures: list[MeasureDigest] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)  # campaign plans (主题教育 …) overlapping the period
    # For the on-schedule rate: milestones whose deadline has come by as_of, and those met.
    milestones_passed: int = 0
    milestones_passed_on_time: int = 0

    NUMBERS = ("plans", "items_due", "items_on_time", "items_late", "items_overdue", "milestones_due",
               "milestones_on_time", "problems_found", "problems_carried", "problems_listed", "problems_closed", "problems_open", "measures_done",
               "measures_open", "measures_overdue")

    @property
    def on_schedule_rate(self) -> float | None:
        """Share of the period's milestones, whose deadline has come, done by it (严格按照时间节点)."""
        due = self.milestones_passed
        return round(100 * self.milestones_passed_on_time / due, 1) if due else None

    def relations(self) -> list[Relation]:
        """查摆 + 上期结转 = 销号 + 未销号 = the problems listed (checked by `dangjian verify` and 自检)."""
        found, carried, listed = self.problems_found.value, self.problems_carried.value, self.problems_listed.value
        closed, still_open = self.problems_closed.value, self.problems_open.value
        return [
            sums_to("plans.problems_in", (self.problems_listed.label, listed),
                    {self.problems_found.label: found, self.problems_carried.label: carried}),
            sums_to("plans.problems_out", (self.problems_listed.label, listed),
                    {self.problems_closed.label: closed, self.problems_open.label: still_open}),
            equals("plans.problems_listed", (self.problems_listed.label, listed), ("列出的问题", len(self.problems))),
            equals("plans.problems_listed_open", (self.problems_open.label, still_open),
                   ("列出的问题中期末未销号", sum(1 for p in self.problems if p.open_at_end))),
            at_most("plans.items", ("按时完成 + 逾期完成", self.items_on_time.value + self.items_late.value),
                    (self.items_due.label, self.items_due.value)),
            at_most("plans.items_overdue", (self.items_overdue.label, self.items_overdue.value),
                    ("未完成", self.items_due.value - self.items_on_time.value - self.items_late.value)),
            at_most("plans.milestones", (self.milestones_on_time.label, self.milestones_on_time.value),
                    (self.milestones_due.label, self.milestones_due.value)),
        ]

    def as_json(self) -> dict:
        return {"org": self.org.name, "period": str(self.period), "as_of": self.as_of.isoformat(),
                **{k: getattr(self, k).as_json() for k in self.NUMBERS},
                "on_schedule_rate": self.on_schedule_rate, "milestones_passed": self.milestones_passed,
                "milestones_passed_on_time": self.milestones_passed_on_time,
                "problems": [p.as_json() for p in self.problems],
                "open_measures": [m.as_json() for m in self.open_measures], "campaigns": self.campaigns}


def _as_of(period: Period, today: date | None) -> date:
    today = today or timezone.localdate()
    return min(period.last_day, today)


def _items(org: Org, first: date, last: date, as_of: date) -> dict:
    return PlanItem.objects.in_org(org).counted().due_in(first, last).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=F("deadline"))),
        late=Count("pk", filter=Q(done_on__isnull=False, done_on__gt=F("deadline"))),
        overdue=Count("pk", filter=Q(done_on__isnull=True, deadline__lt=as_of)),
    )


def _milestones(org: Org, first: date, last: date, as_of: date) -> dict:
    return Milestone.objects.in_org(org).filter(deadline__range=(first, last)).exclude(
        item__status="cancelled").aggregate(
        due=Count("pk"),
        # Only milestones whose deadline has come count for the rate: later ones are not late yet.
        passed=Count("pk", filter=Q(deadline__lte=as_of)),
        on_time=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=F("deadline"))),
        passed_on_time=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=F("deadline"), deadline__lte=as_of)))


def _items_due(org: Org, period: Period, n: int) -> Figure:
    return Figure("期内到期计划事项", n, link("plan_item_list", org=org.pk, period=str(period), state=ItemState.ALL), "项")


def _milestones_due(org: Org, period: Period, n: int) -> Figure:
    return Figure("期内时间节点", n, link("plan_item_list", org=org.pk, period=str(period), state=ItemState.ALL), "个")


def due_in(org: Org, period: Period, *, today: date | None = None) -> tuple[Figure, Figure]:
    """The plan items and the milestones falling due in period — `items_due` and `milestones_due`
    of `for_period`, without the rest (the report's part 四 reads them for the next period)."""
    first, last, as_of = period.first_day, period.last_day, _as_of(period, today)
    return (_items_due(org, period, _items(org, first, last, as_of)["due"]),
            _milestones_due(org, period, _milestones(org, first, last, as_of)["due"]))


def for_period(org: Org, period: Period, *, today: date | None = None) -> PlanFigures:
    first, last = period.first_day, period.last_day
    as_of = _as_of(period, today)
    p = str(period)

    plans = WorkPlan.objects.in_org(org).overlapping(first, last).count()
    items, milestones = _items(org, first, last, as_of), _milestones(org, first, last, as_of)
    problems_qs = Problem.objects.in_org(org)
    found = problems_qs.found_in(first, last).count()
    listed = problems_qs.in_ledger(period).aggregate(n=Count("pk"), carried=Count("pk", filter=Q(found_on__lt=first)))
    closed = problems_qs.closed_in(first, last).count()
    open_at_end = problems_qs.open_on(last).count()
    measures_qs = Measure.objects.in_org(org)
    m = measures_qs.aggregate(
        done=Count("pk", filter=Q(done_on__range=(first, last))),
        open=Count("pk", filter=Q(created_on__lte=last) & (Q(done_on__isnull=True) | Q(done_on__gt=last))),
        overdue=Count("pk", filter=Q(created_on__lte=last, deadline__lt=as_of)
                      & (Q(done_on__isnull=True) | Q(done_on__gt=as_of))),
    )

    def item_link(state: str) -> str:
        return link("plan_item_list", org=org.pk, period=p, state=state)

    def ledger(show: str, **extra) -> str:
        return link("problem_list", org=org.pk, period=p, show=show, **extra)

    problems = problems_for_report(org, period)

    return PlanFigures(
        org=org, period=period, as_of=as_of,
        plans=Figure("工作计划", plans, link("plan_list", org=org.pk, year=period.year), "个"),
        items_due=_items_due(org, period, items["due"]),
        items_on_time=Figure("按时完成", items["on_time"], item_link(ItemState.ON_TIME), "项"),
        items_late=Figure("逾期完成", items["late"], item_link(ItemState.LATE), "项"),
        items_overdue=Figure("逾期未完成", items["overdue"], item_link(ItemState.OVERDUE), "项"),
        milestones_due=_milestones_due(org, period, milestones["due"]),
        milestones_on_time=Figure("按时完成的时间节点", milestones["on_time"], item_link(ItemState.ALL), "个"),
        problems_found=Figure("期内查摆问题", found, ledger(LedgerShow.FOUND), "个"),
        problems_carried=Figure("上期结转问题", listed["carried"], ledger(LedgerShow.ACTIVE), "个"),
        problems_listed=Figure("期内在账问题", listed["n"], ledger(LedgerShow.ACTIVE), "个"),
        problems_closed=Figure("期内整改销号", closed, ledger(LedgerShow.CLOSED), "个"),
        problems_open=Figure("期末未销号问题", open_at_end, ledger(LedgerShow.OPEN), "个"),
        measures_done=Figure("期内完成整改措施", m["done"], ledger(LedgerShow.ACTIVE), "条"),
        measures_open=Figure("期末未完成整改措施", m["open"], ledger(LedgerShow.OPEN), "条"),
        measures_overdue=Figure("逾期未完成整改措施", m["overdue"], ledger(LedgerShow.OPEN), "条"),
        problems=problems,
        open_measures=open_measures(org, period),
        campaigns=campaigns_for_report(org, period),
        milestones_passed=milestones["passed"], milestones_passed_on_time=milestones["passed_on_time"],
    )


def _measure_digest(m: Measure, problem_title: str) -> MeasureDigest:
    return MeasureDigest(id=m.pk, title=m.title, detail=m.detail, owner=m.owner, deadline=m.deadline,
                         done_on=m.done_on, problem_id=m.problem_id, problem_title=problem_title,
                         link=m.get_absolute_url())


def problems_for_report(org: Org, period: Period) -> list[ProblemDigest]:
    """The period's ledger (found in it, carried into it, closed or reopened in it), with causes and
    measures (三、四): the same problems `problems_listed` counts."""
    last = period.last_day
    open_ids = Problem.objects.in_org(org).open_on(last).values("pk")
    qs = (Problem.objects.in_org(org).in_ledger(period)
          .select_related("org", "category", "source")
          .prefetch_related(Prefetch("causes", queryset=ProblemCause.objects.order_by("sort", "pk")),
                            Prefetch("measures", queryset=Measure.objects.order_by("sort", "deadline", "pk")))
          .annotate(is_open_at_end=Count("pk", filter=Q(pk__in=open_ids)),
                    closed_at_end=Subquery(ProblemEvent.objects.filter(
                        problem=OuterRef("pk"), kind=ProblemEventKind.CLOSED, on__lte=last)
                        .order_by("-on", "-pk").values("on")[:1]))
          .order_by("found_on", "pk"))
    digests = []
    for problem in qs:
        measures = [m for m in problem.measures.all() if m.created_on <= last]
        closed_on = None if problem.is_open_at_end else problem.closed_at_end
        digests.append(ProblemDigest(
            id=problem.pk, org=problem.org.name, title=problem.title, description=problem.description,
            category=problem.category.name, source=problem.source.name, found_on=problem.found_on,
            closed_on=closed_on, causes=[c.text for c in problem.causes.all()],
            measures=[_measure_digest(m, problem.title) for m in measures], link=problem.get_absolute_url(),
            category_id=problem.category_id, report_part=problem.category.report_part))
    return digests


def campaigns_for_report(org: Org, period: Period) -> list[dict]:
    """Campaign plans (主题教育 …) overlapping the period: their items and milestones due in it, and
    the activity tag that links them to organisational life. Two queries."""
    first, last = period.first_day, period.last_day
    plans = list(WorkPlan.objects.in_org(org).overlapping(first, last).filter(kind=PlanKind.CAMPAIGN)
                 .annotate(items_due=Count("items", filter=Q(items__deadline__range=(first, last))
                                           & ~Q(items__status=ItemStatus.CANCELLED), distinct=True),
                           items_done=Count("items", filter=Q(items__deadline__range=(first, last),
                                                              items__done_on__isnull=False)
                                            & ~Q(items__status=ItemStatus.CANCELLED), distinct=True))
                 .order_by("start_on", "pk"))
    stones = dict(Milestone.objects.filter(item__plan__in=[pl.pk for pl in plans], deadline__range=(first, last))
                  .exclude(item__status=ItemStatus.CANCELLED).values("item__plan").annotate(n=Count("pk"))
                  .values_list("item__plan", "n")) if plans else {}
    return [{"id": pl.pk, "title": pl.title, "tag": pl.campaign_tag, "start_on": pl.start_on.isoformat(),
             "end_on": pl.end_on.isoformat(), "items_due": pl.items_due, "items_done": pl.items_done,
             "milestones_due": stones.get(pl.pk, 0), "link": pl.get_absolute_url(),
             "items_link": link("plan_item_list", org=org.pk, period=str(period), state=ItemState.ALL, plan=pl.pk),
             "done_link": link("plan_item_list", org=org.pk, period=str(period), state=ItemState.DONE, plan=pl.pk)}
            for pl in plans]


def open_measures(org: Org, period: Period) -> list[MeasureDigest]:
    """Measures not done at the period's end: what 下一步工作措施 carries forward."""
    qs = (Measure.objects.in_org(org).open_on(period.last_day)
          .select_related("problem").order_by("deadline", "pk"))
    return [_measure_digest(m, m.problem.title) for m in qs]
