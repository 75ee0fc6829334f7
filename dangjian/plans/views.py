"""Plans, the due lists, the problem ledger and the user's notifications.

Every record is reached through `get_visible_or_404` (orgs/scoping.py: 404 outside the user's
subtree); lists filter with `visible_to(user)`; an `org` filter goes through get_org_for_user.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.lib.web import error_text, file_response, paginate, query_without_page
from dangjian.lib.workdays import WorkCalendar, covers
from dangjian.orgs.models import OrgKind
from dangjian.orgs.scoping import (
    get_org_for_user,
    get_visible_or_404,
    may_keep_records,
    may_sign,
    nearby,
    org_and_period,
    request_org,
    require_record_keeper,
    top_orgs,
    visible_orgs,
)

from . import services
from .choices import ItemState, ItemStatus, LedgerShow, PlanKind, ProblemStatus
from .exporting import ledger_rows, ledger_xlsx
from .forms import (
    CancelForm,
    CauseForm,
    DoneForm,
    EvidenceForm,
    MeasureDoneForm,
    MeasureForm,
    MilestoneForm,
    PlanForm,
    PlanItemForm,
    ProblemForm,
    ProgressForm,
    ReopenForm,
    SignOffForm,
)
from .models import (
    EvidenceLink,
    Measure,
    Milestone,
    Notification,
    PlanItem,
    Problem,
    ProblemCategory,
    ProblemSource,
    WorkPlan,
)
from .reminders import remind_days

TOP_DUE = 6  # rows of the due list the plan page shows beside the plans


def _default_org(request):
    """The org a new plan or problem is preselected for: when ?org= or the user's one top org says."""
    return request_org(request) if request.GET.get("org") or len(top_orgs(request.user)) == 1 else None


def _orgs_for_filter(user, org):
    return nearby(visible_orgs(user).exclude(kind=OrgKind.GROUP), org, user)


# ---------------------------------------------------------------------------------------------
# Plans


@login_required
def plan_list(request):
    require_record_keeper(request.user)
    today = timezone.localdate()
    qs = WorkPlan.objects.visible_to(request.user).select_related("org")
    org = None
    if request.GET.get("org"):
        org = get_org_for_user(request, request.GET["org"])
        qs = qs.in_org(org)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.overlapping(date(int(year), 1, 1), date(int(year), 12, 31))
    qs = qs.annotate(
        n_items=Count("items", filter=~Q(items__status=ItemStatus.CANCELLED), distinct=True),
        n_done=Count("items", filter=Q(items__status=ItemStatus.DONE), distinct=True),
        n_overdue=Count("items", filter=Q(items__status__in=(ItemStatus.TODO, ItemStatus.DOING), items__deadline__lt=today), distinct=True),
    ).order_by("-start_on", "org__path", "pk")
    page = paginate(request, qs, per_page=30)
    years = sorted({d.year for d in WorkPlan.objects.visible_to(request.user).dates("start_on", "year")}, reverse=True)
    return render(request, "plans/plan_list.html", {
        "page": page, "org": org, "orgs": _orgs_for_filter(request.user, org), "year": year, "years": years,
        "querystring": query_without_page(request), "due": _due_summary(request, today),
    })


def _due_summary(request, today: date) -> dict:
    """Counts for the plan page's side panel (the list itself is on the due page): counted in the
    database, and only the first few rows loaded — a district has thousands open."""
    calendar = WorkCalendar()
    horizon = calendar.add_working_days(today, remind_days())
    overdue = soon = 0
    top = []
    for qs in _due_querysets(request, horizon, None):
        n = qs.aggregate(overdue=Count("pk", filter=Q(deadline__lt=today)), soon=Count("pk", filter=Q(deadline__gte=today)))
        overdue, soon = overdue + n["overdue"], soon + n["soon"]
        # The first rows of each kind by deadline, in the order _due_lists keeps for equal deadlines.
        top += _due_rows([qs.order_by("deadline", *qs.model._meta.ordering)[:TOP_DUE]])
    top.sort(key=lambda r: (r["deadline"], r["kind"]))
    top = top[:TOP_DUE]
    for r in top:
        r["label"] = _due_label(calendar, r["deadline"], today)
        r["overdue"] = r["deadline"] < today
    return {"overdue": overdue, "soon": soon, "days": remind_days(), "top": top}


