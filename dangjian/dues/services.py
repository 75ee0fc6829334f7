"""Writes: 核定 a base, grant a relief, record a payment, reverse an entry.

The ledger rule: a member's entries are numbered 1, 2, 3 … and (member, seq) is unique in the
database. A booking reads the member's state and the last number inside one transaction and
writes the next number; if another clerk booked for the same member in between, the insert
fails on the constraint and the booking is redone on the fresh state (where the month may now be
paid, which refuses it). On PostgreSQL the member row is also locked (SELECT … FOR UPDATE) so the
second clerk simply waits; on SQLite BEGIN IMMEDIATE (settings) serialises writers. Either way a
month is never paid twice and no payment is lost.

Payments are booked by `payments_record`, any number in one transaction with a fixed number of
queries (a payment list, dues/importing.py, a batch at a time); `payment_record` is the same with
one. A background import's entries are written hidden until its job commits (lib/staging.py); the
book a payment is booked on counts them already (book.Book `pending`), so a clerk cannot pay a month
an import is paying, and they hold their numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from dangjian.lib.bulk import insert_rows, table
from dangjian.members.models import Member

from . import paid
from .book import Book, MemberBook, add_months, month_label, month_of
from .choices import (
    BASE_CATEGORIES,
    AllocationKind,
    BaseMode,
    DuesCategory,
    EntryKind,
    EntrySource,
    Method,
    PaySchedule,
    ReliefKind,
)
from .models import DuesAllocation, DuesBase, DuesEntry, DuesImport, DuesProfile, DuesRelief, DuesSettings
from .rules import monthly_dues

ZERO = Decimal("0.00")
PREPAY_HORIZON = 12  # months ahead a payment may reach at all; the softer limit is a rule
SEQ_ATTEMPTS = 5
T = TypeVar("T")


def _author(obj, user) -> None:
    if user is not None and getattr(user, "pk", None):
        obj._history_user = user


# ---------------------------------------------------------------------------------------------
# Profile, base, relief.


def profile_for(member: Member) -> DuesProfile:
    profile, _ = DuesProfile.objects.get_or_create(member=member)
    return profile


@transaction.atomic
def profile_update(*, member: Member, pay_schedule: str, voluntary_extra: Decimal, note: str = "",
                   user=None) -> DuesProfile:
    if pay_schedule not in PaySchedule.values:
        raise ValidationError(f"交纳方式“{pay_schedule}”无效")
    profile = profile_for(member)
    profile.pay_schedule, profile.voluntary_extra, profile.note = pay_schedule, voluntary_extra, note
    _author(profile, user)
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def base_set(*, member: Member, effective_month: date, category: str, base: Decimal | None = None,
             fixed_amount: Decimal | None = None, document: str = "", note: str = "",
             calculation: dict | None = None, user=None) -> DuesBase:
    """核定 the member's dues from `effective_month` on (a second 核定 for the same month replaces it)."""
    month = month_of(effective_month)
    if category not in DuesCategory.values:
        raise ValidationError(f"党费类别“{category}”无效")
    rules = DuesSettings.objects.rulebook().for_org(member.org)
    if category in BASE_CATEGORIES:
        fixed_amount = None
    elif category in (DuesCategory.FARMER, DuesCategory.OTHER):
        base = None
    else:
        base = fixed_amount = None
    try:
        monthly_dues(category, base=base, fixed_amount=fixed_amount, rules=rules)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if member.joined_on and month < month_of(member.joined_on):
        raise ValidationError(f"起始月份{month_label(month)}早于入党（接收为预备党员）的月份{month_label(month_of(member.joined_on))}")
    earlier = DuesBase.objects.filter(member=member, effective_month__lt=month)
    if rules.value("base_mode") == BaseMode.ANNUAL and month.month != 1 and earlier.exists():
        raise ValidationError("本组织实行年初核定：交纳基数每年1月核定一次，年中不调整（首次核定除外）。"
                        "请把起始月份设为次年1月，或在党费规则中改为“随工资调整”")
    obj = DuesBase.objects.filter(member=member, effective_month=month).first() or DuesBase(member=member,
                                                                                         effective_month=month)
    obj.category, obj.base, obj.fixed_amount = category, base, fixed_amount
    obj.document, obj.note, obj.calculation = document, note, calculation or {}
    if obj.pk is None:
        obj.recorded_by = user if getattr(user, "pk", None) else None
    _author(obj, user)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def relief_grant(*, member: Member, kind: str, from_month: date, to_month: date | None = None,
                 monthly_amount: Decimal | None = None, reason: str, branch_decided_on: date, approved_by: str,
                 approval_document: str, approved_on: date, user=None) -> DuesRelief:
    """Record an approved 减交/免交: the branch's decision and the higher committee's approval."""
    first = month_of(from_month)
    last = month_of(to_month) if to_month else None
    if kind == ReliefKind.EXEMPT:
        monthly_amount = None
    elif monthly_amount is None:
        raise ValidationError("减交须填写减交后每月交纳的金额")
    for other in DuesRelief.objects.filter(member=member):
        if (other.to_month is None or first <= other.to_month) and (last is None or other.from_month <= last):
            raise ValidationError(f"与已登记的减免（{other}）时间重叠，请先结束原减免")
    relief = DuesRelief(member=member, kind=kind, from_month=first, to_month=last, monthly_amount=monthly_amount,
                        reason=reason, branch_decided_on=branch_decided_on, approved_by=approved_by,
                        approval_document=approval_document, approved_on=approved_on,
                        recorded_by=user if getattr(user, "pk", None) else None)
    _author(relief, user)
    relief.full_clean()
    relief.save()
    return relief


