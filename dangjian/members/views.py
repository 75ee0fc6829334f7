
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.jobs.services import job_enqueue
from dangjian.jobs.sizing import runs_in_background
from dangjian.lib.idnumbers import mask_id, mask_phone
from dangjian.lib.periods import Period
from dangjian.lib.tabular import TabularError
from dangjian.lib.uploads import claim_upload, stash_upload, stashed_upload
from dangjian.lib.web import error_text, file_response, paginate, query_without_page
from dangjian.orgs.models import COMMUNITY_KINDS, AccessLog, Org, OrgKind
from dangjian.orgs.scoping import (
    get_org_for_user,
    get_visible_or_404,
    log_access,
    may_keep_records,
    may_view_pii,
    nearby,
    request_org,
    require_record_keeper,
    scope_of,
    visible_orgs,
)

from .choices import Category, Flag, Status
from .forms import EventForm, ImportForm, MemberForm
from .importing import (
    JOINED,
    is_first_import,
    member_import_apply,
    member_import_plan,
    parse_since,
    roster_template_xlsx,
    roster_xlsx,
)
from .models import Member, roll_day
from .services import member_event_record
from .tasks import member_import as member_import_task
from .tasks import roster_export as roster_export_task

MASKED_IN_HISTORY = {"id_number": mask_id, "phone": mask_phone, "landline": mask_phone}


FLAGS = {
    "mobile": ("流动党员", {"is_mobile": True}),
    "infirm": ("年老体弱/行动不便", {"is_infirm": True}),
    "hardship": ("生活困难", {"in_hardship": True}),
    "committee": ("支委会成员", {"is_committee": True}),
}


# Flags that figures count as of a day (the others are read as they are now).
DATED_FLAGS = {"mobile": Flag.MOBILE, "infirm": Flag.INFIRM}


def as_of_day(request) -> date | None:
    """`?period=2023Q3` (a figure's link): the day the list is read on, as its figure was."""
    text = request.GET.get("period", "")
    if not text:
        return None
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise Http404("统计期无效") from exc
    return roll_day(period.first_day, period.last_day, timezone.localdate())


def filtered_members(request):
    """The member list's query from its GET parameters (used by the list and the export).

    With `period` the list is the roll as of that period (members.roll_day): who belonged to the
    org then, their status and flags then — the same query its figure counted, so the list holds
    as many people as the figure says, whatever happened since."""
    g = request.GET
    day = as_of_day(request)
    if day is not None:
        org = get_org_for_user(request, g["org"]) if g.get("org") else None
        base = Member.objects.all() if org else Member.objects.visible_to(request.user)
        qs = (base.in_org_on(org, day) if org else base.on_roll_on(day)).status_on(day).with_flags_on(day)
        qs = qs.select_related("org", "org__parent")
        if g.get("status") == Status.FULL:
            qs = qs.filter(status_on_day=Status.FULL)
        elif g.get("status") == Status.PROBATIONARY:  # as the figure counts: everyone not yet 正式
            qs = qs.exclude(status_on_day=Status.FULL)
    else:
        qs = Member.objects.visible_to(request.user).select_related("org", "org__parent")
        qs = qs.filter(archived_on__isnull=False) if g.get("archived") == "1" else qs.current()
        if g.get("org"):
            qs = qs.in_org(get_org_for_user(request, g["org"]))
        if g.get("status") in Status.values:
            qs = qs.filter(status=g["status"])
    if g.get("category") in Category.values:
        qs = qs.filter(category=g["category"])
    for flag in g.getlist("flag"):
        if day is not None and flag in DATED_FLAGS:
            qs = qs.filter(**{f"{DATED_FLAGS[flag]}_on_day": True})
        elif flag in FLAGS:
            qs = qs.filter(**FLAGS[flag][1])
    return qs.search(g.get("q", ""))


def _as_of_rows(members, day: date) -> None:
    """Show a page of an as-of list as it stood that day: org, status and flags then."""
    orgs = {o.pk: o for o in Org.objects.filter(pk__in={m.org_on for m in members if getattr(m, "org_on", None)})
            .select_related("parent")}
    for m in members:
        m.org = orgs.get(getattr(m, "org_on", None), m.org)
        m.status = m.status_on_day or m.status
        m.is_mobile, m.is_infirm = m.mobile_on_day, m.infirm_on_day
        if m.archived_on and m.archived_on > day:
            m.archived_on = None  # still on the roll that day


UNIT_KINDS = (*COMMUNITY_KINDS, OrgKind.BRANCH, OrgKind.GROUP)