@login_required
def plan_edit(request, pk=None):
    require_record_keeper(request.user)
    plan = get_visible_or_404(WorkPlan.objects.select_related("org"), request, pk, write=True) if pk else None
    initial = {}
    if plan is None:
        initial = {"kind": PlanKind.YEAR, "period": str(timezone.localdate().year), "org": _default_org(request)}
    form = PlanForm(request.POST or None, instance=plan, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("org", "title", "kind", "period", "start_on", "end_on", "summary", "campaign_tag")}
        try:
            if plan is None:
                plan = services.plan_create(user=request.user, **data)
            else:
                fresh = WorkPlan.objects.get(pk=plan.pk)  # the form changed `plan` in place
                plan = services.plan_update(plan=fresh, user=request.user, **data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已保存计划“{plan.title}”")
            return redirect("plan_detail", pk=plan.pk)
    return render(request, "plans/form.html", {
        "form": form, "heading": f"修改计划：{plan.title}" if plan else "新建工作计划",
        "cancel_url": plan.get_absolute_url() if plan else reverse("plan_list"),
        "autosave_key": f"plan-{plan.pk if plan else 'new'}"})


@login_required
def plan_detail(request, pk):
    plan = get_visible_or_404(WorkPlan.objects.select_related("org"), request, pk)
    today = timezone.localdate()
    items = list(plan.items.select_related("owner_user").prefetch_related("milestones")
                 .annotate(n_evidence=Count("evidence", distinct=True), n_notes=Count("notes", distinct=True)))
    calendar = WorkCalendar()
    for item in items:
        item.due_label = _due_label(calendar, item.deadline, today) if item.is_open else ""
    counted = [i for i in items if i.status != ItemStatus.CANCELLED]
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "items": items, "today": today,
        "n_done": sum(1 for i in counted if i.status == ItemStatus.DONE), "n_items": len(counted),
        "n_overdue": sum(1 for i in counted if i.is_overdue(today)),
        "problems": plan.problems.visible_to(request.user).select_related("category").order_by("found_on", "pk"),
        "can_edit": may_keep_records(request.user),
    })


