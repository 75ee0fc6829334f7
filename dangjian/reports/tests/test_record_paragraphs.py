"""The paragraphs drafted from records the system keeps — 主题教育 (tagged activities and the
campaign plan), online study by platform, 纪律教育 and 一岗双责 problems, activities counted under two
types — each with figures whose links open a list of as many records."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.meetings.models import Activity, ActivityType, SelfStudy, Tag
from dangjian.plans.models import PlanItem, Problem, ProblemCategory, ProblemSource, WorkPlan
from dangjian.reports.drafting import fill
from dangjian.reports.services import report_draft

from .conftest import Q3


@pytest.fixture
def records(world):
    types = {t.code: t for t in ActivityType.objects.all()}
    theme = Tag.objects.get_or_create(name="主题教育")[0]
    day = Activity.objects.create(org=world.branch_a, type=types["theme_day"], status="submitted",
                                  held_on=date(2023, 9, 12), topic="主题党日暨党课")
    day.also_types.add(types["lecture"])
    day.tags.add(theme)
    Activity.objects.create(org=world.branch_b, type=types["discipline"], status="submitted", held_on=date(2023, 8, 3),
                            topic="警示教育")
    plan = WorkPlan.objects.create(org=world.community, title="主题教育工作计划", kind="campaign", campaign_tag="主题教育",
                                   start_on=date(2023, 9, 1), end_on=date(2024, 1, 31))
    PlanItem.objects.create(plan=plan, title="召开动员会", owner="书记", deadline=date(2023, 9, 15), done_on=date(2023, 9, 14),
                            status="done")
    for member, points in ((world.member_a, 300), (world.member_b, 420)):
        SelfStudy.objects.create(org=member.org, member=member, studied_on=date(2023, 7, 20), source="学习强国",
                                 hours=Decimal("2.5"), points=points)
    duty = ProblemCategory.objects.get_or_create(name="作风纪律")[0]
    duty.report_part = "discipline"
    duty.save()
    Problem.objects.create(org=world.community, title="“一岗双责”落实不够到位", category=duty,
                           source=ProblemSource.objects.get_or_create(name="上级督导")[0], found_on=date(2023, 8, 1))
    return plan


@pytest.fixture
def version(world, records):
    return report_draft(org=world.community, period=Q3, reporter_name="刘书记", user=world.worker).current_version()


def _text(version, key: str) -> str:
    return fill(version.paragraphs.get(key=key).source, version.figures["figures"])


def test_it_writes_the_campaign_from_its_plan_and_tagged_activities(version, records):
    text = _text(version, f"s1.work.key.campaign{records.pk}")
    assert "《主题教育工作计划》" in text and "标记为“主题教育”的组织生活1次" in text and "到期的事项1项，已完成1项" in text


def test_it_writes_online_study_by_platform(version):
    assert "通过学习强国学习2条、2人、5.0小时、积分720分" in _text(version, "s1.study.online")


def test_it_writes_part_two_from_discipline_activities_and_duty_problems(version):
    text = _text(version, "s2.body")
    assert "组织开展纪律教育1次" in text and "作风纪律方面1个（“一岗双责”落实不够到位），已整改销号0个" in text


def test_it_says_an_activity_counts_under_two_types(version):
    assert "（1次活动同时计入两类）" in _text(version, "s1.work.education.life")


@pytest.mark.parametrize("prefix", ["meetings.combined", "meetings.study.", "plans.campaign.", "plans.category.",
                                    "meetings.type.discipline.held", "plans.problems_listed"])
def test_it_links_each_figure_to_a_list_of_as_many_records(client_for, world, version, prefix):
    figures = {k: f for k, f in version.figures["figures"].items() if k.startswith(prefix) and "hours" not in k
               and "points" not in k and "members" not in k}
    assert figures
    for key, f in figures.items():
        context = client_for(world.secretary).get(f["link"]).context
        shown = context["total"] if "total" in context else context["page"].paginator.count
        assert shown == f["value"], key
