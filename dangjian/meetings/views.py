"""Organisational life pages. Every object is fetched through `get_visible_or_404` (orgs/scoping.py),
404 outside the user's subtree; writes (`write=True`) also require a record-keeping role there."""

from __future__ import annotations

import calendar
from datetime import date, time, timedelta
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.jobs.services import job_enqueue
from dangjian.jobs.sizing import runs_in_background
from dangjian.kept.keeping import read
from dangjian.lib.periods import Period
from dangjian.lib.tabular import TabularError
from dangjian.lib.uploads import claim_upload, stash_upload
from dangjian.lib.web import error_text, file_response, paginate, posted_id, query_without_page
from dangjian.members.models import Member, label_namesakes
from dangjian.orgs.models import ABOVE_COMMUNITY_KINDS, AccessLog, Org, OrgKind
from dangjian.orgs.scoping import (
    get_org_for_user,
    get_visible_or_404,
    log_access,
    may_keep_records,
    may_set_deployment_rules,
    may_sign,
    nearby,
    org_and_period,
    request_org,
    require_record_keeper,
    visible_orgs,
)

from . import compliance as compliance_mod
from . import ics, ledger, rules, services
from .choices import PRESENT_MARKS, RATE_NOTE, AppraisalResult, Mark, Status
from .forms import (
    ActivityForm,
    AttachmentForm,
    ConfirmForm,
    FeedForm,
    GuestForm,
    ReturnForm,
    RuleSettingForm,
    SelfStudyForm,
    SendForm,
    StudyImportForm,
    VisitForm,
)
from .importing import study_import_apply, study_import_plan, study_template_xlsx
from .models import (
    Activity,
    ActivityType,
    Appraisal,
    Attachment,
    Attendance,
    CalendarFeed,
    RuleSetting,
    SelfStudy,
    Send,
    Visit,
)
from .tasks import study_import as study_import_task


def _picker(request, org: Org, period: Period) -> dict:
    return {"org": org, "period": period, "periods": [period.previous(), period, period.next()],
            "picker_orgs": nearby(visible_orgs(request.user).exclude(kind=OrgKind.GROUP), org)}


# ---------------------------------------------------------------------------------------------
# Activities


def filtered_activities(request):
    qs = Activity.objects.visible_to(request.user).select_related("org", "type").prefetch_related("also_types")
    g = request.GET
    if g.get("org"):
        qs = qs.in_org(get_org_for_user(request, g["org"]))
    if g.get("period"):
        try:
            period = Period.parse(g["period"])
        except ValueError:
            period = None
        if period:
            qs = qs.on_calendar(period.first_day, period.last_day)
    if g.get("type"):
        qs = qs.filter(Q(type__code=g["type"]) | Q(also_types__code=g["type"])).distinct()
    if g.get("status") in Status.values:
        qs = qs.filter(status=g["status"])
    if g.get("secretary") == "1":
        qs = qs.filter(is_secretary_lecture=True)
    if g.get("tag"):
        qs = qs.filter(tags__name=g["tag"])
    if g.get("combined") == "1":
        # Counted under a second type: an own type listed again under 同时开展 is not one (meetings.figures.combined).
        qs = qs.filter(pk__in=Activity.also_types.through.objects.exclude(
            activitytype_id=F("activity__type_id")).values("activity_id"))
    if g.get("attended", "").isdigit():
        qs = qs.filter(attendance__member_id=g["attended"], attendance__mark__in=PRESENT_MARKS).distinct()
    if g.get("q"):
        qs = qs.filter(Q(topic__contains=g["q"]) | Q(minutes__contains=g["q"]) | Q(lecturer__contains=g["q"]))
    # By the day held (or planned for), newest first: a plan without a date held sorts by its plan.
    return qs.order_by(Coalesce("held_on", "planned_on").desc(), "-pk")


