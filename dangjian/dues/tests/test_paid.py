"""The kept summary of standing payments (dues/paid.py): what the ledger service keeps entry by entry
is what a rebuild from the ledger gives, and summed by any as-of date it is the ledger's standing
payments made by then — through payments, back-dated payments, reversals booked later, transfers."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from dangjian.dues import paid
from dangjian.dues.choices import AllocationKind
from dangjian.dues.models import DuesAllocation, DuesEntry, DuesPaidRun, DuesPosting
from dangjian.dues.services import base_set, entry_reverse, payment_record
from dangjian.members.models import Member
from dangjian.testing.factories import MemberFactory, OrgFactory

TODAY = date(2024, 6, 20)
MONTHS = [date(y, m, 1) for y in (2023, 2024) for m in range(1, 13)]


def kept() -> tuple[list, list]:
    return (sorted(DuesPosting.objects.values_list(*paid.POSTING_COLUMNS)),
            sorted(DuesPaidRun.objects.values_list(*paid.RUN_COLUMNS)))


def rebuilt() -> tuple[list, list]:
    """The postings from the ledger, and the runs summed from them here (not by `refresh_runs`)."""
    postings = sorted(paid.postings(DuesEntry.objects.values_list("pk", flat=True)))
    months: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for _, member_id, month, _, dues, extra, by_month, by_quarter in postings:
        sums = months[member_id, month]
        sums[0] += dues
        sums[1] += dues if by_month else 0
        sums[2] += dues if by_quarter else 0
        sums[3] += extra
    return postings, sorted(paid.runs(sorted((*k, *v) for k, v in months.items())))


def ledger_paid(asof: date) -> dict:
    """(member, month) → (dues, extra) of the standing payments made by asof, read from the ledger."""
    out: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for member_id, month, kind, amount in (DuesAllocation.objects.standing().filter(entry__paid_on__lte=asof)
                                           .values_list("member_id", "month", "kind", "amount")):
        out[member_id, paid.month_index(month)][kind == AllocationKind.EXTRA] += int(amount * 100)
    return {k: tuple(v) for k, v in out.items() if any(v)}


def summary_paid(asof: date) -> dict:
    out: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for member_id, month, dues, extra in DuesPosting.objects.filter(paid_on__lte=asof).values_list(
            "member_id", "month", "dues", "extra"):
        out[member_id, month][0] += dues
        out[member_id, month][1] += extra
    return {k: tuple(v) for k, v in out.items() if any(v)}


# (what, member, amount in cents, months chosen (None: the oldest owed first), extra cents, days before today paid)
pay_op = st.tuples(st.just("pay"), st.integers(0, 2), st.integers(1, 30000),
                   st.one_of(st.none(), st.lists(st.sampled_from(MONTHS), min_size=1, max_size=3)),
                   st.integers(0, 2000), st.integers(0, 500))
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 2), st.integers(0, 50), st.integers(0, 200))
transfer_op = st.tuples(st.just("transfer"), st.integers(0, 2), st.integers(0, 1))
ops = st.lists(st.one_of(pay_op, reverse_op, transfer_op), min_size=1, max_size=10)


class KeptSummaryIsTheLedger(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.orgs = [OrgFactory(), OrgFactory()]

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations=ops, quarterly=st.booleans())
    def test_it_keeps_what_a_rebuild_from_the_ledger_gives(self, operations, quarterly):
        members = [MemberFactory(org=self.orgs[i % 2]) for i in range(3)]
        for i, m in enumerate(members):
            base_set(member=m, effective_month=date(2023, 1, 1), category="在职", base=Decimal(3000 + 1000 * i))
        for op in operations:
            member = members[op[1]]
            try:
                if op[0] == "pay":
                    _, _, cents, months, extra_cents, back = op
                    amount = Decimal(cents) / 100
                    payment_record(member=member, amount=amount, paid_on=TODAY - timedelta(days=back), method="现金",
                                   months=months, extra=min(Decimal(extra_cents) / 100, amount), today=TODAY)
                elif op[0] == "reverse":
                    standing = list(DuesEntry.objects.filter(member=member).standing().order_by("seq"))
                    if standing:
                        entry = standing[op[2] % len(standing)]
                        entry_reverse(entry=entry, reason="测试冲正", on=min(TODAY, entry.paid_on + timedelta(days=op[3])))
                else:
                    Member.objects.filter(pk=member.pk).update(org=self.orgs[op[2]])
                    member.refresh_from_db()
            except ValidationError:
                pass  # a refused booking writes nothing, to the ledger or the summary

        assert kept() == rebuilt()
        for asof in (date(2023, 1, 31), date(2023, 6, 30), date(2023, 12, 31), date(2024, 3, 1), TODAY):
            assert summary_paid(asof) == ledger_paid(asof), asof
        runs = {(r[0], r[1]) for r in DuesPaidRun.objects.values_list("member_id", "quarterly")}
        assert not runs or {q for _, q in runs} == {False, True}  # both deadlines are kept


class TheMigrationBuildsTheSameSummary(TestCase):
    def test_it_builds_from_the_ledger_what_the_service_kept(self):
        member = MemberFactory(org=OrgFactory())
        base_set(member=member, effective_month=date(2023, 1, 1), category="在职", base=Decimal("4000"))
        first = payment_record(member=member, amount=Decimal("120"), paid_on=date(2023, 2, 3), method="现金",
                               today=TODAY).entry
        payment_record(member=member, amount=Decimal("40"), paid_on=date(2023, 9, 3), method="现金",
                       months=[date(2023, 5, 1)], today=TODAY)
        entry_reverse(entry=first, reason="录错", on=date(2024, 1, 5))
        payment_record(member=member, amount=Decimal("50"), paid_on=date(2024, 1, 5), method="现金", extra=Decimal("10"),
                       today=TODAY)
        before = kept()
        DuesPosting.objects.all()._raw_delete(DuesPosting.objects.db)
        DuesPaidRun.objects.all().delete()
        paid.build()
        assert kept() == before == rebuilt()
        # The reversal (booked in 2024) takes the payment of 2023-02-03 out at any date, as the ledger reads it.
        assert summary_paid(date(2023, 12, 31)) == ledger_paid(date(2023, 12, 31))
        assert sum(d for d, _ in summary_paid(date(2023, 12, 31)).values()) == 4000
