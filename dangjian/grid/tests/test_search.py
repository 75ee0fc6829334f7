"""Resident search: each kind of text finds its person, inside the searcher's scope only, and the
register, search and survey-progress pages ask as many queries for a street as for a community."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.grid import services, views
from dangjian.grid.models import Resident
from dangjian.orgs.models import Org, OrgKind
from dangjian.testing.factories import MemberFactory

from .conftest import rid

pytestmark = pytest.mark.django_db


def found(client, q, **params):
    return sorted(r.name for r in client.get(reverse("grid_residents"), {"q": q, **params}).context["page"])


@pytest.mark.parametrize("kind", ["id", "initials", "pinyin", "name", "surname", "tail"])
def test_it_finds_a_resident_by_each_kind_of_text(g, client_for, kind):
    r = g.r1  # 张大山, 13811112222
    q = {"id": r.id_number, "initials": "zds", "pinyin": "zhangdash", "name": "张大山", "surname": "张",
         "tail": "2222"}[kind]
    assert found(client_for(g.world.secretary), q) == ["张大山"]


def test_it_finds_a_whole_id_typed_with_a_small_x(g, client_for):
    r = services.resident_add(household=g.household1, name="孙小美", id_number=_id_ending_in_x(), relation="女")
    assert found(client_for(g.world.secretary), r.id_number.lower()) == ["孙小美"]


def test_it_matches_fewer_digits_to_the_end_of_the_phone_tail(g, client_for):
    assert found(client_for(g.world.secretary), "44") == ["李秀英"]


def test_it_keeps_a_grid_workers_search_to_their_grids(g, client_for):
    client = client_for(g.worker1)
    assert found(client, "赵") == [] and found(client, g.r2.phone[-4:]) == [] and found(client, "张") == ["张大山"]


def test_it_keeps_a_secretarys_search_to_their_community(g, client_for):
    client = client_for(g.world.outsider)
    assert found(client, g.r1.id_number) == [] and found(client, "qdd") == ["钱多多"]


def test_it_keeps_the_org_filter_inside_the_street(g, client_for):
    client = client_for(g.world.street_admin)
    assert found(client, "", org=g.world.other_community.pk) == ["钱多多"]
    assert found(client, "zds", org=g.world.other_community.pk) == []


def test_it_finds_archived_residents_only_when_asked(g, client_for):
    services.resident_move_out(resident=g.r1b, on=date.today(), moved_to="外地")
    client = client_for(g.world.secretary)
    assert found(client, "lxy") == [] and found(client, "lxy", archived="1") == ["李秀英"]


def _id_ending_in_x() -> str:
    seq = 0
    while not (number := rid(date(1999, 9, 9), "女", seq)).endswith("X"):
        seq += 1
    return number


# ---------------------------------------------------------------------------------------------
# Query counts: one community, then a street of several, with more grids, households, residents


def _grow(g, communities: int = 3) -> None:
    """More communities under the street, each with two grids of residents, and more members."""
    for i in range(communities):
        org = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name=f"新增社区{i}", short_name=f"新增{i}",
                                 code=f"N{i}", parent=g.world.street)
        for n in range(2):
            grid = services.grid_create(community=org, name=f"网格{n}", sort=n)
            building = services.building_create(grid=grid, estate="新村", name=f"{n}号楼")
            for door in range(3):
                household = services.household_create(building=building, unit_name="", door=f"{door}01")
                services.resident_add(household=household, name=f"张新{i}{n}{door}", relation="户主",
                                      id_number=rid(date(1970, 1, 1 + door), "男", 1000 + i * 100 + n * 10 + door),
                                      phone=f"1380000{i}{n}{door}22")
        MemberFactory.create_batch(5, org=org)
    for door in range(4):
        household = services.household_create(building=g.building1, unit_name="1单元", door=f"9{door}")
        services.resident_add(household=household, name=f"张多{door}", relation="户主",
                              id_number=rid(date(1980, 2, 1 + door), "女", 2000 + door))


PAGES = [
    ("grid_residents", {}),
    ("grid_residents", {"q": "zd"}),
    ("grid_residents", {"q": "张"}),
    ("grid_residents", {"q": "2222"}),
    ("grid_residents", {"q": "22"}),
    ("grid_residents", {"q": "ID"}),
    ("member_list", {}),
    ("member_list", {"q": "zs"}),
    ("campaign_detail", {}),
    ("campaign_pending", {}),
    ("grid_home", {}),
]


def _url(g, name):
    return reverse(name, args=[g.campaign.pk]) if name.startswith("campaign_") else reverse(name)


def _counts(g, client) -> list[int]:
    out = []
    for name, params in PAGES:
        params = {k: (g.r1.id_number if v == "ID" else v) for k, v in params.items()}
        client.get(_url(g, name), params)  # warm the per-process caches (rules, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(g, name), params).status_code in (200, 403)
        out.append(len(queries))
    return out


@pytest.mark.parametrize("who", ["street_admin", "secretary", "grid_worker"])
def test_the_search_and_register_pages_ask_as_many_queries_for_more_communities(g, client_for, who):
    client = client_for(getattr(g.world, who))
    few = _counts(g, client)
    _grow(g)
    assert Resident.objects.count() > 20
    assert _counts(g, client) == few


def test_it_counts_a_long_register_only_up_to_its_bound(g, client_for, monkeypatch):
    monkeypatch.setattr(views, "LIST_AT_MOST", 2)
    response = client_for(g.world.street_admin).get(reverse("grid_residents"))
    page = response.context["page"]
    assert (response.context["total"], response.context["more"], page.paginator.num_pages) == (2, True, 1)
    assert "超过 2 人" in response.content.decode()


def test_it_counts_a_short_register_exactly(g, client_for):
    response = client_for(g.world.street_admin).get(reverse("grid_residents"))
    assert (response.context["total"], response.context["more"]) == (4, False)