@login_required
def meeting_list(request):
    page = paginate(request, filtered_activities(request))
    # 应到/实到 for this page only: one grouped query, however many records the list holds.
    counts = {r["activity_id"]: r for r in Attendance.objects.filter(activity__in=[a.pk for a in page])
              .values("activity_id").annotate(n=Count("pk"), attended=Count("pk", filter=Q(mark__in=PRESENT_MARKS)))}
    for a in page:
        row = counts.get(a.pk, {"n": 0, "attended": 0})
        a.n_expected, a.n_attended = row["n"], row["attended"]
        a.rate = round(100 * a.n_attended / a.n_expected, 1) if a.n_expected else None
    keeper = may_keep_records(request.user)
    return render(request, "meetings/list.html", {
        "page": page, "total": page.paginator.count, "querystring": query_without_page(request),
        "types": ActivityType.objects.filter(is_active=True), "statuses": Status.choices,
        "orgs": visible_orgs(request.user).exclude(kind__in=ABOVE_COMMUNITY_KINDS) if keeper else [],
        "can_edit": keeper, "member_only": not keeper, "tab": "list", "rate_note": RATE_NOTE,
    })


@login_required
def meeting_edit(request, pk=None):
    require_record_keeper(request.user)
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk, write=True) if pk else None
    if activity and not activity.is_editable:
        messages.error(request, "已提交的记录不能修改；如需更正，请社区书记退回")
        return redirect("meeting_detail", pk=activity.pk)
    initial = {}
    if activity is None:
        for key in ("org", "type"):
            if request.GET.get(key):
                initial[key] = request.GET[key]
        if request.GET.get("on"):
            initial["planned_on"] = request.GET["on"]
    form = ActivityForm(request.POST or None, instance=activity, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("also_types", "tags_text", "org", "type")}
        try:
            if activity is None:
                activity = services.activity_create(org=form.cleaned_data["org"], type=form.cleaned_data["type"],
                                                    user=request.user, also_types=form.cleaned_data["also_types"],
                                                    tags=form.tag_names(), **data)
                messages.success(request, f"已保存草稿，应到名单已按“{activity.type.name}”生成，请登记签到情况")
            else:
                services.activity_update(activity=activity, user=request.user, org=form.cleaned_data["org"],
                                         type=form.cleaned_data["type"], also_types=form.cleaned_data["also_types"],
                                         tags=form.tag_names(), **data)
                messages.success(request, "已保存")
            return redirect(reverse("meeting_detail", args=[activity.pk]) + "?saved=1")
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
    return render(request, "meetings/edit.html", {"form": form, "activity": activity, "tab": "list"})


@login_required
def meeting_detail(request, pk):
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk)
    activity = (Activity.objects.filter(pk=activity.pk).select_related("org", "type", "submitted_by", "returned_by",
                                                                        "created_by")
                .prefetch_related("attendance__member__org__parent", "guests", "also_types", "tags", "attachments").get())
    keeper = may_keep_records(request.user, activity.org)
    ruleset = RuleSetting.objects.ruleset()
    editable = keeper and activity.is_editable
    on_list = {a.member_id for a in activity.attendance.all()}
    branch = activity.org.parent if activity.org.kind == OrgKind.GROUP else activity.org
    addable = (Member.objects.in_org(branch).current().exclude(pk__in=on_list).order_by("name_pinyin")
               if editable else Member.objects.none())
    history = activity.history.select_related("history_user").order_by("-history_date")[:20]
    addable = list(addable)
    label_namesakes([a.member for a in activity.attendance.all()] + addable)
    return render(request, "meetings/detail.html", {
        "a": activity, "turnout": activity.turnout(), "quorum": rules.quorum_check(activity, ruleset),
        "editable": editable, "keeper": keeper, "can_return": activity.status == Status.SUBMITTED and may_sign(request.user, activity.org),
        "problems": services.submission_problems(activity) if editable else [],
        "marks": Mark.choices, "addable": addable, "guest_form": GuestForm(), "attachment_form": AttachmentForm(),
        "return_form": ReturnForm(), "history": history, "rate_note": RATE_NOTE, "tab": "list",
        "decides_appraisals": services.decides_appraisals(activity),
    })


