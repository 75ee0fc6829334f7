"""Membership, status and flags are dated intervals; every life event goes through a service."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.members.choices import EventKind, Flag, Status
from dangjian.members.models import Member, Membership, StatusInterval
from dangjian.members.services import (
    member_admit,
    member_archive,
    member_confirm,
    member_move,
    member_move_out,
    member_return,
    member_transfer_in,
    member_transfer_out,
)
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
DAY = date(2023, 8, 15)


def in_org(org, day):
    return set(Member.objects.in_org_on(org, day).values_list("name", flat=True))


@pytest.mark.parametrize(("day", "on_roll"), [(DAY - timedelta(days=1), False), (DAY, True), (DAY + timedelta(days=1), True)])
def test_it_counts_a_member_transferred_in_from_the_day_of_the_transfer(world, day, on_roll):
    MemberFactory(name="转入者", org=world.branch_b, since=DAY)
    assert ("转入者" in in_org(world.community, day)) is on_roll


@pytest.mark.parametrize(("day", "on_roll"), [(DAY - timedelta(days=1), True), (DAY, False), (DAY + timedelta(days=1), False)])
def test_it_counts_a_member_transferred_out_until_the_day_before(world, day, on_roll):
    member_transfer_out(member=world.member_b, on=DAY, to_org="外省")
    assert ("李四" in in_org(world.community, day)) is on_roll


def test_it_ends_one_membership_and_starts_the_other_on_the_day_of_a_move(world):
    member_move(member=world.member_b, org=world.branch_a, on=DAY)
    assert ("李四" in in_org(world.branch_b, DAY - timedelta(days=1)), "李四" in in_org(world.branch_b, DAY)) == (True, False)
    assert ("李四" in in_org(world.branch_a, DAY - timedelta(days=1)), "李四" in in_org(world.branch_a, DAY)) == (False, True)
    assert Member.objects.get(pk=world.member_b.pk).org == world.branch_a


def test_it_keeps_the_current_fields_what_the_open_intervals_say(world):
    member_transfer_out(member=world.member_b, on=DAY, to_org="外省")
    member = Member.objects.get(pk=world.member_b.pk)
    assert (member.archived_on, member.archive_reason) == (DAY, "组织关系转出")
    member_transfer_in(member=member, on=date(2024, 3, 1), from_org="外省")
    member = Member.objects.get(pk=world.member_b.pk)
    assert (member.archived_on, "李四" in in_org(world.community, date(2023, 12, 31))) == (None, False)
    assert "李四" in in_org(world.community, date(2024, 3, 1))


def test_it_reads_probation_and_confirmation_from_the_status_intervals(world):
    new = Member(name="新党员", org=world.branch_b, category="在职")
    member_admit(member=new, on=date(2022, 9, 1))
    member_confirm(member=new, on=date(2023, 9, 1))
    got = [Member.objects.filter(pk=new.pk).status_on(d).get().status_on_day
           for d in (date(2022, 8, 31), date(2022, 9, 1), date(2023, 8, 31), date(2023, 9, 1))]
    assert got == [None, Status.PROBATIONARY, Status.PROBATIONARY, Status.FULL]
    assert (new.full_member_on(date(2023, 8, 31)), new.full_member_on(date(2023, 9, 1))) == (False, True)


def test_it_counts_a_mobile_member_from_leaving_to_returning(world):
    member_move_out(member=world.member_b, on=date(2023, 3, 1), place="深圳")
    member_return(member=world.member_b, on=date(2023, 9, 1))
    flagged = [Member.objects.flagged_on(d, Flag.MOBILE).filter(pk=world.member_b.pk).exists()
               for d in (date(2023, 2, 28), date(2023, 3, 1), date(2023, 8, 31), date(2023, 9, 1))]
    assert flagged == [False, True, True, False]


def test_it_refuses_a_transfer_out_before_the_membership_began(world):
    late = MemberFactory(name="新来的", org=world.branch_b, since=DAY)
    with pytest.raises(ValidationError, match="早于"):
        member_transfer_out(member=late, on=DAY - timedelta(days=3))


def test_it_refuses_two_open_memberships_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(member=world.member_b, org=world.branch_a, started_on=DAY)


def test_it_refuses_an_inverted_interval_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusInterval.objects.create(member=world.member_c, status=Status.FULL, started_on=DAY, ended_on=DAY - timedelta(days=1))


# ---- Random life-event sequences: the intervals say what the events said, on every day. ----

EVENTS = st.lists(st.tuples(st.sampled_from(["out", "in", "move", "confirm", "away", "back"]),
                            st.integers(min_value=1, max_value=60)), max_size=8)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=EVENTS)
def test_it_answers_membership_and_status_on_any_day_as_the_events_said(world, steps):
    start = date(2023, 1, 1)
    member = Member(name="随机", org=world.branch_a, category="在职")
    member_admit(member=member, on=start)
    # The model of what should be true: (day from, org or None, status, mobile), in order.
    truth = [(start, world.branch_a, Status.PROBATIONARY, False)]
    day = start
    for kind, gap in steps:
        day = day + timedelta(days=gap)
        _, org, status, mobile = truth[-1]
        if kind == "out" and org is not None:
            member_archive(member=member, kind=EventKind.TRANSFER_OUT, on=day)
            truth.append((day, None, status, mobile))
        elif kind == "in" and org is None:
            member_transfer_in(member=member, on=day)
            truth.append((day, member.org, status, mobile))
        elif kind == "move" and org is not None:
            to = world.branch_b if org == world.branch_a else world.branch_a
            member_move(member=member, org=to, on=day)
            truth.append((day, to, status, mobile))
        elif kind == "confirm" and org is not None and status == Status.PROBATIONARY:
            member_confirm(member=member, on=day)
            truth.append((day, org, Status.FULL, mobile))
        elif kind == "away" and org is not None and not mobile:
            member_move_out(member=member, on=day, place="外地")
            truth.append((day, org, status, True))
        elif kind == "back" and org is not None and mobile:
            member_return(member=member, on=day)
            truth.append((day, org, status, False))
    probe = start - timedelta(days=1)
    while probe <= day + timedelta(days=1):
        expected = next((t for t in reversed(truth) if t[0] <= probe), None)
        org, status, mobile = (expected[1], expected[2], expected[3]) if expected else (None, None, False)
        row = Member.objects.filter(pk=member.pk).status_on(probe).get()
        assert row.status_on_day == status, probe
        for branch in (world.branch_a, world.branch_b):
            assert Member.objects.in_org_on(branch, probe).filter(pk=member.pk).exists() == (org == branch), probe
        if org is not None:
            assert Member.objects.flagged_on(probe, Flag.MOBILE).filter(pk=member.pk).exists() == mobile, probe
        probe += timedelta(days=7 if probe < day - timedelta(days=3) else 1)


def test_it_lists_who_belonged_on_some_day_of_a_period(world):
    from dangjian.lib.periods import Period

    member_transfer_out(member=world.member_b, on=date(2023, 7, 2))
    MemberFactory(name="九月底转入", org=world.branch_b, since=date(2023, 9, 30))
    MemberFactory(name="十月转入", org=world.branch_b, since=date(2023, 10, 1))
    names = set(Member.objects.on_roll_during(world.community, Period.parse("2023Q3")).values_list("name", flat=True))
    assert names == {"张三", "李四", "九月底转入"}


def test_it_refuses_overlapping_intervals_in_the_database_where_it_can(world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot express an exclusion constraint; the services refuse overlaps there")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(member=world.member_b, org=world.branch_a, started_on=date(2000, 1, 1),
                                  ended_on=date(2001, 1, 1))
