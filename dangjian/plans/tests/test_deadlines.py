"""Deadlines in working days: due-soon and overdue lists across 国庆/中秋 and 春节 and their 调休 weekends."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.lib.workdays import add_working_days
from dangjian.plans import services
from dangjian.plans.models import LocalDay

from .conftest import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_day_items(world):
    """Branch A items due on the 调休 Saturday Oct 7 2023, on Mon Oct 9, and on Tue Oct 10."""
    plan = make_plan(world.branch_a)
    for title, day in (("周六调休日到期", date(2023, 10, 7)), ("周一到期", date(2023, 10, 9)), ("周二到期", date(2023, 10, 10))):
        services.plan_item_add(plan=plan, title=title, owner="支部书记", deadline=day)
    return plan


def _due(client, today, days=3):
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=today):
        response = client.get(reverse("due_list"), {"days": days})
    return [r["title"] for r in response.context["soon"]], [r["title"] for r in response.context["overdue"]]


def test_it_counts_the_holiday_week_as_no_working_days(world, client_for, national_day_items):
    # Thu Sep 28 2023: Oct 7 (1), Oct 8 (2), Oct 9 (3) are the next three working days.
    soon, overdue = _due(client_for(world.worker_a), date(2023, 9, 28))
    assert soon == ["周六调休日到期", "周一到期"] and overdue == []


def test_it_lists_items_past_their_deadline_as_overdue(world, client_for, national_day_items):
    soon, overdue = _due(client_for(world.worker_a), date(2023, 10, 10))
    assert overdue == ["周六调休日到期", "周一到期"] and soon == ["周二到期"]


def test_it_labels_overdue_in_working_days(world, client_for, national_day_items):
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=date(2023, 10, 9)):
        response = client_for(world.worker_a).get(reverse("due_list"))
    labels = {r["title"]: r["label"] for r in response.context["overdue"] + response.context["soon"]}
    assert labels["周六调休日到期"] == "逾期2个工作日"  # Oct 8 and Oct 9
    assert labels["周二到期"] == "还剩1个工作日"


def test_it_counts_spring_festival_2024_makeup_sundays(world, client_for):
    plan = make_plan(world.branch_a, year=2024)
    services.plan_item_add(plan=plan, title="节后第一个工作日到期", owner="支部书记", deadline=date(2024, 2, 18))
    soon, _ = _due(client_for(world.worker_a), date(2024, 2, 8), days=2)  # Thu: Feb 9 (1), Feb 18 (2)
    assert soon == ["节后第一个工作日到期"]


def test_it_honours_a_local_non_working_day(world, client_for, national_day_items):
    LocalDay.objects.create(day=date(2023, 10, 7), name="本地调整休息")
    soon, _ = _due(client_for(world.worker_a), date(2023, 9, 28), days=1)
    assert soon == ["周六调休日到期"]  # Oct 7 is no longer a working day: due "within 1" reaches Oct 8
    assert add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 8)


def test_it_sets_a_measure_deadline_in_working_days_across_national_day(world, client_for, problem_a):
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=date(2023, 9, 27)):
        client_for(world.worker_a).post(reverse("problem_action", args=[problem_a.pk, "measure"]),
                                        {"title": "五个工作日内完成", "owner": "支部书记", "within_days": 5})
    # Sep 28 (1), Oct 7 (2), Oct 8 (3), Oct 9 (4), Oct 10 (5)
    assert problem_a.measures.get(title="五个工作日内完成").deadline == date(2023, 10, 10)