@login_required
@require_POST
def meeting_attendance(request, pk):
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk, write=True)
    action = request.POST.get("action", "save")
    try:
        if action == "reset":
            n = services.attendance_reset(activity=activity)
            messages.success(request, f"已按类型重新生成应到名单（{n}人），已登记的签到保留")
        elif action == "add" and request.POST.get("member"):
            member = get_visible_or_404(Member.objects.all(), request, request.POST["member"])
            services.attendance_add(activity=activity, member=member)
            messages.success(request, f"已将{member.name}加入应到名单")
        elif action.startswith("remove:"):
            row_id = action.split(":", 1)[1]
            if not row_id.isdigit():
                raise Http404("记录不存在")
            services.attendance_remove(activity=activity, attendance_id=int(row_id))
            messages.success(request, "已从应到名单移除")
        else:
            marks = {}
            for row in activity.attendance.all():
                if f"mark_{row.pk}" in request.POST:
                    marks[row.pk] = (request.POST.get(f"mark_{row.pk}", ""), request.POST.get(f"reason_{row.pk}", ""))
            services.attendance_record(activity=activity, marks=marks, user=request.user)
            if action == "rest_present":
                n = services.attendance_mark_rest(activity=activity, user=request.user)
                messages.success(request, f"已保存，其余{n}人登记为到会")
            else:
                messages.success(request, "签到情况已保存")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("meeting_detail", args=[activity.pk]) + "#attendance")


@login_required
@require_POST
def meeting_guest(request, pk):
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk, write=True)
    try:
        if request.POST.get("remove"):
            services.guest_remove(activity=activity, guest_id=posted_id(request, "remove"))
        else:
            form = GuestForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请填写列席人员姓名")
            services.guest_add(activity=activity, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("meeting_detail", args=[activity.pk]) + "#guests")


@login_required
@require_POST
def meeting_submit(request, pk):
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk, write=True)
    try:
        services.activity_submit(activity=activity, user=request.user)
        messages.success(request, "已提交，计入组织生活统计")
    except ValidationError as exc:
        messages.error(request, "还不能提交：" + error_text(exc))
    return redirect("meeting_detail", pk=activity.pk)


@login_required
@require_POST
def meeting_return(request, pk):
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk, write=True)
    if not may_sign(request.user, activity.org):
        raise PermissionDenied("只有社区书记可以退回记录")
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请写明退回原因")
        services.activity_return(activity=activity, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "已退回，党务人员修改后可重新提交")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("meeting_detail", pk=activity.pk)


@login_required
@require_POST
def meeting_attachment_add(request, pk):
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if request.POST.get("remove"):
        try:
            services.attachment_remove(activity=activity, attachment_id=posted_id(request, "remove"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    elif form.is_valid():
        try:
            services.attachment_add(activity=activity, upload=form.cleaned_data["file"], user=request.user)
            messages.success(request, "附件已上传")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, "请选择要上传的文件")
    return redirect(reverse("meeting_detail", args=[activity.pk]) + "#attachments")


def _serve(field_file, name: str, content_type: str, *, inline: bool) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在") from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@login_required
def meeting_attachment(request, pk):
    attachment = get_visible_or_404(Attachment.objects.select_related("activity"), request, pk)
    return _serve(attachment.file, attachment.name, attachment.content_type, inline=request.GET.get("inline") == "1")


@login_required
def meeting_signin(request, pk):
    """A printable A4 sign-in sheet (签到表): the 应到 roster with a blank signature column."""
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk, write=True)
    rows = list(activity.attendance.select_related("member", "member__org"))
    if not rows and activity.is_editable:
        # Nobody on the list yet: print the type's default roster (unsaved rows).
        rows = [Attendance(activity=activity, member=m)
                for m in services.roster_for(org=activity.org, type=activity.type, day=activity.day)]
    label_namesakes(r.member for r in rows)
    spare = max(3, 20 - len(rows))  # blank rows for people not on the list
    return render(request, "meetings/signin.html", {
        "a": activity, "rows": rows, "spare": range(spare), "guest_spare": range(3),
        "groups": len({r.member.org_id for r in rows}) > 1,
    })


@login_required
def meeting_record(request, pk):
    """The meeting printed as a 会议记录, the page branches paste into their record books."""
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk)
    activity = (Activity.objects.filter(pk=activity.pk).select_related("org", "type")
                .prefetch_related("attendance__member", "guests", "also_types").get())
    rows = list(activity.attendance.all())
    label_namesakes(r.member for r in rows)
    return render(request, "meetings/record.html", {
        "a": activity, "turnout": activity.turnout(),
        "away": [r for r in rows if r.mark not in (Mark.PRESENT, Mark.LATE)],
    })


