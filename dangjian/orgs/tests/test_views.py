import pytest
from django.urls import reverse

from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_tree_with_member_counts_rolled_up(world, client_for):
    MemberFactory(org=world.branch_a)
    rows = client_for(world.secretary).get(reverse("org_list")).context["rows"]
    counts = {r["org"].name: r["members"] for r in rows}
    assert counts == {"和平社区党总支": 3, "第一党支部": 2, "第一党小组": 1, "第二党支部": 1}


def test_it_shows_a_branch_worker_only_their_branch(world, client_for):
    rows = client_for(world.worker_a).get(reverse("org_list")).context["rows"]
    assert [r["org"].name for r in rows] == ["第一党支部", "第一党小组"]


def test_it_gives_404_for_editing_an_org_outside_the_subtree(world, client_for):
    assert client_for(world.secretary).get(reverse("org_edit", args=[world.branch_c.pk])).status_code == 404


def test_it_lets_only_signers_edit_an_org(world, client_for):
    assert client_for(world.worker_a).get(reverse("org_edit", args=[world.branch_a.pk])).status_code == 403
    assert client_for(world.secretary).get(reverse("org_edit", args=[world.branch_a.pk])).status_code == 200


def test_it_records_the_change_of_secretary(world, client_for):
    data = {"name": "第一党支部", "code": "HP-1", "secretary": "钱书记", "term_ends_on": "2026-07-01", "sort": 0}
    client_for(world.secretary).post(reverse("org_edit", args=[world.branch_a.pk]), data)
    latest = world.branch_a.history.first()
    assert (latest.secretary, latest.history_user) == ("钱书记", world.secretary)


def test_it_tells_a_term_that_has_ended_from_one_ending_soon(world, client_for):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    world.branch_a.term_ends_on = today - timedelta(days=1)
    world.branch_a.save()
    world.branch_b.term_ends_on = today + timedelta(days=90)
    world.branch_b.save()
    page = client_for(world.secretary).get(reverse("org_list")).content.decode()
    assert page.count("已到期，应换届") == 1 and page.count("半年内到期，请准备换届") == 1


def test_it_offers_grid_survey_only_to_those_with_grids(world, client_for):
    def menu(user):
        return [i["label"] for i in client_for(user).get(reverse("org_list")).context["nav_items"]]

    assert "网格摸排" not in menu(world.worker_a)  # a 党支部's clerk: grids belong to communities
    assert "网格摸排" in menu(world.worker) and "网格摸排" in menu(world.secretary)


def test_it_offers_the_street_overview_only_to_street_staff(world, client_for):
    assert "各社区定稿情况" not in client_for(world.secretary).get(reverse("report_list")).content.decode()
    assert "各社区定稿情况" in client_for(world.street_admin).get(reverse("report_list")).content.decode()
