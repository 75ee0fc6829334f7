"""Figures for a period: items on time and overdue, problems found/closed/open, measures — and the
problems with causes and open measures the duty report drafts parts 三 and 四 from."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.lib.periods import Period
from dangjian.plans import figures, services

from .conftest import make_plan, make_problem

pytestmark = pytest.mark.django_db
Q4 = Period.parse("2023Q4")
TODAY = date(2024, 3, 1)


@pytest.fixture
def records(world, terms):
    plan = make_plan(world.branch_a)
    on_time = services.plan_item_add(plan=plan, title="按时", owner="书记", deadline=date(2023, 10, 31))
    late = services.plan_item_add(plan=plan, title="逾期完成", owner="书记", deadline=date(2023, 11, 30))
    services.plan_item_add(plan=plan, title="逾期未完成", owner="书记", deadline=date(2023, 12, 15))
    services.plan_item_add(plan=plan, title="三季度", owner="书记", deadline=date(2023, 9, 15))
    services.plan_item_complete(item=on_time, done_on=date(2023, 10, 30))
    services.plan_item_complete(item=late, done_on=date(2023, 12, 5))
    closed = make_problem(world.branch_a, terms, title="已销号", found_on=date(2023, 10, 10), measures=[date(2023, 11, 30)])
    services.measure_complete(measure=closed.measures.get(), done_on=date(2023, 11, 20), result="完成")
    services.problem_close(problem=closed, user=world.secretary, on=date(2023, 11, 25))
    make_problem(world.branch_a, terms, title="未销号", found_on=date(2023, 11, 1), measures=[date(2023, 12, 20), date(2024, 6, 30)])
    make_problem(world.branch_b, terms, title="二支部的", found_on=date(2023, 11, 1), measures=[date(2024, 1, 31)])
    return world


def test_it_counts_items_due_in_the_period(records):
    f = figures.for_period(records.branch_a, Q4, today=TODAY)
    assert (f.items_due.value, f.items_on_time.value, f.items_late.value, f.items_overdue.value) == (3, 1, 1, 1)


def test_it_counts_problems_found_closed_and_open(records):
    f = figures.for_period(records.branch_a, Q4, today=TODAY)
    assert (f.problems_found.value, f.problems_closed.value, f.problems_open.value) == (2, 1, 1)


def test_it_counts_measures_done_open_and_overdue(records):
    f = figures.for_period(records.branch_a, Q4, today=TODAY)
    assert (f.measures_done.value, f.measures_open.value, f.measures_overdue.value) == (1, 2, 1)


def test_it_covers_the_whole_subtree_for_the_community(records):
    assert figures.for_period(records.community, Q4, today=TODAY).problems_found.value == 3


def test_it_gives_the_report_problems_with_causes(records):
    problems = figures.for_period(records.branch_a, Q4, today=TODAY).problems
    assert [(p.title, p.causes, p.open_at_end) for p in problems] == [
        ("已销号", ["原因一", "原因二"], False), ("未销号", ["原因一", "原因二"], True)]


def test_it_gives_the_report_the_open_measures(records):
    measures = figures.for_period(records.branch_a, Q4, today=TODAY).open_measures
    assert [(m.title, m.problem_title) for m in measures] == [("措施1", "未销号"), ("措施2", "未销号")]


def test_it_links_each_figure_to_its_records(records):
    f = figures.for_period(records.branch_a, Q4, today=TODAY)
    assert f.problems_open.link == f"/plans/problems/?org={records.branch_a.pk}&period=2023Q4&show=open"


def test_it_serialises_to_json(records):
    data = figures.for_period(records.branch_a, Q4, today=TODAY).as_json()
    assert data["items_overdue"]["value"] == 1 and data["problems"][0]["causes"] == ["原因一", "原因二"]


def test_it_keeps_the_query_count_constant(records, terms):
    with CaptureQueriesContext(connection) as small:
        figures.for_period(records.community, Q4, today=TODAY)
    for i in range(5):
        make_problem(records.branch_b, terms, title=f"新增{i}", found_on=date(2023, 12, 1), measures=[date(2024, 1, 1)])
    with CaptureQueriesContext(connection) as large:
        figures.for_period(records.community, Q4, today=TODAY)
    assert len(large) == len(small)


def test_it_does_not_count_later_milestones_as_late_in_the_current_period(world):
    plan = make_plan(world.branch_a)
    item = services.plan_item_add(plan=plan, title="x", owner="书记", deadline=date(2023, 12, 29))
    services.milestone_add(item=item, title="早", deadline=date(2023, 10, 9))
    services.milestone_add(item=item, title="晚", deadline=date(2023, 12, 29))
    services.milestone_complete(milestone=item.milestones.get(title="早"), done_on=date(2023, 10, 9))
    f = figures.for_period(world.branch_a, Q4, today=date(2023, 11, 1))
    assert (f.milestones_due.value, f.milestones_passed, f.milestones_passed_on_time, f.on_schedule_rate) == (2, 1, 1, 100.0)
