"""Compliance: for any org and Period, what the rules require of each branch and what was held.

How a requirement is counted
- Each frequency rule has a unit (month, quarter, year). Only units that lie inside the asked
  period are checked: a month view checks the monthly rules, a quarter view adds the quarterly
  ones, a year view all of them.
- A unit is owed by a 党支部 (or, for 党小组会, by each 党小组) **if the org existed on the unit's
  last day** (founded on or before it, not dissolved on or before it). So a branch founded on
  15 August owes August and the third quarter; a branch dissolved on 15 August owes neither
  August nor that quarter. A 党小组 also needs its 党支部 to exist on that day.
- In a unit, at least `count` activities of the type must be held. Only SUBMITTED activities
  count (drafts and records sent back do not), by the date they were held. An activity counts
  for its own type and for each type it was combined with ("同时开展").
- A unit not met is *missing* once it has ended (before `as_of`), *pending* while it runs, and
  *future* before it starts. A branch is red with anything missing, amber with anything pending
  or future, green when every unit owed is met.
- The 支部委员会 rule applies only to branches with a committee: at least 3 members on the roll
  flagged 支委 (第四条: a branch with fewer than 7 正式党员 has only a secretary).

All numbers come from a constant number of aggregate queries, whatever the number of branches
or activities.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.members.models import Member
from dangjian.orgs.children import above_community, children_of  # noqa: F401 — pages call them from here
from dangjian.orgs.models import PATH_STEP, Org, OrgKind

from .choices import EDITABLE_STATUSES, Per, Status
from .models import Activity, ActivityType, RuleSetting
from .rules import FrequencyRule, Ruleset

COMMITTEE_MIN = 3  # 支委会 has 3–5 (at most 7) members — 条例第四条
OWED_NOTE = ("某月（季度、年度）的最后一天组织存在，才要求该月（季度、年度）的组织生活：新成立的支部从成立当月"
             "（当季、当年）起计算，期中撤销的支部不再要求当期。只统计已提交的记录，按召开日期计入。")

MET, MISSING, PENDING, FUTURE, NOT_OWED = "met", "missing", "pending", "future", "not_owed"
GREEN, RED, AMBER, GREY = "green", "red", "amber", "grey"
STATE_LABELS = {GREEN: "达标", RED: "未达标", AMBER: "进行中", GREY: "无要求"}




def existed_on(org: Org, day: date) -> bool:
    return (org.founded_on is None or org.founded_on <= day) and (org.dissolved_on is None or org.dissolved_on > day)


def units_of(per: str, period: Period) -> list[Period]:
    """The rule units (months, quarters, years) lying inside the period."""
    if per == Per.MONTH:
        return period.months()
    if per == Per.QUARTER:
        return period.quarters() if period.kind != "month" else []
    return [Period("year", period.year)] if period.kind == "year" else []


def unit_name(unit: Period, period: Period) -> str:
    if unit.kind == "month":
        return f"{unit.index}月" if unit.year == period.year else unit.label
    if unit.kind == "quarter":
        return unit.label.removeprefix(f"{period.year}年") if unit.year == period.year else unit.label
    return f"{unit.year}年度"


@dataclass
class Unit:
    period: Period
    required: int
    held: int
    state: str


@dataclass
class RuleCheck:
    """One rule for one org that owes it (a 党支部, or a 党小组 for 党小组会)."""

    rule: FrequencyRule
    org: Org
    units: list[Unit] = field(default_factory=list)
    not_applicable: str = ""

    @property
    def owed(self) -> list[Unit]:
        return [u for u in self.units if u.state != NOT_OWED]

    @property
    def required(self) -> int:
        return sum(u.required for u in self.owed)

    @property
    def held(self) -> int:
        return sum(u.held for u in self.owed)

    @property
    def missing(self) -> list[Unit]:
        return [u for u in self.units if u.state == MISSING]

    @property
    def pending(self) -> list[Unit]:
        return [u for u in self.units if u.state == PENDING]

    @property
    def who(self) -> str:
        return f"{self.org.name}" if self.rule.level == "group" else ""

    def reasons(self, period: Period, units: list[Unit] | None = None) -> list[tuple[str, str]]:
        """(state, text) for what is missing or pending among `units` (default: all)."""
        units = self.units if units is None else units
        out = []
        missing = [u for u in units if u.state == MISSING]
        pending = [u for u in units if u.state == PENDING]
        if missing:
            names = "、".join(unit_name(u.period, period) for u in missing)
            out.append((RED, f"{self.who}{self.rule.label}：{names}未达到{self.rule.requirement}"))
        if pending:
            names = "、".join(unit_name(u.period, period) for u in pending)
            out.append((AMBER, f"{self.who}{self.rule.label}：{names}尚未开展（{self.rule.requirement}）"))
        return out


def _state(units: list[Unit]) -> str:
    states = {u.state for u in units}
    if MISSING in states:
        return RED
    if PENDING in states or FUTURE in states:
        return AMBER
    return GREEN if MET in states else GREY


@dataclass
class BranchCompliance:
    branch: Org
    checks: list[RuleCheck] = field(default_factory=list)
    note: str = ""

    def units(self, month: Period | None = None) -> list[Unit]:
        units = [u for c in self.checks for u in c.units]
        return [u for u in units if u.period == month] if month else units

    @property
    def state(self) -> str:
        return _state(self.units())

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def reasons(self, period: Period) -> list[tuple[str, str]]:
        return [r for c in self.checks for r in c.reasons(period)]

    def month(self, month: Period, period: Period) -> dict:
        """The state of one month (monthly rules only) with its reasons: a dashboard cell."""
        units = self.units(month)
        reasons = [r for c in self.checks for r in c.reasons(period, [u for u in c.units if u.period == month])]
        if units and all(u.state in (FUTURE, NOT_OWED) for u in units) and any(u.state == FUTURE for u in units):
            return {"month": month, "state": GREY, "label": "未到", "reasons": []}
        return {"month": month, "state": _state(units), "label": STATE_LABELS[_state(units)],
                "reasons": [text for _, text in reasons]}


@dataclass
class TypeTotal:
    label: str
    type_code: str
    required: int | None  # None: no rule for this type
    held: int  # held in the units owed (what the requirement is compared with)
    held_total: int = 0  # every submitted activity of the type in the subtree, combined ones included
    met_units: int = 0
    owed_units: int = 0
    missing_units: int = 0
    source: str = ""
    key: str = ""  # the rule's key; empty for a type no rule asks a number of


@dataclass
class Compliance:
    org: Org
    period: Period
    as_of: date
    ruleset: Ruleset
    branches: list[BranchCompliance]
    by_type: list[TypeTotal]
    overdue: list[Activity]
    returned: list[Activity]
    not_evaluated: list[FrequencyRule]

    @property
    def state(self) -> str:
        return _state([u for b in self.branches for u in b.units()])

    def count(self, state: str) -> int:
        return sum(1 for b in self.branches if b.state == state)

    @property
    def months(self) -> list[Period]:
        return self.period.months()

    def rows(self) -> list[dict]:
        """One row per branch for a table: its period state, reasons, and each month's state."""
        return [{"b": b, "state": b.state, "label": b.state_label, "reasons": [t for _, t in b.reasons(self.period)],
                 "months": [b.month(m, self.period) for m in self.months]} for b in self.branches]

    def by_child(self, children: list[Org]) -> list[dict]:
        """One row per child of the org (a street's communities, a district's streets): how many of
        its branches are green, amber and red — what a dashboard above community level shows
        instead of a row per branch."""
        rows = {c.path: {"org": c, "branches": 0, GREEN: 0, AMBER: 0, RED: 0, GREY: 0} for c in children}
        for b in self.branches:
            row = rows.get(b.branch.path[:len(self.org.path) + PATH_STEP + 1])
            if row is not None:
                row["branches"] += 1
                row[b.state] += 1
        out = list(rows.values())
        for row in out:
            row["state"] = RED if row[RED] else AMBER if row[AMBER] else GREEN if row[GREEN] else GREY
            row["label"] = STATE_LABELS[row["state"]]
        return out

    def as_json(self) -> dict:
        return {
            "org": self.org.name, "period": str(self.period), "as_of": self.as_of.isoformat(), "state": self.state,
            "rule_for_new_branches": OWED_NOTE,
            "by_type": [t.__dict__ for t in self.by_type],
            "branches": [{
                "branch": b.branch.name, "state": b.state, "note": b.note,
                "reasons": [text for _, text in b.reasons(self.period)],
                "rules": [{
                    "rule": c.rule.key, "label": c.rule.label, "org": c.org.name, "requirement": c.rule.requirement,
                    "source": c.rule.source, "not_applicable": c.not_applicable, "required": c.required, "held": c.held,
                    "units": [{"unit": str(u.period), "required": u.required, "held": u.held, "state": u.state}
                              for u in c.units],
                } for c in b.checks],
            } for b in self.branches],
            "overdue": [{"id": a.pk, "org": a.org.name, "type": a.type.name, "topic": a.topic, "date": a.day.isoformat(),
                         "status": a.status} for a in self.overdue],
            "returned": [{"id": a.pk, "org": a.org.name, "type": a.type.name, "topic": a.topic,
                          "reason": a.return_reason} for a in self.returned],
            "not_evaluated": [r.label for r in self.not_evaluated],
        }