@login_required
def meeting_appraisal(request, pk):
    """民主评议党员: the 评定等次 this meeting decided, entered for everyone on its list at once."""
    activity = get_visible_or_404(Activity.objects.select_related("org", "org__parent", "type"), request, pk, write=True)
    if not services.decides_appraisals(activity):
        raise Http404("这次会议不是民主评议党员会议")
    rows = list(activity.attendance.select_related("member").order_by("member__name_pinyin"))
    if request.method == "POST":
        results = {r.member_id: (request.POST.get(f"result-{r.member_id}", ""),
                                 request.POST.get(f"note-{r.member_id}", "").strip()[:200]) for r in rows}
        try:
            n = services.appraisal_record(activity=activity, results=results, user=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已保存{n}人的评议结果" if n else "评议结果没有变化")
            return redirect("meeting_appraisal", activity.pk)
    recorded = {a.member_id: a for a in Appraisal.objects.filter(member_id__in=[r.member_id for r in rows],
                                                                 year=activity.held_on.year).select_related("activity")}
    return render(request, "meetings/appraisal.html", {
        "a": activity, "rows": [(r.member, recorded.get(r.member_id)) for r in rows],
        "results": AppraisalResult.choices, "year": activity.held_on.year, "tab": "list",
    })


@login_required
def appraisal_list(request):
    """Everyone's 民主评议 result for a year in an org's subtree (the figures link here)."""
    org = request_org(request)
    g = request.GET
    year = int(g["year"]) if g.get("year", "").isdigit() and 1900 <= int(g["year"]) <= 2100 else timezone.localdate().year
    qs = Appraisal.objects.filter(activity__org__path__startswith=org.path)
    period = None
    if g.get("period"):  # the figures' links: the appraisals decided by meetings held in a period
        try:
            period = Period.parse(g["period"])
        except ValueError:
            period = None
    if period is not None:
        qs = qs.filter(activity__held_on__gte=period.first_day, activity__held_on__lte=period.last_day)
        year = period.last_day.year
    else:
        qs = qs.filter(year=year)
    qs = (qs
          .select_related("member", "member__org", "activity", "activity__org").order_by("activity__org__path", "member__name_pinyin"))
    if g.get("result") in AppraisalResult.values:
        qs = qs.filter(result=g["result"])
    return render(request, "meetings/appraisals.html", {
        "rows": qs, "org": org, "year": year, "period": period, "result": g.get("result", ""),
        "results": AppraisalResult.choices,
        "tab": "list",
    })


# ---------------------------------------------------------------------------------------------
# Calendar and its .ics feed


@login_required
def meeting_calendar(request):
    org, _ = org_and_period(request)
    try:
        month = Period.parse(request.GET["month"])
        if month.kind != "month":
            raise ValueError
    except (KeyError, ValueError):
        month = Period.of(timezone.localdate(), "month")
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.index)
    first, last = weeks[0][0], weeks[-1][-1]
    acts = list(Activity.objects.in_org(org).on_calendar(first, last).select_related("org", "type")
                .order_by("held_on", "planned_on", "start_time", "planned_time"))
    by_day: dict[date, list[Activity]] = {}
    for a in acts:
        by_day.setdefault(a.day, []).append(a)
    today = timezone.localdate()
    return render(request, "meetings/calendar.html", {
        "org": org, "month": month, "prev": month.previous(), "next": month.next(), "today": today,
        "weeks": [[{"day": d, "in_month": d.month == month.index, "acts": by_day.get(d, [])} for d in w] for w in weeks],
        "agenda": sorted((a for a in acts if month.contains(a.day)),
                         key=lambda a: (a.day, a.start_time or a.planned_time or time(0), a.pk)),
        "picker_orgs": visible_orgs(request.user).exclude(kind__in=ABOVE_COMMUNITY_KINDS), "tab": "calendar",
        "weekdays": "一二三四五六日",
    })


