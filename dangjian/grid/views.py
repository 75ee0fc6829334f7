"""Grid pages. Phone first: my grids → building → household → residents, in as few taps as possible.

Every id in a URL becomes a row only through `get_visible_or_404` (orgs/scoping.py), which answers
404 outside what the user may see (a 网格员: their current grids; record keepers: their subtree);
grids, workers, campaigns and imports are set up by the community's record keepers (`write=True`).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.jobs.lease import check_job
from dangjian.lib.idnumbers import mask_id, mask_phone
from dangjian.lib.uploads import stash_upload
from dangjian.lib.web import error_text, file_response, is_htmx, paginate, query_without_page
from dangjian.members.models import Member
from dangjian.orgs.models import AccessLog
from dangjian.orgs.scoping import (
    get_org_for_user,
    get_visible_or_404,
    log_access,
    may_keep_records,
    may_set_deployment_rules,
    may_view_pii,
    require_record_keeper,
    visible_orgs,
)

from . import importing, rules, services
from .choices import HousingStatus, HukouType, JobStatus, VisitResult
from .forms import (
    INLINE_FIELDS,
    MASKED_FIELDS,
    AssignmentForm,
    BuildingForm,
    CampaignForm,
    DeathForm,
    GridForm,
    GridSettingsForm,
    HouseholdForm,
    ImportForm,
    InlineFieldForm,
    MoveOutForm,
    ResidentForm,
)
from .models import (
    Building,
    Campaign,
    Grid,
    GridAssignment,
    GridSettings,
    Household,
    ImportJob,
    Resident,
    ResidentTag,
    assigned_grid_ids,
    shown,
)
from .progress import campaign_progress, campaigns_completion, household_state, pending_households

# ---------------------------------------------------------------------------------------------
# Who may do what


def _communities(user):
    return visible_orgs(user).communities()


def _is_worker_of(user, grid_id: int) -> bool:
    return grid_id in assigned_grid_ids(user)


def can_reveal(user, household: Household) -> bool:
    if may_view_pii(user, household.grid.community):
        return True
    return _is_worker_of(user, household.grid_id) and GridSettings.objects.rules().worker_may_view_pii


def can_export(user, grid: Grid) -> bool:
    if may_view_pii(user, grid.community):
        return True
    return _is_worker_of(user, grid.pk) and GridSettings.objects.rules().worker_may_export


def _open_campaigns(grid_ids, day=None):
    day = day or timezone.localdate()
    return (Campaign.objects.filter(grids__in=list(grid_ids), starts_on__lte=day, deadline__gte=day)
            .distinct().order_by("-starts_on", "-pk"))


def _focus_campaign(grid: Grid) -> Campaign | None:
    """The campaign a grid's pages show: the open one, else the latest one over the grid."""
    return _open_campaigns([grid.pk]).first() or grid.campaigns.order_by("-starts_on", "-pk").first()


# ---------------------------------------------------------------------------------------------
# My grids → grid → building → household


