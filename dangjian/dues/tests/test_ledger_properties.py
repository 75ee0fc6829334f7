"""Ledger invariants under any sequence of payments and reversals (Hypothesis)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from dangjian.dues.book import member_book
from dangjian.dues.choices import AllocationKind, EntryKind
from dangjian.dues.models import DuesAllocation, DuesEntry
from dangjian.dues.services import base_set, entry_reverse, payment_record
from dangjian.testing.factories import MemberFactory, OrgFactory

TODAY = date(2023, 12, 20)
MONTHS = [date(2023, m, 1) for m in range(1, 13)]

pay_op = st.tuples(st.just("pay"), st.integers(1, 60000), st.one_of(st.none(), st.lists(st.sampled_from(MONTHS),
                                                                                         min_size=1, max_size=3)),
                   st.integers(0, 3000))
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 50))
ops = st.lists(st.one_of(pay_op, reverse_op), min_size=1, max_size=12)


class LedgerInvariants(TestCase):
    def _run(self, member, operations):
        for op in operations:
            try:
                if op[0] == "pay":
                    _, cents, months, extra_cents = op
                    amount = Decimal(cents) / 100
                    extra = min(Decimal(extra_cents) / 100, amount)
                    payment_record(member=member, amount=amount, paid_on=TODAY, method="现金", months=months,
                                   extra=extra, today=TODAY)
                else:
                    standing = list(DuesEntry.objects.filter(member=member).standing().order_by("seq"))
                    if standing:
                        entry_reverse(entry=standing[op[1] % len(standing)], reason="测试冲正", on=TODAY)
            except ValidationError:
                pass  # a refusal is a legitimate outcome; the invariants must hold either way

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(base_cents=st.integers(0, 2_000_000), operations=ops)
    def test_it_keeps_the_ledger_consistent(self, base_cents, operations):
        member = MemberFactory(org=OrgFactory())
        base_set(member=member, effective_month=date(2023, 1, 1), category="在职", base=Decimal(base_cents) / 100)
        self._run(member, operations)
        entries = list(DuesEntry.objects.filter(member=member).prefetch_related("allocations"))
        allocations = list(DuesAllocation.objects.filter(member=member))

        # The balance equals the sum of the entries, and every entry equals the sum of its lines.
        assert sum((e.amount for e in entries), Decimal(0)) == sum((a.amount for a in allocations), Decimal(0))
        for e in entries:
            assert e.amount == sum(a.amount for a in e.allocations.all())

        # A reversal nets its entry to zero, line by line.
        for r in (e for e in entries if e.kind == EntryKind.REVERSAL):
            net = defaultdict(Decimal)
            for a in (*r.allocations.all(), *r.reverses.allocations.all()):
                net[(a.month, a.kind)] += a.amount
            assert r.amount + r.reverses.amount == 0 and set(net.values()) <= {Decimal(0)}

        # No month is paid more than it owes (never twice), and the book agrees with the ledger.
        book = member_book(member, asof=TODAY, first=date(2023, 1, 1), last=date(2024, 12, 1))
        due = {ln.month: ln.due for ln in book.lines}
        net_dues = defaultdict(Decimal)
        for a in allocations:
            if a.kind == AllocationKind.DUES:
                net_dues[a.month] += a.amount
        for month, paid in net_dues.items():
            assert Decimal(0) <= paid <= due[month], (month, paid, due[month])
        assert {ln.month: ln.paid for ln in book.lines if ln.paid} == {m: p for m, p in net_dues.items() if p}
