"""The demo street: one fully detailed community (和平社区) and, for scale, generated ones.

Each app seeds its own records in its `demo.py` (`seed(ctx)`), called in DEMO_APPS order from
one random seed, so the same seed gives the same data.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps as django_apps
from faker import Faker

DEMO_APPS = ["orgs", "members", "meetings", "dues", "grid", "recruitment", "plans", "reports"]
DEMO_PASSWORD = "dangjian2023"


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
    street: object = None
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, org)
    users: dict = field(default_factory=dict)  # username → User

    def rng_for(self, name: str) -> random.Random:
        """A separate stream per app, so one app's changes do not reshuffle another's data."""
        return random.Random(f"{self.seed}:{name}")


def build(*, seed: int = 2023, communities: int = 1, today: date | None = None, apps: list[str] | None = None,
          log=print) -> DemoContext:
    """Seed the demo. `apps` limits it to some apps (benchmarks of one app), in DEMO_APPS order."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    ctx = DemoContext(seed=seed, rng=random.Random(seed), fake=fake, today=today or date.today())
    ctx.n_communities = communities
    for app in DEMO_APPS:
        if apps is not None and app not in apps:
            continue
        name = f"dangjian.{app}.demo"
        if not django_apps.is_installed(f"dangjian.{app}") or importlib.util.find_spec(name) is None:
            continue
        log(f"  · {app}")
        importlib.import_module(name).seed(ctx)
    return ctx