@login_required
def grid_home(request):
    user = request.user
    grids = Grid.objects.visible_to(user).select_related("community")
    community = None
    if request.GET.get("community"):
        community = get_org_for_user(request, request.GET["community"])
        grids = grids.in_org(community)
    grids = list(grids.annotate(
        n_households=Count("households", filter=shown("households"), distinct=True),
        n_residents=Count("households__residents", filter=Q(households__residents__archived_on__isnull=True)
                          & shown("households__residents"), distinct=True),
    ))
    mine = set(assigned_grid_ids(user))
    open_campaigns = list(_open_campaigns([g.pk for g in grids]).prefetch_related("grids"))
    done = {}
    if open_campaigns:
        from .progress import done_visits

        rows = (done_visits([c.pk for c in open_campaigns]).filter(household__grid__in=[g.pk for g in grids])
                .values_list("campaign", "household__grid").annotate(n=Count("household", distinct=True)))
        done = {(c, g): n for c, g, n in rows}
    cards = []
    for grid in grids:
        campaign = next((c for c in open_campaigns if grid in c.grids.all()), None)
        n = done.get((campaign.pk, grid.pk), 0) if campaign else 0
        cards.append({"grid": grid, "mine": grid.pk in mine, "campaign": campaign, "done": n,
                      "percent": round(100 * n / grid.n_households) if grid.n_households else 0})
    cards.sort(key=lambda c: (not c["mine"], c["grid"].community.path, c["grid"].sort, c["grid"].pk))
    campaigns = list(Campaign.objects.visible_to(user).select_related("community")[:8])
    completion = campaigns_completion(campaigns)
    communities = list(_communities(user))
    return render(request, "grid/home.html", {
        "cards": cards, "campaigns": [(c, completion[c.pk]) for c in campaigns],
        "communities": communities, "community": community,
        "manager_of": [c for c in communities if may_keep_records(user, c)],
        "may_set_rules": may_set_deployment_rules(user),
    })


@login_required
def grid_detail(request, pk):
    grid = get_visible_or_404(Grid.objects.select_related("community"), request, pk)
    campaign = _focus_campaign(grid)
    buildings = list(grid.buildings.annotate(n_households=Count("units__households", filter=shown("units__households"),
                                                                distinct=True)).order_by("estate", "sort", "pk"))
    state = household_state(campaign, Household.objects.filter(grid=grid)) if campaign else {}
    done_results = GridSettings.objects.rules().done_results
    done_by_building: dict[int, int] = {}
    if state:
        for household_id, building_id in Household.objects.filter(pk__in=list(state)).values_list("pk", "unit__building"):
            if state[household_id] in done_results:
                done_by_building[building_id] = done_by_building.get(building_id, 0) + 1
    for b in buildings:
        b.done = done_by_building.get(b.pk, 0)
    progress = campaign_progress(campaign, [grid]) if campaign else None
    return render(request, "grid/grid_detail.html", {
        "grid": grid, "campaign": campaign, "progress": progress, "buildings": buildings,
        "assignments": grid.assignments.select_related("user").order_by("-started_on", "-pk"),
        "can_manage": may_keep_records(request.user, grid.community), "can_export": can_export(request.user, grid),
        "residents": Resident.objects.current().filter(household__grid=grid).count(),
        "households": Household.objects.filter(grid=grid).count(),
    })


@login_required
def building_detail(request, pk):
    building = get_visible_or_404(Building.objects.select_related("grid__community"), request, pk)
    grid = building.grid
    campaign = _focus_campaign(grid)
    households = list(Household.objects.filter(unit__building=building).select_related("unit")
                      .annotate(n_residents=Count("residents", filter=Q(residents__archived_on__isnull=True)
                                                  & shown("residents")))
                      .order_by("unit__sort", "unit__name", "door"))
    state = household_state(campaign, [h.pk for h in households]) if campaign else {}
    done_results = GridSettings.objects.rules().done_results
    units: dict[str, list] = {}
    for h in households:
        h.state = state.get(h.pk, "")
        h.done = h.state in done_results
        units.setdefault(h.unit.name or "不分单元", []).append(h)
    return render(request, "grid/building_detail.html", {
        "building": building, "grid": grid, "campaign": campaign, "units": units,
        "done": sum(1 for h in households if h.done), "total": len(households),
        "can_manage": may_keep_records(request.user, grid.community), "household_form": HouseholdForm(),
    })


