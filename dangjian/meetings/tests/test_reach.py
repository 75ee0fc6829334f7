"""不落一人: who was reached in a period, and who has gone months without organisational life."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.lib.periods import Period
from dangjian.meetings.choices import Mark, Status
from dangjian.meetings.models import RuleSetting
from dangjian.meetings.reach import compute
from dangjian.testing.factories import MemberFactory

from .helpers import held, send, visit

pytestmark = pytest.mark.django_db
Q3 = Period.parse("2023Q3")
LATER = date(2030, 1, 1)


def names(members) -> list[str]:
    return sorted(m.name for m in members)


@pytest.mark.parametrize("mark", [Mark.PRESENT, Mark.LATE])
def test_it_counts_a_member_who_came_as_reached(world, mark):
    held(world.branch_b, "theme_day", date(2023, 8, 15), marks={world.member_b: mark})
    r = compute(world.branch_b, Q3, as_of=LATER)
    assert names(r.reached) == ["李四"] and r.rate == 100.0


@pytest.mark.parametrize("mark", [Mark.SICK, Mark.PERSONAL, Mark.OFFICIAL, Mark.ABSENT])
def test_it_does_not_count_leave_or_absence_as_reached(world, mark):
    held(world.branch_b, "theme_day", date(2023, 8, 15), marks={world.member_b: mark})
    assert names(compute(world.branch_b, Q3, as_of=LATER).not_reached) == ["李四"]


def test_it_reaches_a_member_by_a_home_visit_alone(world):
    held(world.branch_b, "theme_day", date(2023, 8, 15), marks={world.member_b: Mark.SICK})
    visit(world.member_b, date(2023, 9, 2))
    r = compute(world.branch_b, Q3, as_of=LATER)
    assert names(r.reached) == ["李四"] and names(r.only_by("visited")) == ["李四"] and r.ways(world.member_b) == ["送学上门"]


def test_it_reaches_a_mobile_member_by_sending_material(world):
    send(world.member_b, date(2023, 7, 8))
    assert names(compute(world.branch_b, Q3, as_of=LATER).only_by("sent")) == ["李四"]


def test_it_can_require_a_send_to_be_confirmed(world):
    RuleSetting.objects.create(key="send_needs_confirmation", enabled=True, local_basis="本地要求")
    send(world.member_b, date(2023, 7, 8))
    assert names(compute(world.branch_b, Q3, as_of=LATER).not_reached) == ["李四"]
    send(world.member_b, date(2023, 7, 9), confirmed=date(2023, 7, 10))
    assert names(compute(world.branch_b, Q3, as_of=LATER).reached) == ["李四"]


def test_it_ignores_a_visit_outside_the_period(world):
    visit(world.member_b, date(2023, 10, 1))
    assert names(compute(world.branch_b, Q3, as_of=LATER).not_reached) == ["李四"]


def test_it_ignores_attendance_at_a_draft(world):
    held(world.branch_b, "theme_day", date(2023, 8, 15), status=Status.DRAFT, marks={world.member_b: Mark.PRESENT})
    assert names(compute(world.branch_b, Q3, as_of=LATER).not_reached) == ["李四"]


def test_it_counts_only_members_on_the_roll_at_the_end_of_the_period(world):
    MemberFactory(org=world.branch_b, name="后来者", joined_on=date(2023, 10, 5), confirmed_on=None, status="预备")
    MemberFactory(org=world.branch_b, name="已转出", archived_on=date(2023, 9, 1))
    assert names(compute(world.branch_b, Q3, as_of=LATER).members) == ["李四"]


def test_it_lists_the_whole_subtree(world):
    held(world.branch_a, "theme_day", date(2023, 8, 15), marks={world.member_a: Mark.PRESENT})
    r = compute(world.community, Q3, as_of=LATER)
    assert names(r.reached) == ["张三"] and names(r.not_reached) == ["李四"]


def _lapse(world, months_without: int, *, as_of: date, mark: str = Mark.PRESENT):
    """李四 came in January 2023, then nothing for `months_without` whole months."""
    held(world.branch_b, "theme_day", date(2023, 1, 10), marks={world.member_b: mark})
    end = Period("month", 2023, 1 + months_without)
    return compute(world.branch_b, end, as_of=as_of)


def test_it_does_not_warn_after_two_months(world):
    assert _lapse(world, 2, as_of=LATER).lapses == []


def test_it_warns_at_three_months(world):
    r = _lapse(world, 3, as_of=LATER)
    assert [(x.member.name, x.months, x.flagged, x.since) for x in r.lapses] == [("李四", 3, False, "2023年2月")]


def test_it_still_only_warns_at_five_months(world):
    assert [x.flagged for x in _lapse(world, 5, as_of=LATER).lapses] == [False]


def test_it_flags_at_six_months(world):
    r = _lapse(world, 6, as_of=LATER)
    assert [(x.months, x.flagged) for x in r.flagged] == [(6, True)] and r.warnings == []


def test_it_counts_a_month_on_leave_as_a_month_with_a_good_reason(world):
    held(world.branch_b, "theme_day", date(2023, 3, 10), marks={world.member_b: Mark.SICK})
    assert _lapse(world, 4, as_of=LATER).lapses == []  # Feb … May: only April and May since the leave


def test_it_does_not_count_an_absence_without_leave(world):
    held(world.branch_b, "theme_day", date(2023, 3, 10), marks={world.member_b: Mark.ABSENT})
    assert [x.months for x in _lapse(world, 4, as_of=LATER).lapses] == [4]


def test_it_does_not_count_the_month_still_running(world):
    # Period ends in April; on 20 April only February and March are whole months without contact.
    r = _lapse(world, 3, as_of=date(2023, 4, 20))
    assert r.lapses == []


def test_it_counts_a_home_visit_as_organisational_life(world):
    visit(world.member_b, date(2023, 3, 1))
    assert _lapse(world, 3, as_of=LATER).lapses == []


def test_it_never_counts_months_before_the_member_joined(world):
    MemberFactory(org=world.branch_b, name="新党员", joined_on=date(2023, 3, 15), confirmed_on=None, status="预备")
    r = _lapse(world, 4, as_of=LATER)  # to May: 李四 Feb–May (4), 新党员 Mar–May (3)
    assert {(x.member.name, x.months) for x in r.lapses} == {("李四", 4), ("新党员", 3)}


def test_it_reads_local_warning_months(world):
    RuleSetting.objects.create(key="lapse_warn", value=2, local_basis="本地提前预警")
    assert [x.months for x in _lapse(world, 2, as_of=LATER).lapses] == [2]


def test_it_uses_the_same_number_of_queries_whatever_the_records(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute(world.community, Period.parse("2023"), as_of=LATER)
        return len(ctx.captured_queries)

    held(world.branch_b, "theme_day", date(2023, 1, 10), marks={world.member_b: Mark.PRESENT})
    before = queries()
    for month in range(2, 13):
        extra = MemberFactory(org=world.branch_a)
        held(world.branch_a, "theme_day", date(2023, month, 10), marks={world.member_a: Mark.PRESENT, extra: Mark.SICK})
        visit(extra, date(2023, month, 12))
        send(world.member_b, date(2023, month, 12))
    assert queries() == before
