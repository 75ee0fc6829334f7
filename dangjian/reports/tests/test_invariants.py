"""Every relation between the figures holds, whatever the records (Hypothesis), and each named one
is checked for what it claims: combined activities, "3个月以上" ⊇ "6个月以上", 查摆 = 销号 + 未销号."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.dues.choices import PaySchedule, ReliefKind
from dangjian.dues.services import DuesError, base_set, payment_record, profile_update, relief_grant
from dangjian.lib.periods import Period
from dangjian.meetings import figures as meeting_figures
from dangjian.meetings.choices import Mark
from dangjian.meetings.rules import effective
from dangjian.meetings.tests.helpers import held
from dangjian.members.choices import EventKind, Status
from dangjian.members.services import member_event_record
from dangjian.plans import figures as plan_figures
from dangjian.plans import services as plan_services
from dangjian.plans.models import ProblemCategory, ProblemSource
from dangjian.plans.tests.conftest import make_problem
from dangjian.reports import invariants
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
YEAR = 2023
QUARTERS = [Period("quarter", YEAR, q) for q in range(1, 5)]
TODAY = date(YEAR + 1, 1, 15)
TYPES = ("theme_day", "lecture", "congress", "committee", "life_meeting", "appraisal", "talk")
MARKS = (Mark.PRESENT, Mark.LATE, Mark.SICK, Mark.ABSENT, "")


@pytest.fixture
def terms(db):
    plan_services.terms_ensure_defaults()
    return ProblemCategory.objects.get(name="理论学习"), ProblemSource.objects.get(name="自查")


def day_in(year_from: int = YEAR - 1):
    return st.dates(date(year_from, 7, 1), date(YEAR, 12, 28))


payment = st.tuples(
    st.dates(date(YEAR, 1, 1), date(YEAR, 12, 31)),  # paid on
    st.one_of(st.none(), st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True)),  # months (None: oldest)
    st.integers(20, 30000),  # cents
)
member = st.fixed_dictionaries({
    "org": st.sampled_from(("branch_a", "group_a1", "branch_b")),
    "joined_on": day_in(),
    "probationary": st.booleans(),
    "leaves": st.one_of(st.none(), st.tuples(st.dates(date(YEAR, 1, 2), date(YEAR, 12, 30)),
                                             st.sampled_from((EventKind.TRANSFER_OUT, EventKind.DEATH)))),
    "base": st.integers(1000, 12000),
    "quarterly": st.booleans(),
    "payments": st.lists(payment, max_size=4),
    "relief_from": st.one_of(st.none(), st.integers(1, 12)),
})
activity = st.fixed_dictionaries({
    "org": st.sampled_from(("branch_a", "group_a1", "branch_b")),
    "type": st.sampled_from(TYPES),
    "on": st.dates(date(YEAR, 1, 1), date(YEAR, 12, 31)),
    "also": st.lists(st.sampled_from(TYPES), max_size=2, unique=True),
    "marks": st.lists(st.sampled_from(MARKS), max_size=8),
})
problem = st.fixed_dictionaries({
    "org": st.sampled_from(("community", "branch_a", "branch_b")),
    "found_on": day_in(),
    "closed_after": st.one_of(st.none(), st.integers(1, 200)),
    "reopened_after": st.one_of(st.none(), st.integers(1, 120)),
})


def _member(world, spec) -> None:
    joined = spec["joined_on"]
    status = (dict(status=Status.PROBATIONARY, confirmed_on=None) if spec["probationary"]
              else dict(status=Status.FULL, confirmed_on=joined + timedelta(days=365)))
    m = MemberFactory(org=getattr(world, spec["org"]), joined_on=joined, **status)
    first = max(date(YEAR, 1, 1), joined.replace(day=1))
    base_set(member=m, effective_month=first, category="在职", base=Decimal(spec["base"]))
    if spec["quarterly"]:
        profile_update(member=m, pay_schedule=PaySchedule.QUARTERLY, voluntary_extra=Decimal("0"))
    for paid_on, months, cents in spec["payments"]:
        try:
            payment_record(member=m, amount=Decimal(cents) / 100, paid_on=paid_on, method="现金", today=TODAY,
                           months=[date(YEAR, k, 1) for k in sorted(months)] if months else None)
        except (DuesError, ValidationError):
            pass  # a refused payment (too much, month not owed) is a legitimate outcome
    if spec["relief_from"]:  # lowered after payment: what was paid may exceed what is owed
        month = max(first, date(YEAR, spec["relief_from"], 1))
        relief_grant(member=m, kind=ReliefKind.REDUCE, from_month=month, monthly_amount=Decimal("0.20"),
                     reason="困难", branch_decided_on=month, approved_by="街道党工委", approval_document="街党〔2023〕1号",
                     approved_on=month)
    if spec["leaves"]:
        on, kind = spec["leaves"]
        if on > spec["joined_on"]:
            member_event_record(member=m, kind=kind, on=on)


def _problem(world, terms, spec) -> None:
    found = spec["found_on"]
    p = make_problem(getattr(world, spec["org"]), terms, found_on=found, measures=[found + timedelta(days=30)])
    if spec["closed_after"] is None:
        return
    closed = found + timedelta(days=spec["closed_after"])
    measure = p.measures.get()
    plan_services.measure_complete(measure=measure, done_on=closed, result="已完成")
    plan_services.problem_close(problem=p, user=world.secretary, on=closed)
    if spec["reopened_after"] is not None:
        plan_services.problem_reopen(problem=p, user=world.secretary, reason="整改不到位",
                                     on=closed + timedelta(days=spec["reopened_after"]))


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(members=st.lists(member, max_size=5), activities=st.lists(activity, max_size=6),
       problems=st.lists(problem, max_size=4), quarter=st.sampled_from(QUARTERS))
def test_it_holds_every_relation_whatever_the_records(world, terms, members, activities, problems, quarter):
    with transaction.atomic():
        for spec in members:
            _member(world, spec)
        roll = list(world.community.members.model.objects.in_org(world.community))
        for spec in activities:
            marks = dict(zip(roll, spec["marks"], strict=False))
            also = tuple(t for t in spec["also"] if t != spec["type"])
            org = world.group_a1 if spec["type"] == "group" else getattr(world, spec["org"])
            held(org, spec["type"], spec["on"], also=also, marks=marks)
        for spec in problems:
            _problem(world, terms, spec)
        found = invariants.check(world.community, quarter, below=True)
        transaction.set_rollback(True)
    assert found == [], "\n".join(map(str, found))


def test_it_counts_an_activity_held_as_two_types_once_and_says_so(world):
    held(world.branch_a, "theme_day", date(YEAR, 7, 1), also=("lecture",))
    held(world.branch_a, "theme_day", date(YEAR, 8, 1))
    f = meeting_figures.for_period(world.community, Period.parse(f"{YEAR}Q3"))
    parts = {t["type_code"]: t["held_total"] for t in f.parts()}
    assert (f.held.value, parts["theme_day"], parts["lecture"]) == (2, 2, 1)
    assert (f.combined.value, f.extra_counts.value) == (1, 1)
    assert sum(parts.values()) == f.held.value + f.extra_counts.value


def test_it_counts_six_months_without_organisational_life_within_the_three_months_count(world):
    ruleset = effective()
    start = date(YEAR, 1, 3)  # the first record the system holds: months are counted from here
    held(world.branch_b, "theme_day", start, marks={world.member_b: Mark.PRESENT})
    period = Period("month", YEAR, 1 + ruleset.lapse_flag.months + 1)
    f = meeting_figures.for_period(world.community, period)
    assert f.lapse_flags.value >= 1 and f.lapse_warnings.value >= f.lapse_flags.value
    assert {x.member for x in f.reach.flagged} <= {x.member for x in f.reach.lapses}


def test_it_lists_every_problem_it_counts(world, terms):
    """A problem carried into the quarter and closed in it is listed (the ledger had only 1 of 2)."""
    carried = make_problem(world.branch_a, terms, found_on=date(YEAR, 5, 1), measures=[date(YEAR, 6, 1)])
    plan_services.measure_complete(measure=carried.measures.get(), done_on=date(YEAR, 7, 10), result="完成")
    plan_services.problem_close(problem=carried, user=world.secretary, on=date(YEAR, 7, 20))
    make_problem(world.branch_a, terms, found_on=date(YEAR, 8, 1), measures=[date(YEAR, 9, 1)])
    f = plan_figures.for_period(world.community, Period.parse(f"{YEAR}Q3"))
    assert (f.problems_found.value, f.problems_carried.value, f.problems_closed.value, f.problems_open.value) == (
        1, 1, 1, 1)
    assert len(f.problems) == f.problems_listed.value == 2


def test_it_reports_a_relation_that_does_not_hold_with_its_numbers(world, monkeypatch):
    from dangjian.lib.figures import sums_to

    broken = sums_to("plans.test", ("期内在账问题", 2), {"期内整改销号": 1, "期末未销号问题": 0})
    monkeypatch.setattr(plan_figures.PlanFigures, "relations", lambda self: [broken])
    found = invariants.check(world.community, Period.parse(f"{YEAR}Q3"), below=True)
    assert {v.org for v in found} == set(world.community.__class__.objects.subtree_of(world.community))
    v = found[0]
    assert (v.key, v.numbers["期内在账问题"], v.period) == ("plans.test", 2, Period.parse(f"{YEAR}Q3"))
    assert v.as_json()["relation"] == "期内在账问题 = 期内整改销号 + 期末未销号问题"