def _household_context(request, household: Household) -> dict:
    residents = list(household.residents.select_related("member").order_by("archived_on", "pk"))
    campaigns = list(_open_campaigns([household.grid_id]))
    visits = list(household.visits.select_related("campaign", "worker").order_by("-recorded_at", "-pk")[:20])
    done_results = GridSettings.objects.rules().done_results
    panels = []
    for campaign in campaigns:
        mine = [v for v in visits if v.campaign_id == campaign.pk]
        panels.append({"campaign": campaign, "last": mine[0] if mine else None,
                       "done": any(v.result in done_results for v in mine)})
    return {
        "household": household, "building": household.unit.building, "grid": household.grid,
        "current": [r for r in residents if not r.is_archived], "archived": [r for r in residents if r.is_archived],
        "panels": panels, "visits": visits, "results": VisitResult.choices, "statuses": HousingStatus.choices,
        "can_reveal": can_reveal(request.user, household), "today": timezone.localdate(),
    }


@login_required
def household_detail(request, pk):
    household = get_visible_or_404(Household.objects.select_related("unit__building", "grid__community"), request, pk)
    context = _household_context(request, household)
    done_key = request.GET.get("done", "")
    context["done_key"] = done_key if re.fullmatch(r"[a-z0-9-]{1,40}", done_key) else ""
    return render(request, "grid/household_detail.html", context)


@login_required
@require_POST
def visit_record(request, pk):
    """One tap: the result of a visit, appended to the ledger; the panel redraws in place."""
    household = get_visible_or_404(Household.objects.select_related("unit__building", "grid__community"), request, pk)
    campaign = get_visible_or_404(Campaign.objects.select_related("community"), request, request.POST.get("campaign"))
    result = request.POST.get("result")
    if result not in VisitResult.values:
        return HttpResponse("走访结果无效", status=400)
    try:
        visit = services.visit_record(campaign=campaign, household=household, result=result, user=request.user,
                                      note=request.POST.get("note", "")[:200])
    except ValidationError as exc:
        if is_htmx(request):
            return HttpResponse(error_text(exc), status=400)
        messages.error(request, error_text(exc))
        return redirect("household_detail", pk=household.pk)
    if is_htmx(request):
        return render(request, "grid/_visits.html", _household_context(request, household))
    messages.success(request, f"已登记：{visit.result}")
    return redirect("household_detail", pk=household.pk)


@login_required
@require_POST
def household_status(request, pk):
    household = get_visible_or_404(Household.objects.select_related("unit__building", "grid__community"), request, pk)
    status = request.POST.get("housing_status")
    if status not in HousingStatus.values:
        return HttpResponse("住房状况无效", status=400)
    services.household_update(household=household, user=request.user, reason="更正住房状况", housing_status=status)
    if is_htmx(request):
        return render(request, "grid/_household_status.html", {"household": household, "statuses": HousingStatus.choices})
    return redirect("household_detail", pk=household.pk)


