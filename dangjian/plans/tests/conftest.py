"""Plans' own test records, built through the services on the shared `world` (root conftest)."""

from datetime import date

import pytest

from dangjian.plans import services
from dangjian.plans.choices import PlanKind
from dangjian.plans.models import ProblemCategory, ProblemSource


@pytest.fixture
def terms(db):
    services.terms_ensure_defaults()  # a transactional test before this one may have flushed them
    return ProblemCategory.objects.get(name="理论学习"), ProblemSource.objects.get(name="自查")


def make_plan(org, *, year: int = 2023, title: str = "年度计划"):
    return services.plan_create(org=org, title=title, kind=PlanKind.YEAR, period=str(year),
                                start_on=date(year, 1, 1), end_on=date(year, 12, 31))


def make_problem(org, terms, *, title: str = "学习不够深入", found_on: date = date(2023, 3, 1), measures=()):
    category, source = terms
    problem = services.problem_create(org=org, title=title, category=category, source=source, found_on=found_on,
                                      causes=["原因一", "原因二"])
    for i, deadline in enumerate(measures, start=1):
        services.measure_add(problem=problem, title=f"措施{i}", owner="张书记", deadline=deadline, created_on=found_on)
    return problem


@pytest.fixture
def plan_a(world):
    """A plan of branch A with one item (two milestones)."""
    plan = make_plan(world.branch_a, title="第一党支部2023年计划")
    item = services.plan_item_add(plan=plan, title="开展主题党日", owner="支部书记", deadline=date(2023, 10, 31))
    services.milestone_add(item=item, title="制定方案", deadline=date(2023, 10, 9))
    services.milestone_add(item=item, title="组织开展", deadline=date(2023, 10, 31))
    return plan


@pytest.fixture
def plan_b(world):
    plan = make_plan(world.branch_b, title="第二党支部2023年计划")
    item = services.plan_item_add(plan=plan, title="党费公示", owner="支部书记", deadline=date(2023, 12, 29))
    services.milestone_add(item=item, title="四季度公示", deadline=date(2023, 12, 29))
    return plan


@pytest.fixture
def problem_a(world, terms):
    return make_problem(world.branch_a, terms, title="支部学习不够深入", measures=[date(2023, 6, 30)])


@pytest.fixture
def problem_b(world, terms):
    return make_problem(world.branch_b, terms, title="二支部记录不规范", measures=[date(2023, 6, 30)])
