"""The dashboard panel: this period's plan items and the rectification ledger, from figures."""

from . import figures


def panel(org, period) -> dict | None:
    f = figures.for_period(org, period)
    return {
        "template": "plans/_dashboard.html", "f": f,
        "plan_cards": [f.items_due, f.items_on_time, f.items_late, f.items_overdue],
        "problem_cards": [f.problems_found, f.problems_closed, f.problems_open, f.measures_overdue],
    }
