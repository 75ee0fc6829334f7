from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.jobs.services import job_enqueue
from dangjian.jobs.sizing import runs_in_background
from dangjian.lib.money import money_in_capitals
from dangjian.lib.periods import Period
from dangjian.lib.tabular import TabularError
from dangjian.lib.uploads import claim_upload, stash_upload
from dangjian.lib.web import error_text, file_response, query_without_page
from dangjian.members.models import Member, label_namesakes
from dangjian.orgs.models import AccessLog, OrgKind
from dangjian.orgs.scoping import (
    get_org_for_user,
    get_visible_or_404,
    log_access,
    may_keep_records,
    may_sign,
    nearby,
    org_and_period,
    request_org,
    require_record_keeper,
    visible_orgs,
)

from . import figures as dues_figures
from .book import add_months, member_book, month_of, months_between
from .calculator import UNVERIFIED_NOTE, calculate
from .choices import BASE_CATEGORIES, FROM_MEMBER_CATEGORY, DuesCategory, EntryKind
from .exporting import ledger_xlsx
from .forms import (
    BaseForm,
    CalculatorForm,
    DuesSettingsForm,
    ImportForm,
    PaymentForm,
    ProfileForm,
    ReliefEndForm,
    ReliefForm,
    ReverseForm,
)
from .importing import CHOOSE, UNMATCHED, payment_import_apply, payment_import_plan
from .models import DuesAllocation, DuesEntry, DuesRelief, DuesSettings
from .rules import RULE_KEYS
from .services import (
    base_set,
    dues_settings_save,
    entry_reverse,
    payment_record,
    profile_update,
    relief_end,
    relief_grant,
)
from .tasks import payment_import as payment_import_task

STATES = {
    "arrears": ("欠交", lambda r: r.arrears > 0),
    "pending": ("未到期", lambda r: r.pending > 0),
    "paid": ("已交清", lambda r: r.due > 0 and r.arrears == 0 and r.pending == 0),
    "late": ("未按时足额", lambda r: r.judged and not r.on_time),
    "unassessed": ("未核定", lambda r: r.unassessed > 0),
}
LEVELS = {"warn": "预警及以上", "alarm": "告警"}


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _pickers(request, org, period):
    return {
        "org": org, "period": period,
        "orgs": nearby(visible_orgs(request.user).exclude(kind=OrgKind.GROUP), org, request.user),
        "periods": [period.previous(), period.next()],
    }


# ---------------------------------------------------------------------------------------------
# Lists.


@login_required
def dues_home(request):
    """The 应交 list of an org for a month (or any period), with the period's figures."""
    if not may_keep_records(request.user):
        member = getattr(request.user, "member", None)
        if member is not None:
            return redirect("dues_member", pk=member.pk)
        raise PermissionDenied("您的账号没有党务角色")
    org, period = org_and_period(request, "month")
    f = dues_figures.for_period(org, period)
    rows = f.rows
    state = request.GET.get("state", "")
    if state in STATES:
        rows = [r for r in rows if STATES[state][1](r)]
    q = request.GET.get("q", "").strip()
    if q:
        ids = set(Member.objects.filter(pk__in=[r.member_id for r in rows]).search(q).values_list("pk", flat=True))
        rows = [r for r in rows if r.member_id in ids]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    f.load_members(page.object_list)
    return render(request, "dues/home.html", {
        **_pickers(request, org, period), "f": f, "page": page, "total": len(rows), "states": STATES,
        "state": state, "querystring": query_without_page(request), "this_url": request.get_full_path(),
    })


@login_required
def dues_arrears(request):
    org, period = org_and_period(request, "quarter")
    f = dues_figures.for_period(org, period)
    level = request.GET.get("level", "")
    rows = f.arrears_rows
    if level == "warn":
        rows = [r for r in rows if r.level]
    elif level == "alarm":
        rows = [r for r in rows if r.level == "alarm"]
    f.load_members(rows)
    return render(request, "dues/arrears.html", {
        **_pickers(request, org, period), "f": f, "rows": rows, "level": level, "levels": LEVELS,
        "lookback": dues_figures.LOOKBACK_MONTHS, "this_url": request.get_full_path(),
    })