def _filter_orgs(request) -> list[tuple[str, str]]:
    """The org drop-down of the member list. Someone whose reach is a community or a branch picks
    among all its units; someone over a street or more picks a community, then among the units
    of the one chosen, its siblings and children (a district has thousands of 党支部 and 党小组)."""
    orgs = visible_orgs(request.user).exclude(kind__in=[k for k in OrgKind.values if k not in UNIT_KINDS])
    scope = scope_of(request.user)
    if scope.everything or any(root.kind not in UNIT_KINDS for root in scope.roots()):
        chosen = get_org_for_user(request, request.GET["org"]) if request.GET.get("org") else None
        communities = orgs.filter(kind__in=COMMUNITY_KINDS)
        if chosen is not None and chosen.kind not in UNIT_KINDS:
            communities = communities.filter(path__startswith=chosen.path)
        orgs = communities | nearby(orgs, chosen) if chosen is not None else communities
    # (value, label) pairs: a few hundred options render several times faster than model rows.
    return [(str(pk), name) for pk, name in orgs.values_list("pk", "name")]


@login_required
def member_list(request):
    qs = filtered_members(request)
    page = paginate(request, qs)
    day = as_of_day(request)
    if day is not None:
        page.object_list = list(page.object_list)
        _as_of_rows(page.object_list, day)
    return render(request, "members/list.html", {
        "page": page,
        "total": page.paginator.count,
        "as_of": day,
        "orgs": _filter_orgs(request),
        "statuses": Status.choices,
        "categories": Category.choices,
        "flags": [(k, v[0]) for k, v in FLAGS.items()],
        "selected_flags": request.GET.getlist("flag"),
        "querystring": query_without_page(request),
        "can_edit": may_keep_records(request.user),
    })


def _history_rows(member: Member) -> list[dict]:
    """Member history as (who, when, field: old → new), with personal data masked."""
    records = list(member.history.select_related("history_user").order_by("history_date", "history_id"))
    rows = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                mask = MASKED_IN_HISTORY.get(change.field, lambda v: v)
                label = Member._meta.get_field(change.field).verbose_name
                old, new = change.old, change.new
                if change.field == "org_id" or change.field == "org":
                    old, new = _org_name(old), _org_name(new)
                changes.append({"field": label, "old": mask(old) if old else old, "new": mask(new) if new else new})
        rows.append({"record": record, "changes": changes,
                     "kind": {"+": "创建", "~": "修改", "-": "删除"}[record.history_type]})
        previous = record
    rows.reverse()
    return [r for r in rows if r["changes"] or r["kind"] != "修改"]


def _org_name(org_id):
    return Org.objects.filter(pk=org_id).values_list("name", flat=True).first() or org_id


@login_required
def member_detail(request, pk):
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk)
    return render(request, "members/detail.html", {
        "member": member,
        "history": _history_rows(member),
        "events": member.events.select_related("recorded_by"),
        "memberships": member.memberships.select_related("org"),
        "statuses": member.status_intervals.all(),
        "flags": member.flag_intervals.all(),
        "event_form": EventForm(),
        "can_edit": may_keep_records(request.user) and not member.is_archived,
        "can_view_pii": may_view_pii(request.user, member.org) or member.user_id == request.user.pk,
    })


@login_required
@require_POST
def member_reveal(request, pk, field):
    """Show one full personal-data field; every call is written to the access log."""
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk)
    if field not in ("id_number", "phone", "landline"):
        raise Http404
    if not (may_view_pii(request.user, member.org) or member.user_id == request.user.pk):
        raise PermissionDenied("无权查看完整个人信息")
    action = AccessLog.Action.VIEW_ID if field == "id_number" else AccessLog.Action.VIEW_PHONE
    log_access(request, action, member)
    return render(request, "members/_revealed.html", {"value": getattr(member, field)})


@login_required
def member_edit(request, pk=None):
    require_record_keeper(request.user)
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk, write=True) if pk else None
    if member and member.is_archived:
        raise PermissionDenied("已归档党员不能修改")
    before = Member.objects.get(pk=member.pk) if member else None
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        if before is not None and not _edited(before, form.instance, form.Meta.fields):
            messages.info(request, "没有修改")  # and no history row
            return redirect("member_detail", pk=member.pk)
        member = form.save(user=request.user)
        messages.success(request, f"已保存{member.name}的信息")
        return redirect("member_detail", pk=member.pk)
    return render(request, "members/edit.html", {"form": form, "member": member})


def _edited(before: Member, after: Member, fields) -> bool:
    return any(getattr(before, Member._meta.get_field(f).attname) != getattr(after, Member._meta.get_field(f).attname)
               for f in fields)


@login_required
@require_POST
def member_event_add(request, pk):
    require_record_keeper(request.user)
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk, write=True)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            member_event_record(member=member, user=request.user, **form.cleaned_data)
            messages.success(request, f"已登记：{form.cleaned_data['kind']}")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, error_text(form))
    return redirect("member_detail", pk=member.pk)


