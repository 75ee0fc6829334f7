from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import translation

from dangjian.orgs.scoping import may_keep_records, org_and_period

from .keeping import DRAWERS
from .models import Drawing


@login_required
def kept_status(request):
    """A page showing an out-of-date drawing asks here every few seconds; once a newer drawing is
    kept, the answer tells htmx to reload the page (HX-Refresh)."""
    if not may_keep_records(request.user):
        return HttpResponse(status=403)
    kind = request.GET.get("kind", "")
    if kind not in DRAWERS:
        raise Http404("没有这种汇总页")
    org, period = org_and_period(request)
    built = (Drawing.objects.filter(kind=kind, org=org, period=str(period), language=translation.get_language())
             .first())
    response = HttpResponse(status=204)
    if built is not None and built.built_key != request.GET.get("built", ""):
        response["HX-Refresh"] = "true"
    return response
