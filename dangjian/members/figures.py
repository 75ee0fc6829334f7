"""The roster's numbers for an org subtree at the end of a period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from dangjian.lib.figures import Figure, Relation, at_most, link, sums_to
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org, OrgKind

from .choices import Category
from .models import Member


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


def roll(org: Org, period: Period):
    """Members on the roll of org's subtree on the last day of the period."""
    return Member.objects.in_org(org).on_roll_on(period.last_day)


def on_roll_named(org: Org, period: Period, name: str) -> Member | None:
    """The one member of org's subtree on the roll at the period's end with this name (the secretary
    an org record names), or None when there is none or the name is ambiguous."""
    if not name.strip():
        return None
    found = list(roll(org, period).filter(name=name.strip())[:2])
    return found[0] if len(found) == 1 else None


def for_period(org: Org, period: Period) -> MemberFigures:
    day = period.last_day
    qs = roll(org, period)
    full_q = Q(confirmed_on__isnull=False, confirmed_on__lte=day)
    agg = qs.aggregate(
        total=Count("pk"),
        full=Count("pk", filter=full_q),
        mobile=Count("pk", filter=Q(is_mobile=True) & (Q(mobile_since__isnull=True) | Q(mobile_since__lte=day))),
        infirm=Count("pk", filter=Q(is_infirm=True)),
    )
    # Branch breakdown: one grouped query, then fold 党小组 into their 党支部.
    branches = {o.pk: o for o in Org.objects.subtree_of(org).filter(kind__in=(OrgKind.BRANCH, OrgKind.GROUP))}
    full_by, prob_by = Counter(), Counter()
    for row in qs.values("org_id").annotate(full=Count("pk", filter=full_q), n=Count("pk")):
        o = branches.get(row["org_id"])
        key = (o.parent_id if o and o.kind == OrgKind.GROUP else row["org_id"])
        full_by[key] += row["full"]
        prob_by[key] += row["n"] - row["full"]
    by_branch = [
        {"id": pk, "name": branches[pk].name if pk in branches else str(org), "full": full_by[pk], "probationary": prob_by[pk]}
        for pk in sorted(full_by.keys() | prob_by.keys(), key=lambda k: branches[k].path if k in branches else "")
    ]
    cats = dict(qs.values_list("category").annotate(n=Count("pk")))
    by_category = [{"name": c.label, "value": cats.get(c.value, 0)} for c in Category if cats.get(c.value)]
    if cats.get(""):
        by_category.append({"name": "未填", "value": cats[""]})
    total = agg["total"]
    return MemberFigures(
        org=org, period=period,
        total=Figure("党员总数", total, link("member_list", org=org.pk), "人"),
        full=Figure("正式党员", agg["full"], link("member_list", org=org.pk, status="正式"), "人"),
        probationary=Figure("预备党员", total - agg["full"], link("member_list", org=org.pk, status="预备"), "人"),
        mobile=Figure("流动党员", agg["mobile"], link("member_list", org=org.pk, flag="mobile"), "人"),
        infirm=Figure("年老体弱/行动不便党员", agg["infirm"], link("member_list", org=org.pk, flag="infirm"), "人"),
        by_branch=by_branch, by_category=by_category,
    )