def _owner(org_id: int, orgs: dict[int, Org], level: str) -> int | None:
    """The org an activity counts for under a rule: its 党支部 for branch rules, its 党小组 for group rules."""
    org = orgs.get(org_id)
    if org is None:
        return None
    if level == "group":
        return org_id if org.kind == OrgKind.GROUP else None
    return org.parent_id if org.kind == OrgKind.GROUP else org_id


def held_counts(org: Org, period: Period) -> tuple[Counter, Counter]:
    """(org_id, type_code, (year, month)) → number of submitted activities held, counting combined
    types; and the same for lectures given by the branch secretary. Two queries."""
    acts = Activity.objects.in_org(org).held_in(period)
    counts: Counter = Counter()
    secretary: Counter = Counter()
    rows = (acts.annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
            .values("org_id", "type__code", "y", "m", "is_secretary_lecture").annotate(n=Count("pk")))
    for r in rows:
        key = (r["org_id"], r["type__code"], (r["y"], r["m"]))
        counts[key] += r["n"]
        if r["is_secretary_lecture"]:
            secretary[key] += r["n"]
    # An activity's own type listed again under 同时开展 is not a second type.
    through = Activity.also_types.through.objects.filter(activity__in=acts).exclude(
        activitytype_id=F("activity__type_id"))
    rows = (through.annotate(y=ExtractYear("activity__held_on"), m=ExtractMonth("activity__held_on"))
            .values("activity__org_id", "activitytype__code", "y", "m", "activity__is_secretary_lecture")
            .annotate(n=Count("pk")))
    for r in rows:
        key = (r["activity__org_id"], r["activitytype__code"], (r["y"], r["m"]))
        counts[key] += r["n"]
        if r["activity__is_secretary_lecture"]:
            secretary[key] += r["n"]
    return counts, secretary


