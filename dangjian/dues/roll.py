"""The dues roll of an org subtree: every member's months as runs of equal months.

`Book` builds one `Line` per member-month, which is what a member's statement and a booking need;
a street's year is ~60,000 of them (1.75–2.8 s). The figures only need sums, so this reads the
same records (the same rules: `book.owed_spans`, the 核定 in force, the first relief covering the
month, payments standing and made by the as-of date) in a fixed number of queries, with the
payments summed per member and month in SQL, and cuts each member's window into pieces — a run
of months in one organisation with one 核定, one relief and equal payments. The figures add up
the pieces (a piece of n months counts n times); `Line`s are made only for the months a page
shows. `dues/tests/test_roll.py` checks every figure against the `Book` walk on random ledgers.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db import connection
from django.db.models import F, QuerySet

from dangjian.members.models import Member, Membership
from dangjian.orgs.models import Org, OrgKind

from .book import Line, month_end, owed_spans, quarter_end
from .choices import AllocationKind, EntryKind, PaySchedule, ReliefKind
from .models import DuesBase, DuesProfile, DuesRelief
from .rules import Assessed, RuleBook, monthly_dues


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_from(day: date) -> int:
    """The index of the first month that starts on or after `day` (a date compared with month starts)."""
    return month_index(day) + (day.day > 1)


def month_at(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def cents(value: Decimal) -> int:
    return int(value * 100)


def money(value: int) -> Decimal:
    """Cents back to yuan with two places (Decimal("0.00") for 0, as the Book's sums)."""
    return Decimal(value).scaleb(-2)


@dataclass(slots=True)
class Piece:
    """Months first..last (indexes) of one member in one org, each owing `due` cents (None: no valid
    核定) and paid `paid` cents by the as-of date, `in_time` of it by the month's deadline."""

    first: int
    last: int
    org_id: int
    due: int | None
    paid: int
    in_time: int
    extra: int
    explanation: str
    citation: str
    relief: DuesRelief | None

    def line(self, index: int, quarterly: bool) -> Line:
        month = month_at(index)
        deadline = quarter_end(month) if quarterly else month_end(month)
        due = money(self.due) if self.due is not None else None
        if self.due is None:
            return Line(month, self.org_id, None, self.explanation, "", deadline)
        return Line(month, self.org_id, due, self.explanation, self.citation, deadline, self.relief,
                    paid=money(self.paid), paid_in_time=money(self.in_time), extra=money(self.extra))


def _month_sql() -> tuple[str, str, str]:
    """SQL for the allocation's month index, and whether its entry was paid by the month's end and by
    the quarter's end (each database its cheapest way)."""
    if connection.vendor == "sqlite":  # dates are stored as 'YYYY-MM-DD' text
        def index(column: str) -> str:
            return f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - 1)"
        paid, month = index("e.paid_on"), index("a.month")
        return month, f"{paid} <= {month}", f"{paid} / 3 <= {month} / 3"
    return ("(CAST(EXTRACT(YEAR FROM a.month) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM a.month) AS INTEGER) - 1)",
            "e.paid_on < date_trunc('month', a.month) + interval '1 month'",
            "e.paid_on < date_trunc('quarter', a.month) + interval '3 months'")


def _cents_sql(condition: str) -> str:
    # Each amount to whole cents first (SQLite keeps decimals as floats): integer sums, exact on both databases.
    return f"SUM(CASE WHEN {condition} THEN CAST(ROUND(a.amount * 100) AS INTEGER) ELSE 0 END)"