@transaction.atomic
def relief_end(*, relief: DuesRelief, to_month: date, user=None) -> DuesRelief:
    last = month_of(to_month)
    if last < relief.from_month:
        raise ValidationError("截止月份不能早于起始月份")
    relief.to_month = last
    _author(relief, user)
    relief.full_clean()
    relief.save()
    return relief


# ---------------------------------------------------------------------------------------------
# The ledger.


@dataclass
class Booked:
    entry: DuesEntry
    allocations: list[DuesAllocation]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Payment:
    """One payment to book (payments_record): `months` the months it pays, in order, or None for
    the oldest unpaid months first, then the coming ones; `extra` of `amount` is 自愿多交."""

    member: Member
    amount: Decimal
    paid_on: date
    method: str
    receipt_no: str = ""
    collected_by: str = ""
    months: Sequence[date] | None = None
    extra: Decimal = ZERO
    note: str = ""
    external_ref: str = ""
    form_token: str = ""


def _seq_conflict(exc: IntegrityError) -> bool:
    text = str(exc)
    return "dues_entry_seq_unique_per_member" in text or "dues_duesentry.seq" in text


def _with_seq_retry(book: Callable[[], T]) -> T:
    """Run a booking; redo it on fresh state when another booking took the member's next number."""
    for attempt in range(SEQ_ATTEMPTS):
        try:
            return book()
        except IntegrityError as exc:
            if "external_ref" in str(exc):
                raise ValidationError("该交易单号已入账，不能重复登记") from None
            if "form_token" in str(exc):
                raise ValidationError(RESUBMITTED) from None
            if not _seq_conflict(exc) or attempt == SEQ_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _lock_member(member: Member) -> None:
    # FOR UPDATE on PostgreSQL; a no-op on SQLite, where BEGIN IMMEDIATE already serialises writers.
    list(Member._base_manager.select_for_update().filter(pk=member.pk).values_list("pk"))


def _lock_members(members: dict[int, Member]) -> None:
    """Lock the members' rows (FOR UPDATE on PostgreSQL; on SQLite BEGIN IMMEDIATE already
    serialises writers) and read again, in the same query, what a booking takes from them."""
    for pk, org_id, joined_on, archived_on in (Member._base_manager.select_for_update().filter(pk__in=members)
                                               .order_by("pk").values_list("pk", "org_id", "joined_on", "archived_on")):
        member = members[pk]
        member.org_id, member.joined_on, member.archived_on = org_id, joined_on, archived_on


def _next_seq(member: Member) -> int:
    return _next_seqs([member.pk])[member.pk]