@login_required
def plan_item_edit(request, plan_pk=None, pk=None):
    require_record_keeper(request.user)
    item = get_visible_or_404(PlanItem.objects.select_related("plan__org", "owner_user"), request, pk, write=True) if pk else None
    plan = item.plan if item else get_visible_or_404(WorkPlan.objects.select_related("org"), request, plan_pk)
    form = PlanItemForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "detail", "owner", "owner_user", "deadline", "sort")}
        try:
            if item is None:
                item = services.plan_item_add(plan=plan, user=request.user, **data)
            else:
                fresh = PlanItem.objects.select_related("plan__org").get(pk=item.pk)  # the form changed `item` in place
                item = services.plan_item_update(item=fresh, user=request.user, **data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已保存事项“{item.title}”")
            return redirect("plan_item_detail", pk=item.pk)
    return render(request, "plans/form.html", {
        "form": form, "heading": f"修改事项：{item.title}" if item else "添加计划事项", "subheading": plan.title,
        "cancel_url": item.get_absolute_url() if item else plan.get_absolute_url(),
        "autosave_key": f"item-{item.pk if item else 'new'}-{plan.pk}"})


@login_required
def plan_item_detail(request, pk):
    item = get_visible_or_404(PlanItem.objects.select_related("plan__org", "owner_user"), request, pk)
    today = timezone.localdate()
    calendar = WorkCalendar()
    milestones = list(item.milestones.all())
    for m in milestones:
        m.due_label = "" if m.done_on else _due_label(calendar, m.deadline, today)
        m.holiday = _holiday_note(calendar, m.deadline)
    return render(request, "plans/item_detail.html", {
        "item": item, "plan": item.plan, "milestones": milestones, "today": today,
        "due_label": _due_label(calendar, item.deadline, today) if item.is_open else "",
        "holiday": _holiday_note(calendar, item.deadline),
        "notes": item.notes.select_related("author"), "evidence": item.evidence.select_related("added_by"),
        "history": item.history.select_related("history_user").order_by("-history_date")[:20],
        "can_edit": may_keep_records(request.user) and item.is_open,
        "milestone_form": MilestoneForm(), "done_form": DoneForm(initial={"done_on": today}),
        "progress_form": ProgressForm(initial={"on": today}), "evidence_form": EvidenceForm(),
        "cancel_form": CancelForm(),
    })


@login_required
@require_POST
def plan_item_action(request, pk, action):
    require_record_keeper(request.user)
    item = get_visible_or_404(PlanItem.objects.select_related("plan__org", "owner_user"), request, pk, write=True)
    try:
        if action == "start":
            services.plan_item_start(item=item, user=request.user)
            messages.success(request, "事项已开始推进")
        elif action == "complete":
            form = DoneForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.plan_item_complete(item=item, done_on=form.cleaned_data["done_on"], user=request.user)
            messages.success(request, f"事项“{item.title}”已完成")
        elif action == "cancel":
            form = CancelForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.plan_item_cancel(item=item, reason=form.cleaned_data["reason"], user=request.user)
            messages.success(request, f"事项“{item.title}”已取消")
        elif action == "milestone":
            form = MilestoneForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.milestone_add(item=item, user=request.user, **form.cleaned_data)
            messages.success(request, "已添加时间节点")
        elif action == "progress":
            form = ProgressForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.progress_add(item=item, user=request.user, **form.cleaned_data)
            messages.success(request, "已记录推进情况")
        elif action == "evidence":
            _add_evidence(request, item)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("plan_item_detail", pk=item.pk)


@login_required
@require_POST
def milestone_complete(request, pk):
    require_record_keeper(request.user)
    milestone = get_visible_or_404(Milestone.objects.select_related("item__plan__org"), request, pk, write=True)
    form = DoneForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(error_text(form))
        services.milestone_complete(milestone=milestone, user=request.user, done_on=form.cleaned_data["done_on"],
                                    note=form.cleaned_data["note"])
        messages.success(request, f"时间节点“{milestone.title}”已完成")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("plan_item_detail", pk=milestone.item_id)


def _add_evidence(request, owner) -> None:
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        raise ValidationError(error_text(form))
    services.evidence_add(owner=owner, user=request.user, label=form.cleaned_data["label"],
                          url=form.cleaned_data["url"], host=request.get_host())
    messages.success(request, f"已添加佐证“{form.cleaned_data['label']}”")


@login_required
@require_POST
def evidence_remove(request, pk):
    require_record_keeper(request.user)
    link = get_visible_or_404(EvidenceLink.objects.select_related("item__plan__org", "measure__problem__org"), request, pk, write=True)
    back = link.item.get_absolute_url() if link.item_id else link.measure.get_absolute_url()
    try:
        services.evidence_remove(link=link, user=request.user)
        messages.success(request, f"已删除佐证“{link.label}”")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return HttpResponseRedirect(back)


# ---------------------------------------------------------------------------------------------
# Working-day lists


def _due_label(calendar: WorkCalendar, deadline: date, today: date) -> str:
    if deadline < today:
        return f"逾期{calendar.working_days_between(deadline, today)}个工作日"
    if deadline == today:
        return "今日到期"
    return f"还剩{calendar.working_days_between(today, deadline)}个工作日"


def _holiday_note(calendar: WorkCalendar, day: date) -> str:
    if not covers(day):
        return f"{day.year}年调休安排尚未公布，按法定节假日推算（预计）"
    return "" if calendar.is_working_day(day) else "该日为休息日"


def _due_querysets(request, horizon: date, org) -> tuple:
    """Open milestones, items and measures in the user's scope (and org's subtree) due by `horizon`."""
    milestones = Milestone.objects.visible_to(request.user).open().filter(deadline__lte=horizon).select_related("item__plan__org")
    items = PlanItem.objects.visible_to(request.user).open().filter(deadline__lte=horizon).select_related("plan__org")
    measures = Measure.objects.visible_to(request.user).open().filter(
        deadline__lte=horizon, problem__status=ProblemStatus.OPEN).select_related("problem__org")
    if org is not None:
        milestones, items, measures = milestones.in_org(org), items.in_org(org), measures.in_org(org)
    return milestones, items, measures


def _due_rows(querysets) -> list[dict]:
    rows = []
    for qs in querysets:
        for x in qs:
            if isinstance(x, Milestone):
                rows.append({"kind": "计划节点", "title": f"{x.item.title}：{x.title}", "parent": x.item.plan.title,
                             "owner": x.item.owner, "org": x.item.plan.org, "deadline": x.deadline, "url": x.get_absolute_url()})
            elif isinstance(x, PlanItem):
                rows.append({"kind": "计划事项", "title": x.title, "parent": x.plan.title, "owner": x.owner,
                             "org": x.plan.org, "deadline": x.deadline, "url": x.get_absolute_url()})
            else:
                rows.append({"kind": "整改措施", "title": x.title, "parent": x.problem.title, "owner": x.owner,
                             "org": x.problem.org, "deadline": x.deadline, "url": x.get_absolute_url()})
    return rows


def _due_lists(request, today: date, horizon: date, calendar: WorkCalendar, org) -> dict:
    """Open milestones, items and measures in the user's scope due by `horizon`, split."""
    rows = _due_rows(_due_querysets(request, horizon, org))
    rows.sort(key=lambda r: (r["deadline"], r["kind"]))
    for r in rows:
        r["label"] = _due_label(calendar, r["deadline"], today)
        r["overdue"] = r["deadline"] < today
    return {"overdue": [r for r in rows if r["deadline"] < today], "soon": [r for r in rows if r["deadline"] >= today]}


@login_required
def due_list(request):
    require_record_keeper(request.user)
    today = timezone.localdate()
    try:
        days = max(0, min(int(request.GET.get("days", "")), 60))
    except ValueError:
        days = remind_days()
    org = get_org_for_user(request, request.GET["org"]) if request.GET.get("org") else None
    calendar = WorkCalendar()
    horizon = calendar.add_working_days(today, days)
    lists = _due_lists(request, today, horizon, calendar, org)
    return render(request, "plans/due_list.html", {
        **lists, "today": today, "horizon": horizon, "days": days, "org": org,
        "orgs": _orgs_for_filter(request.user, org), "today_note": _holiday_note(calendar, today),
        "calendar_known": covers(horizon),
    })


@login_required
def plan_item_list(request):
    """Plan items due in a period, by state — the list behind the figures' numbers."""
    org, period = org_and_period(request, "year")
    today = timezone.localdate()
    as_of = min(period.last_day, today)
    state = request.GET.get("state", ItemState.ALL)
    qs = (PlanItem.objects.visible_to(request.user).in_org(org).counted().due_in(period.first_day, period.last_day)
          .select_related("plan__org").order_by("deadline", "pk"))
    filters = {
        ItemState.ON_TIME: Q(done_on__isnull=False, done_on__lte=F("deadline")),
        ItemState.LATE: Q(done_on__isnull=False, done_on__gt=F("deadline")),
        ItemState.OVERDUE: Q(done_on__isnull=True, deadline__lt=as_of),
        ItemState.OPEN: Q(done_on__isnull=True),
        ItemState.DONE: Q(done_on__isnull=False),
    }
    if state in filters:
        qs = qs.filter(filters[state])
    if request.GET.get("plan", "").isdigit():
        qs = qs.filter(plan_id=request.GET["plan"])
    return render(request, "plans/item_list.html", {
        "page": paginate(request, qs), "org": org, "period": period, "state": state, "states": ItemState.choices,
        "orgs": _orgs_for_filter(request.user, org), "querystring": query_without_page(request), "today": today,
    })


# ---------------------------------------------------------------------------------------------
# Problems: the ledger


def ledger_queryset(request, org, period, show: str):
    qs = Problem.objects.visible_to(request.user).in_org(org).in_ledger(period, show)
    g = request.GET
    if g.get("category", "").isdigit():
        qs = qs.filter(category_id=g["category"])
    if g.get("source", "").isdigit():
        qs = qs.filter(source_id=g["source"])
    if g.get("status") in ProblemStatus.values:
        qs = qs.filter(status=g["status"])
    return qs.select_related("org", "category", "source", "closed_by").order_by("found_on", "pk")


@login_required
def problem_list(request):
    org, period = org_and_period(request, "year")
    show = request.GET.get("show") if request.GET.get("show") in LedgerShow.values else LedgerShow.ACTIVE
    qs = ledger_queryset(request, org, period, show).prefetch_related("causes", "measures")
    page = paginate(request, qs, per_page=30)
    today = timezone.localdate()
    for problem in page:
        measures = list(problem.measures.all())
        problem.n_measures = len(measures)
        problem.n_done = sum(1 for m in measures if m.is_done)
        problem.n_overdue = sum(1 for m in measures if not m.is_done and m.deadline < today)
        problem.awaiting = not problem.is_closed and problem.n_measures > 0 and problem.n_done == problem.n_measures
    return render(request, "plans/problem_list.html", {
        "page": page, "org": org, "period": period, "show": show, "shows": LedgerShow.choices,
        "orgs": _orgs_for_filter(request.user, org), "categories": ProblemCategory.objects.all(),
        "sources": ProblemSource.objects.all(), "statuses": ProblemStatus.choices,
        "querystring": query_without_page(request), "total": page.paginator.count,
    })


@login_required
def problem_export(request):
    org, period = org_and_period(request, "year")
    show = request.GET.get("show") if request.GET.get("show") in LedgerShow.values else LedgerShow.ACTIVE
    qs = ledger_queryset(request, org, period, show).prefetch_related("causes", "measures", "events")
    content = ledger_xlsx(org, period, ledger_rows(qs, period), LedgerShow(show).label)
    return file_response(content, f"{org.name}{period.label}问题整改台账.xlsx")


@login_required
def problem_edit(request, pk=None):
    require_record_keeper(request.user)
    problem = get_visible_or_404(Problem.objects.select_related("org", "category", "source", "plan", "closed_by"), request, pk, write=True) if pk else None
    if problem and problem.is_closed:
        raise PermissionDenied("已销号的问题不能修改，如需继续整改请先重新打开")
    initial = {"org": _default_org(request)} if problem is None else {}
    if problem is None and request.GET.get("plan"):
        initial["plan"] = get_visible_or_404(WorkPlan.objects.select_related("org"), request, request.GET["plan"])
    form = ProblemForm(request.POST or None, instance=problem, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fields = {k: data[k] for k in ("org", "title", "description", "category", "source", "found_on", "plan")}
            if problem is None:
                problem = services.problem_create(user=request.user, causes=form.cause_list(), **fields)
            else:
                fresh = Problem.objects.select_related("org").get(pk=problem.pk)  # the form changed `problem` in place
                problem = services.problem_update(problem=fresh, user=request.user, **fields)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已保存问题“{problem.title}”")
            return redirect("problem_detail", pk=problem.pk)
    return render(request, "plans/form.html", {
        "form": form, "heading": f"修改问题：{problem.title}" if problem else "登记问题",
        "cancel_url": problem.get_absolute_url() if problem else reverse("problem_list"),
        "autosave_key": f"problem-{problem.pk if problem else 'new'}"})


@login_required
def problem_detail(request, pk):
    problem = get_visible_or_404(Problem.objects.select_related("org", "category", "source", "plan", "closed_by"), request, pk)
    today = timezone.localdate()
    calendar = WorkCalendar()
    measures = list(problem.measures.select_related("owner_user").prefetch_related("evidence"))
    for m in measures:
        m.due_label = "" if m.is_done else _due_label(calendar, m.deadline, today)
        m.holiday = "" if m.is_done else _holiday_note(calendar, m.deadline)
    keeper = may_keep_records(request.user)
    blockers = services.close_blockers(problem)
    return render(request, "plans/problem_detail.html", {
        "problem": problem, "causes": problem.causes.all(), "measures": measures,
        "events": problem.events.select_related("user", "measure"),
        "blockers": blockers, "awaiting": not blockers, "today": today,
        "can_edit": keeper and not problem.is_closed, "can_sign": may_sign(request.user, problem.org),
        "cause_form": CauseForm(), "measure_form": MeasureForm(user=request.user, auto_id="m-%s"),
        "done_form": MeasureDoneForm(initial={"done_on": today}), "evidence_form": EvidenceForm(),
        "sign_form": SignOffForm(), "reopen_form": ReopenForm(),
    })


@login_required
@require_POST
def problem_action(request, pk, action):
    require_record_keeper(request.user)
    problem = get_visible_or_404(Problem.objects.select_related("org", "category", "source", "plan", "closed_by"), request, pk, write=True)
    try:
        if action == "cause":
            form = CauseForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.cause_add(problem=problem, text=form.cleaned_data["text"], user=request.user)
            messages.success(request, "已补充原因分析")
        elif action == "measure":
            form = MeasureForm(request.POST, user=request.user)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            data = form.cleaned_data
            services.measure_add(problem=problem, user=request.user, **{k: data[k] for k in (
                "title", "detail", "owner", "owner_user", "deadline")})
            messages.success(request, f"已添加整改措施“{data['title']}”")
        elif action == "close":
            form = SignOffForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.problem_close(problem=problem, user=request.user, note=form.cleaned_data["note"])
            messages.success(request, f"问题“{problem.title}”已签字销号")
        elif action == "reopen":
            form = ReopenForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.problem_reopen(problem=problem, user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"问题“{problem.title}”已重新打开")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("problem_detail", pk=problem.pk)


@login_required
def measure_edit(request, pk):
    require_record_keeper(request.user)
    measure = get_visible_or_404(Measure.objects.select_related("problem__org"), request, pk, write=True)
    if measure.is_done or measure.problem.is_closed:
        raise PermissionDenied("已完成的措施不能修改")
    form = MeasureForm(request.POST or None, instance=measure, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fresh = Measure.objects.get(pk=measure.pk)  # the form mutated `measure` in place
        try:
            services.measure_update(measure=fresh, user=request.user, **{k: data[k] for k in (
                "title", "detail", "owner", "owner_user", "deadline")})
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已修改整改措施“{fresh.title}”")
            return HttpResponseRedirect(fresh.get_absolute_url())
    return render(request, "plans/form.html", {
        "form": form, "heading": f"调整整改措施：{measure.title}", "subheading": measure.problem.title,
        "cancel_url": measure.get_absolute_url(), "autosave_key": f"measure-{measure.pk}"})


@login_required
@require_POST
def measure_action(request, pk, action):
    require_record_keeper(request.user)
    measure = get_visible_or_404(Measure.objects.select_related("problem__org"), request, pk, write=True)
    try:
        if action == "complete":
            form = MeasureDoneForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.measure_complete(measure=measure, user=request.user, **form.cleaned_data)
            messages.success(request, f"整改措施“{measure.title}”已完成")
        elif action == "evidence":
            _add_evidence(request, measure)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return HttpResponseRedirect(measure.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# Notifications


@login_required
def notification_list(request):
    show_all = request.GET.get("all") == "1"
    qs = Notification.objects.filter(user=request.user).select_related("org")
    qs = qs.order_by("-resolved_at", "-created_on", "due_on", "pk") if show_all else qs.pending().order_by("read_at", "due_on", "pk")
    page = paginate(request, qs)
    today = timezone.localdate()
    calendar = WorkCalendar()
    for n in page:
        n.due_label = "" if n.resolved_at else _due_label(calendar, n.due_on, today)
    return render(request, "plans/notification_list.html", {
        "page": page, "show_all": show_all, "querystring": query_without_page(request),
        "n_unread": Notification.objects.filter(user=request.user).unread().count(),
        "user_is_keeper": may_keep_records(request.user),
    })


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_visible_or_404(Notification.objects.filter(user=request.user), request, pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect(_next(request, reverse("notification_list")))


@login_required
@require_POST
def notification_read_all(request):
    n = Notification.objects.filter(user=request.user).unread().update(read_at=timezone.now())
    messages.success(request, f"已将{n}条提醒标为已读")
    return redirect("notification_list")


@login_required
def notification_open(request, pk):
    """Open the record a notification is about, marking it read."""
    notification = get_visible_or_404(Notification.objects.filter(user=request.user), request, pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) else ""
    return HttpResponseRedirect(target or reverse("notification_list"))


def _next(request, default: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


# ---------------------------------------------------------------------------------------------
# The State Council holiday schedule of a year the calendar package does not know yet


def _require_calendar_keeper(request) -> None:
    """The schedule holds for the whole deployment: a superuser or the administrator of the top
    organisation (区/街道) enters it."""
    from dangjian.orgs.scoping import may_set_deployment_rules

    if may_set_deployment_rules(request.user):
        return
    raise PermissionDenied("只有街道管理员可以录入节假日安排")


@login_required
def holiday_schedule(request):
    """Which years the working-day calendar knows, the computed holidays of the next year (预计),
    and the form to enter the official schedule when it is published."""
    from dangjian.lib.workdays import holiday_name, package_knows, predicted_days_off

    from .forms import HolidayScheduleForm
    from .models import HolidaySchedule

    _require_calendar_keeper(request)
    today = timezone.localdate()
    form = HolidayScheduleForm(request.POST or None, initial={"year": today.year + 1})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.holiday_schedule_enter(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            messages.success(request, f"已录入{schedule.year}年节假日安排（{schedule.days.count()}天），该年的期限不再标注“预计”")
            return redirect("holiday_schedule")
    entered = {s.year: s for s in HolidaySchedule.objects.select_related("entered_by").prefetch_related("days")}
    years = []
    for year in range(today.year - 1, today.year + 3):
        known = package_knows(year)
        predicted = [] if known or year in entered else sorted(predicted_days_off(year).items())
        years.append({"year": year, "known": known, "entered": entered.get(year), "predicted": predicted})
    return render(request, "plans/holiday_schedule.html", {
        "form": form, "errors": errors, "years": years, "holiday_name": holiday_name,
    })