@login_required
def member_export(request):
    require_record_keeper(request.user)
    members = filtered_members(request)
    org = request_org(request)
    count = members.count()
    log_access(request, AccessLog.Action.EXPORT, f"党员名册 {org} {count}人")
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"{org.name}党员花名册{stamp}.xlsx"
    if count >= settings.DANGJIAN_BACKGROUND_ROWS:
        job = job_enqueue(roster_export_task, kind="roster_export", label=f"导出党员花名册：{org.name}（{count}人）", org=org,
                          user=request.user, org_id=org.pk, member_ids=list(members.values_list("pk", flat=True)),
                          filename=filename)
        return redirect("job_detail", pk=job.pk)
    return file_response(roster_xlsx(org, members), filename)


@login_required
def member_template(request):
    return file_response(roster_template_xlsx(), "党员花名册导入模板.xlsx")



def _unit_map(request, org: Org) -> dict[str, Org]:
    """Branch names as written → the unit the user chose on the preview (units of `org` only)."""
    pairs = [(name, pk) for name, pk in zip(request.POST.getlist("map_name"), request.POST.getlist("map_unit"),
                                                strict=False) if name and pk.isdigit()]
    units = Org.objects.subtree_of(org).filter(kind__in=(OrgKind.BRANCH, OrgKind.GROUP)).in_bulk(
        [int(pk) for _, pk in pairs])
    return {name: units[int(pk)] for name, pk in pairs if int(pk) in units}


def _since_context(org) -> dict:
    """What the preview needs to ask when the new members belong from (members.importing.JOINED)."""
    return {"today": timezone.localdate(), "first_import": is_first_import(org), "joined": JOINED}


@login_required
def member_import(request):
    """Upload → preview (nothing written; branch names mapped here) → confirm (book the accepted rows)."""
    require_record_keeper(request.user)
    if request.method == "POST" and request.POST.get("token"):
        org = get_org_for_user(request, request.POST.get("org"))
        remap = bool(request.POST.get("remap"))
        try:  # when the new members belong from — asked before the file is taken
            since = parse_since(request.POST.get("since_mode") if request.POST.get("since_mode") == JOINED
                                else request.POST.get("since"), today=timezone.localdate())
            if since == JOINED and not is_first_import(org):
                raise ValueError("“按各自的入党日期”只用于首次导入，请填写这些党员加入本组织的日期")
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("member_import")
        # Mapping branch names redraws the preview and keeps the file; only the confirmation takes it.
        path = stashed_upload(request.POST["token"]) if remap else claim_upload(request.POST["token"])
        if path is None:
            messages.error(request, "上传的文件已过期，或这份文件已经确认导入（请勿重复提交），请查看结果或重新上传")
            return redirect("member_import")
        unit_map = _unit_map(request, org)
        if remap:
            plan = member_import_plan(path, org=org, filename=path.name, unit_map=unit_map)
            return render(request, "members/import_preview.html", {"plan": plan, "token": request.POST["token"],
                                                                   "org": org,
                                                                   "filename": request.POST.get("filename", "")[:200] or path.name,
                                                                   "unit_map": unit_map, **_since_context(org)})
        if runs_in_background(path):
            job = job_enqueue(member_import_task, kind="member_import", label=f"党员名册导入：{org.name}", org=org,
                              user=request.user, path=str(path), org_id=org.pk, filename=path.name,
                              unit_map={name: unit.pk for name, unit in unit_map.items()}, user_id=request.user.pk,
                              since=since if isinstance(since, str) else since.isoformat())
            return redirect("job_detail", pk=job.pk)
        try:
            plan = member_import_apply(member_import_plan(path, org=org, filename=path.name, unit_map=unit_map),
                                       user=request.user, since=since)
        except (ValidationError, IntegrityError):
            messages.error(request, "另一次导入同时写入了相同的记录，本次没有写入任何数据，请重新上传后再确认")
            return redirect("member_import")
        finally:
            path.unlink(missing_ok=True)
        log_access(request, AccessLog.Action.IMPORT, f"党员名册导入 {org}：新增{len(plan.create)} 更新{len(plan.update)}")
        messages.success(request, f"导入完成：新增{len(plan.create)}人，更新{len(plan.update)}人，未变{plan.unchanged}人，拒绝{len(plan.rejected)}条")
        return render(request, "members/import_done.html", {"plan": plan, "org": org})
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token, path = stash_upload(upload)
        try:
            plan = member_import_plan(path, org=form.cleaned_data["org"], filename=upload.name)
        except TabularError as exc:
            path.unlink(missing_ok=True)
            form.add_error("file", str(exc))
        else:
            org = form.cleaned_data["org"]
            return render(request, "members/import_preview.html", {"plan": plan, "token": token, "org": org,
                                                                   "filename": upload.name, "unit_map": {},
                                                                   **_since_context(org)})
    return render(request, "members/import.html", {"form": form})