def paid_by_month(member_ids: QuerySet, first: date, last: date, asof: date) -> dict[int, list[tuple]]:
    """member id → [(member id, month index, dues paid, of it by the month's end, of it by the quarter's end,
    voluntary extra)] in cents, month by month: the standing payments made by `asof`."""
    ids_sql, ids_params = member_ids.query.sql_with_params()
    month, by_month_end, by_quarter_end = _month_sql()
    sql = f"""
        SELECT a.member_id, {month},
          {_cents_sql("a.kind = %s")},
          {_cents_sql(f"a.kind = %s AND {by_month_end}")},
          {_cents_sql(f"a.kind = %s AND {by_quarter_end}")},
          {_cents_sql("a.kind = %s")}
        FROM dues_duesallocation a INNER JOIN dues_duesentry e ON e.id = a.entry_id
        WHERE e.kind = %s AND NOT EXISTS (SELECT 1 FROM dues_duesentry r WHERE r.reverses_id = e.id)
          AND e.paid_on <= %s AND a.month >= %s AND a.month <= %s AND a.member_id IN ({ids_sql})
        GROUP BY a.member_id, a.month"""
    dues = AllocationKind.DUES
    params = [dues, dues, dues, AllocationKind.EXTRA, EntryKind.PAYMENT, asof, first, last, *ids_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rows.sort()
    return {mid: list(months) for mid, months in groupby(rows, itemgetter(0))}


def _runs(months: list[tuple], quarterly: bool) -> list[tuple[int, int, int, int, int]]:
    """Consecutive months with equal payments merged: [(first, last, paid, in time, extra)]."""
    runs: list[list[int]] = []
    for _, index, paid, by_month, by_quarter, extra in months:
        in_time = by_quarter if quarterly else by_month
        if runs:
            run = runs[-1]
            if run[1] == index - 1 and run[2] == paid and run[3] == in_time and run[4] == extra:
                run[1] = index
                continue
        runs.append([index, index, paid, in_time, extra])
    return [tuple(r) for r in runs]


class Roll:
    """Everything about `members` for months `first`..`last` as of `asof`, in a fixed number of queries."""

    def __init__(self, members: QuerySet, *, first: date, last: date, asof: date, rulebook: RuleBook):
        self.first, self.last, self.asof, self.rulebook = month_index(first), month_index(last), asof, rulebook
        ids_q = members.order_by().values("pk")
        self.members: dict[int, tuple[str, int]] = {
            pk: (pinyin, org_id) for pk, pinyin, org_id in members.order_by().values_list("pk", "name_pinyin", "org_id")}
        memberships: dict[int, list[tuple]] = defaultdict(list)
        for mid, start, end, org_id, reason in (
                Membership.objects.filter(member_id__in=ids_q)
                .order_by("member_id", F("started_on").asc(nulls_first=True))
                .values_list("member_id", "started_on", "ended_on", "org_id", "start_reason")):
            memberships[mid].append((start, end, org_id, reason))
        self.quarterly = set(DuesProfile.objects.filter(member_id__in=ids_q, pay_schedule=PaySchedule.QUARTERLY)
                             .values_list("member_id", flat=True))
        bases: dict[int, list[tuple]] = defaultdict(list)
        for row in (DuesBase.objects.filter(member_id__in=ids_q).order_by("member_id", "effective_month")
                    .values_list("member_id", "id", "effective_month", "category", "base", "fixed_amount")):
            bases[row[0]].append(row[1:])
        reliefs: dict[int, list[DuesRelief]] = defaultdict(list)
        for r in DuesRelief.objects.filter(member_id__in=ids_q).order_by("member_id", "from_month"):
            reliefs[r.member_id].append(r)
        paid = paid_by_month(ids_q, month_at(self.first), month_at(self.last), asof)

        org_ids = {o for ms in memberships.values() for _, _, o, _ in ms} | {o for _, o in self.members.values()}
        self.orgs: dict[int, Org] = {o.pk: o for o in Org.objects.filter(pk__in=org_ids)}
        parents = {o.parent_id for o in self.orgs.values() if o.kind == OrgKind.GROUP} - self.orgs.keys()
        if parents:
            self.orgs.update({o.pk: o for o in Org.objects.filter(pk__in=parents)})

        self._ledger_start: dict[int, int | None] = {}
        self._assessed: dict[tuple[int, int], Assessed | str] = {}
        self.pieces: dict[int, list[Piece]] = {
            mid: self._pieces(owed_spans(memberships.get(mid, ())), bases.get(mid, []), reliefs.get(mid, []),
                              _runs(paid.get(mid, []), mid in self.quarterly))
            for mid in self.members}

    def branch_of(self, org_id: int) -> Org | None:
        org = self.orgs.get(org_id)
        if org is not None and org.kind == OrgKind.GROUP and org.parent_id:
            return self.orgs.get(org.parent_id, org)
        return org

    def _rules_start(self, org_id: int) -> int | None:
        if org_id not in self._ledger_start:
            start = self.rulebook.for_org(self.orgs.get(org_id)).value("ledger_start")
            self._ledger_start[org_id] = month_index(start) if start else None
        return self._ledger_start[org_id]

    def _assess(self, base: tuple, org_id: int) -> Assessed | str:
        key = (base[0], org_id)
        if key not in self._assessed:
            _, _, category, amount, fixed = base
            try:
                self._assessed[key] = monthly_dues(category, base=amount, fixed_amount=fixed,
                                                   rules=self.rulebook.for_org(self.orgs.get(org_id)))
            except ValueError as exc:
                self._assessed[key] = str(exc)
        return self._assessed[key]

    def _pieces(self, spans, bases: list[tuple], reliefs: list[DuesRelief], runs: list[tuple]) -> list[Piece]:
        """The member's months in the order the Book makes its lines: span by span, month by month."""
        base_months = [month_from(b[1]) for b in bases]
        relief_bounds = [(month_from(r.from_month), month_index(r.to_month) if r.to_month else None, r)
                         for r in reliefs]
        cuts = sorted({*base_months, *(f for f, _, _ in relief_bounds),
                       *(t + 1 for _, t, _ in relief_bounds if t is not None)})
        run_ends = [r[1] for r in runs]
        pieces: list[Piece] = []
        for first, last, org_id in spans:
            a = self.first if first is None else max(self.first, month_index(first))
            b = self.last if last is None else min(self.last, month_index(last))
            start = self._rules_start(org_id)
            if start is not None:
                a = max(a, start)
            while a <= b:
                k = bisect.bisect_right(cuts, a)
                seg_end = min(b, cuts[k] - 1) if k < len(cuts) else b
                j = bisect.bisect_right(base_months, a) - 1
                if j < 0:
                    pieces.append(Piece(a, seg_end, org_id, None, 0, 0, 0, "未核定交纳基数", "", None))
                    a = seg_end + 1
                    continue
                assessed = self._assess(bases[j], org_id)
                if isinstance(assessed, str):
                    pieces.append(Piece(a, seg_end, org_id, None, 0, 0, 0, f"核定有误：{assessed}", "", None))
                    a = seg_end + 1
                    continue
                due, explanation, relief = cents(assessed.amount), assessed.explanation, None
                for r_first, r_last, r in relief_bounds:
                    if r_first <= a and (r_last is None or a <= r_last):
                        relief = r
                        if r.kind == ReliefKind.EXEMPT:
                            due, explanation = 0, f"经批准免交（{r.approval_document}）"
                        elif r.monthly_amount is not None and cents(r.monthly_amount) < due:
                            due, explanation = cents(r.monthly_amount), \
                                f"经批准减交为{r.monthly_amount:.2f}元（{r.approval_document}）"
                        break
                # Cut the segment where the payments change.
                i = bisect.bisect_left(run_ends, a)
                m = a
                while m <= seg_end:
                    if i < len(runs) and runs[i][0] <= m:
                        _, r_last, paid, in_time, extra = runs[i]
                        end = min(seg_end, r_last)
                        i += 1
                    else:
                        paid = in_time = extra = 0
                        end = min(seg_end, runs[i][0] - 1) if i < len(runs) else seg_end
                    pieces.append(Piece(m, end, org_id, due, paid, in_time, extra, explanation, assessed.citation,
                                        relief))
                    m = end + 1
                a = seg_end + 1
        return pieces

    def load_members(self, ids) -> dict[int, Member]:
        # The ID number and phone are encrypted; decrypting thousands of them would cost more than the rest.
        return Member.objects.filter(pk__in=list(ids)).select_related("org").defer("id_number", "phone").in_bulk()
