"""Every grid view keeps a 网格员 inside their grids and a record keeper inside their subtree."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# (url name, how to get the pk from the grid world, method, POST data)
GRID2_VIEWS = [
    ("grid_detail", lambda g: g.grid2.pk, "get", None),
    ("grid_export", lambda g: g.grid2.pk, "get", None),
    ("building_add", lambda g: g.grid2.pk, "get", None),
    ("assignment_add", lambda g: g.grid2.pk, "get", None),
    ("building_detail", lambda g: g.building2.pk, "get", None),
    ("household_add", lambda g: g.building2.pk, "get", None),
    ("household_detail", lambda g: g.household2.pk, "get", None),
    ("household_status", lambda g: g.household2.pk, "post", {"housing_status": "出租"}),
    ("visit_record", lambda g: g.household2.pk, "post", {"result": "已摸排"}),
    ("resident_add", lambda g: g.household2.pk, "get", None),
    ("resident_detail", lambda g: g.r2.pk, "get", None),
    ("resident_edit", lambda g: g.r2.pk, "get", None),
    ("resident_move_out", lambda g: g.r2.pk, "post", {"on": "2024-01-01"}),
    ("resident_death", lambda g: g.r2.pk, "post", {"on": "2024-01-01"}),
]


def _call(client, name, pk, method, data, g, extra=()):
    url = reverse(name, args=[pk, *extra])
    if method == "post":
        data = dict(data or {})
        if name == "visit_record":
            data["campaign"] = g.campaign.pk
        return client.post(url, data)
    return client.get(url)


@pytest.mark.parametrize("name,pk,method,data", GRID2_VIEWS)
def test_it_gives_the_grid1_worker_404_on_grid2(g, client_for, name, pk, method, data):
    response = _call(client_for(g.worker1), name, pk(g), method, data, g)
    assert response.status_code == 404


@pytest.mark.parametrize("name,pk,method,data", GRID2_VIEWS)
def test_it_gives_the_other_community_404_on_grid2(g, client_for, name, pk, method, data):
    response = _call(client_for(g.world.outsider), name, pk(g), method, data, g)
    assert response.status_code == 404


@pytest.mark.parametrize("name,pk,method,data", GRID2_VIEWS)
def test_it_gives_a_branch_worker_404_on_grids(g, client_for, name, pk, method, data):
    response = _call(client_for(g.world.worker_a), name, pk(g), method, data, g)
    assert response.status_code == 404


@pytest.mark.parametrize("field", ["phone", "hukou_type"])
def test_it_gives_404_when_correcting_a_field_in_another_grid(g, client_for, field):
    client = client_for(g.worker1)
    url = reverse("resident_field", args=[g.r2.pk, field])
    assert client.get(url).status_code == 404
    assert client.post(url, {"value": "13800000000"}).status_code == 404


@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_it_gives_404_when_revealing_in_another_grid(g, client_for, field):
    response = client_for(g.worker1).post(reverse("resident_reveal", args=[g.r2.pk, field]))
    assert response.status_code == 404


OWN_VIEWS = [
    ("grid_detail", lambda g: g.grid1.pk),
    ("grid_export", lambda g: g.grid1.pk),
    ("building_detail", lambda g: g.building1.pk),
    ("household_add", lambda g: g.building1.pk),
    ("household_detail", lambda g: g.household1.pk),
    ("resident_add", lambda g: g.household1.pk),
    ("resident_detail", lambda g: g.r1.pk),
    ("resident_edit", lambda g: g.r1.pk),
]


@pytest.mark.parametrize("name,pk", OWN_VIEWS)
def test_it_lets_the_grid1_worker_open_grid1(g, client_for, name, pk):
    assert client_for(g.worker1).get(reverse(name, args=[pk(g)])).status_code == 200


@pytest.mark.parametrize("name,pk", OWN_VIEWS)
def test_it_lets_the_community_secretary_open_every_grid(g, client_for, name, pk):
    assert client_for(g.world.secretary).get(reverse(name, args=[pk(g)])).status_code == 200


def test_it_keeps_a_worker_out_of_setting_up_their_own_grid(g, client_for):
    assert client_for(g.worker1).get(reverse("building_add", args=[g.grid1.pk])).status_code == 403
    assert client_for(g.worker1).get(reverse("assignment_add", args=[g.grid1.pk])).status_code == 403


def test_it_lists_only_the_workers_grids_on_the_home_page(g, client_for):
    cards = client_for(g.worker1).get(reverse("grid_home")).context["cards"]
    assert [c["grid"].name for c in cards] == ["第一网格"]


def test_it_lists_the_subtree_grids_for_the_street(g, client_for):
    cards = client_for(g.world.street_admin).get(reverse("grid_home")).context["cards"]
    assert sorted(c["grid"].name for c in cards) == ["光明网格", "第一网格", "第二网格"]


def test_it_searches_only_the_workers_residents(g, client_for):
    client = client_for(g.worker1)
    assert list(client.get(reverse("grid_residents"), {"q": "赵小红"}).context["page"]) == []
    assert [r.name for r in client.get(reverse("grid_residents"), {"q": "zds"}).context["page"]] == ["张大山"]


def test_it_searches_by_full_id_number_within_scope(g, client_for):
    page = client_for(g.worker1).get(reverse("grid_residents"), {"q": g.r2.id_number}).context["page"]
    assert list(page) == []


def test_it_refuses_filtering_residents_by_another_grid(g, client_for):
    assert client_for(g.worker1).get(reverse("grid_residents"), {"grid": g.grid2.pk}).status_code == 404


def test_it_refuses_filtering_residents_by_an_org_outside_the_subtree(g, client_for):
    response = client_for(g.world.outsider).get(reverse("grid_residents"), {"org": g.world.community.pk})
    assert response.status_code == 404


def test_it_shows_a_worker_only_their_grids_progress(g, client_for):
    progress = client_for(g.worker1).get(reverse("campaign_detail", args=[g.campaign.pk])).context["progress"]
    assert [p.label for p in progress.by_grid] == ["第一网格"]


def test_it_lists_only_the_workers_pending_households(g, client_for):
    page = client_for(g.worker1).get(reverse("campaign_pending", args=[g.campaign.pk])).context["page"]
    assert [h.pk for h in page] == [g.household1.pk]


def test_it_refuses_the_pending_list_of_another_grid(g, client_for):
    response = client_for(g.worker1).get(reverse("campaign_pending", args=[g.campaign.pk]), {"grid": g.grid2.pk})
    assert response.status_code == 404


def test_it_gives_the_other_community_404_on_the_campaign(g, client_for):
    client = client_for(g.world.outsider)
    assert client.get(reverse("campaign_detail", args=[g.campaign.pk])).status_code == 404
    assert client.get(reverse("campaign_pending", args=[g.campaign.pk])).status_code == 404


def test_it_exports_only_the_grids_residents(g, client_for):
    from dangjian.grid.register import COLUMNS
    from dangjian.lib.tabular import read_table

    response = client_for(g.worker1).get(reverse("grid_export", args=[g.grid1.pk]))
    names = sorted(r.values["name"] for r in read_table(response.content, COLUMNS, filename="x.xlsx"))
    assert names == ["张大山", "李秀英"]


def test_it_drops_a_worker_from_a_grid_once_the_assignment_ends(g, client_for):
    from dangjian.grid import services

    services.grid_assignment_end(assignment=g.grid1.assignments.get(user=g.worker1), ended_on=g.campaign.starts_on)
    assert client_for(g.worker1).get(reverse("household_detail", args=[g.household1.pk])).status_code == 404


def test_it_gives_the_other_community_404_on_an_assignment(g, client_for):
    assignment = g.grid1.assignments.get()
    assert client_for(g.world.outsider).post(reverse("assignment_end", args=[assignment.pk])).status_code == 404


def test_it_gives_the_other_community_404_on_an_import_job(g, client_for):
    from dangjian.grid.models import ImportJob

    job = ImportJob.objects.create(community=g.world.community, filename="x.csv", path="/nonexistent.csv")
    client = client_for(g.world.outsider)
    assert client.get(reverse("import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("import_job_status", args=[job.pk])).status_code == 404
    assert client.post(reverse("import_job_apply", args=[job.pk])).status_code == 404
    assert client.get(reverse("import_job_rejects", args=[job.pk])).status_code == 404


def test_it_refuses_the_import_page_to_a_grid_worker(g, client_for):
    assert client_for(g.worker1).get(reverse("resident_import")).status_code == 403