def meeting_ics(request, org_pk, token):
    """The .ics feed: no session; the token names a user and an org, and still obeys that user's scope."""
    feed = CalendarFeed.objects.by_token(token)
    if feed is None or feed.org_id != org_pk or not feed.user.is_active or not may_keep_records(feed.user, feed.org):
        raise Http404("订阅地址无效或已停用")
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    today = timezone.localdate()
    acts = (Activity.objects.in_org(feed.org).on_calendar(today - timedelta(days=400), today + timedelta(days=400))
            .select_related("org", "type").order_by("held_on", "planned_on"))
    body = ics.build(acts, name=f"{feed.org.name}组织生活", base_url=request.build_absolute_uri("/").rstrip("/"),
                     now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = "inline; filename=dangjian.ics"
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
def meeting_feeds(request):
    """Make, show once, and revoke the user's .ics subscription addresses."""
    form = FeedForm(request.POST or None, user=request.user)
    new_url = None
    if request.method == "POST" and request.POST.get("revoke"):
        n = CalendarFeed.objects.active().filter(user=request.user, pk=posted_id(request, "revoke")).update(revoked_at=timezone.now())
        if not n:
            raise Http404("订阅不存在")
        messages.success(request, "订阅地址已停用，手机日历将不再更新")
        return redirect("meeting_feeds")
    if request.method == "POST" and form.is_valid():
        feed, token = CalendarFeed.issue(user=request.user, org=form.cleaned_data["org"])
        new_url = request.build_absolute_uri(reverse("meeting_ics", args=[feed.org_id, token]))
        messages.success(request, "已生成新的订阅地址；该组织原来的地址（如有）已停用")
    feeds = CalendarFeed.objects.filter(user=request.user).select_related("org")[:50]
    return render(request, "meetings/feeds.html", {"form": form, "feeds": feeds, "new_url": new_url, "tab": "calendar"})


# ---------------------------------------------------------------------------------------------
# Compliance, reach, rules, the ledger


@login_required
def meeting_compliance(request):
    org, period = org_and_period(request)
    return render(request, "meetings/compliance.html", {
        **_picker(request, org, period), "kept": read("meetings.compliance", org, period), "tab": "compliance"})


@login_required
def meeting_reach(request):
    org, period = org_and_period(request)
    return render(request, "meetings/reach.html", {
        **_picker(request, org, period), "kept": read("meetings.reach", org, period), "tab": "reach"})


@login_required
def meeting_rules(request):
    require_record_keeper(request.user)
    return render(request, "meetings/rules.html", {"ruleset": RuleSetting.objects.ruleset(), "note": rules.RULE_NOTE,
                                                   "may_edit": may_set_deployment_rules(request.user),
                                                   "owed_note": compliance_mod.OWED_NOTE, "tab": "rules",
                                                   "types": ActivityType.objects.all()})


@login_required
def meeting_rule_edit(request, key):
    """Change one rule of organisational life for the whole deployment (the street's administrator):
    its number, frequency or whether it applies, with the local document it follows."""
    if not may_set_deployment_rules(request.user):
        raise PermissionDenied("只有街道管理员可以调整全街道执行的组织生活规则")
    rule = rules.DEFAULTS.get(key)
    if rule is None:
        raise Http404("没有这条规则")
    setting = RuleSetting.objects.filter(key=key).first() or RuleSetting(key=key, enabled=rule.enabled)
    form = RuleSettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.rule_setting_save(setting=form.instance, user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已调整“{rule.label}”" if changed else "规则没有改动")
            return redirect("meeting_rules")
    history = setting.history.select_related("history_user").order_by("-history_date")[:10] if setting.pk else []
    return render(request, "meetings/rule_edit.html", {"rule": RuleSetting.objects.ruleset().get(key), "default": rule,
                                                       "form": form, "history": history, "tab": "rules"})


@login_required
def meeting_export(request):
    org, period = org_and_period(request)
    acts = list(Activity.objects.in_org(org).held_in(period).select_related("org", "type")
                .prefetch_related("attendance__member__org", "guests", "also_types", "tags")
                .order_by("held_on", "org__path", "pk"))
    first, last = period.first_day, period.last_day
    content = ledger.ledger_xlsx(
        org=org, period=period, activities=acts,
        visits=Visit.objects.in_org(org).filter(visited_on__gte=first, visited_on__lte=last).select_related("member", "org").order_by("visited_on"),
        sends=Send.objects.in_org(org).filter(sent_on__gte=first, sent_on__lte=last).select_related("member", "org").order_by("sent_on"),
        studies=SelfStudy.objects.in_org(org).filter(studied_on__gte=first, studied_on__lte=last).select_related("member", "org").order_by("studied_on"),
        compliance=compliance_mod.check(org, period),
    )
    log_access(request, AccessLog.Action.EXPORT, f"组织生活台账 {org} {period.label}")
    return file_response(content, f"{org.name}{period.label}组织生活台账.xlsx")


# ---------------------------------------------------------------------------------------------
# Education outside meetings: 送学上门, 寄学, 自学


def _education_list(request, model, date_field: str):
    qs = model.objects.visible_to(request.user).select_related("member", "org", "org__parent")
    g = request.GET
    if g.get("org"):
        qs = qs.in_org(get_org_for_user(request, g["org"]))
    if g.get("period"):
        try:
            period = Period.parse(g["period"])
            qs = qs.filter(**{f"{date_field}__gte": period.first_day, f"{date_field}__lte": period.last_day})
        except ValueError:
            pass
    if g.get("member"):
        qs = qs.filter(member_id=g["member"]) if g["member"].isdigit() else qs.none()
    if g.get("q"):
        qs = qs.filter(Q(member__name__contains=g["q"]) | Q(member__name_initials__startswith=g["q"].lower()))
    return qs


def _education_context(request, qs, tab: str) -> dict:
    page = paginate(request, qs)
    keeper = may_keep_records(request.user)
    return {"page": page, "total": page.paginator.count, "querystring": query_without_page(request), "tab": tab,
            "can_edit": keeper, "orgs": visible_orgs(request.user).exclude(kind__in=ABOVE_COMMUNITY_KINDS) if keeper else []}


@login_required
def visit_list(request):
    qs = _education_list(request, Visit, "visited_on")
    return render(request, "meetings/visits.html", _education_context(request, qs, "visits"))


@login_required
def visit_create(request):
    require_record_keeper(request.user)
    initial = {"visited_on": timezone.localdate(), "member": request.GET.get("member")}
    form = VisitForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record(user=request.user, **form.cleaned_data)
            messages.success(request, f"已登记对{visit.member.name}的送学上门")
            return redirect(reverse("visit_list") + "?saved=1")
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
    return render(request, "meetings/education_form.html", {"form": form, "title": "登记送学上门", "tab": "visits",
                                                             "multipart": True, "back": "visit_list"})


def _shown(field: str, old, new) -> tuple:
    """History values as people read them: the member's name rather than an id."""
    if field == "member":
        names = Member.objects.in_bulk([old, new])
        return str(names.get(old, old)), str(names.get(new, new))
    return old, new


def _education_edit(request, pk, *, model, form_class, update, title: str, tab: str, back: str, here: str):
    """A 送学上门/寄学 record opened from its list: shown with its history, correctable by a keeper."""
    record = get_visible_or_404(model.objects.select_related("member", "org"), request, pk)
    keeper = may_keep_records(request.user, record.org)
    # The form gets its own copy: a ModelForm writes cleaned values into its instance while it validates.
    form = form_class(request.POST or None, request.FILES or None, instance=model.objects.get(pk=record.pk),
                      user=request.user)
    if request.method == "POST":
        require_record_keeper(request.user, record.org)
        if form.is_valid():
            try:
                changed = update(record, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, "已更正" if changed else "没有改动")
                return redirect(here, record.pk)
    history = []
    rows = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    for prev, h in zip([None, *rows], rows, strict=False):
        changes = [] if prev is None else [
            (str(model._meta.get_field(c.field).verbose_name), *_shown(c.field, c.old, c.new))
            for c in h.diff_against(prev).changes if c.field not in ("org", "photo")]
        history.append((h, changes))
    history.reverse()
    return render(request, "meetings/education_form.html", {
        "form": form, "title": title, "tab": tab, "multipart": model is Visit, "back": back, "record": record,
        "history": history, "readonly": not keeper})


@login_required
def visit_edit(request, pk):
    return _education_edit(request, pk, model=Visit, form_class=VisitForm, title="送学上门记录", tab="visits",
                           back="visit_list", here="visit_edit",
                           update=lambda r, **kw: services.visit_update(visit=r, **kw))


@login_required
def send_edit(request, pk):
    return _education_edit(request, pk, model=Send, form_class=SendForm, title="寄学记录", tab="sends",
                           back="send_list", here="send_edit",
                           update=lambda r, **kw: services.send_update(send=r, **kw))


@login_required
def visit_photo(request, pk):
    visit = get_visible_or_404(Visit.objects.select_related("member", "org"), request, pk)
    if not visit.photo:
        raise Http404("没有照片")
    suffix = Path(visit.photo.name).suffix.lower()
    from .models import IMAGE_TYPES

    return _serve(visit.photo, f"送学上门{visit.visited_on:%Y%m%d}{suffix}", IMAGE_TYPES.get(suffix, "application/octet-stream"),
                  inline=True)


@login_required
def send_list(request):
    qs = _education_list(request, Send, "sent_on")
    if request.GET.get("confirmed") == "1":
        qs = qs.filter(confirmed_on__isnull=False)
    elif request.GET.get("confirmed") == "0":
        qs = qs.filter(confirmed_on__isnull=True)
    ctx = _education_context(request, qs, "sends")
    ctx["confirm_form"] = ConfirmForm(initial={"confirmed_on": timezone.localdate()})
    return render(request, "meetings/sends.html", ctx)


@login_required
def send_create(request):
    require_record_keeper(request.user)
    initial = {"sent_on": timezone.localdate(), "member": request.GET.get("member")}
    form = SendForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            send = services.send_record(user=request.user, **form.cleaned_data)
            messages.success(request, f"已登记给{send.member.name}的寄学")
            return redirect(reverse("send_list") + "?saved=1")
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
    return render(request, "meetings/education_form.html", {"form": form, "title": "登记寄学", "tab": "sends",
                                                             "back": "send_list"})


@login_required
@require_POST
def send_confirm(request, pk):
    require_record_keeper(request.user)
    send = get_visible_or_404(Send.objects.select_related("member", "org"), request, pk, write=True)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.send_confirm(send=send, user=request.user, **form.cleaned_data)
            messages.success(request, f"已登记{send.member.name}的确认")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, "请填写确认日期")
    next_url = request.POST.get("next", "")
    safe = next_url.startswith("/meetings/") and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None)
    return redirect(next_url if safe else reverse("send_list"))


