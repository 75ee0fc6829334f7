"""Demo dues: every current member assessed and paying from 2023-01 (or admission) to today.

Most pay monthly (in 和平社区) or, with the branch's consent, quarterly (more so in the generated
communities, which keeps the volume down); per community a few are in arrears — one at 3–5
consecutive unpaid months (预警), one at 6+ (告警) — a few prepay half a year, some pledge a
voluntary extra. 和平社区 also has an approved exemption, a reduction, a 补交 of old arrears, a
partial payment, a reversal and a single voluntary payment of 1000 元 (全额上缴).
Everything is written with bulk_create.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from dangjian.lib.bulk import bulk_create_copying_history, insert_rows, insert_tuples, table
from dangjian.members.choices import Status

from . import paid
from .book import add_months, month_of, months_between, quarter_end
from .choices import (
    FROM_MEMBER_CATEGORY,
    AllocationKind,
    DuesCategory,
    EntryKind,
    EntrySource,
    Method,
    PaySchedule,
    ReliefKind,
)
from .models import DuesAllocation, DuesBase, DuesEntry, DuesProfile, DuesRelief
from .rules import DEFAULT_RULES, monthly_dues

START = date(2023, 1, 1)
FLUSH_AT = 200_000  # entries held before they are written
METHODS = [Method.CASH] * 4 + [Method.WECHAT] * 4 + [Method.ALIPAY, Method.BANK]
BASE_RANGES = {
    DuesCategory.EMPLOYED: (2600, 12500),
    DuesCategory.ANNUAL_SALARY: (9000, 22000),
    DuesCategory.SELF_EMPLOYED: (2200, 8000),
    DuesCategory.RETIRED: (2400, 7200),
}


class _Ledger:
    """Collects entries and their allocations for one bulk write."""

    def __init__(self, recorded_by):
        self.entries: list[DuesEntry] = []
        self.parts: list[list[tuple[date, str, Decimal]]] = []
        self.seq: dict[int, int] = {}
        self.receipts = 0
        self.recorded_by = recorded_by

    def pay(self, member, on: date, parts: list[tuple[date, str, Decimal]], rng, *, collector: str,
            method: str | None = None, note: str = "") -> DuesEntry:
        self.seq[member.pk] = self.seq.get(member.pk, 0) + 1
        self.receipts += 1
        entry = DuesEntry(member=member, seq=self.seq[member.pk], org_id=member.org_id, kind=EntryKind.PAYMENT,
                          paid_on=on, amount=sum((p[2] for p in parts), Decimal("0")),
                          method=method or rng.choice(METHODS), receipt_no=f"{on.year}-{self.receipts:05d}",
                          collected_by=collector, source=EntrySource.DEMO, note=note, recorded_by=self.recorded_by)
        self.entries.append(entry)
        self.parts.append(parts)
        return entry

    def reverse(self, entry: DuesEntry, on: date, reason: str) -> None:
        member = entry.member
        self.seq[member.pk] += 1
        index = self.entries.index(entry)
        reversal = DuesEntry(member=member, seq=self.seq[member.pk], org_id=entry.org_id, kind=EntryKind.REVERSAL,
                             paid_on=on, amount=-entry.amount, method=entry.method, receipt_no=entry.receipt_no,
                             reverses=entry, reason=reason, note=f"冲正第{entry.seq}笔", source=EntrySource.DEMO,
                             recorded_by=self.recorded_by)
        self.entries.append(reversal)
        self.parts.append([(m, k, -a) for m, k, a in self.parts[index]])

    def write(self) -> None:
        """Insert the entries and their allocations with one executemany each (a district's ledger
        holds millions of rows), then start afresh for the next community."""
        if not self.entries:
            return
        now = timezone.now()
        # Reversals point at entries created in the same batch: write payments first.
        payments = [e for e in self.entries if e.kind == EntryKind.PAYMENT]
        self._insert(payments, now)
        reversals = [e for e in self.entries if e.kind == EntryKind.REVERSAL]
        for e in reversals:
            e.reverses_id = e.reverses.pk
        self._insert(reversals, now)
        month = connection.ops.adapt_datefield_value
        insert_tuples(DuesAllocation, ("entry_id", "member_id", "month", "kind", "amount"), [
            (e.pk, e.member_id, month(m), k, a) for e, parts in zip(self.entries, self.parts, strict=True) for m, k, a in parts])
        ids = [e.pk for e in self.entries]  # the summary the figures read, as the ledger service keeps it
        paid.post(between=(min(ids), max(ids)))
        self.entries, self.parts = [], []

    @staticmethod
    def _insert(entries: list[DuesEntry], now) -> None:
        if not entries:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table(DuesEntry)}")
            after = cursor.fetchone()[0]
        insert_rows(DuesEntry, [{"member_id": e.member_id, "seq": e.seq, "org_id": e.org_id, "kind": e.kind,
                                 "paid_on": e.paid_on, "amount": e.amount, "method": e.method, "receipt_no": e.receipt_no,
                                 "collected_by": e.collected_by, "source": e.source, "reverses_id": e.reverses_id,
                                 "reason": e.reason, "note": e.note, "recorded_by_id": e.recorded_by_id}
                                for e in entries], {"recorded_at": now})
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table(DuesEntry)} WHERE id > %s ORDER BY id", [after])
            for e, (pk,) in zip(entries, cursor.fetchall(), strict=True):
                e.pk = e.id = pk


def _base_for(rng, category: str) -> tuple[Decimal | None, Decimal | None]:
    if category in BASE_RANGES:
        low, high = BASE_RANGES[category]
        return Decimal(rng.randrange(low * 10, high * 10)) / 10, None
    if category == DuesCategory.FARMER:
        return None, rng.choice([Decimal("0.20"), Decimal("0.50"), Decimal("1.00")])
    if category == DuesCategory.OTHER:
        return None, Decimal("0.50")
    return None, None


def seed(ctx) -> None:
    rng = ctx.rng_for("dues")
    today = ctx.today
    current = month_of(today)
    worker = ctx.users.get("dangwu")
    profiles: list[DuesProfile] = []
    bases: list[DuesBase] = []
    reliefs: list[DuesRelief] = []
    ledger = _Ledger(worker)
    for demo in ctx.each_community():
        members = [m for m in demo.members if not m.archived_on]
        collectors = {b.pk: ctx.fake.name() for b in demo.branches}
        orgs = {o.pk: o for o in (*demo.branches, *demo.groups)}
        regular = [m for m in members if m.status == Status.FULL and not m.is_committee]
        rng.shuffle(regular)
        # Who is special in this community (each at most once).
        special = {}
        n = 0
        for role in (["warn", "alarm", "prepay", "prepay", "backpay", "partial"] if demo.detailed
                     else ["warn", "alarm", "prepay"] + (["warn"] if rng.random() < 0.5 else [])):
            if n < len(regular):
                special[regular[n].pk] = role
                n += 1
        exempt = reduce = big = mistaken = None
        if demo.detailed:
            hardship = [m for m in regular[n:] if m.in_hardship]
            exempt = hardship[0] if hardship else regular[n]
            reduce = next((m for m in regular[n:] if m.category == "离退休" and m is not exempt), None)
            big = next((m for m in regular[n:] if m.category == "离退休" and m not in (exempt, reduce)), None)
            mistaken = next((m for m in regular[n:] if m.category == "在职" and m not in (exempt, reduce, big)), None)
        for m in members:
            category = FROM_MEMBER_CATEGORY.get(m.category, DuesCategory.OTHER)
            first = max(START, month_of(m.joined_on)) if m.joined_on else START
            quarterly = rng.random() < (0.25 if demo.detailed else 0.8) and special.get(m.pk) is None
            extra = Decimal(rng.choice([5, 10, 20])) if rng.random() < 0.05 else Decimal("0")
            profiles.append(DuesProfile(member=m, pay_schedule=PaySchedule.QUARTERLY if quarterly else PaySchedule.MONTHLY,
                                        voluntary_extra=extra))
            base, fixed = _base_for(rng, category)
            note = "支部研究确定" if category == DuesCategory.OTHER else ""
            bases.append(DuesBase(member=m, effective_month=first, category=category, base=base, fixed_amount=fixed,
                                  document="年度核定", note=note, recorded_by=worker))
            raise_month = None
            if category == DuesCategory.EMPLOYED and rng.random() < 0.3 and first < date(2024, 7, 1):
                raise_month = date(2024, 7, 1)
                base2 = (base * Decimal("1.08")).quantize(Decimal("0.01"))
                bases.append(DuesBase(member=m, effective_month=raise_month, category=category, base=base2,
                                      document="工资调整（自发放新工资当月起）", recorded_by=worker))
            due_before = monthly_dues(category, base=base, fixed_amount=fixed, rules=DEFAULT_RULES).amount
            due_after = (monthly_dues(category, base=bases[-1].base, rules=DEFAULT_RULES).amount
                         if raise_month else due_before)
            relief = None
            if m is exempt:
                relief = DuesRelief(member=m, kind=ReliefKind.EXEMPT, from_month=date(2024, 1, 1),
                                    reason="长期患病，生活困难", branch_decided_on=date(2023, 12, 8),
                                    approved_by="新华街道党工委", approval_document="新华街党工〔2023〕45号",
                                    approved_on=date(2023, 12, 20), recorded_by=worker)
            elif m is reduce:
                relief = DuesRelief(member=m, kind=ReliefKind.REDUCE, monthly_amount=Decimal("1.00"),
                                    from_month=date(2025, 1, 1), reason="家庭变故，暂时困难",
                                    branch_decided_on=date(2024, 12, 10), approved_by="新华街道党工委",
                                    approval_document="新华街党工〔2024〕61号", approved_on=date(2024, 12, 18),
                                    recorded_by=worker)
            if relief is not None:
                reliefs.append(relief)
            owed = _schedule(due_before, due_after, raise_month, relief)
            role = special.get(m.pk)
            stop = None
            if role == "warn":
                stop = add_months(current, -rng.randint(3, 5))
            elif role == "alarm":
                stop = add_months(current, -rng.randint(6, 10))
            org = orgs.get(m.org_id)
            collector = collectors.get(org.parent_id if org is not None and org.kind == "group" else m.org_id, "")
            months = [mo for mo in months_between(first, current) if owed(mo) > 0]
            if stop is not None:
                months = [mo for mo in months if mo < stop]
            _pay_months(ledger, rng, m, months, owed, today, quarterly=quarterly, extra=extra, collector=collector,
                        role=role)
            if m is big:
                on = date(2025, 7, 1) if today >= date(2025, 7, 1) else today
                ledger.pay(m, on, [(month_of(on), AllocationKind.EXTRA, Decimal("1000.00"))], rng, collector=collector,
                           method=Method.BANK, note="七一自愿交纳")
            if m is mistaken:
                on = min(today, date(2024, 3, 12))
                wrong = ledger.pay(m, on, [(month_of(on), AllocationKind.EXTRA, Decimal("300.00"))], rng,
                                   collector=collector, note="误将工会会费记入")
                ledger.reverse(wrong, min(today, date(2024, 3, 14)), "误将工会会费记为党费，予以冲正")
        if len(ledger.entries) > FLUSH_AT:
            ledger.write()  # a district's ledger: written as it goes, not held whole in memory
    bulk_create_copying_history(DuesProfile, profiles)
    bulk_create_copying_history(DuesBase, bases)
    bulk_create_copying_history(DuesRelief, reliefs)
    ledger.write()


def _schedule(before: Decimal, after: Decimal, raise_month: date | None, relief: DuesRelief | None):
    """month → what the member owes for it (the raise and the relief applied)."""

    def owed(month: date) -> Decimal:
        amount = after if raise_month and month >= raise_month else before
        if relief is not None and relief.covers(month):
            return Decimal("0") if relief.kind == ReliefKind.EXEMPT else min(amount, relief.monthly_amount)
        return amount

    return owed


def _pay_months(ledger: _Ledger, rng, member, months: list[date], owed, today: date, *, quarterly: bool,
                extra: Decimal, collector: str, role: str | None) -> None:
    """Book the member's payments for `months` the way they pay, up to today."""
    current = month_of(today)
    if role == "backpay":
        # Missed three months in 2023, paid them all together in the autumn (补交).
        missed = [m for m in months if date(2023, 5, 1) <= m <= date(2023, 7, 1)]
        months = [m for m in months if m not in missed]
        if missed and today >= date(2023, 10, 16):
            ledger.pay(member, date(2023, 10, 16), [(m, AllocationKind.DUES, owed(m)) for m in missed], rng,
                       collector=collector, note="补交")
    if role == "prepay":
        # Pays half a year at once, in January and July.
        for first in months:
            if first.month not in (1, 7):
                continue
            half = [first] + [add_months(first, i) for i in range(1, 6)]
            on = date(first.year, first.month, rng.randint(3, 12))
            if on > today:
                continue
            ledger.pay(member, on, [(m, AllocationKind.DUES, owed(m)) for m in half if m in months or m > current],
                       rng, collector=collector, note="预交半年")
        return
    if quarterly:
        groups: dict[date, list[date]] = {}
        for m in months:
            groups.setdefault(quarter_end(m), []).append(m)
        for end, group in groups.items():
            on = date(end.year, end.month, rng.randint(10, 25))
            if on > today:
                continue
            parts = [(m, AllocationKind.DUES, owed(m)) for m in group]
            if extra:
                parts.append((group[0], AllocationKind.EXTRA, extra * len(group)))
            ledger.pay(member, on, parts, rng, collector=collector)
        return
    half_paid = add_months(current, -1) if role == "partial" else None
    for m in months:
        on = date(m.year, m.month, rng.randint(3, 25))
        if on > today:
            continue
        amount = owed(m)
        if m == half_paid:
            amount = (amount / 2).quantize(Decimal("0.01"))
        parts = [(m, AllocationKind.DUES, amount)]
        if extra:
            parts.append((m, AllocationKind.EXTRA, extra))
        ledger.pay(member, on, parts, rng, collector=collector)
        if m == half_paid:
            break
