"""The demo street: one fully detailed community (和平社区) and, for scale, generated ones.

Each app seeds its own records in its `demo.py` (`seed(ctx)`), called in DEMO_APPS order from
one random seed, so the same seed gives the same data.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import time
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.apps import apps as django_apps
from faker import Faker

DEMO_APPS = ["orgs", "members", "meetings", "dues", "grid", "recruitment", "plans", "reports"]
DEMO_PASSWORD = "dangjian2023"
# A district's generated communities: 400 of them hold about 1,000,000 residents.
DISTRICT_RESIDENTS_PER_COMMUNITY = 2500


@dataclass
class DemoCommunity:
    org: object  # orgs.Org (community level)
    branches: list = field(default_factory=list)  # orgs.Org, 党支部
    groups: list = field(default_factory=list)  # orgs.Org, 党小组
    detailed: bool = False  # the first community carries the named accounts and richest data
    members: list = field(default_factory=list)


@dataclass
class DemoContext:
    seed: int
    rng: random.Random
    fake: Faker
    today: date
    communities: list[DemoCommunity] = field(default_factory=list)
    street: object = None  # the first street (the only one unless the demo is a district)
    district: object = None  # the district over the streets (with --streets > 1)
    streets: list = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, org)
    users: dict = field(default_factory=dict)  # username → User
    timings: dict = field(default_factory=dict)  # app → seconds its seed took
    log: object = print

    def each_community(self):
        """The communities in order; a district's build says as it finishes each street."""
        for i, demo in enumerate(self.communities, start=1):
            yield demo
            if getattr(self, "n_streets", 1) > 1 and i % self.n_communities == 0:
                self.log(f"    {i // self.n_communities}/{self.n_streets} 个街道")

    def rng_for(self, name: str) -> random.Random:
        """A separate stream per app, so one app's changes do not reshuffle another's data."""
        return random.Random(f"{self.seed}:{name}")


@cache
def password_hash() -> str:
    """DEMO_PASSWORD hashed once for every demo account: one hash costs most of a second (PBKDF2),
    and a district has a thousand accounts."""
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


def demo_user(username: str, **fields):
    """A demo account whose password is DEMO_PASSWORD."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create(username=username, password=password_hash(), **fields)


def build(*, seed: int = 2023, communities: int = 1, streets: int = 1, residents_per_community: int | None = None,
          today: date | None = None, apps: list[str] | None = None, log=print) -> DemoContext:
    """Seed the demo. `apps` limits it to some apps (benchmarks of one app), in DEMO_APPS order.

    `communities` per street; `streets` > 1 puts a district over them. `residents_per_community`
    sizes the generated communities' grid register (default: a small one; 2,500 for a district)."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    ctx = DemoContext(seed=seed, rng=random.Random(seed), fake=fake, today=today or date.today(), log=log)
    ctx.n_communities = communities
    ctx.n_streets = streets
    ctx.residents_per_community = residents_per_community if residents_per_community is not None else (
        DISTRICT_RESIDENTS_PER_COMMUNITY if streets > 1 else None)
    for app in DEMO_APPS:
        if apps is not None and app not in apps:
            continue
        name = f"dangjian.{app}.demo"
        if not django_apps.is_installed(f"dangjian.{app}") or importlib.util.find_spec(name) is None:
            continue
        started = time.monotonic()
        log(f"  · {app}")
        importlib.import_module(name).seed(ctx)
        ctx.timings[app] = time.monotonic() - started
    return ctx


COUNTED = [("党组织", "orgs.Org"), ("党员", "members.Member"), ("组织生活", "meetings.Activity"),
           ("参会记录", "meetings.Attendance"), ("党费记账", "dues.DuesEntry"), ("党费分月", "dues.DuesAllocation"),
           ("住户", "grid.Household"), ("居民", "grid.Resident"), ("走访记录", "grid.Visit"), ("计划", "plans.WorkPlan"),
           ("账号", "auth.User")]


def counts() -> list[tuple[str, int]]:
    """(label, rows) of the main tables, for the demo command's summary of a large build."""
    out = []
    for label, model in COUNTED:
        app_label, _, name = model.partition(".")
        if django_apps.is_installed(f"dangjian.{app_label}") or app_label == "auth":
            out.append((label, django_apps.get_model(app_label, name).objects.count()))
    return out
