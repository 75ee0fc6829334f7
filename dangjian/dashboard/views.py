from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from dangjian.kept.keeping import read
from dangjian.orgs.models import ABOVE_COMMUNITY_KINDS, COMMUNITY_KINDS, OrgKind, Role
from dangjian.orgs.scoping import (
    has_role,
    may_keep_records,
    nearby,
    org_and_period,
    visible_orgs,
)


@login_required
def dashboard(request):
    if not may_keep_records(request.user):
        # A 网格员 works from their grids; a 党员 account sees its own record.
        if has_role(request.user, Role.GRID_WORKER):
            try:
                return redirect(reverse("grid_home"))
            except NoReverseMatch:
                pass
        member = getattr(request.user, "member", None)
        if member is not None:
            return redirect("member_detail", pk=member.pk)
        return render(request, "dashboard/home.html", {"org": None})
    org, period = org_and_period(request)
    return render(request, "dashboard/home.html", {
        "org": org, "period": period, "kept": read("dashboard", org, period),
        "orgs": nearby(visible_orgs(request.user).filter(kind__in=(*ABOVE_COMMUNITY_KINDS, *COMMUNITY_KINDS, OrgKind.BRANCH)), org),
        "periods": [period.previous(), period, period.next()],
    })
