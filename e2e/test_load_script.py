"""bench/load.py's machinery against a live server, untimed: three users (a 社区书记, a 党务工作者 and a
网格员, as the script provisions them) log in through the form, open every page of their role's loop
and make each write once; the database then agrees with what they did. It fails when a page the
script reads changes under it (a form field renamed, a message reworded)."""

import os
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from bench.load import ACTIONS, Budget, Made, User, loopback, marks_before, provision, verify
from dangjian.dues.choices import DuesCategory
from dangjian.dues.services import base_set
from dangjian.grid.services import building_create, grid_create, household_create
from dangjian.meetings.choices import ensure_builtin_types
from dangjian.meetings.models import ActivityType

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="脚本的页面解析只在 SQLite 上检查一次")


@pytest.fixture
def town(world):
    ensure_builtin_types(ActivityType)
    for member in (world.member_a, world.member_c):
        base_set(member=member, effective_month=date(date.today().year - 1, 1, 1), category=DuesCategory.EMPLOYED,
                 base=Decimal("3000"))
    grid = grid_create(community=world.community, name="第一网格")
    building = building_create(grid=grid, name="1号楼")
    household_create(building=building, unit_name="1单元", door="101")
    return world


def test_it_refuses_a_target_that_is_not_this_machine():
    assert loopback("localhost") in ("127.0.0.1", "::1")
    with pytest.raises(SystemExit):
        loopback("192.0.2.10")


def test_it_makes_every_request_of_each_role_and_the_database_agrees(live_server, town):
    plans = provision(3, log=lambda *_: None)
    before = marks_before()
    url = urlsplit(live_server.url)
    budget, made, samples = Budget(120, 500), Made(), []
    users = [User(plan, url.hostname, [url.port], i, budget, made, samples, think=0.0, seed=1)
             for i, plan in enumerate(plans)]
    for user in users:
        user.login()
        for action, _ in ACTIONS[user.plan.kind]:
            getattr(user, action)()
    assert [f"{s.kind}: {s.error}" for s in samples if s.error] == []
    assert (made.payments, made.visits) == (2, 1) and made.mark_changes > 0
    assert verify(before, made)["ok"]
