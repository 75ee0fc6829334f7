from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.orgs.models import Role
from dangjian.orgs.scoping import get_org_for_user, has_role, is_record_keeper, top_orgs, visible_orgs

from .panels import PANELS


def _period(request) -> Period:
    try:
        return Period.parse(request.GET["period"])
    except (KeyError, ValueError):
        return Period.of(timezone.localdate(), "quarter")


@login_required
def dashboard(request):
    if not is_record_keeper(request.user):
        # A 网格员 works from their grids; a 党员 account sees its own record.
        if has_role(request.user, Role.GRID_WORKER):
            try:
                return redirect(reverse("grid_home"))
            except NoReverseMatch:
                pass
        member = getattr(request.user, "member", None)
        if member is not None:
            return redirect("member_detail", pk=member.pk)
        return render(request, "dashboard/home.html", {"panels": [], "org": None})
    org = get_org_for_user(request, request.GET["org"]) if request.GET.get("org") else top_orgs(request.user)[0]
    period = _period(request)
    panels = [p for p in (panel(request, org, period) for panel in PANELS) if p]
    return render(request, "dashboard/home.html", {
        "org": org, "period": period, "panels": panels,
        "orgs": visible_orgs(request.user).filter(kind__in=("street", "community_committee", "general_branch", "branch")),
        "periods": [period.previous(), period, period.next()],
    })
