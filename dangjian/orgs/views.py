from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.members.models import Member

from .forms import OrgForm
from .scoping import get_org_for_user, may_keep_records, may_sign, visible_orgs

TERM_WARNING = timedelta(days=180)  # 换届 is prepared months ahead: flag terms ending within half a year


@login_required
def org_list(request):
    """The org tree the user can see, with member counts and 换届 dates."""
    if not may_keep_records(request.user):
        raise PermissionDenied
    orgs = list(visible_orgs(request.user).select_related("parent"))
    today = timezone.localdate()
    path_of = {o.pk: o.path for o in orgs}
    direct = Member.objects.current().filter(org__in=orgs).values_list("org_id").annotate(n=Count("pk"))
    totals = dict.fromkeys(path_of, 0)
    for org_id, n in direct:  # add each unit's members to it and every ancestor shown
        for o in orgs:
            if path_of[org_id].startswith(o.path):
                totals[o.pk] += n
    rows = []
    for org in orgs:
        due = org.term_ends_on and org.term_ends_on - today <= TERM_WARNING
        rows.append({"org": org, "members": totals[org.pk], "term_due": due, "pad": "　" * (org.depth - orgs[0].depth),
                     "can_edit": may_sign(request.user, org)})
    return render(request, "orgs/list.html", {"rows": rows, "today": today})


@login_required
def org_edit(request, pk):
    org = get_org_for_user(request, pk)
    if not may_sign(request.user, org):
        raise PermissionDenied("只有社区书记或街道管理员可以修改组织信息")
    form = OrgForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存{org.name}")
        return redirect("org_list")
    history = org.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "orgs/edit.html", {"form": form, "org": org, "history": history})

