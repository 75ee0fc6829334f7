"""The recruitment board, a person's timeline, and the forms that record steps. Only record
keepers (街道/社区/党务) of the organisation's subtree see any of it; a 党员 account sees nothing."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.lib.periods import Period
from dangjian.lib.web import error_text, file_response
from dangjian.lib.workdays import WorkCalendar
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.members import transfers as member_transfers
from dangjian.members.models import Member, Transfer
from dangjian.orgs.models import Org, OrgKind
from dangjian.orgs.scoping import (
    get_org_for_user,
    get_visible_or_404,
    nearby,
    request_org,
    require_record_keeper,
    visible_orgs,
)

from . import services
from .board import board_for
from .choices import BY_CODE, NUMBERED, ONGOING, Stage
from .figures import in_period
from .forms import ApplicantForm, ReceiptForm, StepForm, TransferInForm, TransferOutForm
from .models import Applicant, RuleSetting
from .progress import done_codes, track
from .rules import RULE_NOTE
from .transfers import receipt_deadline


def _day(request):
    try:
        return date.fromisoformat(request.GET["on"])
    except (KeyError, ValueError):
        return None


@login_required
def board(request):
    """The board today, or as of a past day (`on`, the figures' links); with `period` and `list`,
    the people admitted (approval) or converted in that period."""
    org = request_org(request)
    today = timezone.localdate()
    on = _day(request)
    b = board_for(org, today, on=min(on, today) if on else None)
    listed, period = None, None
    if request.GET.get("list") in ("approval", "conversion_approval"):
        try:
            period = Period.parse(request.GET.get("period", ""))
        except ValueError:
            period = Period.of(today, "quarter")
        listed = in_period(org, period, request.GET["list"])
    return render(request, "recruitment/board.html", {
        "org": org, "board": b, "orgs": nearby(visible_orgs(request.user).exclude(kind=OrgKind.GROUP), org, request.user),
        "rule_note": RULE_NOTE, "stages": Stage, "is_past": b.today != today, "listed": listed, "period": period,
        "list_label": BY_CODE[request.GET["list"]].label if listed is not None else "",
    })


@login_required
def board_export(request):
    org = request_org(request)
    b = board_for(org, timezone.localdate())
    rows = []
    for t in b.tracks:
        a, due = t.applicant, t.next_due
        rows.append([a.org.name, a.name, a.get_stage_display(), f"{t.next_step.number}. {t.next_step.label}" if t.next_step else "",
                     due.label if due else "", due.due_on if due else None, "逾期" if t.overdue else "",
                     a.applied_on, a.activist_on, a.candidate_on, a.admitted_on, a.probation_ends_on])
    content = write_workbook([SheetSpec(title="发展党员", heading=f"{org.name}发展党员工作台账（{b.today:%Y-%m-%d}）",
                                        headers=["党支部", "姓名", "阶段", "下一步", "到期事项", "到期日", "逾期",
                                                 "递交申请书", "确定积极分子", "确定发展对象", "支部大会接收", "预备期满"],
                                        rows=rows)])
    return file_response(content, f"{org.name}发展党员台账.xlsx")


@login_required
def applicant_create(request):
    org = request_org(request)
    if org.kind != OrgKind.BRANCH:
        branches = visible_orgs(request.user).filter(kind=OrgKind.BRANCH, path__startswith=org.path)
    else:
        branches = [org]
    form = ApplicantForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        branch = get_org_for_user(request, request.POST.get("branch") or org.pk)
        d = form.cleaned_data
        try:
            applicant = services.applicant_create(org=branch, user=request.user, **d)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已登记{applicant.name}的入党申请")
            return redirect(applicant.get_absolute_url())
    return render(request, "recruitment/applicant_form.html", {"form": form, "org": org, "branches": branches,
                                                                "errors": errors})


def _timeline(applicant: Applicant) -> list[dict]:
    steps = list(applicant.steps.select_related("recorded_by"))
    by_code: dict[str, list] = {}
    for s in steps:
        by_code.setdefault(s.code, []).append(s)
    rows = []
    for d in NUMBERED:
        rows.append({"def": d, "steps": by_code.get(d.code, []), "ongoing": d.code in ONGOING,
                     "skipped": applicant.from_roster and d.number < 15})
    return rows


@login_required
def detail(request, pk):
    require_record_keeper(request.user)
    applicant = get_visible_or_404(Applicant.objects.select_related("org", "member"), request, pk)
    return _detail(request, applicant, StepForm(initial=_initial(applicant)), [])


def _initial(applicant: Applicant) -> dict:
    t = track(applicant, RuleSetting.objects.ruleset(), timezone.localdate())
    return {"code": t.next_step.code if t.next_step else "report", "done_on": timezone.localdate()}


def _detail(request, applicant, form, errors, status=200):
    today = timezone.localdate()
    t = track(applicant, RuleSetting.objects.ruleset(), today)
    entries = [s for s in applicant.steps.all() if not BY_CODE[s.code].number]
    facts = []
    if applicant.birth_date:
        facts.append(f"出生日期 {applicant.birth_date:%Y-%m-%d}")
    if applicant.masked_phone:
        facts.append(f"电话 {applicant.masked_phone}")
    if applicant.admitted_on:
        extended = f"（已延长{applicant.extended_months}个月）" if applicant.extended_months else ""
        facts.append(f"预备期 {applicant.admitted_on:%Y-%m-%d} — {applicant.probation_ends_on:%Y-%m-%d}{extended}")
    if applicant.member_id:
        facts.append("已列入党员名册")
    if applicant.from_roster:
        facts.append("据党员名册建档")
    return render(request, "recruitment/detail.html", {
        "a": applicant, "facts": facts, "track": t, "timeline": _timeline(applicant), "entries": entries, "form": form,
        "errors": errors, "done": done_codes(applicant), "today": today, "rule_note": RULE_NOTE,
    }, status=status)


@login_required
@require_POST
def step_add(request, pk):
    require_record_keeper(request.user)
    applicant = get_visible_or_404(Applicant.objects.select_related("org", "member"), request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _detail(request, applicant, form, [], status=422)
    d = dict(form.cleaned_data)
    code, done_on = d.pop("code"), d.pop("done_on")
    fields = {k: v for k, v in d.items() if v not in (None, "")}
    try:
        step = services.step_record(applicant=applicant, code=code, done_on=done_on, user=request.user, **fields)
    except ValidationError as exc:
        return _detail(request, applicant, form, exc.messages, status=422)
    messages.success(request, f"已登记“{step.label}”（{step.done_on:%Y-%m-%d}）")
    return redirect(applicant.get_absolute_url())


@login_required
@require_POST
def adopt(request, member_pk):
    require_record_keeper(request.user)
    member = get_visible_or_404(Member.objects.current(), request, member_pk)
    try:
        applicant = services.probationer_adopt(member=member, user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("recruit_board")
    return redirect(applicant.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# 组织关系转接


@login_required
def transfer_list(request):
    org = request_org(request)
    rules, calendar = RuleSetting.objects.ruleset(), WorkCalendar()
    today = timezone.localdate()
    rows = []
    for t in Transfer.objects.in_org(org).select_related("member", "org", "other_org").order_by("-on", "-pk")[:500]:
        deadline = receipt_deadline(t, rules, calendar) if t.direction == Transfer.Direction.OUT and not t.other_org_id else None
        rows.append({"t": t, "deadline": deadline, "late": bool(deadline and not t.receipt_on and deadline.day < today)})
    return render(request, "recruitment/transfer_list.html", {
        "org": org, "rows": rows, "orgs": nearby(visible_orgs(request.user).exclude(kind=OrgKind.GROUP), org, request.user), "today": today,
        "receipt_rule": rules["receipt_days"],
    })


def _unit_orgs():
    return Org.objects.filter(kind__in=(OrgKind.BRANCH, OrgKind.GROUP)).order_by("path")


@login_required
def transfer_out_create(request):
    org = request_org(request)
    members = Member.objects.visible_to(request.user).in_org(org).current().order_by("org__path", "name_pinyin")
    form = TransferOutForm(request.POST or None, members=members, orgs=_unit_orgs(),
                           initial={"member": request.GET.get("member")})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            t = member_transfers.transfer_out(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已登记{t.member.name}转往{t.place}")
            return redirect(reverse("transfer_list") + f"?org={org.pk}")
    return render(request, "recruitment/transfer_form.html", {"form": form, "org": org, "errors": errors,
                                                               "heading": "登记组织关系转出"})


@login_required
def transfer_in_create(request):
    org = request_org(request)
    orgs = visible_orgs(request.user).filter(kind__in=(OrgKind.BRANCH, OrgKind.GROUP), path__startswith=org.path)
    form = TransferInForm(request.POST or None, orgs=orgs)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = Member(name=d["name"], sex=d["sex"], birth_date=d["birth_date"], status=d["status"],
                        joined_on=d["joined_on"], confirmed_on=d["confirmed_on"], org=d["org"])
        try:
            t = member_transfers.transfer_in(member=member, org=d["org"], on=d["on"], letter_number=d["letter_number"],
                                             letter_date=d["letter_date"], from_place=d["from_place"], user=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已登记{t.member.name}自{t.place}转入")
            return redirect(reverse("transfer_list") + f"?org={org.pk}")
    return render(request, "recruitment/transfer_form.html", {"form": form, "org": org, "errors": errors,
                                                               "heading": "登记组织关系转入"})


@login_required
@require_POST
def transfer_receipt(request, pk):
    require_record_keeper(request.user)
    t = get_visible_or_404(Transfer.objects.select_related("member", "org"), request, pk, write=True)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写回执收到日期")
    else:
        try:
            member_transfers.transfer_receipt_record(transfer=t, on=form.cleaned_data["on"], user=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已登记{t.member.name}的回执")
    return redirect(reverse("transfer_list") + f"?org={t.org_id}")