def _orgs_in_scope(org: Org, period: Period) -> dict[int, Org]:
    """党支部 and 党小组 of the subtree that existed on some day of the period."""
    qs = Org.objects.subtree_of(org).filter(kind__in=(OrgKind.BRANCH, OrgKind.GROUP))
    qs = qs.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.last_day))
    qs = qs.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.first_day))
    return {o.pk: o for o in qs.order_by("path")}


def _committee_sizes(org: Org, orgs: dict[int, Org], day: date) -> Counter:
    sizes: Counter = Counter()
    rows = (Member.objects.in_org_on(org, day).filter(is_committee=True).order_by()
            .values("org_on").annotate(n=Count("pk")))
    for r in rows:
        owner = _owner(r["org_on"], orgs, "branch")
        if owner is not None:
            sizes[owner] += r["n"]
    return sizes


def _lifetime_note(org: Org, period: Period) -> str:
    parts = []
    if org.founded_on and period.contains(org.founded_on):
        parts.append(f"{org.founded_on:%Y-%m-%d}成立")
    if org.dissolved_on and period.contains(org.dissolved_on):
        parts.append(f"{org.dissolved_on:%Y-%m-%d}撤销")
    return "，".join(parts)


def check(org: Org, period: Period, *, as_of: date | None = None, ruleset: Ruleset | None = None) -> Compliance:
    """Required vs held for every 党支部 (and 党小组) of org's subtree in the period."""
    as_of = as_of or timezone.localdate()
    ruleset = ruleset or RuleSetting.objects.ruleset()
    orgs = _orgs_in_scope(org, period)
    counts, secretary = held_counts(org, period)
    committee = _committee_sizes(org, orgs, min(period.last_day, max(as_of, period.first_day)))

    # Fold the raw counts onto the org that owes each rule (one pass over the counts per source).
    by_code: dict[tuple[bool, str], list] = {}
    for is_secretary, source in ((False, counts), (True, secretary)):
        for (org_id, code, ym), n in source.items():
            by_code.setdefault((is_secretary, code), []).append((org_id, ym, n))
    held: dict[tuple[str, int, tuple[int, int]], int] = Counter()
    for rule in ruleset.frequency:
        for org_id, ym, n in by_code.get((rule.secretary_only, rule.type_code), ()):
            owner = _owner(org_id, orgs, rule.level)
            if owner is not None:
                held[(rule.key, owner, ym)] += n

    branches = [o for o in orgs.values() if o.kind == OrgKind.BRANCH]
    if org.kind == OrgKind.GROUP:
        branches = [org]
    groups_of: dict[int, list[Org]] = {}
    for o in orgs.values():
        if o.kind == OrgKind.GROUP:
            groups_of.setdefault(o.parent_id, []).append(o)
    # Each rule's units, with their months and last days, worked out once for every owner.
    rule_units = {rule.key: [(unit, unit.last_day, unit.first_day, [(m.year, m.index) for m in unit.months()])
                             for unit in units_of(rule.per, period)] for rule in ruleset.frequency}
    results: list[BranchCompliance] = []
    not_evaluated = [r for r in ruleset.frequency if not units_of(r.per, period)]
    for branch in branches:
        bc = BranchCompliance(branch=branch, note=_lifetime_note(branch, period))
        groups = groups_of.get(branch.pk, [])
        for rule in ruleset.frequency:
            units = rule_units[rule.key]
            if not units:
                continue
            if branch.kind == OrgKind.GROUP:
                owners = [branch] if rule.level == "group" else []
            else:
                owners = groups if rule.level == "group" else [branch]
            for owner in owners:
                rc = RuleCheck(rule=rule, org=owner)
                if rule.needs_committee and committee[owner.pk] < COMMITTEE_MIN:
                    rc.not_applicable = f"在册支委{committee[owner.pk]}人，视为未设支部委员会，不要求"
                    bc.checks.append(rc)
                    continue
                parent = orgs.get(owner.parent_id) if owner.kind == OrgKind.GROUP else None
                for unit, last_day, first_day, months in units:
                    n = sum(held.get((rule.key, owner.pk, ym), 0) for ym in months)
                    owes = existed_on(owner, last_day) and (parent is None or existed_on(parent, last_day))
                    if not owes:
                        state = NOT_OWED
                    elif n >= rule.count:
                        state = MET
                    elif last_day < as_of:
                        state = MISSING
                    elif first_day > as_of:
                        state = FUTURE
                    else:
                        state = PENDING
                    rc.units.append(Unit(unit, rule.count if owes else 0, n, state))
                bc.checks.append(rc)
        results.append(bc)

    by_type = _by_type(results, counts, secretary, ruleset, period)
    pending_records = (Activity.objects.in_org(org).filter(status__in=EDITABLE_STATUSES)
                       .filter(Q(held_on__gte=period.first_day, held_on__lte=period.last_day, held_on__lt=as_of)
                               | Q(held_on__isnull=True, planned_on__gte=period.first_day,
                                   planned_on__lte=period.last_day, planned_on__lt=as_of))
                       .select_related("org", "type").order_by("planned_on", "held_on"))
    pending_records = list(pending_records)
    return Compliance(
        org=org, period=period, as_of=as_of, ruleset=ruleset, branches=results, by_type=by_type,
        overdue=[a for a in pending_records if a.status == Status.DRAFT],
        returned=[a for a in pending_records if a.status == Status.RETURNED],
        not_evaluated=not_evaluated,
    )


