"""Dashboard panels: each reads one app's figures and names the template that draws them.

A panel is `panel(org, period) -> dict | None` returning {"template": ..., **context}; None hides it
(no grids, a month has no duty report). It reads records only: who may see the dashboard is the
view's question, and its drawing is kept for every record keeper of the org (dangjian/kept). Apps add
their panel to PANELS.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from dangjian.dues.panels import dues_panel
from dangjian.grid.panels import panel as grid_panel
from dangjian.meetings.panels import panel as meetings_panel
from dangjian.members import figures as member_figures
from dangjian.orgs.children import above_community, fold_by_child
from dangjian.orgs.models import Org, OrgKind
from dangjian.plans.panels import panel as plans_panel
from dangjian.recruitment.panels import panel as recruitment_panel
from dangjian.reports.panels import panel as reports_panel


def by_child(org: Org, by_branch: list[dict]) -> list[dict]:
    """The figures' branches folded into org's children (a street's communities, a district's
    streets): a chart above community level has a bar per child, not hundreds of branches."""
    return [{"id": r["org"].pk, "name": r["org"].display_name, "full": r["full"], "probationary": r["probationary"]}
            for r in fold_by_child(org, by_branch, "id", ("full", "probationary"))]


def members_panel(org, period):
    f = member_figures.for_period(org, period)
    above = above_community(org)
    bars = by_child(org, f.by_branch) if above else f.by_branch
    branch_chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["正式党员", "预备党员"]},
        "grid": {"left": 40, "right": 10, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "category", "data": [b["name"] for b in bars], "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "正式党员", "type": "bar", "stack": "n", "data": [b["full"] for b in bars], "itemStyle": {"color": "#b71c1c"}},
            {"name": "预备党员", "type": "bar", "stack": "n", "data": [b["probationary"] for b in bars], "itemStyle": {"color": "#f0a030"}},
        ],
    }
    category_chart = {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "data": f.by_category, "label": {"formatter": "{b}\n{c}人"}}],
    }
    return {"template": "dashboard/_members.html", "f": f, "cards": [f.full, f.probationary, f.mobile, f.infirm],
            "chart_title": _("各社区党员人数") if org.kind == OrgKind.STREET else _("下级组织党员人数") if above else _("各支部党员人数"),
            "branch_chart": branch_chart, "category_chart": category_chart}


PANELS = [members_panel, meetings_panel, dues_panel, grid_panel, plans_panel, recruitment_panel, reports_panel]


def panels(org, period) -> list[dict]:
    return [p for p in (panel(org, period) for panel in PANELS) if p]


def draw(org, period) -> str:
    """The dashboard of org and period as HTML: what is kept and read by every visit (kept/)."""
    return "".join(render_to_string(p["template"], {"p": p, "org": org, "period": period})
                   for p in panels(org, period))
