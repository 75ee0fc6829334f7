"""The grid world, on top of the shared `world` (conftest.py at the root):

    和平社区: 第一网格 (grid1, 网格员 wangge) ─ 和平小区1号楼 1单元 101 (张大山, 李秀英)
              第二网格 (grid2, 网格员 wangge2) ─ 和平小区2号楼 1单元 201 (赵小红)
    光明社区: 光明网格 (grid3) ─ 光明小区5号楼 301 (钱多多)

A campaign "本季度户籍摸排" over grid1 and grid2 is open today.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.grid import services
from dangjian.grid.models import Grid
from dangjian.lib.idnumbers import make_id
from dangjian.orgs.models import Role
from dangjian.testing.factories import UserFactory


class GridWorld:
    pass


def rid(born: date, sex: str = "男", seq: int = 1) -> str:
    import random

    return make_id(born, sex, "370102", random.Random(seq))


@pytest.fixture(autouse=True)
def default_tags(db):
    """The tag list from the data migration (a transactional test elsewhere may have flushed it)."""
    import importlib

    from dangjian.grid.models import ResidentTag

    for sort, (name, description) in enumerate(importlib.import_module("dangjian.grid.migrations.0002_default_tags").DEFAULT_TAGS):
        ResidentTag.objects.get_or_create(name=name, defaults={"description": description, "sort": sort})


@pytest.fixture
def g(world) -> GridWorld:
    w = GridWorld()
    w.world = world
    today = timezone.localdate()
    w.grid1 = services.grid_create(community=world.community, name="第一网格", sort=1)
    w.grid2 = services.grid_create(community=world.community, name="第二网格", sort=2)
    w.grid3 = services.grid_create(community=world.other_community, name="光明网格", sort=1)
    w.worker1 = world.grid_worker
    w.worker2 = UserFactory(username="wangge2", role=(Role.GRID_WORKER, world.community))
    services.grid_assign_worker(grid=w.grid1, worker=w.worker1, started_on=today - timedelta(days=30))
    services.grid_assign_worker(grid=w.grid2, worker=w.worker2, started_on=today - timedelta(days=30))
    w.building1 = services.building_create(grid=w.grid1, estate="和平小区", name="1号楼", units=["1单元"])
    w.building2 = services.building_create(grid=w.grid2, estate="和平小区", name="2号楼", units=["1单元"])
    w.building3 = services.building_create(grid=w.grid3, estate="光明小区", name="5号楼")
    w.household1 = services.household_create(building=w.building1, unit_name="1单元", door="101")
    w.household2 = services.household_create(building=w.building2, unit_name="1单元", door="201")
    w.household3 = services.household_create(building=w.building3, unit_name="", door="301")
    w.r1 = services.resident_add(household=w.household1, name="张大山", id_number=rid(date(1950, 3, 1), "男", 1),
                                 relation="户主", phone="13811112222", tags=["独居老人"])
    w.r1b = services.resident_add(household=w.household1, name="李秀英", id_number=rid(date(1953, 6, 2), "女", 2),
                                  relation="配偶", phone="13933334444")
    w.r2 = services.resident_add(household=w.household2, name="赵小红", id_number=rid(date(1988, 1, 9), "女", 3),
                                 relation="户主", phone="13755556666", hukou_type="外来人口")
    w.r3 = services.resident_add(household=w.household3, name="钱多多", id_number=rid(date(1975, 5, 5), "男", 4),
                                 relation="户主", phone="13677778888")
    # The register was there before the campaign began.
    from dangjian.grid.models import Household, Resident

    long_ago = timezone.now() - timedelta(days=60)
    Resident.history.update(history_date=long_ago)
    Household.history.update(history_date=long_ago)
    w.campaign = services.campaign_create(community=world.community, name="本季度户籍摸排", grids=[w.grid1, w.grid2],
                                          starts_on=today - timedelta(days=10), deadline=today + timedelta(days=20))
    return w


@pytest.fixture
def no_thread(monkeypatch):
    """Run import jobs inline (the test database is not shared with a thread)."""
    from dangjian.grid import importing

    def inline(job):
        importing.run_job(job)

    monkeypatch.setattr(importing, "start_in_background", inline)


__all__ = ["Grid", "GridWorld", "rid"]
