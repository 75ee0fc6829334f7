"""Importing a payment list (a WeChat/Alipay/bank export or a hand-made sheet).

Each row is matched to a member by name and the tail (last 4–6 digits) of the ID number, and
shown in a preview — matched, needs a choice, not matched, duplicate, rejected — with the months
each payment would pay. A row not matched (paid from a relative's account, a name typed wrong)
can be given to any current member of the organisation by hand. Nothing is booked until the
clerk confirms; then the chosen rows are booked a batch at a time through services.payments_record,
each like a payment typed in by hand, and a row given by hand keeps the payer's name in its note.
A large file is booked by a worker, hidden until its job commits (payment_import_apply).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.lib.changes import records_changed
from dangjian.lib.idnumbers import validate_id
from dangjian.lib.periods import Period
from dangjian.lib.staging import BATCH, Pace, purge
from dangjian.lib.tabular import Column, RowError, read_table
from dangjian.lib.web import error_text
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import paid
from .book import Book, add_months, month_label, month_of
from .choices import EntryKind, EntrySource, Method
from .models import DuesAllocation, DuesBase, DuesEntry, DuesImport
from .services import PREPAY_HORIZON, Payment, allocate, payments_record

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("党员姓名", "交款人", "付款人", "付款方", "交易对方", "对方户名", "户名", "对方名称", "付款人姓名"),
           required=True),
    Column("id_tail", "身份证后四位", ("身份证后4位", "身份证后六位", "身份证后6位", "身份证尾号", "证件号后四位",
                                   "证件号后4位", "身份证号", "身份证号码", "公民身份号码", "证件号码")),
    Column("amount", "金额", ("交易金额", "收入金额", "收入", "党费金额", "实交金额", "交纳金额", "缴费金额", "交费金额"),
           required=True, kind="decimal"),
    Column("paid_on", "交纳日期", ("日期", "交易时间", "交易日期", "缴费日期", "交费日期", "交易创建时间", "入账时间",
                                "记账日期", "支付时间"), kind="date"),
    Column("method", "交纳方式", ("缴费方式", "交费方式", "支付渠道")),
    Column("ref", "交易单号", ("流水号", "交易流水号", "交易号", "订单号", "银行流水号", "凭证号")),
    Column("months", "所属月份", ("党费月份", "交纳月份", "缴费月份", "月份")),
    Column("direction", "收/支", ("收支", "收支类型")),
    Column("receipt_no", "收据号", ("票据号", "收据编号")),
    Column("note", "备注", ("附言", "摘要", "用途")),
)
HEADER = {c.field: c.header for c in COLUMNS}
BLANK = {"", "/", "-", "—", "无"}
METHOD_WORDS = {"现金": Method.CASH, "微信": Method.WECHAT, "微信支付": Method.WECHAT, "支付宝": Method.ALIPAY,
                "银行": Method.BANK, "银行转账": Method.BANK, "转账": Method.BANK, "网银": Method.BANK}

MATCHED, CHOOSE, UNMATCHED, DUPLICATE, REJECTED, SKIPPED = "matched", "choose", "unmatched", "duplicate", "rejected", "skipped"
STATUS_LABELS = {MATCHED: "已匹配", CHOOSE: "需确认", UNMATCHED: "未匹配", DUPLICATE: "重复", REJECTED: "有误",
                 SKIPPED: "跳过"}


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text in BLANK else text


def parse_tail(value) -> str:
    """Last 4–6 characters of an ID number, or a whole ID — 18 characters, or 15 digits issued
    before 1999, upgraded as lib.idnumbers does — of which the last 6 are kept."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 15-digit ID in a number cell is exact (18 digits are not: refused below)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(value))).upper().lstrip("*")
    text = text.replace("*", "")
    if not text:
        return ""
    if not re.fullmatch(r"\d{3,17}[\dX]", text):
        raise ValueError(f"身份证尾号“{value}”应为4—6位数字（最后一位可为X）")
    if len(text) in (15, 18):
        try:
            return validate_id(text)[-6:]
        except ValueError as exc:
            raise ValueError(f"身份证号“{value}”无效：{exc}") from None
    if not 4 <= len(text) <= 6:
        raise ValueError(f"身份证尾号“{value}”应为4—6位（现为{len(text)}位）")
    return text


# A payer often writes the tail in the transfer note: "身份证后四位1234", "尾号12345X".
_NOTE_TAIL = re.compile(r"(?:尾号|后[四六46]位|身份证)\D{0,4}([0-9]{3,5}[0-9Xx])(?![0-9])")
_MONTH = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?"


