"""Every member view and export keeps a user inside their subtree."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DETAIL_VIEWS = ["member_detail", "member_edit"]


@pytest.mark.parametrize("view", DETAIL_VIEWS)
def test_it_gives_branch_a_worker_404_for_branch_b_member(world, client_for, view):
    response = client_for(world.worker_a).get(reverse(view, args=[world.member_b.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("view", DETAIL_VIEWS)
def test_it_lets_branch_a_worker_open_own_member(world, client_for, view):
    assert client_for(world.worker_a).get(reverse(view, args=[world.member_a.pk])).status_code == 200


def test_it_gives_404_when_revealing_an_id_outside_the_subtree(world, client_for):
    url = reverse("member_reveal", args=[world.member_b.pk, "id_number"])
    assert client_for(world.worker_a).post(url).status_code == 404


def test_it_lists_only_the_branch_members(world, client_for):
    names = [m.name for m in client_for(world.worker_a).get(reverse("member_list")).context["page"]]
    assert names == ["张三"]


def test_it_searches_only_within_the_subtree(world, client_for):
    page = client_for(world.worker_a).get(reverse("member_list"), {"q": "ls"}).context["page"]
    assert list(page) == []


def test_it_refuses_filtering_by_an_org_outside_the_subtree(world, client_for):
    response = client_for(world.worker_a).get(reverse("member_list"), {"org": world.branch_b.pk})
    assert response.status_code == 404


def test_it_exports_only_the_subtree(world, client_for):
    from dangjian.lib.tabular import read_table
    from dangjian.members.importing import COLUMNS

    response = client_for(world.worker_a).get(reverse("member_export"))
    rows = [r for r in read_table(response.content, COLUMNS, filename="x.xlsx")]
    assert [r.values["name"] for r in rows] == ["张三"]


def test_it_lets_the_community_secretary_see_every_branch(world, client_for):
    page = client_for(world.secretary).get(reverse("member_list")).context["page"]
    assert sorted(m.name for m in page) == ["张三", "李四"]


def test_it_lets_the_street_admin_see_both_communities(world, client_for):
    page = client_for(world.street_admin).get(reverse("member_list")).context["page"]
    assert sorted(m.name for m in page) == ["张三", "李四", "王五"]


def test_it_shows_a_member_account_only_its_own_record(world, client_for):
    client = client_for(world.member_user)
    assert [m.name for m in client.get(reverse("member_list")).context["page"]] == ["张三"]
    assert client.get(reverse("member_detail", args=[world.member_b.pk])).status_code == 404


def test_it_forbids_a_member_account_to_edit_or_export(world, client_for):
    client = client_for(world.member_user)
    assert client.get(reverse("member_edit", args=[world.member_a.pk])).status_code == 403
    assert client.get(reverse("member_export")).status_code == 403


def test_it_shows_a_grid_worker_no_party_roster(world, client_for):
    client = client_for(world.grid_worker)
    assert list(client.get(reverse("member_list")).context["page"]) == []
    assert client.get(reverse("member_detail", args=[world.member_a.pk])).status_code == 404


def test_it_keeps_the_outsider_out_of_another_community(world, client_for):
    assert client_for(world.outsider).get(reverse("member_detail", args=[world.member_a.pk])).status_code == 404


def test_it_redirects_anonymous_users_to_login(client, world):
    response = client.get(reverse("member_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