@login_required
def study_list(request):
    qs = _education_list(request, SelfStudy, "studied_on")
    if request.GET.get("source"):
        qs = qs.filter(source=request.GET["source"])
    return render(request, "meetings/study.html", _education_context(request, qs, "study"))


@login_required
def study_create(request):
    require_record_keeper(request.user)
    form = SelfStudyForm(request.POST or None, initial={"studied_on": timezone.localdate()}, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.self_study_record(user=request.user, **form.cleaned_data)
            messages.success(request, f"已登记{entry.member.name}的自学")
            return redirect(reverse("study_list") + "?saved=1")
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
    return render(request, "meetings/education_form.html", {"form": form, "title": "登记自学", "tab": "study",
                                                             "back": "study_list"})


@login_required
def study_import(request):
    """Upload → preview (nothing written) → confirm, like the roster import."""
    require_record_keeper(request.user)
    if request.method == "POST" and request.POST.get("token"):
        org = get_org_for_user(request, request.POST.get("org"))
        path = claim_upload(request.POST["token"], prefix="study-")
        if path is None:
            messages.error(request, "上传的文件已过期，或这份文件已经确认导入（请勿重复提交），请查看结果或重新上传")
            return redirect("study_import")
        if runs_in_background(path):
            job = job_enqueue(study_import_task, kind="study_import", label=f"自学记录导入：{org.name}", org=org,
                              user=request.user, path=str(path), org_id=org.pk, filename=path.name,
                              user_id=request.user.pk)
            return redirect("job_detail", pk=job.pk)
        try:
            plan = study_import_apply(study_import_plan(path, org=org, filename=path.name), user=request.user)
        except (ValidationError, IntegrityError):
            messages.error(request, "另一次导入同时写入了相同的记录，本次没有写入任何数据，请重新上传后再确认")
            return redirect("study_import")
        finally:
            path.unlink(missing_ok=True)
        messages.success(request, f"导入完成：新增{plan.accepted}条，重复跳过{len(plan.duplicates)}条，错误{len(plan.rejected)}处")
        return render(request, "meetings/study_import_done.html", {"plan": plan, "org": org, "tab": "study"})
    form = StudyImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token, path = stash_upload(upload, prefix="study-")
        try:
            plan = study_import_plan(path, org=form.cleaned_data["org"], filename=upload.name)
        except TabularError as exc:
            path.unlink(missing_ok=True)
            form.add_error("file", str(exc))
        else:
            return render(request, "meetings/study_import_preview.html", {
                "plan": plan, "token": token, "org": form.cleaned_data["org"], "filename": upload.name, "tab": "study"})
    return render(request, "meetings/study_import.html", {"form": form, "tab": "study"})


@login_required
def study_template(request):
    return file_response(study_template_xlsx(), "党员自学记录导入模板.xlsx")