def _next_seqs(member_ids: Sequence[int]) -> dict[int, int]:
    """The next number of each member's ledger. Entries a background import is still writing (hidden)
    count too: they hold their numbers (an import that fails leaves a gap when purged)."""
    last = dict(DuesEntry._base_manager.filter(member_id__in=member_ids).values("member_id")
                .annotate(n=Max("seq")).order_by().values_list("member_id", "n"))
    return {pk: (last.get(pk) or 0) + 1 for pk in member_ids}


PENDING_IMPORT = "{name}{month}的党费正在由后台导入的交费名单入账，导入完成后即可看到，请勿重复登记"


def allocate(book: MemberBook, amount: Decimal, chosen: Sequence[date] | None, horizon: date) -> list[tuple[date, Decimal]]:
    """Which months `amount` pays, and how much each: the chosen months in order, or (None) the
    oldest unpaid months first, then the coming ones up to `horizon`. The last month may be paid
    in part. Raises ValidationError for a month that is not owed or already paid (or being paid
    by a running import, book.Line.pending), or an excess amount.
    """
    name = book.member.name
    if chosen:
        targets = []
        for month in chosen:
            line = book.line(month)
            if month > horizon:
                raise ValidationError(f"{month_label(month)}超出可预交的范围（{PREPAY_HORIZON}个月内）")
            if line is None:
                raise ValidationError(f"{month_label(month)}不是{name}在本组织的应交月份（入党前、转出后或台账起始前）")
            if line.due is None:
                raise ValidationError(f"{month_label(month)}未核定交纳基数，请先核定")
            if line.due == 0:
                raise ValidationError(f"{month_label(month)}经批准免交，无需交纳")
            if line.outstanding == 0:
                if line.paid - line.pending < line.due:
                    raise ValidationError(PENDING_IMPORT.format(name=name, month=month_label(month)))
                raise ValidationError(f"{name}{month_label(month)}的党费已交清，不能重复交纳")
            targets.append(line)
    else:
        targets = [ln for ln in book.lines if ln.outstanding > 0 and ln.month <= horizon]
    allocations: list[tuple[date, Decimal]] = []
    remaining = amount
    for line in targets:
        if remaining <= 0:
            break
        part = min(remaining, line.outstanding)
        allocations.append((line.month, part))
        remaining -= part
    if remaining > 0:
        owed = sum((ln.outstanding for ln in targets), ZERO)
        where = "所选月份" if chosen else f"至{month_label(horizon)}为止"
        raise ValidationError(f"金额{amount:.2f}元超过{where}尚欠的{owed:.2f}元，多出{remaining:.2f}元；"
                        "如属自愿多交，请填入“自愿多交”")
    return allocations


def payment_record(*, member: Member, amount: Decimal, paid_on: date, method: str, receipt_no: str = "",
                   collected_by: str = "", months: Sequence[date] | None = None, extra: Decimal = ZERO,
                   note: str = "", external_ref: str = "", source: str = EntrySource.MANUAL,
                   import_batch: DuesImport | None = None, user=None, today: date | None = None,
                   form_token: str = "") -> Booked:
    """Book one payment. `months`: the months it pays, in order (quarterly, prepaid, 补交); None pays
    the oldest unpaid months first, then the coming ones. `extra` of `amount` is 自愿多交.

    Raises ValidationError when a chosen month is already paid in full, not owed, or the amount exceeds
    what the months still owe (the excess must be declared as 自愿多交), and when `form_token` (the
    pay form's one-time token) already booked an entry: a double click or a resent form books once.
    """
    payment = Payment(member=member, amount=amount, paid_on=paid_on, method=method, receipt_no=receipt_no,
                      collected_by=collected_by, months=months, extra=extra, note=note, external_ref=external_ref,
                      form_token=form_token)
    [result] = payments_record([payment], source=source, import_batch=import_batch, user=user, today=today)
    if isinstance(result, ValidationError):
        raise result
    return result