@login_required
def dues_entries(request):
    """收款记录: every booking of the org subtree in the period; `large=1` keeps single payments ≥ the threshold."""
    org, period = org_and_period(request, "month")
    rules = DuesSettings.objects.rulebook().for_org(org)
    qs = (DuesEntry.objects.visible_to(request.user).in_org(org)
          .filter(paid_on__range=(period.first_day, period.last_day))
          .select_related("member", "org", "reverses", "recorded_by").prefetch_related("allocations")
          .order_by("-paid_on", "-pk"))
    large = request.GET.get("large") == "1"
    if large:
        qs = qs.standing().filter(amount__gte=rules.value("remit_threshold"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "dues/entries.html", {
        **_pickers(request, org, period), "page": page, "large": large, "rules": rules,
        "querystring": query_without_page(request),
    })


# ---------------------------------------------------------------------------------------------
# One member.


def _statement(member: Member, today: date):
    """The member's months grouped by year (newest first), each with the running balance
    (累计应交 − 累计实交: positive is owed, negative is paid ahead)."""
    current = month_of(today)
    last_alloc = DuesAllocation.objects.filter(member=member).aggregate(m=Max("month"))["m"]
    book = member_book(member, asof=today, last=max(current, last_alloc or current))
    rows, balance, previous = [], Decimal("0.00"), None
    for line in book.lines:
        if line.month > current and line.paid == 0:
            continue
        if line.due is not None and line.month <= current:
            balance += line.due
        balance -= line.paid
        rows.append({"line": line, "balance": balance, "future": line.month > current,
                     "state": line.state_on(today), "state_label": line.state_label_on(today),
                     "due_now": line.is_due(today), "new_rule": line.explanation != previous})
        previous = line.explanation
    years: dict[int, dict] = {}
    for row in reversed(rows):
        ln = row["line"]
        y = years.setdefault(ln.month.year, {"year": ln.month.year, "rows": [], "due": Decimal("0.00"),
                                             "paid": Decimal("0.00"), "owed": Decimal("0.00"),
                                             "pending": Decimal("0.00")})
        y["rows"].append(row)
        y["paid"] += ln.paid
        if not row["future"]:
            y["due"] += ln.due or 0
            y["owed" if row["due_now"] else "pending"] += ln.outstanding
    grouped = list(years.values())
    for i, y in enumerate(grouped):
        y["open"] = i == 0 or y["owed"] > 0
    return book, grouped, balance


def _first_base_month(member: Member, today: date) -> date:
    """A new 预备党员 owes from the month admitted; for long-standing members, start now."""
    joined = month_of(member.joined_on) if member.joined_on else None
    return joined if joined and add_months(joined, 24) >= month_of(today) else month_of(today)


@login_required
def dues_member(request, pk):
    """The statement: every month (due, paid, when, balance), the ledger, the 核定 history and reliefs."""
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk)
    today = timezone.localdate()
    book, years, balance = _statement(member, today)
    entries = list(member.dues_entries.select_related("recorded_by", "reverses").prefetch_related("allocations")
                   .order_by("seq"))
    running = Decimal("0.00")
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    for e in entries:
        running += e.amount
        e.running, e.is_reversed = running, e.pk in reversed_ids
    entries.reverse()
    can_edit = may_keep_records(request.user, member.org) and not member.is_archived
    profile = book.profile
    # What is owed now: months past their deadline (the arrears list's definition); a month not yet due is 未到期.
    overdue = book.owed_now(today)
    pending = sum((ln.outstanding for ln in book.lines if ln.month <= month_of(today) and not ln.is_due(today)),
                  Decimal("0.00"))
    voluntary = profile.voluntary_extra if profile and overdue else Decimal("0")
    category = FROM_MEMBER_CATEGORY.get(member.category, DuesCategory.EMPLOYED)
    last_base = book.bases[-1] if book.bases else None
    return render(request, "dues/member.html", {
        "member": member, "book": book, "years": years, "balance": balance, "entries": entries,
        "profile": profile, "can_edit": can_edit, "overdue": overdue, "pending": pending, "today": today,
        "pay_form": PaymentForm(initial={
            "paid_on": today, "amount": overdue + voluntary or None, "extra": voluntary,
            "collected_by": request.user.get_full_name() or request.user.username, "mode": PaymentForm.MODE_AUTO}),
        "base_form": BaseForm(initial={
            "effective_month": _first_base_month(member, today) if not last_base else month_of(today),
            "category": last_base.category if last_base else category,
            "base": last_base.base if last_base else None, "fixed_amount": last_base.fixed_amount if last_base else None}),
        "relief_form": ReliefForm(initial={"from_month": month_of(today)}),
        "profile_form": ProfileForm(initial={"pay_schedule": profile.pay_schedule if profile else "monthly",
                                             "voluntary_extra": profile.voluntary_extra if profile else 0,
                                             "note": profile.note if profile else ""}),
        "reverse_form": ReverseForm(),
        "relief_end_form": ReliefEndForm(initial={"to_month": month_of(today)}),
        "next": request.GET.get("next", ""),
        "base_categories": BASE_CATEGORIES,
    })