@login_required
def household_add(request, pk):
    building = get_visible_or_404(Building.objects.select_related("grid__community"), request, pk)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(building=building, unit_name=form.cleaned_data["unit"],
                                                  door=form.cleaned_data["door"], user=request.user,
                                                  housing_status=form.cleaned_data["housing_status"],
                                                  note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("household_detail", pk=household.pk)
    return render(request, "grid/form.html", {"form": form, "title": f"{building}：新增住户",
                                              "back": reverse("building_detail", args=[building.pk]),
                                              "autosave": f"household-new-{building.pk}"})


# ---------------------------------------------------------------------------------------------
# Residents


@login_required
def resident_add(request, pk):
    household = get_visible_or_404(Household.objects.select_related("unit__building", "grid__community"), request, pk)
    form = ResidentForm(request.POST or None)
    key = f"resident-new-{household.pk}"
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            resident = services.resident_add(household=household, user=request.user, reason="新增居民", **data)
        except ValidationError as exc:
            for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            url = reverse("household_detail", args=[household.pk]) + f"?done={key}"
            messages.success(request, f"已新增居民：{resident.name}")
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    template = "grid/_resident_form.html" if is_htmx(request) else "grid/resident_form.html"
    return render(request, template, {"form": form, "household": household, "autosave": key,
                                      "action": reverse("resident_add", args=[household.pk]), "title": "新增居民"})


@login_required
def resident_edit(request, pk):
    resident = get_visible_or_404(Resident.objects.select_related("household__unit__building", "household__grid__community", "member__org"), request, pk)
    if resident.is_archived:
        raise PermissionDenied("已归档的居民不能修改")
    form = ResidentForm(request.POST or None, resident=resident)
    key = f"resident-{resident.pk}"
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.resident_update(resident=resident, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            messages.success(request, f"已保存：{'、'.join(changed)}" if changed else "没有修改")
            url = reverse("resident_detail", args=[resident.pk]) + f"?done={key}"
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    template = "grid/_resident_form.html" if is_htmx(request) else "grid/resident_form.html"
    return render(request, template, {"form": form, "household": resident.household, "resident": resident, "autosave": key,
                                      "action": reverse("resident_edit", args=[resident.pk]), "title": f"修改：{resident.name}"})


MASKED_IN_HISTORY = {"id_number": mask_id, "phone": mask_phone, "landline": mask_phone}


def _history_rows(resident: Resident) -> list[dict]:
    """who/when/field: old → new, with ID numbers and phones masked."""
    records = list(resident.history.select_related("history_user").order_by("history_date", "history_id"))
    household_ids = {r.household_id for r in records}
    addresses = {h.pk: h.address for h in Household.objects.filter(pk__in=household_ids).select_related("unit__building")}
    member_names = dict(Member.objects.filter(pk__in={r.member_id for r in records if r.member_id}).values_list("pk", "name"))
    rows, previous = [], None
    for record in records:
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                old, new = change.old, change.new
                if change.field in MASKED_IN_HISTORY:
                    old, new = (MASKED_IN_HISTORY[change.field](v) if v else v for v in (old, new))
                elif change.field == "household":
                    old, new = addresses.get(old, old), addresses.get(new, new)
                elif change.field == "member":
                    old, new = member_names.get(old, old), member_names.get(new, new)
                elif change.field == "tags":
                    old, new = ("、".join(t for t in (v or "").split("|") if t) for v in (old, new))
                changes.append({"field": Resident._meta.get_field(change.field).verbose_name, "old": old, "new": new})
        rows.append({"record": record, "changes": changes,
                     "kind": {"+": "登记", "~": "修改", "-": "删除"}[record.history_type]})
        previous = record
    rows.reverse()
    return [r for r in rows if r["changes"] or r["kind"] != "修改"]


@login_required
def resident_detail(request, pk):
    resident = get_visible_or_404(Resident.objects.select_related("household__unit__building", "household__grid__community", "member__org"), request, pk)
    member_visible = bool(resident.member_id) and Member.objects.visible_to(request.user).filter(pk=resident.member_id).exists()
    done_key = request.GET.get("done", "")
    return render(request, "grid/resident_detail.html", {
        "resident": resident, "household": resident.household, "history": _history_rows(resident),
        "can_reveal": can_reveal(request.user, resident.household), "member_visible": member_visible,
        "move_form": MoveOutForm(), "death_form": DeathForm(),
        "done_key": done_key if re.fullmatch(r"[a-z0-9-]{1,40}", done_key) else "",
    })


@login_required
@require_POST
def resident_reveal(request, pk, field):
    """Show one full ID number or phone; every call goes to the access log."""
    resident = get_visible_or_404(Resident.objects.select_related("household__unit__building", "household__grid__community", "member__org"), request, pk)
    if field not in MASKED_FIELDS:
        raise Http404
    if not can_reveal(request.user, resident.household):
        raise PermissionDenied("无权查看完整个人信息")
    log_access(request, AccessLog.Action.VIEW_ID if field == "id_number" else AccessLog.Action.VIEW_PHONE, resident)
    return render(request, "grid/_revealed.html", {"value": getattr(resident, field)})


@login_required
def resident_field(request, pk, field):
    """Correct one field in place (htmx): GET gives the input, POST saves and shows the new value."""
    resident = get_visible_or_404(Resident.objects.select_related("household__unit__building", "household__grid__community", "member__org"), request, pk)
    if field not in INLINE_FIELDS:
        raise Http404
    if resident.is_archived:
        raise PermissionDenied("已归档的居民不能修改")
    label = INLINE_FIELDS[field].label
    context = {"r": resident, "field": field, "label": label}
    if request.method == "POST":
        form = InlineFieldForm(field, request.POST)
        if form.is_valid():
            value = form.cleaned_data["value"]
            reason = f"更正{label}"
            if field in MASKED_FIELDS and request.POST.get("clear") == "1":
                value, reason = "", f"清除{label}"  # its own button, confirmed in the browser
            elif field in MASKED_FIELDS and not value:
                value = getattr(resident, field)  # an empty box keeps the number (it was only shown masked)
            try:
                services.resident_update(resident=resident, user=request.user, reason=reason, **{field: value})
            except ValidationError as exc:
                form.add_error("value", error_text(exc))
            else:
                if not is_htmx(request):
                    return redirect("household_detail", pk=resident.household_id)
                return render(request, "grid/_field_value.html", context | {"can_reveal": can_reveal(request.user, resident.household)})
        return render(request, "grid/_field_form.html", context | {"form": form})
    if request.GET.get("cancel"):
        return render(request, "grid/_field_value.html", context | {"can_reveal": can_reveal(request.user, resident.household)})
    initial = "" if field in MASKED_FIELDS else getattr(resident, field)  # a masked value is never sent in full
    return render(request, "grid/_field_form.html", context | {"form": InlineFieldForm(field, initial={"value": initial})})


@login_required
@require_POST
def resident_move_out(request, pk):
    resident = get_visible_or_404(Resident.objects.select_related("household__unit__building", "household__grid__community", "member__org"), request, pk)
    form = MoveOutForm(request.POST)
    if form.is_valid():
        try:
            services.resident_move_out(resident=resident, on=form.cleaned_data["on"], moved_to=form.cleaned_data["moved_to"],
                                       user=request.user)
            messages.success(request, f"{resident.name}已办理迁出（档案保留）")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, "请填写迁出日期")
    return redirect("household_detail", pk=resident.household_id)


@login_required
@require_POST
def resident_death(request, pk):
    resident = get_visible_or_404(Resident.objects.select_related("household__unit__building", "household__grid__community", "member__org"), request, pk)
    form = DeathForm(request.POST)
    if form.is_valid():
        try:
            services.resident_record_death(resident=resident, on=form.cleaned_data["on"], user=request.user)
            messages.success(request, f"已登记{resident.name}去世（档案保留）")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, "请填写去世日期")
    return redirect("household_detail", pk=resident.household_id)


