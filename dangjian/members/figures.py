"""The roster's numbers for an org subtree as of a period: who belonged to it on the period's
roll day, in which status and with which flags then (members.models: in_org_on, status_on, …)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.lib.figures import Figure, Relation, at_most, link, sums_to
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org, OrgKind

from .choices import Category, Status
from .models import Member, roll_day


@dataclass
class MemberFigures:
    org: Org
    period: Period
    total: Figure
    full: Figure
    probationary: Figure
    mobile: Figure
    infirm: Figure
    by_branch: list[dict] = field(default_factory=list)
    by_category: list[dict] = field(default_factory=list)

    def relations(self) -> list[Relation]:
        """What must hold between these figures (checked by `dangjian verify` and the report's 自检)."""
        total = (self.total.label, self.total.value)
        return [
            sums_to("members.status", total, {self.full.label: self.full.value,
                                              self.probationary.label: self.probationary.value}),
            sums_to("members.by_branch", total, [(f"{b['name']}（正式）", b["full"]) for b in self.by_branch]
                    + [(f"{b['name']}（预备）", b["probationary"]) for b in self.by_branch], text="党员总数 = 各支部人数之和"),
            sums_to("members.by_category", total, [(c["name"], c["value"]) for c in self.by_category],
                    text="党员总数 = 各类别人数之和"),
            at_most("members.mobile", (self.mobile.label, self.mobile.value), total),
            at_most("members.infirm", (self.infirm.label, self.infirm.value), total),
        ]

    def as_json(self) -> dict:
        return {
            "org": self.org.name, "period": str(self.period),
            **{k: getattr(self, k).as_json() for k in ("total", "full", "probationary", "mobile", "infirm")},
            "by_branch": self.by_branch, "by_category": self.by_category,
        }


def roll(org: Org, period: Period, *, as_of: date | None = None):
    """Members who belonged to org's subtree on the period's roll day (its last day, or today
    while it runs), annotated with their org (`org_on`), status and flags on that day."""
    day = roll_day(period.first_day, period.last_day, as_of or timezone.localdate())
    return Member.objects.in_org_on(org, day).status_on(day).with_flags_on(day)


def on_roll_named(org: Org, period: Period, name: str) -> Member | None:
    """The one member of org's subtree on the roll at the period's end with this name (the secretary
    an org record names), or None when there is none or the name is ambiguous."""
    # Asked even for a blank name (no member has one): the same query for every org.
    found = list(roll(org, period).filter(name=name.strip())[:2]) if name is not None else []
    return found[0] if len(found) == 1 and name.strip() else None


def for_period(org: Org, period: Period, *, as_of: date | None = None) -> MemberFigures:
    qs = roll(org, period, as_of=as_of)
    full_q = Q(status_on_day=Status.FULL)
    agg = qs.aggregate(
        total=Count("pk"),
        full=Count("pk", filter=full_q),
        mobile=Count("pk", filter=Q(mobile_on_day=True)),
        infirm=Count("pk", filter=Q(infirm_on_day=True)),
    )
    # Branch breakdown: one grouped query on the org each member belonged to that day, then fold
    # 党小组 into their 党支部.
    branches = {o.pk: o for o in Org.objects.subtree_of(org).filter(kind__in=(OrgKind.BRANCH, OrgKind.GROUP))}
    full_by, prob_by = Counter(), Counter()
    for row in qs.order_by().values("org_on").annotate(full=Count("pk", filter=full_q), n=Count("pk")):
        o = branches.get(row["org_on"])
        key = (o.parent_id if o and o.kind == OrgKind.GROUP else row["org_on"])
        full_by[key] += row["full"]
        prob_by[key] += row["n"] - row["full"]
    by_branch = [
        {"id": pk, "name": branches[pk].name if pk in branches else str(org), "full": full_by[pk], "probationary": prob_by[pk]}
        for pk in sorted(full_by.keys() | prob_by.keys(), key=lambda k: branches[k].path if k in branches else "")
    ]
    cats = dict(qs.order_by().values_list("category").annotate(n=Count("pk")))
    by_category = [{"name": c.label, "value": cats.get(c.value, 0)} for c in Category if cats.get(c.value)]
    if cats.get(""):
        by_category.append({"name": "未填", "value": cats[""]})
    total = agg["total"]
    p = str(period)
    return MemberFigures(
        org=org, period=period,
        total=Figure("党员总数", total, link("member_list", org=org.pk, period=p), "人"),
        full=Figure("正式党员", agg["full"], link("member_list", org=org.pk, period=p, status=Status.FULL), "人"),
        probationary=Figure("预备党员", total - agg["full"],
                            link("member_list", org=org.pk, period=p, status=Status.PROBATIONARY), "人"),
        mobile=Figure("流动党员", agg["mobile"], link("member_list", org=org.pk, period=p, flag="mobile"), "人"),
        infirm=Figure("年老体弱/行动不便党员", agg["infirm"], link("member_list", org=org.pk, period=p, flag="infirm"), "人"),
        by_branch=by_branch, by_category=by_category,
    )
