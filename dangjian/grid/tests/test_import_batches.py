"""A residents import writes in short transactions and stays all-or-nothing: what it creates is
hidden until its job commits, what it changes is staged until then, a failure leaves nothing."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.grid import figures, importing
from dangjian.grid.models import Building, Grid, Household, ImportJob, Resident, StagedChange, Unit
from dangjian.lib.periods import Period

from .conftest import rid
from .test_import import job_for, row, xlsx

pytestmark = pytest.mark.django_db

MODELS = (Grid, Building, Unit, Household, Resident)


def five(door="302", phone="13800138000"):
    return [row(f"居民{i}", rid(date(1980, 1, 1 + i), "男", 40 + i), door=f"{door}{i}", phone=phone) for i in range(5)]


def every_row() -> dict:
    """Rows in the tables, hidden ones too, with their history rows and staged changes."""
    counts = {m.__name__: m._base_manager.count() for m in MODELS}
    counts |= {f"{m.__name__} history": m.history.count() for m in MODELS if hasattr(m, "history")}
    return counts | {"staged": StagedChange.objects.count()}


def fail_on_batch(monkeypatch, number):
    """The import raises while writing batch `number` (after the earlier ones are committed)."""
    batch, seen = importing.Importer.batch, []

    def failing(self, headers, items):
        seen.append(1)
        if len(seen) == number:
            raise RuntimeError("磁盘已满")
        return batch(self, headers, items)

    monkeypatch.setattr(importing, "BATCH", 2)
    monkeypatch.setattr(importing.Importer, "batch", failing)


def test_a_failure_mid_import_leaves_no_rows_and_no_residue(world, tmp_path, monkeypatch):
    before = every_row()
    fail_on_batch(monkeypatch, 3)
    job = job_for(world.community, xlsx(tmp_path, five()))
    assert job.status == "failed" and "磁盘已满" in job.error
    assert every_row() == before


def test_a_failed_reimport_changes_no_resident(world, tmp_path, monkeypatch):
    job_for(world.community, xlsx(tmp_path, five(phone="13800138000")))
    before = every_row()
    fail_on_batch(monkeypatch, 3)
    job_for(world.community, xlsx(tmp_path, five(phone="13900139000"), "第二次.xlsx"))
    assert {r.phone for r in Resident.objects.all()} == {"13800138000"}
    assert every_row() == before


def test_rows_are_hidden_from_register_search_and_counts_until_the_import_commits(g, client_for, tmp_path,
                                                                                  monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 2)
    client, seen, figures_before = client_for(g.world.secretary), [], register_figures(g)

    def look(done, total):
        if done and not seen:  # the first batch is committed, the job still runs
            seen.append({
                "written": Resident._base_manager.filter(name__startswith="居民").count(),
                "residents": Resident.objects.filter(name__startswith="居民").count(),
                "search": Resident.objects.search("居民").count(),
                "households": Household.objects.filter(door__startswith="302").count(),
                "grids": list(Grid.objects.filter(name="第三网格")),
                "figures": register_figures(g),
                "page": client.get(reverse("grid_residents"), {"q": "居民"}).content.decode(),
            })

    job = importing.run_job(ImportJob.objects.create(community=g.world.community, filename="居民.xlsx",
                                                     path=str(xlsx(tmp_path, five()))), on_progress=look)
    [during] = seen
    assert during["written"] == 2
    assert (during["residents"], during["search"], during["households"], during["grids"]) == (0, 0, 0, [])
    assert during["figures"] == figures_before
    assert "居民0" not in during["page"]
    assert job.created == 5 and Resident.objects.search("居民").count() == 5


def register_figures(g):
    f = figures.for_period(g.world.community, Period.parse(str(date.today().year)))
    return f.grids.value, f.households.value, f.residents.value


def test_a_reimport_shows_its_changes_only_when_it_commits(world, tmp_path, monkeypatch):
    job_for(world.community, xlsx(tmp_path, five(phone="13800138000")))
    monkeypatch.setattr(importing, "BATCH", 2)
    phones = []

    def look(done, total):
        phones.append({r.phone for r in Resident.objects.all()})

    job = importing.run_job(ImportJob.objects.create(community=world.community, filename="第二次.xlsx",
                                                     path=str(xlsx(tmp_path, five(phone="13900139000"), "第二次.xlsx"))),
                            on_progress=look)
    assert phones[-1] == {"13800138000"}  # after the last batch, before the commit
    assert job.updated == 5 and {r.phone for r in Resident.objects.all()} == {"13900139000"}
    assert [r.history_type for r in Resident.objects.first().history.order_by("history_id")] == ["+", "~"]
    assert not StagedChange.objects.exists()


def test_changes_staged_by_an_import_whose_worker_died_after_its_commit_are_applied_by_the_next(world, tmp_path,
                                                                                                  monkeypatch):
    job_for(world.community, xlsx(tmp_path, five(phone="13800138000")))
    monkeypatch.setattr(importing, "apply_staged", lambda job: 0)  # died right after the commit
    job_for(world.community, xlsx(tmp_path, five(phone="13900139000"), "第二次.xlsx"))
    assert StagedChange.objects.count() == 5
    monkeypatch.undo()
    job_for(world.community, xlsx(tmp_path, [row("别人", rid(date(1990, 1, 1), "女", 99), door="999")], "第三次.xlsx"))
    assert {r.phone for r in Resident.objects.filter(name__startswith="居民")} == {"13900139000"}
    assert not StagedChange.objects.exists()


def test_what_a_killed_import_wrote_stays_hidden_and_the_next_import_purges_it(world, tmp_path, monkeypatch):
    before = every_row()
    fail_on_batch(monkeypatch, 3)
    monkeypatch.setattr(importing, "purge_failed_imports", lambda job=None: 0)  # killed: nothing cleaned up
    job_for(world.community, xlsx(tmp_path, five()))
    assert Resident._base_manager.count() > before["Resident"] and not Resident.objects.filter(name="居民0").exists()
    monkeypatch.undo()
    job_for(world.community, xlsx(tmp_path, [], "空.xlsx"))
    assert every_row() == before


def test_counts_over_grids_and_buildings_leave_out_rows_an_import_is_writing(g, client_for, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 2)
    client = client_for(g.world.secretary)

    def counts():
        home = [card["grid"] for card in client.get(reverse("grid_home")).context["cards"]]
        building = client.get(reverse("grid_detail", args=[g.grid1.pk])).context["buildings"]
        households = [h for unit in client.get(reverse("building_detail", args=[g.building1.pk])).context["units"].values()
                      for h in unit]
        return ({x.name: (x.n_households, x.n_residents) for x in home}, {b.pk: b.n_households for b in building},
                {h.door: h.n_residents for h in households})

    before, seen = counts(), []
    rows = [row(f"新住户{i}", rid(date(1985, 1, 1 + i), "女", 60 + i), grid="第一网格", estate="和平小区",
                building="1号楼", unit="1单元", door=door) for i, door in enumerate(["101", "101", "102", "103", "104"])]
    importing.run_job(ImportJob.objects.create(community=g.world.community, filename="一网格.xlsx",
                                               path=str(xlsx(tmp_path, rows, "一网格.xlsx"))),
                      on_progress=lambda done, total: seen.append(counts()) if done and not seen else None)
    assert seen == [before]
    assert counts() != before