def filtered_residents(request):
    """The resident search's query from its GET parameters (the list and the counts use it)."""
    qs = Resident.objects.visible_to(request.user).select_related("household__unit__building", "household__grid")
    g = request.GET
    qs = qs.filter(archived_on__isnull=False) if g.get("archived") == "1" else qs.current()
    if g.get("org"):
        qs = qs.in_org(get_org_for_user(request, g["org"]))
    if g.get("grid"):
        qs = qs.filter(household__grid=get_visible_or_404(Grid.objects.select_related("community"), request, g["grid"]))
    if g.get("tag"):
        qs = qs.with_tag(g["tag"])
    if g.get("hukou_type") in HukouType.values:
        qs = qs.filter(hukou_type=g["hukou_type"])
    if g.get("member") == "1":
        qs = qs.filter(member__isnull=False)
    if g.get("moved") in ("in", "out", "died") and g.get("from") and g.get("to"):
        field = {"in": "moved_in_on", "out": "moved_out_on", "died": "died_on"}[g["moved"]]
        qs = qs.filter(**{f"{field}__gte": g["from"], f"{field}__lte": g["to"]})
    return qs.search(g.get("q", ""))


# The register list counts and pages at most this many residents (a community's register fits);
# a street's or district's is searched or filtered, not paged through.
LIST_AT_MOST = 5000


