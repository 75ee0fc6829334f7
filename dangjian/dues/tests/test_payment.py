"""Recording payments: oldest months first, chosen months, quarterly, prepaid, 补交, partial, extra."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.dues.book import member_book
from dangjian.dues.choices import AllocationKind
from dangjian.dues.services import DuesError
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _paid(member, asof=date(2023, 12, 31)):
    return {ln.month.month: ln.paid for ln in member_book(member, asof=asof, last=date(2024, 6, 1)).lines if ln.paid}


def test_it_pays_the_oldest_unpaid_months_first(world, assess, pay):
    assess(world.member_a, 4000)  # 40.00 a month
    booked = pay(world.member_a, 100, on=date(2023, 3, 20), today=date(2023, 3, 20))
    assert [(a.month.month, a.amount) for a in booked.allocations] == [(1, D("40.00")), (2, D("40.00")), (3, D("20.00"))]


def test_it_pays_a_quarter_at_once(world, assess, pay):
    assess(world.member_a, 4000)
    pay(world.member_a, 120, on=date(2023, 9, 20), months=[date(2023, 7, 1), date(2023, 8, 1), date(2023, 9, 1)])
    assert _paid(world.member_a) == {7: D("40.00"), 8: D("40.00"), 9: D("40.00")}


def test_it_takes_a_prepayment_of_several_months(world, assess, pay):
    assess(world.member_a, 4000)
    pay(world.member_a, 40, on=date(2023, 1, 5), today=date(2023, 1, 5))
    booked = pay(world.member_a, 200, on=date(2023, 1, 6), today=date(2023, 1, 6))
    assert [a.month.month for a in booked.allocations] == [2, 3, 4, 5, 6]


def test_it_warns_when_a_prepayment_runs_past_six_months(world, assess, pay):
    assess(world.member_a, 4000)
    booked = pay(world.member_a, 320, on=date(2023, 1, 5), today=date(2023, 1, 5))
    assert any("预交7个月" in w for w in booked.warnings)


def test_it_warns_when_a_back_payment_covers_more_than_six_months(world, assess, pay):
    assess(world.member_a, 4000)
    booked = pay(world.member_a, 320, on=date(2023, 9, 5), today=date(2023, 9, 5))
    assert any("补交8个月" in w for w in booked.warnings)


def test_it_refuses_to_pay_a_month_twice(world, assess, pay):
    assess(world.member_a, 4000)
    pay(world.member_a, 40, months=[date(2023, 1, 1)])
    with pytest.raises(DuesError, match="2023年1月的党费已交清"):
        pay(world.member_a, 40, months=[date(2023, 1, 1)])


def test_it_lets_a_partly_paid_month_be_completed(world, assess, pay):
    assess(world.member_a, 4000)
    first = pay(world.member_a, 15, months=[date(2023, 1, 1)])
    second = pay(world.member_a, 25, months=[date(2023, 1, 1)])
    assert any("仍有欠交" in w for w in first.warnings) and not second.warnings
    assert _paid(world.member_a) == {1: D("40.00")}


def test_it_refuses_more_than_the_months_owe_unless_declared_as_extra(world, assess, pay):
    assess(world.member_a, 4000)
    with pytest.raises(DuesError, match="多出10.00元"):
        pay(world.member_a, 50, months=[date(2023, 1, 1)])
    booked = pay(world.member_a, 50, months=[date(2023, 1, 1)], extra=10)
    assert [(a.kind, a.amount) for a in booked.allocations] == [(AllocationKind.DUES, D("40.00")),
                                                                  (AllocationKind.EXTRA, D("10.00"))]


def test_it_flags_a_single_payment_of_a_thousand_yuan_for_remitting_upward(world, assess, pay):
    assess(world.member_a, 4000)
    booked = pay(world.member_a, 1040, months=[date(2023, 1, 1)], extra=1000)
    assert any("全额上缴" in w for w in booked.warnings)


def test_it_makes_a_probationary_member_owe_from_admission(world, assess, pay):
    m = MemberFactory(name="李四", org=world.branch_b, joined_on=date(2023, 5, 18), confirmed_on=None, status="预备")
    with pytest.raises(DuesError, match="早于入党"):
        assess(m, 3000, month=date(2023, 4, 1))
    assess(m, 3000, month=date(2023, 5, 1))
    with pytest.raises(DuesError, match="不是李四在本组织的应交月份"):
        pay(m, 15, months=[date(2023, 4, 1)])
    assert pay(m, 15, months=[date(2023, 5, 1)]).allocations[0].month == date(2023, 5, 1)


def test_it_refuses_a_payment_before_any_assessment(world, pay):
    with pytest.raises(DuesError, match="尚未核定"):
        pay(world.member_a, 10)


def test_it_refuses_an_exempt_month(world, assess, pay):
    from dangjian.dues.services import relief_grant

    assess(world.member_a, 4000)
    relief_grant(member=world.member_a, kind="exempt", from_month=date(2023, 1, 1), reason="困难",
                 branch_decided_on=date(2022, 12, 1), approved_by="街道党工委", approval_document="x〔2022〕1号",
                 approved_on=date(2022, 12, 10))
    with pytest.raises(DuesError, match="免交"):
        pay(world.member_a, 40, months=[date(2023, 1, 1)])


def test_it_refuses_a_payment_dated_in_the_future(world, assess, pay):
    assess(world.member_a, 4000)
    with pytest.raises(DuesError, match="晚于今天"):
        pay(world.member_a, 40, on=date(2024, 1, 1), today=date(2023, 12, 31))


def test_it_shows_a_later_raise_as_the_difference_still_owed(world, assess, pay):
    assess(world.member_a, 4000)
    pay(world.member_a, 240, on=date(2023, 1, 5), today=date(2023, 1, 5))  # Jan–Jun at 40.00
    assess(world.member_a, 5100, month=date(2023, 4, 1))  # 76.50 from April
    book = member_book(world.member_a, asof=date(2023, 6, 30))
    assert [ln.outstanding for ln in book.lines] == [0, 0, 0, D("36.50"), D("36.50"), D("36.50")]


def test_it_records_who_collected_and_the_receipt(world, assess, pay):
    assess(world.member_a, 4000)
    entry = pay(world.member_a, 40, method="微信", receipt_no="2023-001", collected_by="王会计").entry
    entry.refresh_from_db()
    assert (entry.method, entry.receipt_no, entry.collected_by, entry.org) == ("微信", "2023-001", "王会计", world.group_a1)


def test_it_refuses_an_unknown_method(world, assess, pay):
    assess(world.member_a, 4000)
    with pytest.raises(DuesError, match="交纳方式"):
        pay(world.member_a, 40, method="支票")
