"""The fast dues figures (the Roll: runs of equal months, payments summed in SQL) give exactly the
numbers of the Book walk (tests/reference.py) on random ledgers, and read a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from dangjian.dues import figures, paid
from dangjian.dues.choices import AllocationKind, DuesCategory, EntryKind, PaySchedule, ReliefKind
from dangjian.dues.models import DuesAllocation, DuesBase, DuesEntry, DuesProfile, DuesRelief, DuesSettings
from dangjian.dues.tests import reference
from dangjian.lib.periods import Period
from dangjian.members.choices import Since
from dangjian.members.models import Membership
from dangjian.orgs.models import Org, OrgKind
from dangjian.testing.factories import MemberFactory

MONTHS = [date(y, m, 1) for y in (2022, 2023, 2024) for m in range(1, 13)]
days = st.builds(lambda m, d: m.replace(day=d), st.sampled_from(MONTHS), st.integers(1, 28))
early = st.builds(lambda m, d: m.replace(day=d), st.sampled_from(MONTHS[:9]), st.integers(1, 28))
# Bases and amounts from a few values, so that payments often match a month's dues exactly
# (在职 3000 → 15.00, 4000 → 40.00; 离退休 4000 → 20.00; 学生 0.20; 农民 0.50/1.00, 3.00 is refused).
amounts = st.sampled_from(["15.00", "40.00", "20.00", "0.20", "0.50", "7.50", "55.00"]).map(Decimal)

membership = st.tuples(st.sampled_from(["a", "a1", "b", "out"]), days, st.sampled_from(list(Since)[:4]),
                       st.one_of(st.none(), st.integers(20, 500)))
base = st.tuples(days, st.sampled_from([DuesCategory.EMPLOYED, DuesCategory.RETIRED, DuesCategory.FARMER,
                                        DuesCategory.STUDENT, DuesCategory.OTHER]),
                 st.sampled_from(["3000", "4000", "12000.55"]).map(Decimal), st.sampled_from(["0.50", "1.00", "3.00"]))
relief = st.tuples(st.sampled_from(MONTHS), st.one_of(st.none(), st.integers(0, 10)),
                   st.sampled_from([ReliefKind.EXEMPT, ReliefKind.REDUCE]), amounts)
# (first month paid, how many months, amount per month, days after the first month it was paid, kind, reversed,
# days after the payment the reversal was booked)
payment = st.tuples(st.integers(0, len(MONTHS) - 1), st.integers(1, 4), amounts, st.integers(-40, 150),
                    st.sampled_from([AllocationKind.DUES] * 4 + [AllocationKind.EXTRA]), st.integers(0, 9),
                    st.sampled_from([0, 3, 400]))
member = st.fixed_dictionaries({
    "since": early, "memberships": st.lists(membership, min_size=1, max_size=3),
    "first_base": st.tuples(early, base), "bases": st.lists(base, max_size=2),
    "reliefs": st.lists(relief, max_size=2), "quarterly": st.booleans(), "payments": st.lists(payment, max_size=14)})
periods = st.sampled_from(["2023", "2023Q3", "2023-02", "2024H1", "2024Q1", "2022Q4"])
asofs = st.one_of(st.none(), days)


def snapshot(f) -> dict:
    """Everything a page reads from the figures, rows and their months included."""
    def line(ln):
        return (ln.month, ln.org_id, ln.due, ln.paid, ln.paid_in_time, ln.extra, ln.explanation, ln.citation,
                ln.deadline, ln.relief.pk if ln.relief else None, ln.state_on(f.asof))

    def row(r):
        return (r.member.pk, r.branch.pk if r.branch else None, r.due, r.paid, r.extra, r.arrears, r.pending,
                r.paid_ahead, r.overpaid, r.prepaid, r.owed_total, r.judged, r.on_time, r.unassessed, r.streak,
                r.level, r.explanation, r.state, [line(ln) for ln in r.lines], [line(ln) for ln in r.owed_months])

    return {"json": f.as_json(), "rows": [row(r) for r in f.rows], "arrears": [row(r) for r in f.arrears_rows],
            "relations": [(v.key, v.holds) for v in f.relations()], "judged": f.judged}


class FastFiguresAreTheBookWalk(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.street = Org.objects.create(kind=OrgKind.STREET, name="街道", code="S")
        cls.community = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name="社区", code="C", parent=cls.street)
        cls.orgs = {
            "a": Org.objects.create(kind=OrgKind.BRANCH, name="甲支部", code="C-1", parent=cls.community),
            "b": Org.objects.create(kind=OrgKind.BRANCH, name="乙支部", code="C-2", parent=cls.community),
            "out": Org.objects.create(kind=OrgKind.BRANCH, name="别处支部", code="D-1", parent=cls.street),
        }
        cls.orgs["a1"] = Org.objects.create(kind=OrgKind.GROUP, name="甲一小组", code="C-1-1", parent=cls.orgs["a"])

    def _member(self, spec: dict) -> None:
        m = MemberFactory(org=self.orgs["a"])
        Membership.objects.filter(member=m).delete()
        start = spec["since"]
        for code, day, reason, length in spec["memberships"]:
            start = max(day, start) if Membership.objects.filter(member=m).exists() else start
            end = start + timedelta(days=length) if length else None
            Membership.objects.create(member=m, org=self.orgs[code], started_on=start, ended_on=end,
                                      start_reason=reason)
            if end is None:
                break
            start = end
        m.org = self.orgs[code]
        m.save()
        first_day, (_, *first_base) = spec["first_base"]
        for day, category, amount, fixed in [(first_day, *first_base), *spec["bases"]]:
            DuesBase.objects.get_or_create(member=m, effective_month=day, defaults={
                "category": category, "base": amount, "fixed_amount": Decimal(fixed)})
        for first, months, kind, amount in spec["reliefs"]:
            to = MONTHS[min(MONTHS.index(first) + months, len(MONTHS) - 1)] if months is not None else None
            DuesRelief.objects.create(member=m, kind=kind, from_month=first, to_month=to,
                                      monthly_amount=amount if kind == ReliefKind.REDUCE else None, reason="困难",
                                      branch_decided_on=first, approved_by="街道党工委", approval_document="街党〔2023〕1号",
                                      approved_on=first)
        if spec["quarterly"]:
            DuesProfile.objects.create(member=m, pay_schedule=PaySchedule.QUARTERLY)
        for seq, (k, n, amount, delay, kind, reverse, reverse_after) in enumerate(spec["payments"], start=1):
            months = MONTHS[k:k + n]
            entry = DuesEntry.objects.create(member=m, seq=2 * seq, org=m.org, kind=EntryKind.PAYMENT,
                                             paid_on=MONTHS[k] + timedelta(days=delay), amount=amount * len(months))
            DuesAllocation.objects.bulk_create(DuesAllocation(entry=entry, member=m, month=month, kind=kind,
                                                              amount=amount) for month in months)
            paid.post([entry.pk])  # as the ledger service does, entry by entry
            if reverse == 0:
                reversal = DuesEntry.objects.create(
                    member=m, seq=2 * seq + 1, org=m.org, kind=EntryKind.REVERSAL, reverses=entry, reason="录错",
                    paid_on=entry.paid_on + timedelta(days=reverse_after), amount=-entry.amount)
                paid.post([reversal.pk])

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(members=st.lists(member, min_size=1, max_size=4), period=periods, asof=asofs,
           where=st.sampled_from(["street", "community", "a"]), ledger_start=st.one_of(st.none(), days))
    def test_it_gives_the_numbers_of_the_book_walk(self, members, period, asof, where, ledger_start):
        if ledger_start:
            DuesSettings.objects.create(org=self.orgs["b"], ledger_start=ledger_start.replace(day=1),
                                        local_basis="测试")
        for spec in members:
            self._member(spec)
        org = {"street": self.street, "community": self.community}.get(where) or self.orgs[where]
        span = Period.parse(period)
        assert snapshot(figures.for_period(org, span, asof)) == snapshot(reference.for_period(org, span, asof))


@pytest.mark.django_db
def test_it_reads_the_same_number_of_queries_for_two_members_and_for_forty(world, assess, pay):
    def queries(n: int) -> int:
        for i in range(n):
            m = MemberFactory(org=world.group_a1 if i % 2 else world.branch_b)
            assess(m, 3000 + 100 * i)
            pay(m, 15, on=date(2023, 2, 5))
            if i % 3 == 0:
                DuesProfile.objects.create(member=m, pay_schedule=PaySchedule.QUARTERLY)
        with CaptureQueriesContext(connection) as captured:
            f = figures.for_period(world.street, Period.parse("2023"), date(2023, 12, 15))
            f.as_json()
        return len(captured)

    assert queries(2) == queries(38)