def payments_record(payments: Sequence[Payment], *, source: str = EntrySource.MANUAL,
                    import_batch: DuesImport | None = None, import_job=None, user=None,
                    today: date | None = None) -> list[Booked | ValidationError]:
    """Book payments in one transaction with a fixed number of queries however many there are (the
    payment_record of each: the same checks, allocation and numbering, as if booked one after the
    other in this order). A payment refused gets its ValidationError in its place; the others are booked.
    Redone on fresh state when another writer took a member's next number or a 交易单号 meanwhile.

    `import_job` (a background import, dues/importing.py): the entries are written hidden, marked
    with the job, and not posted to the kept summary; the job's commit shows and posts them.
    """
    today = today or timezone.localdate()
    for attempt in range(SEQ_ATTEMPTS):
        try:
            return _payments_once(payments, source=source, import_batch=import_batch, import_job=import_job,
                                  user=user, today=today)
        except IntegrityError as exc:
            # Redone on fresh state, where the number is the next one and the 交易单号 or form token
            # booked meanwhile refuses that payment alone.
            if not (_seq_conflict(exc) or "external_ref" in str(exc) or "form_token" in str(exc)) \
                    or attempt == SEQ_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


RESUBMITTED = "这张表单已经提交过，交费已登记，没有重复登记"
ENTRY_FKS = ["member", "org", "import_batch", "reverses", "recorded_by", "import_job"]


def _checked(p: Payment, today: date) -> None:
    """What a payment must be, before anything is read."""
    if p.amount <= 0:
        raise ValidationError("交纳金额应大于0")
    if p.amount != p.amount.quantize(Decimal("0.01")):
        raise ValidationError(f"金额{p.amount}元超过两位小数（精确到分）")
    if not ZERO <= p.extra <= p.amount:
        raise ValidationError("自愿多交金额应在0与交纳金额之间")
    if p.paid_on > today:
        raise ValidationError(f"交纳日期{p.paid_on:%Y-%m-%d}晚于今天")
    if p.method not in Method.values:
        raise ValidationError(f"交纳方式“{p.method}”无效，可选：{'、'.join(Method.values)}")


@transaction.atomic
def _payments_once(payments: Sequence[Payment], *, source: str, import_batch: DuesImport | None, import_job,
                   user, today: date) -> list[Booked | ValidationError]:
    results: list[Booked | ValidationError | None] = [None] * len(payments)
    todo: list[int] = []
    for i, p in enumerate(payments):
        p.amount, p.extra = Decimal(p.amount), Decimal(p.extra or 0)
        p.external_ref, p.form_token = p.external_ref.strip(), p.form_token.strip()
        try:
            _checked(p, today)
        except ValidationError as exc:
            results[i] = exc
        else:
            todo.append(i)
    if not todo:
        return results  # type: ignore[return-value]
    members = {payments[i].member.pk: payments[i].member for i in todo}
    _lock_members(members)
    refs = {payments[i].external_ref for i in todo} - {""}
    taken_refs = set(DuesEntry._base_manager.filter(kind=EntryKind.PAYMENT, external_ref__in=refs)
                     .values_list("external_ref", flat=True)) if refs else set()
    tokens = {payments[i].form_token for i in todo} - {""}
    taken_tokens = set(DuesEntry._base_manager.filter(form_token__in=tokens)
                       .values_list("form_token", flat=True)) if tokens else set()
    firsts = dict(DuesBase.objects.filter(member_id__in=members).values("member_id")
                  .annotate(first=Min("effective_month")).order_by().values_list("member_id", "first"))
    current = month_of(today)
    horizon = add_months(current, PREPAY_HORIZON)
    chosen_of = {i: sorted(set(month_of(m) for m in payments[i].months)) if payments[i].months else None
                 for i in todo}
    start = min([firsts.get(payments[i].member.pk) or current for i in todo]
                + [c[0] for c in chosen_of.values() if c])
    last = max([horizon] + [c[-1] for c in chosen_of.values() if c])
    book = Book(list(members.values()), first=start, last=last, asof=today, pending=True, job=import_job)
    seqs = _next_seqs(list(members))
    recorded_by = user if getattr(user, "pk", None) else None

    written: list[tuple[int, DuesEntry, list[DuesAllocation], list[str]]] = []
    for i in todo:
        p = payments[i]
        try:
            entry, parts, warnings = _booking(p, book.books[p.member.pk], firsts.get(p.member.pk), chosen_of[i],
                                              taken_refs, taken_tokens, horizon, source=source,
                                              import_batch=import_batch, import_job=import_job,
                                              recorded_by=recorded_by)
        except ValidationError as exc:
            results[i] = exc
            continue
        entry.seq = seqs[p.member.pk]
        seqs[p.member.pk] += 1
        taken_refs.add(entry.external_ref)
        taken_tokens.add(entry.form_token)
        written.append((i, entry, parts, warnings))
    if not written:
        return results  # type: ignore[return-value]

    _insert_entries([e for _, e, _, _ in written], import_batch=import_batch)
    for _, entry, parts, _ in written:
        for a in parts:
            a.entry_id = entry.pk
    insert_rows(DuesAllocation, [{"entry_id": a.entry_id, "member_id": a.member_id, "month": a.month,
                                  "kind": a.kind, "amount": a.amount} for _, _, parts, _ in written for a in parts])
    if import_job is None:
        paid.post([e.pk for _, e, _, _ in written])
    for i, entry, parts, warnings in written:
        results[i] = Booked(entry, parts, warnings)
    return results  # type: ignore[return-value]


