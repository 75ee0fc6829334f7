"""Dashboard panels: each reads one app's figures and names the template that draws them.

A panel is `panel(request, org, period) -> dict | None` returning {"template": ..., **context};
None hides it (e.g. the user has no role it concerns). Apps add their panel to PANELS.
"""


from dangjian.dues.panels import dues_panel
from dangjian.grid.panels import panel as grid_panel
from dangjian.meetings.panels import panel as meetings_panel
from dangjian.members import figures as member_figures
from dangjian.plans.panels import panel as plans_panel
from dangjian.recruitment.panels import panel as recruitment_panel
from dangjian.reports.panels import panel as reports_panel


def members_panel(request, org, period):
    f = member_figures.for_period(org, period)
    branch_chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["正式党员", "预备党员"]},
        "grid": {"left": 40, "right": 10, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "category", "data": [b["name"] for b in f.by_branch], "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "正式党员", "type": "bar", "stack": "n", "data": [b["full"] for b in f.by_branch], "itemStyle": {"color": "#b71c1c"}},
            {"name": "预备党员", "type": "bar", "stack": "n", "data": [b["probationary"] for b in f.by_branch], "itemStyle": {"color": "#f0a030"}},
        ],
    }
    category_chart = {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "data": f.by_category, "label": {"formatter": "{b}\n{c}人"}}],
    }
    return {"template": "dashboard/_members.html", "f": f, "cards": [f.full, f.probationary, f.mobile, f.infirm],
            "branch_chart": branch_chart, "category_chart": category_chart}


PANELS = [members_panel, meetings_panel, dues_panel, grid_panel, plans_panel, recruitment_panel, reports_panel]
