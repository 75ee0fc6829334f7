"""What the meetings pages keep (dangjian/kept): the compliance and reach tables of an org and
period, drawn from the same computations a live page ran, read by every visit."""

from __future__ import annotations

from django.template.loader import render_to_string

from dangjian.lib.periods import Period
from dangjian.orgs.models import Org

from . import compliance as compliance_mod
from . import reach as reach_mod
from . import rules

LISTED = 50  # overdue and returned records the compliance page lists (a district has thousands)
REACH_LISTED = 200  # members the reach page names in each list (a branch's whole roll)


def draw_compliance(org: Org, period: Period) -> str:
    comp = compliance_mod.check(org, period)
    # Above community level a row per community (per street), each linking to its branches.
    above = compliance_mod.above_community(org)
    children = compliance_mod.children_of(org) if above else []
    return render_to_string("meetings/_compliance_body.html", {
        "org": org, "period": period, "c": comp, "owed_note": compliance_mod.OWED_NOTE,
        "rows": [] if above else comp.rows(), "child_rows": comp.by_child(children) if above else None,
        "overdue": comp.overdue[:LISTED], "returned": comp.returned[:LISTED], "listed": LISTED,
        "rule_note": rules.RULE_NOTE, "state_label": compliance_mod.STATE_LABELS[comp.state],
        "show_months": len(comp.months) > 1, "green": comp.count(compliance_mod.GREEN),
        "red": comp.count(compliance_mod.RED), "amber": comp.count(compliance_mod.AMBER),
    })


def draw_reach(org: Org, period: Period) -> str:
    # Counted in the database; the names listed are the first REACH_LISTED of each list (with its total).
    reach = reach_mod.compute(org, period, listed=False)
    return render_to_string("meetings/_reach_body.html", {
        "org": org, "period": period, "r": reach, **reach_mod.listing(reach, REACH_LISTED),
        "listed": REACH_LISTED, "lapses": reach.lapses[:REACH_LISTED],
    })
