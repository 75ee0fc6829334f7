"""组织关系转接: a transfer inside the deployment moves the member with one record on each side
(counted in the right organisation on each day); a 转出 elsewhere waits for its 回执 (warned when
late, in working days, 预计 across an unpublished year); a 转入 starts the membership the day
the letter was received."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.lib.workdays import WorkCalendar, package_knows
from dangjian.members import transfers
from dangjian.members.models import Member, Transfer
from dangjian.plans.models import Notification
from dangjian.plans.reminders import run
from dangjian.recruitment.rules import DEFAULT_RULESET, DEFAULTS
from dangjian.recruitment.transfers import receipt_deadline, receipts_pending
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
DAY = date(2024, 3, 15)
ONE = timedelta(days=1)
NO_LOCAL = WorkCalendar(loaders=[], schedules=[])


@pytest.fixture
def mover(world):
    return MemberFactory(name="陈志强", org=world.branch_a, joined_on=date(2010, 7, 1), confirmed_on=date(2011, 7, 1),
                         since=date(2015, 1, 1))


def move(world, mover):
    return transfers.transfer_out(member=mover, on=DAY, letter_number="和组转〔2024〕3号", letter_date=DAY,
                                  to_org=world.branch_c, dues_paid_to=date(2024, 3, 1))


def in_org_on(org, day):
    return set(Member.objects.in_org_on(org, day).values_list("name", flat=True))


def test_it_counts_the_member_in_the_old_branch_until_the_day_before(world, mover):
    move(world, mover)
    assert "陈志强" in in_org_on(world.branch_a, DAY - ONE) and "陈志强" not in in_org_on(world.branch_c, DAY - ONE)


def test_it_counts_the_member_in_the_new_branch_from_the_day(world, mover):
    move(world, mover)
    for day in (DAY, DAY + ONE):
        assert "陈志强" in in_org_on(world.branch_c, day) and "陈志强" not in in_org_on(world.branch_a, day)


def test_it_keeps_one_record_on_each_side(world, mover):
    out = move(world, mover)
    assert (out.org, out.other_org, out.counterpart.org, out.counterpart.direction) == (
        world.branch_a, world.branch_c, world.branch_c, Transfer.Direction.IN)
    assert out.receipt_on == DAY and out.dues_paid_up


def test_it_flags_dues_not_paid_up_to_the_month_of_leaving(world, mover):
    out = transfers.transfer_out(member=mover, on=DAY, letter_number="x1", to_place="深圳市某街道党工委",
                                 dues_paid_to=date(2024, 2, 1))
    assert out.dues_paid_up is False


def test_it_takes_the_member_off_the_roll_on_a_transfer_elsewhere(world, mover):
    transfers.transfer_out(member=mover, on=DAY, letter_number="x1", to_place="深圳市某街道党工委")
    mover.refresh_from_db()
    assert mover.is_archived and "陈志强" not in in_org_on(world.branch_a, DAY)


def test_it_refuses_a_transfer_without_its_letter(world, mover):
    with pytest.raises(ValidationError, match="介绍信编号"):
        transfers.transfer_out(member=mover, on=DAY, letter_number=" ", to_place="外单位")


# --- the 回执 -------------------------------------------------------------------------------------

def test_it_expects_the_receipt_within_the_working_days_of_the_rule(world, mover):
    out = transfers.transfer_out(member=mover, on=DAY, letter_number="x1", letter_date=DAY, to_place="外单位")
    deadline = receipt_deadline(out, DEFAULT_RULESET, NO_LOCAL)
    assert NO_LOCAL.working_days_between(DAY, deadline.day) == DEFAULTS["receipt_days"].value
    assert not deadline.estimated


@pytest.mark.skipif(package_knows(2027), reason="chinesecalendar now carries the 2027 schedule")
def test_it_marks_a_receipt_due_in_an_unpublished_year_as_estimated(world, mover):
    day = date(2026, 12, 10)
    out = transfers.transfer_out(member=mover, on=day, letter_number="x2", letter_date=day, to_place="外单位")
    deadline = receipt_deadline(out, DEFAULT_RULESET, NO_LOCAL)
    assert deadline.estimated and "预计" in str(deadline) and deadline.day > date(2027, 1, 1)


def test_it_reminds_the_branch_of_a_missing_receipt_and_stops_once_recorded(world, mover):
    out = transfers.transfer_out(member=mover, on=DAY, letter_number="x1", letter_date=DAY, to_place="外单位")
    run(today=date(2024, 6, 1))
    assert Notification.objects.filter(user=world.worker_a, kind="transfer_receipt", resolved_at__isnull=True).exists()
    transfers.transfer_receipt_record(transfer=out, on=date(2024, 4, 1))
    run(today=date(2024, 6, 1))
    assert not Notification.objects.filter(user=world.worker_a, kind="transfer_receipt", resolved_at__isnull=True).exists()
    assert receipts_pending() == []


def test_it_does_not_wait_for_a_receipt_inside_the_deployment(world, mover):
    move(world, mover)
    assert receipts_pending() == []


# --- 转入 -------------------------------------------------------------------------------------------

def test_it_starts_a_new_members_membership_the_day_the_letter_was_received(world):
    newcomer = Member(name="黄丽", sex="女", joined_on=date(2015, 6, 1), confirmed_on=date(2016, 6, 1), org=world.branch_b)
    t = transfers.transfer_in(member=newcomer, org=world.branch_b, on=DAY, letter_number="沪组转〔2024〕8号",
                              letter_date=DAY - timedelta(days=5), from_place="上海市某社区党委")
    assert t.direction == Transfer.Direction.IN and t.place == "上海市某社区党委"
    assert "黄丽" not in in_org_on(world.branch_b, DAY - ONE) and "黄丽" in in_org_on(world.branch_b, DAY)


def test_it_refuses_a_received_date_before_the_letter(world):
    newcomer = Member(name="黄丽", joined_on=date(2015, 6, 1), org=world.branch_b)
    with pytest.raises(ValidationError, match="不能早于介绍信日期"):
        transfers.transfer_in(member=newcomer, org=world.branch_b, on=DAY, letter_number="x", letter_date=DAY + ONE,
                              from_place="外单位")


# --- screens: every view keeps to the subtree ------------------------------------------------------

@pytest.fixture
def b_transfer(world):
    member = MemberFactory(name="宋佳", org=world.branch_b)
    return transfers.transfer_out(member=member, on=DAY, letter_number="b1", to_place="外单位")


def test_it_gives_404_when_recording_a_receipt_outside_the_subtree(world, client_for, b_transfer):
    response = client_for(world.worker_a).post(reverse("transfer_receipt", args=[b_transfer.pk]), {"on": "2024-04-01"})
    b_transfer.refresh_from_db()
    assert response.status_code == 404 and b_transfer.receipt_on is None


@pytest.mark.parametrize("view", ["transfer_list", "transfer_out", "transfer_in"])
def test_it_refuses_an_org_outside_the_subtree(world, client_for, b_transfer, view):
    assert client_for(world.worker_a).get(reverse(view), {"org": world.branch_b.pk}).status_code == 404


@pytest.mark.parametrize("view", ["transfer_list", "transfer_out", "transfer_in"])
def test_it_shows_nothing_to_a_party_member(world, client_for, b_transfer, view):
    assert client_for(world.member_user).get(reverse(view)).status_code == 403


def test_it_lists_only_the_branchs_own_transfers(world, client_for, b_transfer):
    assert "宋佳" not in client_for(world.worker_a).get(reverse("transfer_list")).content.decode()
    assert "宋佳" in client_for(world.worker_b).get(reverse("transfer_list")).content.decode()


def test_it_does_not_offer_another_branchs_member_for_a_transfer_out(world, client_for, b_transfer):
    page = client_for(world.worker_a).get(reverse("transfer_out")).content.decode()
    assert world.member_a.name in page and world.member_b.name not in page


def test_it_records_the_receipt_from_the_list(world, client_for, b_transfer):
    client_for(world.worker_b).post(reverse("transfer_receipt", args=[b_transfer.pk]), {"on": "2024-04-01"})
    b_transfer.refresh_from_db()
    assert b_transfer.receipt_on == date(2024, 4, 1)
