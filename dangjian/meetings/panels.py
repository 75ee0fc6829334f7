"""The dashboard panel: each branch's period red/green with the reason, and the period's figures."""

from dangjian.orgs.models import COMMUNITY_KINDS, Org, OrgKind
from dangjian.orgs.scoping import may_keep_records

from . import figures


def panel(request, org, period) -> dict | None:
    if not may_keep_records(request.user):
        return None
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
    above = org.kind not in (*COMMUNITY_KINDS, OrgKind.BRANCH, OrgKind.GROUP)
    children = list(Org.objects.filter(parent=org).exclude(kind=OrgKind.GROUP).order_by("sort", "path")) if above else []
    return {
        "template": "meetings/_dashboard.html", "f": f, "c": comp, "rows": [] if above else comp.rows(),
        "child_rows": comp.by_child(children) if above else None,
        "months": comp.months, "show_months": len(comp.months) > 1, "period": period, "org": org,
        "cards": [f.held, f.attendance_rate, f.reached, f.not_reached, f.visits, f.sends, f.lapse_warnings, f.lapse_flags],
        "chart": chart,
    }
