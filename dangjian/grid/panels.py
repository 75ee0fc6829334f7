"""The dashboard panel: reads grid/figures.py (and the focus campaign's progress) only."""

from __future__ import annotations

from dangjian.lib.figures import link
from dangjian.orgs.children import above_community, fold_by_child
from dangjian.orgs.models import Org

from .figures import for_period
from .models import Campaign
from .progress import campaign_progress


def by_child(org: Org, campaigns: list[dict]) -> list[dict]:
    """Above community level, the period's campaigns folded into a row per child org (a street's
    communities, a district's streets) with their households done of all: a district runs hundreds
    of campaigns, and each row links to that child's dashboard."""
    return [{"name": r["org"].display_name, "count": r["count"], "done": r["done"], "total": r["total"],
             "percent": round(100 * r["done"] / r["total"]) if r["total"] else 0,
             "link": link("dashboard", org=r["org"].pk)}
            for r in fold_by_child(org, campaigns, "community_id", ("done", "total")) if r["count"]]


def panel(org, period) -> dict | None:
    f = for_period(org, period)
    if not f.grids.value:
        return None
    cards = [f.households, f.residents, f.migrants, f.members]
    focus = None
    if org.is_community and f.campaigns:
        focus = Campaign.objects.in_org(org).overlapping(period.first_day, period.last_day).order_by("-starts_on", "-pk").first()
    if focus is not None:
        by_grid = campaign_progress(focus).by_grid
        names, done, pending = [p.label for p in by_grid], [p.done for p in by_grid], [p.pending for p in by_grid]
    above = above_community(org)
    rows = by_child(org, f.campaigns) if above else f.campaigns
    if focus is None:
        names = [r["name"] if above else f"{r['community']}·{r['name']}" for r in rows]
        done, pending = [r["done"] for r in rows], [r["total"] - r["done"] for r in rows]
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["已完成", "未完成"]},
        "grid": {"left": 40, "right": 10, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1, "name": "户"},
        "series": [
            {"name": "已完成", "type": "bar", "stack": "n", "data": done, "itemStyle": {"color": "#2e7d32"}},
            {"name": "未完成", "type": "bar", "stack": "n", "data": pending, "itemStyle": {"color": "#d0d0d0"}},
        ],
    }
    return {"template": "grid/_dashboard.html", "f": f, "cards": cards, "campaigns": rows, "by_child": above,
            "focus": focus, "grid_chart": chart}