@login_required
@require_POST
def dues_pay(request, pk):
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk, write=True)
    form = PaymentForm(request.POST)
    back = reverse("dues_member", args=[member.pk])
    if not form.is_valid():
        messages.error(request, f"未登记：{error_text(form)}")
        return redirect(back)
    d = form.cleaned_data
    months = months_between(d["from_month"], d["to_month"]) if d["mode"] == PaymentForm.MODE_MONTHS else None
    try:
        booked = payment_record(member=member, amount=d["amount"], paid_on=d["paid_on"], method=d["method"],
                                receipt_no=d["receipt_no"], collected_by=d["collected_by"], months=months,
                                extra=d["extra"] or Decimal("0"), note=d["note"], user=request.user,
                                form_token=d["form_token"])
    except ValidationError as exc:
        messages.error(request, f"未登记：{error_text(exc)}")
        return redirect(back)
    covered = "、".join(f"{a.month.year}年{a.month.month}月" for a in booked.allocations if a.kind == "dues")
    messages.success(request, f"已登记{member.name}交纳党费{booked.entry.amount:.2f}元（第{booked.entry.seq}笔）"
                              + (f"，冲抵：{covered}" if covered else ""))
    for warning in booked.warnings:
        messages.warning(request, warning)
    return redirect(_back(request, back))


@login_required
def dues_receipt(request, pk):
    """A printable 党费收据 for one payment: who paid, for which months, the amount in figures and in
    capitals, how, and who took it. A reversed payment's receipt says it was reversed."""
    entry = get_visible_or_404(DuesEntry.objects.select_related("member", "member__org"), request, pk)
    if entry.kind != EntryKind.PAYMENT:
        raise Http404("冲正记录没有收据")
    return render(request, "dues/receipt.html", {
        "e": entry, "allocations": entry.allocations.order_by("month"), "capitals": money_in_capitals(entry.amount),
        "org": entry.org, "reversal": DuesEntry.objects.filter(reverses=entry).first(),
    })


@login_required
@require_POST
def dues_reverse(request, pk):
    entry = get_visible_or_404(DuesEntry.objects.select_related("member", "member__org"), request, pk)
    require_record_keeper(request.user, entry.member.org)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal = entry_reverse(entry=entry, reason=form.cleaned_data["reason"], user=request.user)
            messages.success(request, f"已冲正第{entry.seq}笔（冲正记录为第{reversal.seq}笔）")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, "冲正必须写明原因")
    return redirect("dues_member", pk=entry.member_id)


def _apply_form(request, form, action, *, error_prefix: str = "") -> None:
    """The member-page POSTs: validate, run the service, report the outcome as a message.
    `action(cleaned_data)` returns the success message; a ValidationError is shown, not raised."""
    if form.is_valid():
        try:
            messages.success(request, action(form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, f"{error_prefix}{error_text(exc)}")
    else:
        messages.error(request, f"{error_prefix}{error_text(form)}")


@login_required
@require_POST
def dues_base(request, pk):
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk, write=True)

    def action(data):
        b = base_set(member=member, user=request.user, **data)
        return f"已核定：{b.effective_month:%Y年%-m月}起 {b.get_category_display()}"

    _apply_form(request, BaseForm(request.POST), action, error_prefix="未保存：")
    return redirect("dues_member", pk=member.pk)


@login_required
@require_POST
def dues_relief(request, pk):
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk, write=True)
    _apply_form(request, ReliefForm(request.POST),
                lambda data: f"已登记减免：{relief_grant(member=member, user=request.user, **data)}",
                error_prefix="未保存：")
    return redirect("dues_member", pk=member.pk)


