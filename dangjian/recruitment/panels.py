"""The dashboard panel: people per stage and overdue steps, from figures."""

from dangjian.orgs.scoping import is_record_keeper

from . import figures


def panel(request, org, period) -> dict | None:
    if not is_record_keeper(request.user):
        return None
    f = figures.for_period(org, period)
    return {"template": "recruitment/_dashboard.html", "f": f, "cards": [*f.by_stage, f.overdue]}
