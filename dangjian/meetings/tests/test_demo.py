"""The demo: three-plus years for 和平社区 with every type, education, and a few gaps."""

from datetime import date

import pytest

from dangjian.demo import build
from dangjian.lib.periods import Period
from dangjian.meetings import compliance, reach
from dangjian.meetings.choices import Status
from dangjian.meetings.models import Activity, ActivityType, Send, Visit

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


@pytest.fixture
def demo(db):
    return build(communities=2, today=TODAY, apps=["orgs", "members", "meetings"], log=lambda _: None)


def test_it_seeds_every_type_for_the_detailed_community(demo):
    hp = demo.communities[0].org
    held = set(Activity.objects.in_org(hp).submitted().values_list("type__code", flat=True))
    assert held == set(ActivityType.objects.values_list("code", flat=True))
    assert Activity.objects.in_org(demo.communities[1].org).submitted().exists()


def test_it_visits_infirm_members_and_sends_to_mobile_ones(demo):
    assert Visit.objects.exists() and not Visit.objects.filter(member__is_infirm=False).exists()
    assert Send.objects.exists() and not Send.objects.filter(member__is_mobile=False).exists()


def test_it_leaves_some_branch_quarters_red_and_some_members_unreached(demo):
    hp = demo.communities[0].org
    result = compliance.check(hp, Period.parse("2024Q2"), as_of=TODAY)
    assert result.count(compliance.RED) >= 1 and result.count(compliance.GREEN) >= 1
    r = reach.compute(hp, Period.parse("2026Q3"), as_of=TODAY)
    assert r.not_reached and r.flagged and r.warnings


def test_it_plans_meetings_ahead_and_has_one_sent_back(demo):
    hp = demo.communities[0].org
    assert Activity.objects.in_org(hp).filter(held_on__isnull=True, planned_on__gt=TODAY).exists()
    assert Activity.objects.in_org(hp).filter(status=Status.RETURNED).exclude(return_reason="").exists()


def test_it_rates_the_demo_members_at_each_years_appraisal(demo):
    from dangjian.meetings.models import Appraisal

    results = set(Appraisal.objects.filter(year=2023).values_list("result", flat=True))
    assert {"优秀", "合格"} <= results
    assert not Appraisal.objects.exclude(activity__type__code="appraisal").exclude(activity__also_types__code="appraisal").exists()