def parse_months(value) -> list[date]:
    """`2023-07`, `2023年7月`, `2023-07至2023-09`, `2023年7-9月`, `2023Q3` → the months, in order."""
    text = unicodedata.normalize("NFKC", _text(value)).replace(" ", "")
    if not text:
        return []
    m = re.fullmatch(rf"{_MONTH}(?:至|到|-|~|—)+{_MONTH}", text)
    if m:
        first, last = date(int(m[1]), int(m[2]), 1), date(int(m[3]), int(m[4]), 1)
    elif m := re.fullmatch(r"(\d{4})年(\d{1,2})(?:至|到|-|~|—)+(\d{1,2})月", text):
        first, last = date(int(m[1]), int(m[2]), 1), date(int(m[1]), int(m[3]), 1)
    elif m := re.fullmatch(_MONTH, text):
        first = last = date(int(m[1]), int(m[2]), 1)
    else:
        try:
            period = Period.parse(text)
        except ValueError:
            raise ValueError(f"所属月份“{value}”无法识别，应写成 2023-07、2023-07至2023-09 或 2023Q3") from None
        first, last = period.first_day, month_of(period.last_day)
    if last < first:
        raise ValueError(f"所属月份“{value}”的截止月份早于起始月份")
    months, m_ = [], first
    while m_ <= last:
        months.append(m_)
        m_ = add_months(m_, 1)
    return months


