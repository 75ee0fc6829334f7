"""The dues roll of an org subtree: every member's months as runs of equal months.

`Book` builds one `Line` per member-month, which is what a member's statement and a booking need;
a street's year is ~60,000 of them (1.75–2.8 s). The figures only need sums, so this reads the
same records (the same rules: `book.owed_spans`, the 核定 in force, the first relief covering the
month, payments standing and made by the as-of date) in a fixed number of queries, with the
payments read as the runs of equal months the ledger service keeps (dues/paid.py, a few rows a
member instead of one a month), and cuts each member's window into pieces — a run of months in one
organisation with one 核定, one relief and equal payments. The figures add up
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
from .choices import PaySchedule, ReliefKind
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
    why: str | Assessed  # the explanation, or the 核定 that writes it when read
    citation: str
    relief: DuesRelief | None

    @property
    def explanation(self) -> str:
        return self.why if isinstance(self.why, str) else self.why.explanation

    def line(self, index: int, quarterly: bool) -> Line:
        month = month_at(index)
        deadline = quarter_end(month) if quarterly else month_end(month)
        due = money(self.due) if self.due is not None else None
        if self.due is None:
            return Line(month, self.org_id, None, self.explanation, "", deadline)
        return Line(month, self.org_id, due, self.explanation, self.citation, deadline, self.relief,
                    paid=money(self.paid), paid_in_time=money(self.in_time), extra=money(self.extra))


def paid_runs(member_ids: QuerySet, first: int, last: int, asof: date, quarterly: set[int]) -> dict[int, list[tuple]]:
    """member id → [(first, last, paid, of it in time, extra)] in cents, runs of equal months within
    months first..last (indexes): the standing payments made by `asof`, in time by the month's end or,
    for the members in `quarterly`, by the quarter's end. The runs the ledger service keeps
    (dues/paid.py), less the postings dated after `asof`."""
    ids_sql, ids_params = member_ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT r.member_id, r.first, r.last, r.paid, r.in_time, r.extra
            FROM dues_duespaidrun r LEFT JOIN dues_duesprofile p ON p.member_id = r.member_id
            WHERE r.member_id IN ({ids_sql}) AND r.last >= %s AND r.first <= %s
              AND r.quarterly = (COALESCE(p.pay_schedule, %s) = %s)
            ORDER BY r.member_id, r.first""", [*ids_params, first, last, PaySchedule.MONTHLY, PaySchedule.QUARTERLY])
        kept = cursor.fetchall()
        cursor.execute(f"""
            SELECT s.member_id, s.month, CAST(SUM(s.dues) AS BIGINT),
              CAST(SUM(CASE WHEN s.by_month THEN s.dues ELSE 0 END) AS BIGINT),
              CAST(SUM(CASE WHEN s.by_quarter THEN s.dues ELSE 0 END) AS BIGINT), CAST(SUM(s.extra) AS BIGINT)
            FROM dues_duesposting s
            WHERE s.paid_on > %s AND s.month >= %s AND s.month <= %s AND s.member_id IN ({ids_sql})
            GROUP BY s.member_id, s.month""", [asof, first, last, *ids_params])
        later = cursor.fetchall()
    runs: dict[int, list[tuple]] = {}
    for mid, rows in groupby(kept, itemgetter(0)):
        runs[mid] = [(max(a, first), min(b, last), paid, in_time, extra) for _, a, b, paid, in_time, extra in rows]
    if not later:
        return runs
    minus: dict[int, dict[int, tuple]] = defaultdict(dict)
    for mid, month, paid, by_month, by_quarter, extra in later:
        minus[mid][month] = (paid, by_quarter if mid in quarterly else by_month, extra)
    for mid, months_minus in minus.items():
        months = {m: [paid, in_time, extra] for a, b, paid, in_time, extra in runs.get(mid, ())
                  for m in range(a, b + 1)}
        for m, (paid, in_time, extra) in months_minus.items():
            v = months.setdefault(m, [0, 0, 0])
            v[0], v[1], v[2] = v[0] - paid, v[1] - in_time, v[2] - extra
        merged: list[list[int]] = []
        for m in sorted(months):
            values = months[m]
            if not any(values):
                continue
            if merged and merged[-1][1] == m - 1 and merged[-1][2:] == values:
                merged[-1][1] = m
            else:
                merged.append([m, m, *values])
        runs[mid] = [tuple(r) for r in merged]
    return runs


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
        for mid, *row in (DuesBase.objects.filter(member_id__in=ids_q).order_by("member_id", "effective_month")
                          .values_list("member_id", "id", "effective_month", "category", "base", "fixed_amount")):
            bases[mid].append((month_from(row[1]), *row))  # (first month it counts for, id, …)
        reliefs: dict[int, list[DuesRelief]] = defaultdict(list)
        for r in DuesRelief.objects.filter(member_id__in=ids_q).order_by("member_id", "from_month"):
            reliefs[r.member_id].append(r)
        paid = paid_runs(ids_q, self.first, self.last, asof, self.quarterly)

        org_ids = {o for ms in memberships.values() for _, _, o, _ in ms} | {o for _, o in self.members.values()}
        self.orgs: dict[int, Org] = {o.pk: o for o in Org.objects.filter(pk__in=org_ids)}
        parents = {o.parent_id for o in self.orgs.values() if o.kind == OrgKind.GROUP} - self.orgs.keys()
        if parents:
            self.orgs.update({o.pk: o for o in Org.objects.filter(pk__in=parents)})

        self._ledger_start: dict[int, int | None] = {}
        self._assessed: dict[tuple[int, int], tuple[Assessed | str, int]] = {}
        self.pieces: dict[int, list[Piece]] = {
            mid: self._pieces(owed_spans(memberships.get(mid, ())), bases.get(mid, []), reliefs.get(mid, []),
                              paid.get(mid, []))
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

    def _assess(self, base: tuple, org_id: int) -> tuple[Assessed | str, int]:
        """The 核定 in force in the org (or why it is invalid), and its monthly amount in cents."""
        key = (base[1], org_id)
        found = self._assessed.get(key)
        if found is None:
            _, _, _, category, amount, fixed = base
            try:
                assessed = monthly_dues(category, base=amount, fixed_amount=fixed,
                                        rules=self.rulebook.for_org(self.orgs.get(org_id)))
                found = self._assessed[key] = (assessed, cents(assessed.amount))
            except ValueError as exc:
                found = self._assessed[key] = (str(exc), 0)
        return found

    def _pieces(self, spans, bases: list[tuple], reliefs: list[DuesRelief], runs: list[tuple]) -> list[Piece]:
        """The member's months in the order the Book makes its lines: span by span, month by month."""
        base_months = [b[0] for b in bases]
        relief_bounds = [(month_from(r.from_month), month_index(r.to_month) if r.to_month else None, r)
                         for r in reliefs]
        cuts = sorted({*base_months, *(f for f, _, _ in relief_bounds),
                       *(t + 1 for _, t, _ in relief_bounds if t is not None)})
        run_ends = [r[1] for r in runs]
        n_runs = len(runs)
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
                assessed, due = self._assess(bases[j], org_id)
                if isinstance(assessed, str):
                    pieces.append(Piece(a, seg_end, org_id, None, 0, 0, 0, f"核定有误：{assessed}", "", None))
                    a = seg_end + 1
                    continue
                explanation, relief = assessed, None
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
                citation = assessed.citation
                while m <= seg_end:
                    if i < n_runs and runs[i][0] <= m:
                        _, r_last, paid, in_time, extra = runs[i]
                        end = r_last if r_last < seg_end else seg_end
                        i += 1
                    else:
                        paid = in_time = extra = 0
                        end = min(seg_end, runs[i][0] - 1) if i < n_runs else seg_end
                    pieces.append(Piece(m, end, org_id, due, paid, in_time, extra, explanation, citation, relief))
                    m = end + 1
                a = seg_end + 1
        return pieces

    def load_members(self, ids) -> dict[int, Member]:
        # The ID number and phone are encrypted; decrypting thousands of them would cost more than the rest.
        return Member.objects.filter(pk__in=list(ids)).select_related("org").defer("id_number", "phone").in_bulk()