def _filter_places(request) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The community and grid drop-downs of the resident list, as (value, label) pairs (a few
    hundred options render several times faster than model rows). Grids are offered within one
    community (the user's only one, or the one chosen): a district has thousands of grids."""
    communities = [(str(pk), short or name) for pk, short, name
                   in _communities(request.user).values_list("pk", "short_name", "name")]
    grids = Grid.objects.visible_to(request.user)
    if len(communities) > 1:
        chosen = request.GET.get("org")
        # None (no community chosen) lists no grid, in the same one query, so the page asks as
        # many queries whatever is chosen.
        grids = grids.filter(community_id=chosen if chosen in {pk for pk, _ in communities} else None)
    rows = grids.order_by("community__path", "sort", "pk").values_list("pk", "community__short_name", "community__name", "name")
    return (communities if len(communities) > 1 else []), [(str(pk), f"{short or cname}{name}") for pk, short, cname, name in rows]


@login_required
def resident_list(request):
    try:
        qs = filtered_residents(request)
        page = paginate(request, qs.order_by("household__grid__sort", "household_id", "pk"), at_most=LIST_AT_MOST)
    except ValidationError as exc:
        raise Http404("筛选条件无效") from exc
    communities, grids = _filter_places(request)
    return render(request, "grid/resident_list.html", {
        "page": page, "total": min(page.paginator.count, LIST_AT_MOST), "more": page.paginator.more,
        "querystring": query_without_page(request),
        "communities": communities, "grids": grids,
        "tags": ResidentTag.objects.filter(is_active=True), "hukou_types": HukouType.choices,
    })


# ---------------------------------------------------------------------------------------------
# Export


@login_required
def grid_export(request, pk):
    grid = get_visible_or_404(Grid.objects.select_related("community"), request, pk)
    if not can_export(request.user, grid):
        raise PermissionDenied("无权导出居民名册")
    residents = (Resident.objects.current().filter(household__grid=grid)
                 .select_related("household__unit__building", "household__grid")
                 .order_by("household__unit__building__estate", "household__unit__building__sort", "household__unit__sort",
                           "household__door", "pk"))
    log_access(request, AccessLog.Action.EXPORT, f"网格居民名册 {grid.community.display_name}{grid.name} {residents.count()}人")
    stamp = timezone.localdate().strftime("%Y%m%d")
    return file_response(importing.register_xlsx(grid, residents), f"{grid.community.display_name}{grid.name}居民登记表{stamp}.xlsx")


# ---------------------------------------------------------------------------------------------
# Campaigns


CAMPAIGNS_PER_PAGE = 30


@login_required
def campaign_list(request):
    # A page at a time: a district runs hundreds of campaigns, each one's completion counted over
    # its households; the page counts its own 30.
    page = paginate(request, Campaign.objects.visible_to(request.user).select_related("community"), per_page=CAMPAIGNS_PER_PAGE)
    campaigns = list(page.object_list)
    completion = campaigns_completion(campaigns)
    return render(request, "grid/campaign_list.html", {
        "campaigns": [(c, completion[c.pk]) for c in campaigns], "page": page,
        "querystring": query_without_page(request), "can_create": may_keep_records(request.user),
    })


def _campaign_grids(request, campaign: Campaign):
    """The campaign's grids this user sees (a 网格员: only their own)."""
    return list(campaign.grids.visible_to(request.user).order_by("sort", "pk"))


@login_required
def campaign_detail(request, pk):
    campaign = get_visible_or_404(Campaign.objects.select_related("community"), request, pk)
    grids = _campaign_grids(request, campaign)
    return render(request, "grid/campaign_detail.html", {
        "campaign": campaign, "progress": campaign_progress(campaign, grids),
        "done_results": GridSettings.objects.rules().done_results, "rule_source": GridSettings.objects.rules().source("done_results"),
    })


@login_required
def campaign_pending(request, pk):
    """Households not yet done in a campaign (optionally one grid), for the worker's round."""
    campaign = get_visible_or_404(Campaign.objects.select_related("community"), request, pk)
    grids = _campaign_grids(request, campaign)
    grid = None
    if request.GET.get("grid"):
        grid = get_visible_or_404(Grid.objects.select_related("community"), request, request.GET["grid"])
        grids = [g for g in grids if g.pk == grid.pk]
    qs = pending_households(campaign, grids).order_by("grid__sort", "unit__building__estate", "unit__building__sort",
                                                      "unit__sort", "door")
    page = paginate(request, qs, per_page=100)
    return render(request, "grid/campaign_pending.html", {"campaign": campaign, "grid": grid, "page": page,
                                                          "querystring": query_without_page(request)})


@login_required
def campaign_create(request):
    communities = [c for c in _communities(request.user) if may_keep_records(request.user, c)]
    if not communities:
        raise PermissionDenied("只有社区书记、党务工作者或街道管理员可以发起摸排")
    community = get_org_for_user(request, request.GET.get("community") or request.POST.get("community") or communities[0].pk)
    require_record_keeper(request.user, community)
    if not community.is_community:
        raise Http404("请选择社区")
    form = CampaignForm(request.POST or None, grids=Grid.objects.filter(community=community))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(community=community, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"已发起：{campaign.name}")
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "grid/campaign_form.html", {"form": form, "community": community, "communities": communities})