def _booking(p: Payment, book: MemberBook, first_base: date | None, chosen: list[date] | None,
             taken_refs: set[str], taken_tokens: set[str], horizon: date, *, source: str,
             import_batch: DuesImport | None, import_job, recorded_by) -> tuple[DuesEntry, list[DuesAllocation], list[str]]:
    """One payment on its member's book (read in bulk, holding the payments before it in memory):
    its entry and allocations, not yet written, and the warnings; the book's lines take it in."""
    member = p.member
    if p.external_ref and p.external_ref in taken_refs:
        raise ValidationError(f"交易单号{p.external_ref}已入账，不能重复登记")
    if p.form_token and p.form_token in taken_tokens:
        raise ValidationError(RESUBMITTED)
    dues_amount = p.amount - p.extra
    if first_base is None and dues_amount > 0:
        raise ValidationError(f"{member.name}尚未核定党费，请先核定交纳基数")
    rules = book.rules

    allocations = allocate(book, dues_amount, chosen, horizon)
    if not allocations and p.extra == 0:
        raise ValidationError("没有需要交纳的月份")
    targets = [book.line(m) for m in chosen] if chosen else []

    warnings = []
    paid_month = month_of(p.paid_on)
    back = [m for m, _ in allocations if m < paid_month]
    ahead = [m for m, _ in allocations if m > paid_month]
    if len(back) > rules.value("max_back_pay_months"):
        warnings.append(f"本次补交{len(back)}个月，超过一般不超过{rules.value('max_back_pay_months')}个月的做法"
                        f"（{rules['max_back_pay_months'].source}），请确认已经支部同意")
    if len(ahead) > rules.value("max_prepay_months"):
        warnings.append(f"本次预交{len(ahead)}个月，超过一般不超过{rules.value('max_prepay_months')}个月的做法"
                        f"（{rules['max_prepay_months'].source}）")
    paid_now = dict(allocations)
    short = [ln for ln in targets if paid_now.get(ln.month, ZERO) < ln.outstanding]
    if short:
        warnings.append("金额不足以交清所选月份，" + "、".join(month_label(ln.month) for ln in short) + "仍有欠交")
    if p.amount >= rules.value("remit_threshold"):
        warnings.append(f"单笔交纳{p.amount:,.2f}元（{rules['remit_threshold'].display}），按规定全额上缴"
                        f"（{rules['remit_threshold'].source}）")

    entry = DuesEntry(member=member, seq=0, org_id=member.org_id, kind=EntryKind.PAYMENT,
                      paid_on=p.paid_on, amount=p.amount, method=p.method, receipt_no=p.receipt_no.strip(),
                      collected_by=p.collected_by.strip(), external_ref=p.external_ref, form_token=p.form_token,
                      source=source, import_batch=import_batch, import_job=import_job, note=p.note.strip(),
                      recorded_by=recorded_by)
    # The fields (lengths, choices); the references and constraints are the database's, under the race too.
    entry.full_clean(exclude=ENTRY_FKS, validate_unique=False, validate_constraints=False)
    rows = [DuesAllocation(member=member, month=m, kind=AllocationKind.DUES, amount=part) for m, part in allocations]
    if p.extra > 0:
        extra_month = allocations[0][0] if allocations else paid_month
        rows.append(DuesAllocation(member=member, month=extra_month, kind=AllocationKind.EXTRA, amount=p.extra))
    for m, part in allocations:  # the member's next payment in this batch sees this one
        book.line(m).paid += part
    return entry, rows, warnings