@login_required
@require_POST
def dues_relief_end(request, pk):
    relief = get_visible_or_404(DuesRelief.objects.select_related("member", "member__org"), request, pk, write=True)

    def action(data):
        relief_end(relief=relief, to_month=data["to_month"], user=request.user)
        return f"减免截止到{relief.to_month:%Y年%-m月}"

    _apply_form(request, ReliefEndForm(request.POST), action)
    return redirect("dues_member", pk=relief.member_id)


@login_required
@require_POST
def dues_profile(request, pk):
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, pk, write=True)

    def action(data):
        profile_update(member=member, user=request.user, **data)
        return "已保存交纳方式"

    _apply_form(request, ProfileForm(request.POST), action)
    return redirect("dues_member", pk=member.pk)


# ---------------------------------------------------------------------------------------------
# The calculator and the rules.


@login_required
def dues_calculator(request):
    member = get_visible_or_404(Member.objects.select_related("org", "org__parent"), request, request.GET["member"]) if request.GET.get("member") else None
    org = member.org if member else (request_org(request) if may_keep_records(request.user) else None)
    rules = DuesSettings.objects.rulebook().for_org(org)
    can_save = member is not None and may_keep_records(request.user, member.org)
    form = CalculatorForm(request.POST or None, rules=rules,
                          initial={"effective_month": month_of(timezone.localdate())})
    result, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            result = calculate(form.cleaned_data["category"], rules=rules, **form.calculator_kwargs())
        except ValueError as exc:
            error = str(exc)
        if result is not None and request.POST.get("action") == "save":
            if not can_save:
                raise PermissionDenied("只有本组织的党务人员可以核定基数")
            month = form.cleaned_data.get("effective_month") or month_of(timezone.localdate())
            try:
                base_set(member=member, effective_month=month, category=result.category, base=result.base,
                         document="基数计算器", calculation=result.as_json(), user=request.user)
            except ValidationError as exc:
                error = error_text(exc)
            else:
                messages.success(request, f"已按计算结果核定{member.name}的交纳基数{result.base:,.2f}元（{month:%Y年%-m月}起）")
                return redirect("dues_member", pk=member.pk)
    return render(request, "dues/calculator.html", {
        "form": form, "result": result, "error": error, "member": member, "can_save": can_save, "rules": rules,
        "unverified": UNVERIFIED_NOTE,
    })


@login_required
def dues_rules(request):
    org = request_org(request) if may_keep_records(request.user) else None
    rules = DuesSettings.objects.rulebook().for_org(org)
    return render(request, "dues/rules.html", {
        "org": org, "rules": [rules[k] for k in RULE_KEYS], "definitions": dues_figures.DuesFigures.definitions,
        "may_edit": org is not None and may_sign(request.user, org),
        "orgs": nearby(visible_orgs(request.user).exclude(kind=OrgKind.GROUP), org, request.user),
    })


@login_required
def dues_publicity(request):
    """The quarterly 党费公示 of a branch, to print and post: each member's months, 应交, 实交, 欠交 and
    未到期, totalled — the same figures as the 应交 list for that quarter."""
    org, period = org_and_period(request, "quarter")
    if period.kind != "quarter":
        period = Period.of(period.first_day, "quarter")
    f = dues_figures.for_period(org, period)
    months = [m.first_day for m in period.months()]
    rows = [{"row": r, "months": [next((ln for ln in r.lines if ln.month == m), None) for m in months]} for r in f.rows]
    label_namesakes(r.member for r in f.rows)
    return render(request, "dues/publicity.html", {
        **_pickers(request, org, period), "f": f, "rows": rows, "months": months, "today": timezone.localdate(),
    })


