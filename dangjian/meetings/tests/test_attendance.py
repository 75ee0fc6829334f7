"""应到/实到/参会率 from the sign-in marks, the default 应到 list per type, and the quorum."""

from datetime import date

import pytest

from dangjian.meetings import rules, services
from dangjian.meetings.choices import Mark
from dangjian.meetings.models import Activity, RuleSetting
from dangjian.testing.factories import MemberFactory

from .helpers import activity_type, committee, held

pytestmark = pytest.mark.django_db


def turnout(activity: Activity):
    return Activity.objects.prefetch_related("attendance", "guests").get(pk=activity.pk).turnout()


def test_it_counts_present_and_late_as_attended(world):
    a, b = MemberFactory(org=world.branch_b), MemberFactory(org=world.branch_b)
    t = turnout(held(world.branch_b, "theme_day", date(2023, 7, 1), marks={a: Mark.PRESENT, b: Mark.LATE}))
    assert (t.expected, t.attended, t.rate) == (2, 2, 100.0)


@pytest.mark.parametrize("mark", [Mark.SICK, Mark.PERSONAL, Mark.OFFICIAL, Mark.ABSENT])
def test_it_keeps_leave_and_absence_in_expected_but_not_in_attended(world, mark):
    a, b = MemberFactory(org=world.branch_b), MemberFactory(org=world.branch_b)
    t = turnout(held(world.branch_b, "theme_day", date(2023, 7, 1), marks={a: Mark.PRESENT, b: mark}))
    assert (t.expected, t.attended, t.rate) == (2, 1, 50.0)


def test_it_leaves_guests_out_of_expected_and_attended(world):
    a = MemberFactory(org=world.branch_b)
    t = turnout(held(world.branch_b, "theme_day", date(2023, 7, 1), marks={a: Mark.PRESENT}, guests=2))
    assert (t.expected, t.attended, t.guests, t.rate) == (1, 1, 2, 100.0)


def test_it_gives_no_rate_without_anyone_expected(world):
    assert turnout(held(world.branch_b, "talk", date(2023, 7, 1))).rate is None


def test_it_expects_the_whole_branch_with_its_groups_at_a_party_congress(world):
    extra = MemberFactory(org=world.branch_a, name="赵六")
    a = services.activity_create(org=world.branch_a, type=activity_type("congress"), topic="大会",
                                 held_on=date(2023, 7, 1))
    assert {r.member.name for r in a.attendance.all()} == {"张三", extra.name}


def test_it_expects_only_the_committee_at_a_committee_meeting(world):
    members = committee(world.branch_b)
    a = services.activity_create(org=world.branch_b, type=activity_type("committee"), topic="支委会",
                                 held_on=date(2023, 7, 1))
    assert {r.member_id for r in a.attendance.all()} == {m.pk for m in members}


def test_it_expects_only_the_group_at_a_group_meeting(world):
    MemberFactory(org=world.branch_a, name="不在小组")
    a = services.activity_create(org=world.group_a1, type=activity_type("group"), topic="小组会",
                                 held_on=date(2023, 7, 1))
    assert [r.member.name for r in a.attendance.all()] == ["张三"]


def test_it_leaves_out_members_not_yet_on_the_roll(world):
    MemberFactory(org=world.branch_b, joined_on=date(2023, 8, 1), confirmed_on=None, status="预备")
    a = services.activity_create(org=world.branch_b, type=activity_type("theme_day"), topic="党日",
                                 held_on=date(2023, 7, 1))
    assert [r.member.name for r in a.attendance.all()] == ["李四"]


def test_it_refuses_a_group_meeting_recorded_on_a_branch(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="党小组"):
        services.activity_create(org=world.branch_a, type=activity_type("group"), topic="x", held_on=date(2023, 7, 1))


def _quorum(activity):
    activity = Activity.objects.select_related("type").prefetch_related("attendance__member").get(pk=activity.pk)
    return rules.quorum_check(activity, RuleSetting.objects.ruleset())


@pytest.mark.parametrize(("present", "ok"), [(1, False), (2, True), (3, True)])
def test_it_needs_more_than_half_of_three_committee_members(world, present, ok):
    members = committee(world.branch_b, 3)
    marks = {m: Mark.PRESENT if i < present else Mark.SICK for i, m in enumerate(members)}
    check = _quorum(held(world.branch_b, "committee", date(2023, 7, 1), marks=marks))
    assert (check.needed, check.ok) == (2, ok)


@pytest.mark.parametrize(("present", "ok"), [(2, False), (3, True)])
def test_it_needs_more_than_half_not_half_of_four(world, present, ok):
    members = committee(world.branch_b, 4)
    marks = {m: Mark.LATE if i < present else Mark.PERSONAL for i, m in enumerate(members)}
    check = _quorum(held(world.branch_b, "committee", date(2023, 7, 1), marks=marks))
    assert (check.needed, check.ok) == (3, ok)


def test_it_checks_a_congress_quorum_only_when_it_votes(world):
    a, b, c = (MemberFactory(org=world.branch_b) for _ in range(3))
    marks = {a: Mark.PRESENT, b: Mark.SICK, c: Mark.ABSENT}
    assert _quorum(held(world.branch_b, "congress", date(2023, 7, 1), marks=marks)) is None
    check = _quorum(held(world.branch_b, "congress", date(2023, 7, 2), marks=marks, has_vote=True))
    assert not check.ok and "未达到" in check.message


def test_it_leaves_probationary_members_out_of_the_congress_vote_base(world):
    full = [MemberFactory(org=world.branch_b) for _ in range(2)]
    prob = [MemberFactory(org=world.branch_b, status="预备", confirmed_on=None) for _ in range(3)]
    marks = {full[0]: Mark.PRESENT, full[1]: Mark.ABSENT} | dict.fromkeys(prob, Mark.PRESENT)
    check = _quorum(held(world.branch_b, "congress", date(2023, 7, 1), marks=marks, has_vote=True))
    assert (check.base, check.present, check.ok) == (2, 1, False)


def test_it_counts_the_vote_base_as_it_was_on_the_day_of_the_meeting(world):
    # Confirmed (转正) in August: 预备 at the July congress, so without a vote then.
    later = MemberFactory(org=world.branch_b, status="正式", joined_on=date(2022, 8, 1), confirmed_on=date(2023, 8, 1))
    full = MemberFactory(org=world.branch_b, status="正式", confirmed_on=date(2020, 5, 1))
    marks = {later: Mark.PRESENT, full: Mark.ABSENT}
    july = _quorum(held(world.branch_b, "congress", date(2023, 7, 1), marks=marks, has_vote=True))
    september = _quorum(held(world.branch_b, "congress", date(2023, 9, 1), marks=marks, has_vote=True))
    assert (july.base, july.present) == (1, 0) and (september.base, september.present) == (2, 1)


def test_it_reads_a_local_quorum_percentage(world):
    from dangjian.meetings.models import RuleSetting

    RuleSetting.objects.create(key="committee_quorum", value=66, local_basis="本地规定")
    members = committee(world.branch_b, 3)
    marks = {m: Mark.PRESENT if i < 2 else Mark.SICK for i, m in enumerate(members)}
    check = _quorum(held(world.branch_b, "committee", date(2023, 7, 1), marks=marks))
    assert (check.needed, check.ok) == (2, True)
    RuleSetting.objects.filter(key="committee_quorum").update(value=67)
    assert _quorum(Activity.objects.get()).needed == 3
