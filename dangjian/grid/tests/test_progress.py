"""Survey progress per campaign, grid and worker: the pages, the command line and the figures agree."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from dangjian.grid import figures, services
from dangjian.grid.progress import campaign_progress
from dangjian.lib.periods import Period

pytestmark = pytest.mark.django_db


def _visit(g, household, result="已摸排", user=None):
    return services.visit_record(campaign=g.campaign, household=household, result=result, user=user or g.worker1)


def test_it_gives_progress_per_grid(g):
    _visit(g, g.household1)
    rows = {p.label: (p.done, p.total, p.residents) for p in campaign_progress(g.campaign).by_grid}
    assert rows == {"第一网格": (1, 1, 2), "第二网格": (0, 1, 0)}


def test_it_gives_progress_per_worker(g):
    services.resident_update(resident=g.r2, user=g.worker2, phone="13700000000")
    _visit(g, g.household2, user=g.worker2)
    rows = {p.label: (p.done, p.total, p.changes) for p in campaign_progress(g.campaign).by_worker}
    assert rows == {"wangge": (0, 1, 0), "wangge2": (1, 1, 1)}


def test_it_prints_progress_as_json(g, capsys):
    _visit(g, g.household1)
    call_command("survey_progress", campaign="本季度户籍摸排", json=True)
    out = json.loads(capsys.readouterr().out)
    assert (out["households_done"], out["households_total"], out["percent"]) == (1, 2, 50)
    assert [row["name"] for row in out["by_grid"]] == ["第一网格", "第二网格"]


def test_it_prints_progress_as_text(g, capsys):
    call_command("survey_progress", campaign="本季度户籍摸排")
    assert "已完成 0/2 户" in capsys.readouterr().out


def test_it_says_when_the_campaign_does_not_exist(g):
    with pytest.raises(CommandError, match="找不到摸排任务"):
        call_command("survey_progress", campaign="没有这个任务")


def test_it_counts_households_and_residents_for_the_period(g):
    f = figures.for_period(g.world.community, Period.of(timezone.localdate(), "quarter"))
    assert (f.households.value, f.residents.value, f.migrants.value, f.grids.value, f.workers.value) == (2, 3, 1, 2, 2)


def test_it_reports_campaign_completion_in_the_figures(g):
    _visit(g, g.household1)
    f = figures.for_period(g.world.street, Period.of(timezone.localdate(), "quarter"))
    assert [(c["name"], c["done"], c["total"]) for c in f.campaigns] == [("本季度户籍摸排", 1, 2)]
    assert f.as_json()["survey"]["percent"] == 50


def test_it_counts_tags_and_elderly(g):
    f = figures.for_period(g.world.community, Period.of(timezone.localdate(), "quarter"))
    tags = {t["name"]: t["value"] for t in f.by_tag}
    assert tags["独居老人"] == 1 and f.elderly.value == 0


def test_it_keeps_the_figures_query_count_flat(g, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        figures.for_period(g.world.street, Period.of(timezone.localdate(), "quarter"))


def test_it_shows_the_grid_panel_on_the_dashboard(g, client_for):
    response = client_for(g.world.secretary).get(reverse("dashboard"))
    assert response.status_code == 200 and "panel-grid" in response.content.decode()


def test_the_campaign_list_pages_30_at_a_time_with_each_ones_completion(g, client_for):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dangjian.grid import services
    from dangjian.grid.views import CAMPAIGNS_PER_PAGE

    client = client_for(g.world.street_admin)
    today = timezone.localdate()
    for i in range(CAMPAIGNS_PER_PAGE + 4):
        services.campaign_create(community=g.world.other_community, name=f"光明摸排{i}", grids=[g.grid3],
                                 starts_on=today - timedelta(days=40 + i), deadline=today - timedelta(days=1))
    with CaptureQueriesContext(connection) as first_page:
        first = client.get(reverse("campaign_list"))
    second = client.get(reverse("campaign_list"), {"page": 2})
    assert len(first.context["campaigns"]) == CAMPAIGNS_PER_PAGE and len(second.context["campaigns"]) == 5
    shown = {c.name: p for c, p in first.context["campaigns"] + second.context["campaigns"]}
    assert len(shown) == CAMPAIGNS_PER_PAGE + 5 and shown["本季度户籍摸排"].total == 2
    assert "1 / 2" in first.content.decode() and "2 / 2" in second.content.decode()
    assert len(first_page) < 20
    theirs = client_for(g.world.outsider).get(reverse("campaign_list")).context["campaigns"]
    assert theirs and {c.community for c, _ in theirs} == {g.world.other_community}


def test_the_street_dashboard_folds_the_campaigns_into_a_row_per_community(g, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from dangjian.testing.dashboard import drawn_panels

    today = timezone.localdate()
    services.campaign_create(community=g.world.other_community, name="光明摸排", grids=[g.grid3],
                             starts_on=today - timedelta(days=5), deadline=today + timedelta(days=5))
    response = client_for(g.world.street_admin).get(reverse("dashboard"), {"org": g.world.street.pk})
    panel = next(p for p in drawn_panels(response) if p["template"] == "grid/_dashboard.html")
    assert panel["by_child"] and [(r["name"], r["count"], r["total"]) for r in panel["campaigns"]] == [
        ("和平社区", 1, 2), ("光明社区", 1, 1)]
    assert panel["grid_chart"]["xAxis"]["data"] == ["和平社区", "光明社区"]
    assert sum(r["total"] for r in panel["campaigns"]) == panel["f"].survey_total
    html = response.content.decode()
    assert f'href="/?org={g.world.community.pk}"' in html and "1 项摸排" in html