# ---------------------------------------------------------------------------------------------
# Setting up grids, buildings and workers (record keepers)


@login_required
def grid_create(request):
    communities = visible_orgs(request.user).communities().filter(pk__in=[c.pk for c in _communities(request.user)
                                                                          if may_keep_records(request.user, c)])
    if not communities.exists():
        raise PermissionDenied("只有社区书记、党务工作者或街道管理员可以新建网格")
    form = GridForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            grid = services.grid_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("grid_detail", pk=grid.pk)
    return render(request, "grid/form.html", {"form": form, "title": "新建网格", "back": reverse("grid_home"),
                                              "autosave": "grid-new"})


@login_required
def building_add(request, pk):
    grid = get_visible_or_404(Grid.objects.select_related("community"), request, pk, write=True)
    form = BuildingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            building = services.building_create(grid=grid, estate=data["estate"], name=data["name"], address=data["address"],
                                                units=[u for u in re.split(r"[,，、\s]+", data["units"]) if u], user=request.user)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("building_detail", pk=building.pk)
    return render(request, "grid/form.html", {"form": form, "title": f"{grid.name}：新增楼栋",
                                              "back": reverse("grid_detail", args=[grid.pk]), "autosave": f"building-new-{grid.pk}"})


@login_required
def assignment_add(request, pk):
    grid = get_visible_or_404(Grid.objects.select_related("community"), request, pk, write=True)
    form = AssignmentForm(request.POST or None, grid=grid)
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_assign_worker(grid=grid, worker=form.cleaned_data["user"], started_on=form.cleaned_data["started_on"],
                                        note=form.cleaned_data["note"], user=request.user)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("grid_detail", pk=grid.pk)
    return render(request, "grid/form.html", {"form": form, "title": f"{grid.name}：安排网格员",
                                              "back": reverse("grid_detail", args=[grid.pk])})


@login_required
@require_POST
def assignment_end(request, pk):
    assignment = get_visible_or_404(GridAssignment.objects.select_related("grid__community", "user"), request, pk, write=True)
    try:
        services.grid_assignment_end(assignment=assignment, ended_on=timezone.localdate(), user=request.user)
        messages.success(request, f"{assignment.worker_name}已离任（任职记录保留）")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("grid_detail", pk=assignment.grid_id)


# ---------------------------------------------------------------------------------------------
# Import: upload → background job (a worker) → progress polled by htmx → result


