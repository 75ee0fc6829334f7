"""Which months a member owes here, to which branch each month belongs, and what it owes."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.dues.book import Book, member_book, owed_spans
from dangjian.dues.services import relief_grant
from dangjian.members.choices import Since
from dangjian.members.models import Member
from dangjian.members.services import member_archive, member_move
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _months(book):
    return [ln.month for ln in book.lines]


def test_it_makes_a_probationary_member_owe_from_the_month_admitted():
    spans = owed_spans([(date(2023, 5, 20), None, 1, Since.JOINED)])
    assert spans == [(date(2023, 5, 1), None, 1)]


def test_it_makes_a_member_transferred_in_mid_month_owe_from_the_next_month():
    spans = owed_spans([(date(2023, 5, 20), None, 1, Since.TRANSFER_IN)])
    assert spans == [(date(2023, 6, 1), None, 1)]


def test_it_keeps_the_month_of_a_transfer_out_with_the_old_branch():
    spans = owed_spans([(date(1990, 7, 1), date(2023, 5, 20), 1, Since.JOINED)])
    assert spans == [(date(1990, 7, 1), date(2023, 5, 1), 1)]


def test_it_does_not_charge_the_month_of_a_transfer_out_on_its_first_day():
    spans = owed_spans([(date(1990, 7, 1), date(2023, 5, 1), 1, Since.JOINED)])
    assert spans == [(date(1990, 7, 1), date(2023, 4, 1), 1)]


def test_it_charges_nothing_between_leaving_and_coming_back():
    spans = owed_spans([(date(1990, 7, 1), date(2023, 3, 10), 1, Since.JOINED),
                        (date(2023, 6, 1), None, 1, Since.TRANSFER_IN)])
    assert spans == [(date(1990, 7, 1), date(2023, 3, 1), 1), (date(2023, 6, 1), None, 1)]


def test_it_charges_a_member_entered_on_the_roster_today_nothing_before():
    spans = owed_spans([(date(2026, 11, 30), None, 1, Since.RECORDED)])
    assert spans == [(date(2026, 12, 1), None, 1)]


def test_it_shows_months_before_the_first_assessment_as_unassessed(world, assess):
    member = MemberFactory(org=world.group_a1, joined_on=date(2023, 1, 20), confirmed_on=None, status="预备")
    assess(member, 4000, month=date(2023, 3, 1))
    book = member_book(member, asof=date(2023, 4, 30))
    assert [(ln.month.month, ln.due) for ln in book.lines] == [(1, None), (2, None), (3, D("40.00")), (4, D("40.00"))]


def test_it_applies_a_new_base_from_its_month(world, assess):
    assess(world.member_a, 4900, month=date(2023, 1, 1))
    assess(world.member_a, 5100, month=date(2023, 3, 1))
    book = member_book(world.member_a, asof=date(2023, 3, 31))
    assert [ln.due for ln in book.lines] == [D("49.00"), D("49.00"), D("76.50")]


def test_it_applies_an_approved_exemption_and_reduction(world, assess):
    assess(world.member_a, 4000)
    common = {"reason": "困难", "branch_decided_on": date(2023, 1, 5), "approved_by": "街道党工委",
              "approval_document": "街党〔2023〕1号", "approved_on": date(2023, 1, 20)}
    relief_grant(member=world.member_a, kind="exempt", from_month=date(2023, 2, 1), to_month=date(2023, 2, 1), **common)
    relief_grant(member=world.member_a, kind="reduce", monthly_amount=D("1"), from_month=date(2023, 3, 1), **common)
    book = member_book(world.member_a, asof=date(2023, 3, 31))
    assert [ln.due for ln in book.lines] == [D("40.00"), D("0.00"), D("1.00")]
    assert "街党〔2023〕1号" in book.lines[1].explanation


def test_it_gives_quarterly_payers_until_the_quarters_end(world, assess):
    from dangjian.dues.services import profile_update

    assess(world.member_a, 4000)
    profile_update(member=world.member_a, pay_schedule="quarterly", voluntary_extra=D("0"))
    book = member_book(world.member_a, asof=date(2023, 2, 28))
    assert {ln.deadline for ln in book.lines} == {date(2023, 3, 31)}


def test_it_gives_each_month_to_the_branch_the_member_was_in_on_its_first_day(world, assess):
    member = world.member_a
    assess(member, 4000)
    member_move(member=member, org=world.branch_b, on=date(2023, 7, 15))
    book = Book(Member.objects.filter(pk=member.pk), first=date(2023, 6, 1), last=date(2023, 8, 1), asof=date(2023, 8, 31))
    assert [ln.org_id for ln in book.books[member.pk].lines] == [world.group_a1.pk, world.group_a1.pk, world.branch_b.pk]


def test_it_stops_charging_after_a_recorded_death(world, assess):
    assess(world.member_a, 4000)
    member_archive(member=world.member_a, kind="去世", on=date(2023, 3, 5))
    book = member_book(world.member_a, asof=date(2023, 6, 30))
    assert [ln.month.month for ln in book.lines] == [1, 2, 3]
