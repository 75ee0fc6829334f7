"""The relations that must hold between the figures of one org and period, checked.

Each domain app states the relations between its own figures once, as `relations()` on its figures
dataclass (`dues.figures.DuesFigures.relations`: 应交 = 实交 + 欠交 + 未到期; `meetings`: the parts of
"共开展组织生活N次，其中…" add up once combined activities are counted, 覆盖 + 未覆盖 = 党员数,
"3个月以上" ≥ "6个月以上"; `plans`: 查摆 + 结转 = 销号 + 未销号 = the problems listed; `members`: the
breakdowns add up to 党员总数). This module adds the relations between apps and runs them all:

    check(org, period)                     → [Violation]  (that org only: the report's 自检 panel)
    check(org, period, below=True)         → [Violation]  (org and every org below it: `dangjian verify`)
    check_range(org, periods, below=True)  → [Violation]  (several periods)

A Violation names the org, the period, the relation (as the user reads it, and its key) and the
numbers it compared. An app whose figures cannot be computed at all is reported as a violation too
(relation key `<app>.figures`), never skipped silently. Domain apps never import this module.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps

from dangjian.lib.figures import Number, Relation
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org

APPS = ("members", "meetings", "dues", "plans")


@dataclass(frozen=True)
class Violation:
    """A relation that does not hold for one org and period, with the numbers it compared."""

    org: Org
    period: Period
    relation: str  # as the user reads it: "应交 = 实交 + 欠交 + 未到期"
    key: str  # stable: "dues.balance"
    numbers: dict[str, Number | str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"org": self.org.name, "org_id": self.org.pk, "period": str(self.period), "relation": self.relation,
                "key": self.key,
                "numbers": {k: str(v) if isinstance(v, Decimal) else v for k, v in self.numbers.items()}}

    def __str__(self) -> str:
        numbers = "，".join(f"{k} {v}" for k, v in self.numbers.items())
        return f"{self.org.name} {self.period.label}（{self.period}）不成立：{self.relation}［{numbers}］"


def figures_of(org: Org, period: Period) -> tuple[dict[str, object], list[Violation]]:
    """Each installed app's figures for the org and period; an app that fails is a violation."""
    figures, failures = {}, []
    for app in APPS:
        if not apps.is_installed(f"dangjian.{app}"):
            continue
        try:
            figures[app] = importlib.import_module(f"dangjian.{app}.figures").for_period(org, period)
        except Exception as exc:  # reported, not raised: verify goes on to the other orgs and periods
            failures.append(Violation(org, period, "统计数字无法计算", f"{app}.figures",
                                      {"错误": f"{type(exc).__name__}: {exc}"[:300]}))
    return figures, failures


def across_apps(figures: dict[str, object]) -> list[Relation]:
    """Relations between two apps' figures."""
    out = []
    members, meetings = figures.get("members"), figures.get("meetings")
    if members is not None and meetings is not None and getattr(meetings, "reach", None) is not None:
        total = members.total
        reach = meetings.reach.total
        out.append(Relation("members.meetings.roll", "组织生活覆盖统计的党员数 = 党员总数",
                            {"组织生活统计党员数": reach, total.label: total.value}, reach == total.value))
    return out


def relations(figures: dict[str, object]) -> list[Relation]:
    """Every relation of the given figures (app → its figures dataclass), held or not."""
    out: list[Relation] = []
    for app in APPS:
        if app in figures:
            out.extend(figures[app].relations())
    out.extend(across_apps(figures))
    return out


def violations(org: Org, period: Period, figures: dict[str, object]) -> list[Violation]:
    """The relations of already computed figures that do not hold (for a caller that has them)."""
    return [Violation(org, period, r.text, r.key, dict(r.numbers)) for r in relations(figures) if not r.holds]


def check(org: Org, period: Period, *, below: bool = False) -> list[Violation]:
    """Every relation that does not hold for org (and, with below=True, every org under it) in period."""
    orgs = list(Org.objects.subtree_of(org).order_by("path")) if below else [org]
    found: list[Violation] = []
    for o in orgs:
        figures, failures = figures_of(o, period)
        found.extend(failures)
        found.extend(violations(o, period, figures))
    return found


def check_range(org: Org, periods: Iterable[Period], *, below: bool = True) -> list[Violation]:
    return [v for p in periods for v in check(org, p, below=below)]


def quarters(first: Period, last: Period) -> list[Period]:
    """Every quarter from the one containing first's start to the one containing last's end."""
    q, end = Period.of(first.first_day, "quarter"), Period.of(last.last_day, "quarter")
    out = []
    while (q.year, q.index) <= (end.year, end.index):
        out.append(q)
        q = q.next()
    return out
