import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.lib.periods import Period
from dangjian.members import figures
from dangjian.testing.dashboard import drawn_panels
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_it_counts_full_and_probationary_members_by_branch(world, client_for):
    MemberFactory(org=world.branch_b, status="预备", confirmed_on=None)
    f = drawn_panels(client_for(world.secretary).get(reverse("dashboard")))[0]["f"]
    assert (f.full.value, f.probationary.value) == (2, 1)
    assert f.by_branch == [
        {"id": world.branch_a.pk, "name": "第一党支部", "full": 1, "probationary": 0},
        {"id": world.branch_b.pk, "name": "第二党支部", "full": 1, "probationary": 1},
    ]


def test_it_counts_the_roll_as_it_stood_at_the_end_of_the_period(world):
    MemberFactory(org=world.branch_b, joined_on="2023-10-08", confirmed_on=None, status="预备")
    MemberFactory(org=world.branch_b, archived_on="2023-08-01", archive_reason="去世")
    q3 = figures.for_period(world.community, Period.parse("2023Q3"))
    q4 = figures.for_period(world.community, Period.parse("2023Q4"))
    assert (q3.total.value, q4.total.value) == (2, 3)


def test_it_links_each_figure_to_its_records(world):
    f = figures.for_period(world.community, Period.parse("2023Q3"))
    assert f.probationary.link == f"/members/?org={world.community.pk}&period=2023Q3&status=%E9%A2%84%E5%A4%87"


def test_it_keeps_the_dashboard_inside_the_users_subtree(world, client_for):
    client = client_for(world.worker_a)
    assert client.get(reverse("dashboard"), {"org": world.branch_b.pk}).status_code == 404
    assert client.get(reverse("dashboard")).context["org"] == world.branch_a


def test_it_sends_a_member_account_to_its_own_record(world, client_for):
    response = client_for(world.member_user).get(reverse("dashboard"))
    assert response["Location"] == reverse("member_detail", args=[world.member_a.pk])


def test_its_query_count_does_not_grow_with_the_members(world, client_for):
    """Drawing (the first visit, and the first after a change) and reading a kept drawing: each
    takes as many queries after the branch grows by 60 members."""
    client = client_for(world.secretary)

    def visit() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as drawing:
            drawn_panels(client.get(reverse("dashboard")))
        with CaptureQueriesContext(connection) as reading:
            client.get(reverse("dashboard"))
        return len(drawing), len(reading)

    client.get(reverse("dashboard"))
    MemberFactory(org=world.branch_b)  # a change: the next visit redraws
    few = visit()
    MemberFactory.create_batch(30, org=world.branch_b)
    MemberFactory.create_batch(30, org=world.group_a1)
    assert visit() == few
    assert few[1] < 10


def test_the_member_list_query_count_does_not_grow_with_the_members(world, client_for):
    client = client_for(world.secretary)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("member_list"))
    MemberFactory.create_batch(40, org=world.group_a1)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("member_list"))
    assert len(many) == len(few)


def test_it_sends_a_grid_worker_to_their_grids(world, client_for):
    response = client_for(world.grid_worker).get(reverse("dashboard"))
    assert response["Location"] == reverse("grid_home")