def _by_type(results: list[BranchCompliance], counts: Counter, secretary: Counter, ruleset: Ruleset,
             period: Period) -> list[TypeTotal]:
    """Required vs held per rule, then held for the types no rule asks a number of."""
    held_by_code: Counter = Counter()
    for (_org_id, code, _ym), n in counts.items():
        held_by_code[code] += n
    secretary_by_code: Counter = Counter()
    for (_org_id, code, _ym), n in secretary.items():
        secretary_by_code[code] += n
    totals: list[TypeTotal] = []
    for rule in ruleset.frequency:
        held_total = (secretary_by_code if rule.secretary_only else held_by_code)[rule.type_code]
        if not units_of(rule.per, period):
            totals.append(TypeTotal(label=rule.label, type_code=rule.type_code, required=None, held=held_total,
                                    held_total=held_total, source=rule.source, key=rule.key))
            continue
        checks = [c for b in results for c in b.checks if c.rule.key == rule.key and not c.not_applicable]
        owed = [u for c in checks for u in c.owed]
        totals.append(TypeTotal(
            label=rule.label, type_code=rule.type_code, required=sum(u.required for u in owed),
            held=sum(u.held for u in owed),
            held_total=held_total,
            met_units=sum(1 for u in owed if u.state == MET), owed_units=len(owed),
            missing_units=sum(1 for u in owed if u.state == MISSING), source=rule.source, key=rule.key,
        ))
    ruled = {r.type_code for r in ruleset.frequency}
    # Types no rule asks for: the active ones, and any retired type that still has records in the period.
    kept = Q(is_active=True) | Q(code__in=[code for code, n in held_by_code.items() if n])
    for t in ActivityType.objects.filter(kept).exclude(code__in=ruled).order_by("sort", "pk"):
        totals.append(TypeTotal(label=t.name, type_code=t.code, required=None, held=held_by_code[t.code],
                                held_total=held_by_code[t.code]))
    return totals
