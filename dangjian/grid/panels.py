"""The dashboard panel: reads grid/figures.py (and the focus campaign's progress) only."""

from __future__ import annotations

from .figures import for_period
from .models import Campaign
from .progress import campaign_progress


def panel(org, period) -> dict | None:
    f = for_period(org, period)
    if not f.grids.value:
        return None
    cards = [f.households, f.residents, f.migrants, f.members]
    focus = None
    if org.is_community and f.campaigns:
        focus = Campaign.objects.in_org(org).overlapping(period.first_day, period.last_day).order_by("-starts_on", "-pk").first()
    if focus is not None:
        rows = campaign_progress(focus).by_grid
        names, done, pending = [p.label for p in rows], [p.done for p in rows], [p.pending for p in rows]
    else:
        names = [f"{c['community']}·{c['name']}" for c in f.campaigns]
        done, pending = [c["done"] for c in f.campaigns], [c["total"] - c["done"] for c in f.campaigns]
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
    return {"template": "grid/_dashboard.html", "f": f, "cards": cards, "campaigns": f.campaigns,
            "focus": focus, "grid_chart": chart}
