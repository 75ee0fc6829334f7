"""The dashboard panel: people per stage and overdue steps, from figures."""

from . import figures


def panel(org, period) -> dict | None:
    f = figures.for_period(org, period)
    return {"template": "recruitment/_dashboard.html", "f": f, "cards": [*f.by_stage, f.overdue]}
