"""Dashboard panel: the duty report of the shown org and period (or, above community level, how
many communities have finalised theirs)."""

from django.urls import reverse

from .batch import community_status
from .models import Report


def panel(org, period):
    if period.kind == "month":
        return None
    if org.is_community or org.kind == "branch":
        report = Report.objects.filter(org=org, period=str(period)).first()
        version = report.current_version() if report else None
        return {"template": "reports/_dashboard.html", "org": org, "period": period, "report": report,
                "version": version, "final": report.final_version() if report else None,
                "new_url": reverse("report_list")}
    rows = community_status(org, period, with_content=False)
    return {"template": "reports/_dashboard.html", "org": org, "period": period, "rows": rows,
            "finalised": sum(1 for r in rows if r["final"]), "street": True, "street_url": reverse("street_view")}
