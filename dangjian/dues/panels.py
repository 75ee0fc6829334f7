"""The dues panel of the dashboard: reads only dues.figures."""

from . import figures


def dues_panel(org, period):
    f = figures.for_period(org, period)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["应交", "实交"]},
        "grid": {"left": 40, "right": 10, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": [m["label"] for m in f.by_month]},
        "yAxis": {"type": "value", "name": "元"},
        "series": [
            {"name": "应交", "type": "bar", "data": [float(m["due"]) for m in f.by_month], "itemStyle": {"color": "#bbb"}},
            {"name": "实交", "type": "bar", "data": [float(m["paid"]) for m in f.by_month], "itemStyle": {"color": "#b71c1c"}},
        ],
    }
    return {"template": "dues/_dashboard.html", "f": f, "cards": f.cards(), "chart": chart}