def _insert_entries(entries: list[DuesEntry], *, import_batch: DuesImport | None) -> None:
    """Insert the entries in one statement (lib.bulk) and read back their ids by (member, seq).
    Only this transaction writes entries of these members now (their rows are locked; on SQLite
    one writer at a time), and of the import batch, so the new rows are the ones above the last id."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table(DuesEntry)}")
        after = cursor.fetchone()[0]
    now = timezone.now()
    insert_rows(DuesEntry, [{"member_id": e.member_id, "seq": e.seq, "org_id": e.org_id, "kind": e.kind,
                             "paid_on": e.paid_on, "amount": e.amount, "method": e.method, "receipt_no": e.receipt_no,
                             "collected_by": e.collected_by, "external_ref": e.external_ref,
                             "form_token": e.form_token, "source": e.source, "import_batch_id": e.import_batch_id,
                             "import_job_id": e.import_job_id, "note": e.note, "recorded_by_id": e.recorded_by_id}
                            for e in entries], {"recorded_at": now})
    new = DuesEntry._base_manager.filter(pk__gt=after)
    new = new.filter(import_batch=import_batch) if import_batch is not None else new.filter(
        member_id__in={e.member_id for e in entries})
    ids = {(m, s): pk for pk, m, s in new.values_list("pk", "member_id", "seq")}
    for e in entries:
        e.pk = e.id = ids[e.member_id, e.seq]
        e.recorded_at = now
        e._state.adding, e._state.db = False, connection.alias


def entry_reverse(*, entry: DuesEntry, reason: str, user=None, on: date | None = None) -> DuesEntry:
    """Cancel a payment with a reversal entry that mirrors it with minus amounts. Nothing is edited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("冲正必须写明原因")
    return _with_seq_retry(lambda: _reverse_once(entry=entry, reason=reason, user=user,
                                                 on=on or timezone.localdate()))


@transaction.atomic
def _reverse_once(*, entry: DuesEntry, reason: str, user, on: date) -> DuesEntry:
    _lock_member(entry.member)
    if entry.kind != EntryKind.PAYMENT:
        raise ValidationError("冲正记录不能再冲正")
    if DuesEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(f"第{entry.seq}笔已冲正，不能重复冲正")
    reversal = DuesEntry(member=entry.member, seq=_next_seq(entry.member), org=entry.org, kind=EntryKind.REVERSAL,
                         paid_on=on, amount=-entry.amount, method=entry.method, receipt_no=entry.receipt_no,
                         reverses=entry, reason=reason, note=f"冲正第{entry.seq}笔",
                         recorded_by=user if getattr(user, "pk", None) else None)
    reversal.full_clean(validate_constraints=False)
    reversal.save()
    DuesAllocation.objects.bulk_create(
        DuesAllocation(entry=reversal, member=entry.member, month=a.month, kind=a.kind,
                       amount=-a.amount)
        for a in entry.allocations.all()
    )
    paid.post([reversal.pk])
    return reversal


@transaction.atomic
def dues_settings_save(*, settings: DuesSettings, user=None) -> bool:
    """Save an organisation's dues rules; the history keeps who changed what. Unchanged → not written."""
    if settings.pk:
        before = DuesSettings.objects.get(pk=settings.pk)
        fields = [f.attname for f in DuesSettings._meta.concrete_fields]
        if all(getattr(before, f) == getattr(settings, f) for f in fields):
            return False
    settings.full_clean()
    _author(settings, user)
    settings.save()
    return True
