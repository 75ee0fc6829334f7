"""The period's figures: 应交, 实交, 欠交, 按时足额, warnings at 3 and alarms at 6 unpaid months."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.dues.figures import for_period
from dangjian.dues.services import profile_update, relief_grant
from dangjian.lib.periods import Period
from dangjian.members.services import member_move
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
D = Decimal
Q1 = Period.parse("2023Q1")


@pytest.fixture
def two(world, assess):
    assess(world.member_a, 4000)  # 40.00 a month, branch A
    assess(world.member_b, 3000)  # 15.00 a month, branch B
    return world


def test_it_adds_up_due_paid_and_overdue_for_the_period(two, pay):
    pay(two.member_a, 80, on=date(2023, 2, 10))  # January late, February on time, March unpaid
    pay(two.member_b, 45, on=date(2023, 1, 10))
    f = for_period(two.community, Q1, asof=date(2023, 3, 31))
    assert (f.due.value, f.paid.value, f.arrears.value, f.pending.value) == (D("165.00"), D("125.00"), D("40.00"), 0)


def test_it_counts_a_month_not_yet_at_its_deadline_as_pending_not_overdue(two, pay):
    pay(two.member_a, 80, on=date(2023, 1, 10))
    f = for_period(two.community, Q1, asof=date(2023, 3, 15))
    assert (f.arrears.value, f.pending.value) == (D("30.00"), D("55.00"))  # member B: Jan+Feb overdue; March pending


def test_it_counts_a_member_on_time_only_when_every_month_was_paid_in_full_by_its_end(two, pay):
    pay(two.member_a, 40, on=date(2023, 1, 31), months=[date(2023, 1, 1)])
    pay(two.member_a, 40, on=date(2023, 3, 1), months=[date(2023, 2, 1)])  # February paid a day late
    pay(two.member_b, 15, on=date(2023, 1, 31), months=[date(2023, 1, 1)])
    pay(two.member_b, 15, on=date(2023, 2, 27), months=[date(2023, 2, 1)])
    f = for_period(two.community, Period.parse("2023-01"), asof=date(2023, 2, 28))
    assert (f.on_time.value, f.judged, f.on_time_rate.value) == (2, 2, D("100.0"))
    f = for_period(two.community, Period.parse("2023-02"), asof=date(2023, 3, 31))
    assert (f.on_time.value, f.judged, f.on_time_rate.value) == (1, 2, D("50.0"))


def test_it_gives_a_quarterly_payer_until_the_quarters_end(two, pay):
    profile_update(member=two.member_a, pay_schedule="quarterly", voluntary_extra=D("0"))
    pay(two.member_a, 120, on=date(2023, 3, 28))
    pay(two.member_b, 45, on=date(2023, 1, 5))
    f = for_period(two.community, Q1, asof=date(2023, 3, 31))
    assert f.on_time_rate.value == D("100.0") and f.arrears.value == 0


def test_it_says_there_is_no_rate_before_any_deadline(two):
    assert for_period(two.community, Period.parse("2023-03"), asof=date(2023, 3, 10)).on_time_rate.value == "—"


def test_it_warns_at_three_and_alarms_at_six_consecutive_unpaid_months(two, pay):
    pay(two.member_b, 90, on=date(2023, 1, 5))
    at_three = for_period(two.community, Q1, asof=date(2023, 3, 31))
    assert (at_three.warned.value, at_three.alarmed.value) == (1, 0)
    row = at_three.arrears_rows[0]
    assert (row.member, row.streak, row.level) == (two.member_a, 3, "warn")
    at_six = for_period(two.community, Period.parse("2023H1"), asof=date(2023, 6, 30))
    assert (at_six.alarmed.value, at_six.arrears_rows[0].level, at_six.arrears_rows[0].streak) == (1, "alarm", 6)


def test_it_restarts_the_count_after_any_payment(two, pay):
    pay(two.member_a, 10, on=date(2023, 2, 20), months=[date(2023, 2, 1)])  # part of February
    f = for_period(two.community, Q1, asof=date(2023, 3, 31))
    row = next(r for r in f.arrears_rows if r.member == two.member_a)
    assert row.streak == 1 and row.level == "" and [ln.month.month for ln in row.owed_months] == [1, 2, 3]


def test_it_flags_single_payments_of_a_thousand_yuan_or_more(two, pay):
    pay(two.member_a, 1040, on=date(2023, 1, 10), months=[date(2023, 1, 1)], extra=1000)
    pay(two.member_b, 15, on=date(2023, 1, 10))
    f = for_period(two.community, Q1, asof=date(2023, 3, 31))
    assert f.large_payments.value == 1 and f.large_rows[0].amount == D("1040.00")
    assert f.extra.value == D("1000.00") and f.paid.value == D("55.00")
    assert "large=1" in f.large_payments.link


def test_it_keeps_to_the_orgs_subtree(two, pay, assess):
    assess(two.member_c, 10000)
    f = for_period(two.branch_a, Q1, asof=date(2023, 3, 31))
    assert [r.member for r in f.rows] == [two.member_a] and f.due.value == D("120.00")


def test_it_leaves_exempt_members_out_of_the_rate(two, pay):
    relief_grant(member=two.member_a, kind="exempt", from_month=date(2023, 1, 1), reason="困难",
                 branch_decided_on=date(2022, 12, 1), approved_by="街道党工委", approval_document="街党〔2022〕9号",
                 approved_on=date(2022, 12, 20))
    pay(two.member_b, 45, on=date(2023, 1, 5))
    f = for_period(two.community, Q1, asof=date(2023, 3, 31))
    assert (f.members.value, f.judged, f.on_time_rate.value, f.arrears.value) == (1, 1, D("100.0"), 0)


def test_it_counts_members_without_an_assessment_separately(two):
    f = for_period(two.other_community, Q1, asof=date(2023, 3, 31))
    assert (f.unassessed.value, f.due.value, f.members.value) == (1, 0, 0)
    assert "state=unassessed" in f.unassessed.link


def test_it_leaves_months_before_the_ledger_start_out(two):
    from dangjian.dues.models import DuesSettings
    from dangjian.dues.services import base_set

    base_set(member=two.member_c, effective_month=date(2023, 3, 1), category="在职", base=D("4000"))
    assert for_period(two.other_community, Q1, asof=date(2023, 3, 31)).unassessed.value == 1  # January, February
    DuesSettings.objects.create(ledger_start=date(2023, 3, 1), local_basis="系统启用通知")
    f = for_period(two.other_community, Q1, asof=date(2023, 3, 31))
    assert (f.unassessed.value, f.due.value) == (0, D("40.00"))


def test_it_gives_a_transferred_members_months_to_each_branch_in_turn(two, pay):
    member = two.member_a
    member_move(member=member, org=two.branch_b, on=date(2023, 7, 15))
    q3 = Period.parse("2023Q3")
    a, b = for_period(two.branch_a, q3, asof=date(2023, 9, 30)), for_period(two.branch_b, q3, asof=date(2023, 9, 30))
    assert a.due.value == D("40.00") and [r.member for r in a.rows] == [member]
    assert b.due.value == D("80.00") + D("45.00")


def test_it_reads_a_fixed_number_of_queries_whatever_the_number_of_members(two, assess, pay):
    def count():
        with CaptureQueriesContext(connection) as q:
            for_period(two.community, Q1, asof=date(2023, 3, 31))
        return len(q)

    before = count()
    for _ in range(8):
        m = MemberFactory(org=two.branch_b)
        assess(m, 5000)
        pay(m, 50, on=date(2023, 1, 9))
    assert count() == before


def test_it_serialises_to_json_with_definitions(two, pay):
    pay(two.member_a, 40, on=date(2023, 1, 9))
    data = for_period(two.community, Q1, asof=date(2023, 3, 31)).as_json()
    assert data["due"]["value"] == "165.00" and data["period"] == "2023Q1"
    assert "按时足额" in data["definitions"]["on_time"] and data["arrears_list"][0]["months"]
