"""The plan page's due panel counts in the database and loads only its first rows: what it shows
is what the whole due list says."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.urls import reverse

from dangjian.plans import services

from .conftest import make_plan, make_problem

pytestmark = pytest.mark.django_db
TODAY = date(2023, 10, 16)


def test_it_shows_the_counts_and_first_rows_of_the_due_list(world, client_for, terms):
    plan = make_plan(world.branch_a)
    for i in range(9):  # items, milestones and measures on shared and distinct deadlines, some overdue
        day = TODAY + timedelta(days=(i % 5) - 3)
        item = services.plan_item_add(plan=plan, title=f"事项{i}", owner="书记", deadline=day)
        services.milestone_add(item=item, title=f"节点{i}", deadline=day - timedelta(days=i % 2))
    make_problem(world.branch_b, terms, found_on=date(2023, 9, 1), measures=[TODAY - timedelta(days=3), TODAY])
    client = client_for(world.secretary)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        summary = client.get(reverse("plan_list")).context["due"]
        full = client.get(reverse("due_list")).context
    assert (summary["overdue"], summary["soon"]) == (len(full["overdue"]), len(full["soon"]))
    assert summary["top"] == (full["overdue"] + full["soon"])[:6] and summary["overdue"] > 6
