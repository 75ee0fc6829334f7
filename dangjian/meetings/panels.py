"""The dashboard panel: each branch's period red/green with the reason, and the period's figures."""

from . import compliance as compliance_mod
from . import figures


def panel(org, period) -> dict | None:
    f = figures.for_period(org, period)
    comp = f.compliance
    ruled = [t for t in f.by_type if t["required"] is not None and (t["required"] or t["held"])]
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["应开展", "已开展"]},
        "grid": {"left": 40, "right": 10, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "category", "data": [t["label"] for t in ruled], "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "应开展", "type": "bar", "data": [t["required"] for t in ruled], "itemStyle": {"color": "#bdbdbd"}},
            {"name": "已开展", "type": "bar", "data": [t["held"] for t in ruled], "itemStyle": {"color": "#b71c1c"}},
        ],
    }
    # Above community level a row per branch would run to hundreds (thousands for a district): a
    # row per community (per street) with its branches' states, each linking to its own view.
    above = compliance_mod.above_community(org)
    children = compliance_mod.children_of(org) if above else []
    return {
        "template": "meetings/_dashboard.html", "f": f, "c": comp, "rows": [] if above else comp.rows(),
        "child_rows": comp.by_child(children) if above else None,
        "months": comp.months, "show_months": len(comp.months) > 1, "period": period, "org": org,
        "cards": [f.held, f.attendance_rate, f.reached, f.not_reached, f.visits, f.sends, f.lapse_warnings, f.lapse_flags],
        "chart": chart,
    }