def _normal_name(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def _id_digits(member: Member) -> str:
    return (member.id_number or "").upper()


@dataclass
class PlanRow:
    number: int
    name: str
    amount: Decimal
    paid_on: date | None
    tail: str = ""
    method: str = ""
    ref: str = ""
    months: list[date] = field(default_factory=list)
    receipt_no: str = ""
    note: str = ""
    status: str = UNMATCHED
    reason: str = ""
    member: Member | None = None
    candidates: list[Member] = field(default_factory=list)
    allocation: str = ""  # the months this payment would pay (preview)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def months_label(self) -> str:
        if not self.months:
            return ""
        if len(self.months) == 1:
            return month_label(self.months[0])
        return f"{month_label(self.months[0])}至{month_label(self.months[-1])}"


@dataclass
class PaymentImportPlan:
    org: Org
    filename: str
    default_method: str
    rows: list[PlanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The current members (in scope) an unmatched row may be given to by hand; empty when no row is unmatched.
    assignable: list[Member] = field(default_factory=list)

    def by_status(self, status: str) -> list[PlanRow]:
        return [r for r in self.rows if r.status == status]

    @property
    def counts(self) -> dict[str, int]:
        return {s: len(self.by_status(s)) for s in STATUS_LABELS} | {REJECTED: len(self.by_status(REJECTED))
                                                                       + len({e.row for e in self.errors})}

    @property
    def matched_amount(self) -> Decimal:
        return sum((r.amount for r in self.by_status(MATCHED)), Decimal("0.00"))

    def as_json(self) -> dict:
        return {"counts": self.counts, "matched_amount": str(self.matched_amount),
                "rows": [{"row": r.number, "name": r.name, "amount": str(r.amount), "status": r.status,
                          "reason": r.reason, "member_id": r.member.pk if r.member else None} for r in self.rows],
                "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors]}


def payment_import_plan(source, *, org: Org, members, filename: str | None = None,
                        default_method: str = Method.WECHAT, today: date | None = None) -> PaymentImportPlan:
    """Read a payment list and decide, row by row, who paid and which months it would pay.

    `members`: the Member queryset the clerk may book for (already scoped). Raises
    lib.tabular.TabularError for a file that cannot be read at all.
    """
    today = today or timezone.localdate()
    plan = PaymentImportPlan(org=org, filename=filename or "", default_method=default_method)
    for item in read_table(source, COLUMNS, filename=filename):
        if isinstance(item, list):
            plan.errors.extend(item)
            continue
        row = _plan_row(item, default_method, plan.errors)
        if row is not None:
            plan.rows.append(row)
    in_org = list(members.in_org(org).select_related("org"))
    _match(plan, in_org)
    _mark_duplicates(plan)
    if plan.by_status(UNMATCHED):
        plan.assignable = [m for m in in_org if m.archived_on is None]
    _preview_allocations(plan, today)
    return plan


def _plan_row(item, default_method: str, errors: list[RowError]) -> PlanRow | None:
    v = item.values
    if "支" in _text(v.get("direction")) and "收" not in _text(v.get("direction")):
        return PlanRow(item.number, _normal_name(_text(v["name"])), v["amount"], v.get("paid_on"), status=SKIPPED,
                       reason="支出，不是交费")
    problems = []
    row = PlanRow(item.number, _normal_name(_text(v["name"])), v["amount"], v.get("paid_on"),
                  ref=_text(v.get("ref")), receipt_no=_text(v.get("receipt_no")), note=_text(v.get("note"))[:200])
    for key, parse, attr in (("id_tail", parse_tail, "tail"), ("months", parse_months, "months")):
        try:
            setattr(row, attr, parse(v.get(key)))
        except ValueError as exc:
            problems.append(RowError(item.number, HEADER[key], str(exc)))
    if not row.tail and (hint := _NOTE_TAIL.search(unicodedata.normalize("NFKC", row.note))):
        row.tail = hint.group(1).upper()
    method = _text(v.get("method"))
    row.method = METHOD_WORDS.get(method, default_method) if method else default_method
    if method and method not in METHOD_WORDS:
        problems.append(RowError(item.number, HEADER["method"], f"交纳方式“{method}”无法识别，可填：现金、微信、支付宝、银行转账"))
    if row.amount is not None and (row.amount <= 0 or row.amount != row.amount.quantize(Decimal("0.01"))):
        problems.append(RowError(item.number, HEADER["amount"], f"金额“{row.amount}”应为大于0、精确到分的数"))
    if row.paid_on is None:
        problems.append(RowError(item.number, HEADER["paid_on"], "缺少交纳日期"))
    if problems:
        errors.extend(problems)
        return None
    return row


def _match(plan: PaymentImportPlan, members) -> None:
    by_name: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        by_name[_normal_name(m.name)].append(m)
    for row in plan.rows:
        if row.status == SKIPPED:
            continue
        named = by_name.get(row.name, [])
        if not named:
            row.status, row.reason = UNMATCHED, f"“{row.name}”不在{plan.org.name}的名册中"
            continue
        if row.tail:
            hits = [m for m in named if _id_digits(m).endswith(row.tail)]
            if len(hits) == 1:
                row.status, row.member = MATCHED, hits[0]
            elif not hits:
                row.status, row.reason = UNMATCHED, f"名册中有“{row.name}”，但身份证尾号不是{row.tail}"
            else:
                row.status, row.candidates = CHOOSE, hits
                row.reason = f"有{len(hits)}名“{row.name}”的身份证尾号都是{row.tail}，请选择"
        else:
            row.status, row.candidates = CHOOSE, named
            row.reason = ("仅凭姓名匹配，文件中没有身份证尾号，请核对后确认" if len(named) == 1
                          else f"名册中有{len(named)}名“{row.name}”，文件中没有身份证尾号，请选择")


def _mark_duplicates(plan: PaymentImportPlan) -> None:
    refs = [r.ref for r in plan.rows if r.ref]
    booked = set(DuesEntry.objects.filter(kind=EntryKind.PAYMENT, external_ref__in=refs)
                 .values_list("external_ref", flat=True)) if refs else set()
    seen: dict[str, int] = {}
    for row in plan.rows:
        if not row.ref or row.status == SKIPPED:
            continue
        if row.ref in booked:
            row.status, row.reason = DUPLICATE, f"交易单号{row.ref}已入账"
        elif row.ref in seen:
            row.status, row.reason = DUPLICATE, f"与第{seen[row.ref]}行的交易单号相同"
        else:
            seen[row.ref] = row.number


def _preview_allocations(plan: PaymentImportPlan, today: date) -> None:
    """Which months each matched payment would pay, rows of one member taken in file order."""
    rows = [r for r in plan.rows if r.status == MATCHED]
    if not rows:
        return
    members = {r.member.pk: r.member for r in rows}
    firsts = dict(DuesBase.objects.filter(member_id__in=members).order_by("member_id", "-effective_month")
                  .values_list("member_id", "effective_month"))
    start = min(list(firsts.values()) + [m for r in rows for m in r.months] or [month_of(today)])
    horizon = add_months(month_of(today), PREPAY_HORIZON)
    book = Book(list(members.values()), first=start, last=horizon, asof=today)
    for row in rows:
        mbook = book.books[row.member.pk]
        if row.member.pk not in firsts:
            row.status, row.reason = REJECTED, f"{row.member.name}尚未核定党费，请先核定交纳基数"
            continue
        try:
            parts = allocate(mbook, row.amount, row.months or None, horizon)
        except ValidationError as exc:
            row.status, row.reason = REJECTED, error_text(exc)
            continue
        for month, part in parts:
            line = mbook.line(month)
            line.paid += part  # the member's next row in the file sees this one as paid
        row.allocation = "、".join(f"{month_label(m)} {p:.2f}元" for m, p in parts)


@dataclass
class ImportOutcome:
    batch: DuesImport
    booked: list[PlanRow] = field(default_factory=list)
    failed: list[tuple[PlanRow, str]] = field(default_factory=list)


def payment_import_apply(plan: PaymentImportPlan, *, choices: dict[int, int], assigned: dict[int, int] | None = None,
                         user=None, today: date | None = None, job=None) -> ImportOutcome:
    """Book the matched rows, the rows needing a choice for which the clerk chose one of the
    candidates, and the unmatched rows the clerk gave to a member (`assigned`: row → member id,
    which must be one of plan.assignable; any other id is ignored).

    The rows are booked a batch at a time (services.payments_record: one short transaction with a
    fixed number of queries, about BATCH_SECONDS each, lib.staging.Pace), each row as
    payment_record would book it after the rows before it: a row refused at booking time (a month
    paid meanwhile, a 交易单号 booked meanwhile) is reported with its reason, the others are booked.

    Without a job (a small file, in the request) each batch shows when it commits. With a background
    job (jobs.Job, tasks.payment_import) the entries are written hidden, marked with the job, and
    kept out of the dues summary until the commit (`_commit`): the job marked done and the entries
    posted to the summary in one transaction, so every page sees all of them at once or none. A
    failed or killed import leaves nothing anyone sees; the next payment import purges it.
    """
    today = today or timezone.localdate()
    if job is not None:
        purge_failed_imports()
    assigned = assigned or {}
    assignable = {m.pk: m for m in plan.assignable}
    batch = DuesImport.objects.create(org=plan.org, filename=plan.filename[:200], import_job=job,
                                      imported_by=user if getattr(user, "pk", None) else None)
    outcome = ImportOutcome(batch)
    collector = (user.get_full_name() or user.username) if getattr(user, "pk", None) else ""
    todo: list[tuple[PlanRow, Payment]] = []
    for row in plan.rows:
        member = row.member if row.status == MATCHED else None
        note = row.note or f"导入：{plan.filename}"
        if row.status == CHOOSE and row.number in choices:
            member = next((m for m in row.candidates if m.pk == choices[row.number]), None)
        elif row.status == UNMATCHED and row.number in assigned:
            member = assignable.get(assigned[row.number])
            note = f"付款人：{row.name}（手工指定）；{note}"
        if member is None:
            continue
        row.member = member
        todo.append((row, Payment(member=member, amount=row.amount, paid_on=row.paid_on, method=row.method,
                                  receipt_no=row.receipt_no, collected_by=collector, months=row.months or None,
                                  note=note[:200], external_ref=row.ref)))
    postings: list[tuple] = []  # the summary rows of the hidden entries, posted at the commit
    done, pace = 0, Pace(first=min(100, BATCH), most=BATCH)
    while done < len(todo):
        part = todo[done:done + pace.size]
        with pace.batch(len(part)):
            results = payments_record([p for _, p in part], source=EntrySource.IMPORT, import_batch=batch,
                                      import_job=job, user=user, today=today)
        for (row, _), result in zip(part, results, strict=True):
            if isinstance(result, ValidationError):
                outcome.failed.append((row, error_text(result)))
            else:
                outcome.booked.append(row)
                if job is not None:
                    postings.extend(paid.posting(result.entry.pk, a.member_id, a.month, a.kind, a.amount,
                                                 result.entry.paid_on) for a in result.allocations)
        done += len(part)
        if job is not None:
            job.report(done, len(todo))
    batch.booked = len(outcome.booked)
    batch.skipped = len(plan.rows) + len({e.row for e in plan.errors}) - len(outcome.booked)
    if job is None:
        batch.save(update_fields=["booked", "skipped"])
    else:
        _commit(job, batch, postings)
    return outcome


def _commit(job, batch: DuesImport, postings: list[tuple]) -> None:
    """The commit of a background import, one transaction: its job marked done (which shows the
    batch and every entry it wrote) and those entries posted to the kept summary (dues/paid.py;
    `postings`: their rows, made as the entries were booked, so the commit reads nothing back)."""
    from dangjian.jobs.models import FINISHED, Job, JobStatus

    with transaction.atomic():
        if not Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED).update(status=JobStatus.DONE):
            raise RuntimeError("导入任务已被标记为结束，本次导入没有生效")
        batch.save(update_fields=["booked", "skipped"])
        paid.post_rows(postings)
        records_changed.send(__name__, org=job.org)
    job.status = JobStatus.DONE


def purge_failed_imports() -> int:
    """Delete, a batch at a time, what failed background payment imports wrote and no one saw:
    their entries with the allocations (never posted to the summary), and their import batches."""
    purged = purge(DuesAllocation, DuesAllocation._base_manager.filter(entry__import_job__status="failed"))
    purged += purge(DuesEntry, DuesEntry._base_manager.filter(import_job__status="failed"))
    return purged + purge(DuesImport, DuesImport._base_manager.filter(import_job__status="failed"))
