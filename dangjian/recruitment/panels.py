"""The dashboard panel: people per stage and overdue steps, from figures."""

from dangjian.orgs.scoping import may_keep_records

from . import figures


def panel(request, org, period) -> dict | None:
    if not may_keep_records(request.user):
        return None
    f = figures.for_period(org, period)
    return {"template": "recruitment/_dashboard.html", "f": f, "cards": [*f.by_stage, f.overdue]}
