"""The dues book: for a set of members and a span of months, what each month owed and what paid it.

Nothing here is stored: the amount owed follows from the member's 核定 history, approved
reliefs and the rules in force, so a corrected base corrects every month it covers (a raise
after a prepayment shows the difference as owed). Everything is read in a fixed number of
queries whatever the number of members; the statement, the 应交 list, the 台账 and the
figures all read this one book.

Which months a member owes here (documented on the rules page):
- from the month of admission (预备党员 pay from the day the branch meeting admitted them,
  中组发〔2008〕3号), but only months covered by a 核定 (earlier months show as 未核定);
- a month belongs to the branch the member belonged to on the month's first day (their dated
  memberships, members.models.Membership), so a member who moves mid-month pays that month to
  the old branch; a member who transfers in (or is entered on the roster) mid-month owes from
  the next month, one who leaves (转出/去世/停止党籍/出党) mid-month still owes that month here;
  no month before the member belonged here or after they left is owed;
- a deployment may set a ledger start month (months before it are settled on paper).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, QuerySet, Sum

from dangjian.members.choices import Since
from dangjian.members.models import Member, Membership
from dangjian.orgs.models import Org, OrgKind

from .choices import AllocationKind, PaySchedule, ReliefKind
from .models import DuesAllocation, DuesAllocationQuerySet, DuesBase, DuesProfile, DuesRelief, DuesSettings
from .rules import Assessed, DuesRules, RuleBook, monthly_dues, to_cent

ZERO = Decimal("0.00")
STATE_LABELS = {"unassessed": "未核定", "exempt": "免交", "paid": "已交清", "partial": "部分交纳", "unpaid": "未交",
                "pending": "未到期"}


# ---------------------------------------------------------------------------------------------
# Months.


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from first to last inclusive (both first-of-month dates)."""
    out, m = [], month_of(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def month_end(month: date) -> date:
    return add_months(month_of(month), 1) - timedelta(days=1)


def quarter_end(month: date) -> date:
    return month_end(date(month.year, ((month.month - 1) // 3) * 3 + 3, 1))


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


# ---------------------------------------------------------------------------------------------
# On the roll: which months a member owes here — read from the member's dated memberships.


def owed_spans(memberships: Iterable[tuple[date | None, date | None, int, str]]
               ) -> list[tuple[date | None, date | None, int]]:
    """(first owed month, last owed month, org id) for each membership (start, end, org id, start
    reason); None means open-ended. A month belongs to the membership that covers its first day;
    the month of admission (入党) is owed too, from the day the branch meeting admitted them."""
    spans: list[tuple[date | None, date | None, int]] = []
    for start, end, org_id, reason in memberships:
        first = None
        if start is not None:
            first = month_of(start) if start.day == 1 or reason == Since.JOINED else add_months(month_of(start), 1)
        last = None
        if end is not None:
            last = month_of(end) if end.day > 1 else add_months(month_of(end), -1)
        if first is None or last is None or last >= first:
            spans.append((first, last, org_id))
    return spans


def _span_indexes(months: list[date], first: date | None, last: date | None) -> range:
    """Positions in the sorted `months` from first to last (None: unbounded)."""
    lo = 0 if first is None else bisect.bisect_left(months, first)
    hi = len(months) if last is None else bisect.bisect_right(months, last)
    return range(lo, hi)


# ---------------------------------------------------------------------------------------------
# One month of one member.


@dataclass(slots=True)
class Line:
    month: date
    org_id: int
    due: Decimal | None  # None: no 核定 covers this month
    explanation: str
    citation: str
    deadline: date
    relief: DuesRelief | None = None
    paid: Decimal = ZERO  # dues paid for this month (standing payments up to the as-of date)
    paid_in_time: Decimal = ZERO  # of which paid by the deadline
    extra: Decimal = ZERO  # voluntary extra booked to this month
    payments: list[tuple[date, Decimal]] = field(default_factory=list)
    pending: Decimal = ZERO  # of `paid`, what a running background import is booking (a writer's book only)

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.paid, ZERO) if self.due is not None else ZERO

    @property
    def in_full_on_time(self) -> bool:
        return self.due is not None and self.paid_in_time >= self.due

    @property
    def state(self) -> str:
        if self.due is None:
            return "unassessed"
        if self.due == 0:
            return "exempt"
        if self.paid >= self.due:
            return "paid"
        return "partial" if self.paid > 0 else "unpaid"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def is_due(self, asof: date) -> bool:
        """Past its deadline on `asof` (the deadline day itself counts: the books close at its end)."""
        return self.deadline <= asof

    def state_on(self, asof: date) -> str:
        """As `state`, except that a month not yet due and not paid in full is "pending" (未到期), never 未交."""
        state = self.state
        if state in ("unpaid", "partial") and not self.is_due(asof):
            return "pending"
        return state

    def state_label_on(self, asof: date) -> str:
        return STATE_LABELS[self.state_on(asof)]

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def paid_dates(self) -> list[date]:
        return sorted({d for d, _ in self.payments})


@dataclass
class MemberBook:
    member: Member
    profile: DuesProfile | None
    rules: DuesRules
    lines: list[Line]
    asof: date
    bases: list[DuesBase] = field(default_factory=list)
    reliefs: list[DuesRelief] = field(default_factory=list)

    def line(self, month: date) -> Line | None:
        return next((ln for ln in self.lines if ln.month == month), None)

    def overdue_lines(self, asof: date | None = None) -> list[Line]:
        """Months past their deadline and not paid in full: what is owed now."""
        return overdue_lines(self.lines, asof or self.asof)

    def owed_now(self, asof: date | None = None) -> Decimal:
        """What is owed now (months past their deadline); months not yet due are not owed yet."""
        return sum((ln.outstanding for ln in self.overdue_lines(asof)), ZERO)

    def streak(self, asof: date | None = None) -> int:
        """Consecutive months, up to the latest one past its deadline, with nothing paid."""
        asof = asof or self.asof
        count, expected = 0, None
        for ln in reversed(self.lines):
            if ln.deadline > asof:
                continue
            if expected is not None and ln.month != expected:
                break  # a gap in the roll (transferred out and back) ends the run
            if ln.due is None or ln.due == 0 or ln.paid > 0:
                break
            count += 1
            expected = add_months(ln.month, -1)
        return count


def overdue_lines(lines: Iterable[Line], asof: date) -> list[Line]:
    """The lines past their deadline on `asof` with something outstanding — the one definition of
    欠交 that the arrears list, the member's statement and the pay form's amount all use."""
    return [ln for ln in lines if ln.is_due(asof) and ln.outstanding > 0]


class Book:
    """Load everything for `members` and months `first`..`last` as of `asof` in a fixed number of queries.

    `pending` (the book a payment is booked on, services.payments_record): the months also count
    what running background payment imports have written but not yet shown (dues/importing.py) —
    `job`'s own entries as paid, other imports' as paid and `pending` — so that a month is never paid
    twice, by a clerk and an import, once the import commits. Pages and figures read only what is shown.
    """

    def __init__(self, members: QuerySet | Iterable[Member], *, first: date, last: date, asof: date,
                 rulebook: RuleBook | None = None, pending: bool = False, job=None):
        self.first, self.last, self.asof = month_of(first), month_of(last), asof
        self.pending, self.job_id = pending, getattr(job, "pk", None)
        self.rulebook = rulebook or DuesSettings.objects.rulebook()
        if isinstance(members, QuerySet):
            # The ID number and phone are encrypted; decrypting thousands of them would cost more than the rest.
            member_qs = members.select_related("org").defer("id_number", "phone")
            ids_q = members.values("pk")
        else:
            member_qs = list(members)
            ids_q = [m.pk for m in member_qs]
        self.members: list[Member] = list(member_qs)
        by_id = {m.pk: m for m in self.members}
        self._load(ids_q, by_id)

    def _load(self, ids_q, by_id: dict[int, Member]) -> None:
        memberships: dict[int, list[tuple[date | None, date | None, int, str]]] = defaultdict(list)
        for mid, start, end, org_id, reason in (
                Membership.objects.filter(member_id__in=ids_q)
                .order_by("member_id", F("started_on").asc(nulls_first=True))
                .values_list("member_id", "started_on", "ended_on", "org_id", "start_reason")):
            memberships[mid].append((start, end, org_id, reason))
        profiles = {p.member_id: p for p in DuesProfile.objects.filter(member_id__in=ids_q)}
        bases: dict[int, list[DuesBase]] = defaultdict(list)
        for b in DuesBase.objects.filter(member_id__in=ids_q).order_by("member_id", "effective_month"):
            bases[b.member_id].append(b)
        reliefs: dict[int, list[DuesRelief]] = defaultdict(list)
        for r in DuesRelief.objects.filter(member_id__in=ids_q).order_by("member_id", "from_month"):
            reliefs[r.member_id].append(r)
        paid: dict[int, dict[date, list[tuple[str, date, Decimal, bool]]]] = defaultdict(lambda: defaultdict(list))
        shown = DuesAllocation.objects.standing()
        parts = [(shown, None)]
        if self.pending:
            from dangjian.jobs.models import JobStatus

            written = DuesAllocationQuerySet(DuesAllocation).standing().filter(
                entry__import_job__status__in=(JobStatus.PENDING, JobStatus.RUNNING))
            parts.append((written, "entry__import_job_id"))
        for allocations, job in parts:
            for mid, month, kind, on, total, job_id in (
                    allocations.filter(member_id__in=ids_q, month__gte=self.first, month__lte=self.last)
                    .values("member_id", "month", "kind", "entry__paid_on", *([job] if job else []))
                    .annotate(total=Sum("amount")).order_by()
                    .values_list("member_id", "month", "kind", "entry__paid_on", "total", job or "kind")):
                # SQLite sums decimals as floats: bring each (small) sum back to the 分.
                pending = job is not None and job_id != self.job_id
                paid[mid][month].append((kind, on, to_cent(Decimal(total)), pending))

        org_ids = {o for ms in memberships.values() for _, _, o, _ in ms} | {m.org_id for m in by_id.values()}
        self.orgs: dict[int, Org] = {o.pk: o for o in Org.objects.filter(pk__in=org_ids)}
        parents = {o.parent_id for o in self.orgs.values() if o.kind == OrgKind.GROUP} - self.orgs.keys()
        if parents:
            self.orgs.update({o.pk: o for o in Org.objects.filter(pk__in=parents)})
        months = months_between(self.first, self.last)
        ends = {m: (month_end(m), quarter_end(m)) for m in months}
        rules_of: dict[int, DuesRules] = {}
        assessed_cache: dict[tuple[int, str], Assessed | str] = {}
        self.books: dict[int, MemberBook] = {}
        for mid, member in by_id.items():
            spans = owed_spans(memberships.get(mid, ()))
            member_bases = bases.get(mid, [])
            base_months = [b.effective_month for b in member_bases]
            member_reliefs = reliefs.get(mid, [])
            profile = profiles.get(mid)
            member_paid = paid.get(mid, {})
            quarterly = profile is not None and profile.pay_schedule == PaySchedule.QUARTERLY
            current_rules = self.rulebook.for_org(self.orgs.get(member.org_id, member.org))
            lines: list[Line] = []
            for k, org_id in ((k, org_id) for first, last, org_id in spans for k in _span_indexes(months, first, last)):
                month = months[k]
                rules = rules_of.get(org_id)
                if rules is None:
                    rules = rules_of[org_id] = self.rulebook.for_org(self.orgs.get(org_id, member.org))
                ledger_start = rules.value("ledger_start")
                if ledger_start and month < month_of(ledger_start):
                    continue
                deadline = ends[month][1] if quarterly else ends[month][0]
                j = bisect.bisect_right(base_months, month) - 1
                if j < 0:
                    lines.append(Line(month, org_id, None, "未核定交纳基数", "", deadline))
                    continue
                base = member_bases[j]
                key = (base.id, org_id)
                assessed = assessed_cache.get(key)
                if assessed is None:
                    try:
                        assessed = monthly_dues(base.category, base=base.base, fixed_amount=base.fixed_amount,
                                                rules=rules)
                    except ValueError as exc:
                        assessed = str(exc)
                    assessed_cache[key] = assessed
                if isinstance(assessed, str):
                    lines.append(Line(month, org_id, None, f"核定有误：{assessed}", "", deadline))
                    continue
                due, explanation, relief = assessed.amount, assessed.explanation, None
                for r in member_reliefs:
                    if r.covers(month):
                        relief = r
                        if r.kind == ReliefKind.EXEMPT:
                            due, explanation = ZERO, f"经批准免交（{r.approval_document}）"
                        elif r.monthly_amount is not None and r.monthly_amount < due:
                            due, explanation = r.monthly_amount, f"经批准减交为{r.monthly_amount:.2f}元（{r.approval_document}）"
                        break
                line = Line(month, org_id, due, explanation, assessed.citation, deadline, relief)
                for kind, on, total, pending in member_paid.get(month, ()):
                    if on > self.asof:
                        continue
                    if kind == AllocationKind.EXTRA:
                        line.extra += total
                        continue
                    line.paid += total
                    if pending:
                        line.pending += total
                    line.payments.append((on, total))
                    if on <= deadline:
                        line.paid_in_time += total
                lines.append(line)
            self.books[mid] = MemberBook(member, profile, current_rules, lines, self.asof, member_bases,
                                         member_reliefs)

    def branch_of(self, org_id: int) -> Org | None:
        org = self.orgs.get(org_id)
        if org is not None and org.kind == OrgKind.GROUP and org.parent_id:
            return self.orgs.get(org.parent_id, org)
        return org


def candidates(org: Org) -> QuerySet:
    """Members who belong, or ever belonged, to org's subtree (any of their memberships)."""
    return Member.objects.filter(Exists(Membership.objects.filter(member=OuterRef("pk"), org__path__startswith=org.path)))


def member_book(member: Member, *, asof: date, first: date | None = None, last: date | None = None) -> MemberBook:
    """One member's months from their first 核定 (or `first`) to `last` (default: asof's month).

    A member admitted shortly before their first 核定 also sees the months in between, as 未核定,
    so the gap gets noticed; for long-standing members those years are simply before the ledger.
    """
    first_base = DuesBase.objects.filter(member=member).order_by("effective_month").values_list(
        "effective_month", flat=True).first()
    start = first
    if start is None:
        start = first_base or month_of(asof)
        joined = month_of(member.joined_on) if member.joined_on else None
        if joined and joined < start and add_months(joined, 24) >= start:
            start = joined
    end = last or month_of(asof)
    return Book([member], first=start, last=max(end, start), asof=asof).books[member.pk]