@login_required
def dues_rules_edit(request):
    """An organisation's own dues rules, changed by its 书记 (or the street): each blank field follows
    the level above; any change names its local basis (the page then cites it)."""
    org = request_org(request)
    if not may_sign(request.user, org):
        raise PermissionDenied("只有本组织的书记或街道管理员可以调整党费规则")
    settings = DuesSettings.objects.filter(org=org).first() or DuesSettings(org=org)
    form = DuesSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            changed = dues_settings_save(settings=form.instance, user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存{org.name}的党费规则" if changed else "党费规则没有改动")
            return redirect(reverse("dues_rules") + f"?org={org.pk}")
    history = settings.history.select_related("history_user").order_by("-history_date")[:10] if settings.pk else []
    return render(request, "dues/rules_edit.html", {"org": org, "form": form, "history": history})


# ---------------------------------------------------------------------------------------------
# Excel out and in.


@login_required
def dues_export(request):
    org, period = org_and_period(request, "month")
    f = dues_figures.for_period(org, period)
    entries = None
    if period.kind in ("month", "quarter"):
        # A year of single payments for a whole street is tens of thousands of rows; the yearly
        # sheet already has each member's payments by month.
        entries = (DuesEntry.objects.visible_to(request.user)
                   .in_org(org).filter(paid_on__range=(period.first_day, period.last_day))
                   .select_related("member", "recorded_by").prefetch_related("allocations").order_by("paid_on", "pk"))
    months = [m.first_day for m in period.months()]
    allocations = (DuesAllocation.objects.standing().filter(member_id__in=[r.member_id for r in f.rows], month__in=months)
                   .select_related("entry").order_by("entry__paid_on", "pk"))
    log_access(request, AccessLog.Action.EXPORT, f"党费收缴台账 {org} {period.label}")
    return file_response(ledger_xlsx(f, allocations, entries), f"{org.name}党费收缴台账{period}.xlsx")



@login_required
def dues_import(request):
    """Upload → preview (nothing booked) → confirm (book the matched and the chosen rows)."""
    require_record_keeper(request.user)
    if request.method == "POST" and request.POST.get("token"):
        org = get_org_for_user(request, request.POST.get("org"))
        require_record_keeper(request.user, org)
        path = claim_upload(request.POST["token"])
        if path is None:
            messages.error(request, "上传的文件已过期，或这份文件已经确认导入（请勿重复提交），请查看结果或重新上传")
            return redirect("dues_import")
        filename = request.POST.get("filename", path.name)[:200]
        plan = payment_import_plan(path, org=org, members=Member.objects.visible_to(request.user),
                                   filename=filename, default_method=request.POST.get("method", "微信"))
        choices, assigned = {}, {}
        for row in plan.rows:
            choice, assignee = request.POST.get(f"choice_{row.number}", ""), request.POST.get(f"assign_{row.number}", "")
            if row.status == CHOOSE and choice.isdigit():
                choices[row.number] = int(choice)
            elif row.status == UNMATCHED and assignee.isdigit():
                assigned[row.number] = int(assignee)
        if runs_in_background(path):
            job = job_enqueue(payment_import_task, kind="payment_import", label=f"党费交费名单导入：{org.name}", org=org,
                              user=request.user, path=str(path), org_id=org.pk, filename=filename,
                              method=request.POST.get("method", "微信"), choices=list(choices.items()),
                              assigned=list(assigned.items()), user_id=request.user.pk)
            return redirect("job_detail", pk=job.pk)
        try:
            outcome = payment_import_apply(plan, choices=choices, assigned=assigned, user=request.user)
        except (ValidationError, IntegrityError):
            messages.error(request, "另一次导入同时写入了相同的记录，本次没有写入任何数据，请重新上传后再确认")
            return redirect("dues_import")
        finally:
            path.unlink(missing_ok=True)
        log_access(request, AccessLog.Action.IMPORT, f"党费交费名单导入 {org}：入账{len(outcome.booked)}笔")
        messages.success(request, f"导入完成：入账{len(outcome.booked)}笔，未入账{outcome.batch.skipped}行")
        return render(request, "dues/import_done.html", {"outcome": outcome, "org": org, "plan": plan})
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token, path = stash_upload(upload)
        org = form.cleaned_data["org"]
        try:
            plan = payment_import_plan(path, org=org, members=Member.objects.visible_to(request.user),
                                       filename=upload.name, default_method=form.cleaned_data["method"])
        except TabularError as exc:
            path.unlink(missing_ok=True)
            form.add_error("file", str(exc))
        else:
            return render(request, "dues/import_preview.html", {
                "plan": plan, "token": token, "org": org, "filename": upload.name,
                "method": form.cleaned_data["method"]})
    return render(request, "dues/import.html", {"form": form})