@login_required
def resident_import(request):
    communities = visible_orgs(request.user).communities().filter(
        pk__in=[c.pk for c in _communities(request.user) if may_keep_records(request.user, c)])
    if not communities.exists():
        raise PermissionDenied("只有社区书记、党务工作者或街道管理员可以导入居民")
    form = ImportForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        _, path = stash_upload(upload)
        job = ImportJob.objects.create(community=form.cleaned_data["community"], user=request.user, filename=upload.name[:200],
                                       path=str(path), dry_run=form.cleaned_data["dry_run"])
        importing.start_in_background(job)
        return redirect("import_job", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user).select_related("user")[:10]
    return render(request, "grid/import.html", {"form": form, "jobs": jobs, "headers": importing.HEADERS})


def _job_context(job: ImportJob) -> dict:
    processed, total = job.processed, job.total_estimate or 0
    if not job.is_finished and job.job_id is None and job.status == JobStatus.RUNNING:
        # Started by a server without workers (before background tasks): nothing runs it any more.
        job.status, job.error, job.finished_at = JobStatus.FAILED, "导入被中断（服务已重启），没有写入任何数据，请重新导入", timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        importing.start_purge(job)
    elif not job.is_finished and job.job_id is not None:
        background = check_job(job.job)
        processed, total = background.done, background.total or total
        if background.status == "failed":
            # Its worker died mid-import: what it wrote is hidden, and purged by a worker.
            job.status, job.error, job.finished_at = JobStatus.FAILED, background.message, timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            importing.start_purge(job)
    percent = 100 if job.is_finished else (min(99, round(100 * processed / total)) if total else 0)
    return {"job": job, "processed": processed, "total": total, "percent": percent}


@login_required
def import_job(request, pk):
    job = get_visible_or_404(ImportJob.objects.select_related("community", "job"), request, pk)
    return render(request, "grid/import_job.html", _job_context(job))


@login_required
def import_job_status(request, pk):
    job = get_visible_or_404(ImportJob.objects.select_related("community", "job"), request, pk)
    response = render(request, "grid/_import_status.html", _job_context(job))
    if job.is_finished and is_htmx(request):
        response["HX-Refresh"] = "true"  # show the full result page once
    return response


@login_required
@require_POST
def import_job_apply(request, pk):
    """After a dry run: import the same file for real."""
    job = get_visible_or_404(ImportJob.objects.select_related("community", "job"), request, pk, write=True)
    if not job.dry_run or job.status != JobStatus.DONE or not Path(job.path).exists():
        messages.error(request, "该检查结果已失效，请重新上传文件")
        return redirect("resident_import")
    real = ImportJob.objects.create(community=job.community, user=request.user, filename=job.filename, path=job.path, dry_run=False)
    importing.start_in_background(real)
    return redirect("import_job", pk=real.pk)


@login_required
def import_job_rejects(request, pk):
    job = get_visible_or_404(ImportJob.objects.select_related("community", "job"), request, pk)
    return file_response(importing.rejects_xlsx(job), f"未导入的行-{Path(job.filename).stem}.xlsx")


@login_required
def import_template(request):
    return file_response(importing.template_xlsx(), "居民登记导入模板.xlsx")


@login_required
def grid_settings(request):
    """The grid rules of this deployment, changed by the street's administrator, with history."""
    if not may_set_deployment_rules(request.user):
        raise PermissionDenied("只有街道管理员可以调整网格规则")
    row = GridSettings.objects.order_by("pk").first() or GridSettings()
    form = GridSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            row = form.save(commit=False)
            row._history_user = request.user
            row.save()
            messages.success(request, "已保存网格规则")
        else:
            messages.info(request, "网格规则没有改动")
        return redirect("grid_settings")
    history = row.history.select_related("history_user").order_by("-history_date")[:10] if row.pk else []
    return render(request, "grid/settings.html", {"form": form, "defaults": rules.DEFAULTS, "history": history})
