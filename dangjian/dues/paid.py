"""The kept summary of standing payments, which the dues figures read instead of the ledger.

The figures need, for every member and month, the dues paid by the as-of date, of it by the
month's (or quarter's) end, and the voluntary extra — the standing payments (not reversed, whenever
the reversal was booked) made by then. Summed from the ledger that is a join of allocations and
entries with an anti-join for reversals, ~60,000 member-months for a street's year and its look-back
(0.7 s in SQL, as much again in Python). So the ledger service keeps, in the transaction of each
entry (`post`; for the entries a background payment import writes hidden, in the transaction of
its commit, which shows them — dues/importing.py):

- `DuesPosting` (append-only): per allocation of a payment, its cents, the payment's date and
  whether that was by the month's end and by the quarter's end. A reversal adds the negated rows of
  the payment it cancels, dated like that payment: summed up to any date, a reversed payment counts
  nothing, exactly as the ledger is read.
- `DuesPaidRun`: per member, the months as runs of equal sums of all its postings (paid, in time,
  extra), once judged by month ends and once by quarter ends (a change of pay schedule needs no
  rebuild); months that sum to nothing are left out. Rebuilt for the member from its postings.

`Roll` reads the runs (a few per member) and subtracts the postings dated after the as-of date (none
while a period runs; the back-payments made after a past period). The data migration builds both
from the ledger (`build`), the demo with `post`; `tests/test_paid.py` rebuilds them from the ledger and compares.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import groupby, islice
from operator import itemgetter

from django.db import connection

from dangjian.lib.bulk import insert_tuples

from .choices import AllocationKind, EntryKind

CHUNK = 500  # ids per query (SQLite's parameter limit)
POSTING_COLUMNS = ("entry_id", "member_id", "month", "paid_on", "dues", "extra", "by_month", "by_quarter")
RUN_COLUMNS = ("member_id", "quarterly", "first", "last", "paid", "in_time", "extra")


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _chunks(values: Iterable[int]):
    values = iter(values)
    while part := list(islice(values, CHUNK)):
        yield part


def _models(apps=None):
    if apps is None:
        from .models import DuesAllocation, DuesEntry, DuesPaidRun, DuesPosting
        return DuesEntry, DuesAllocation, DuesPosting, DuesPaidRun
    return tuple(apps.get_model("dues", name) for name in ("DuesEntry", "DuesAllocation", "DuesPosting", "DuesPaidRun"))


def postings(entry_ids: Iterable[int] = (), apps=None, *, between: tuple[int, int] | None = None) -> list[tuple]:
    """The posting rows of these entries (or of the entries with ids in `between`, a bulk write), from
    the ledger, as tuples of POSTING_COLUMNS: a payment's allocations; for a reversal, the
    allocations of the payment it cancels, negated and dated like that payment."""
    _, Allocation, _, _ = _models(apps)
    if between is not None:
        lo, hi = between
        parts = [({"entry_id__gte": lo, "entry_id__lte": hi},
                  {"entry__reversal__id__gte": lo, "entry__reversal__id__lte": hi})]
    else:
        parts = [({"entry_id__in": part}, {"entry__reversal__id__in": part}) for part in _chunks(sorted(set(entry_ids)))]
    rows: list[tuple] = []
    for own, cancelled in parts:
        for sign, entry, lookups in ((1, "entry_id", own), (-1, "entry__reversal__id", cancelled)):
            rows.extend(posting(*values, sign=sign) for values in (
                Allocation.objects.filter(entry__kind=EntryKind.PAYMENT, **lookups).order_by("pk")
                .values_list(entry, "member_id", "month", "kind", "amount", "entry__paid_on")))
    return rows


def posting(entry_id: int, member_id: int, month: date, kind: str, amount, paid_on: date, *, sign: int = 1) -> tuple:
    """The posting row (POSTING_COLUMNS) of one allocation of a payment (`sign` -1: cancelled by `entry_id`)."""
    m, p = month_index(month), month_index(paid_on)
    cents = sign * int(amount * 100)
    return (entry_id, member_id, m, paid_on, cents if kind == AllocationKind.DUES else 0,
            cents if kind == AllocationKind.EXTRA else 0, p <= m, p // 3 <= m // 3)


def runs(months: Iterable[tuple]) -> list[tuple]:
    """Rows of RUN_COLUMNS from (member id, month, paid, by the month's end, by the quarter's end,
    extra) sorted by member and month: consecutive months with equal sums, for both deadlines."""
    out: list[tuple] = []
    for member_id, rows in groupby(months, itemgetter(0)):
        rows = [r for r in rows if r[2] or r[3] or r[4] or r[5]]
        for quarterly, col in ((False, 3), (True, 4)):
            run = None
            for _, month, paid, *in_time, extra in rows:
                values = [paid, in_time[col - 3], extra]
                if run is not None and run[1] == month - 1 and run[2:] == values:
                    run[1] = month
                    continue
                if run is not None:
                    out.append((member_id, quarterly, *run))
                run = [month, month, *values]
            if run is not None:
                out.append((member_id, quarterly, *run))
    return out


def refresh_runs(member_ids: Iterable[int], apps=None) -> None:
    """Rebuild the members' runs from their postings."""
    _, _, Posting, Run = _models(apps)
    qn = connection.ops.quote_name
    for part in _chunks(sorted(set(member_ids))):
        marks = ", ".join(["%s"] * len(part))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT member_id, month, SUM(dues), SUM(CASE WHEN by_month THEN dues ELSE 0 END), "
                f"SUM(CASE WHEN by_quarter THEN dues ELSE 0 END), SUM(extra) FROM {qn(Posting._meta.db_table)} "
                f"WHERE member_id IN ({marks}) GROUP BY member_id, month ORDER BY member_id, month", part)
            months = cursor.fetchall()
        Run.objects.filter(member_id__in=part).delete()
        insert_tuples(Run, RUN_COLUMNS, runs(months))


def _insert_postings(rows: list[tuple], apps=None) -> set[int]:
    _, _, Posting, _ = _models(apps)
    adapt = connection.ops.adapt_datefield_value
    insert_tuples(Posting, POSTING_COLUMNS, [(*r[:3], adapt(r[3]), *r[4:]) for r in rows])
    return {r[1] for r in rows}


def post(entry_ids: Iterable[int] = (), apps=None, *, between: tuple[int, int] | None = None) -> None:
    """Keep the summary for entries just written (in their transaction): their postings, and the
    runs of their members rebuilt. `between`: the ids of a bulk write (the demo), read in one go."""
    refresh_runs(_insert_postings(postings(entry_ids, apps, between=between), apps), apps)


def post_rows(rows: list[tuple]) -> None:
    """`post` for posting rows made from entries just booked (`posting`), without reading them back:
    the commit of a background payment import (dues/importing.py), whose entries are all payments."""
    refresh_runs(_insert_postings(rows))


def build(apps=None, chunk: int = 20_000) -> None:
    """Build the summary from the whole ledger into empty tables (the data migration)."""
    Entry, _, _, _ = _models(apps)
    last = Entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    members: set[int] = set()
    for lo in range(1, last + 1, chunk):
        members |= _insert_postings(postings(apps=apps, between=(lo, lo + chunk - 1)), apps)
    refresh_runs(members, apps)
