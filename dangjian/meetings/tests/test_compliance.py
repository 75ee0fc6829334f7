"""The compliance engine at every edge: month, quarter and year ends, new and dissolved branches."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.lib.periods import Period
from dangjian.meetings.choices import Status
from dangjian.meetings.compliance import AMBER, FUTURE, GREEN, MET, MISSING, NOT_OWED, PENDING, RED, check
from dangjian.meetings.rules import RULES, Ruleset
from dangjian.testing.factories import MemberFactory

from .helpers import branch, committee, held

pytestmark = pytest.mark.django_db
LATER = date(2030, 1, 1)  # an as_of after every period in these tests: nothing is pending


def only(*keys: str) -> Ruleset:
    return Ruleset(tuple(r for r in RULES if r.key in keys or r.key.startswith(("lapse", "send"))))


def units(result, branch_org, key: str) -> dict[str, str]:
    bc = next(b for b in result.branches if b.branch == branch_org)
    return {str(u.period): u.state for c in bc.checks if c.rule.key == key for u in c.units}


def test_it_counts_an_activity_on_the_last_day_of_a_month_for_that_month(world):
    held(world.branch_b, "theme_day", date(2023, 7, 31))
    result = check(world.branch_b, Period.parse("2023Q3"), as_of=LATER, ruleset=only("theme_day"))
    assert units(result, world.branch_b, "theme_day") == {"2023-07": MET, "2023-08": MISSING, "2023-09": MISSING}


def test_it_counts_the_first_day_of_a_month_for_that_month_not_the_previous_one(world):
    held(world.branch_b, "theme_day", date(2023, 8, 1))
    result = check(world.branch_b, Period.parse("2023-07"), as_of=LATER, ruleset=only("theme_day"))
    assert units(result, world.branch_b, "theme_day") == {"2023-07": MISSING}


def test_it_counts_a_meeting_on_the_last_day_of_a_quarter_for_that_quarter(world):
    held(world.branch_b, "congress", date(2023, 9, 30))
    result = check(world.branch_b, Period.parse("2023"), as_of=LATER, ruleset=only("congress"))
    assert units(result, world.branch_b, "congress") == {
        "2023Q1": MISSING, "2023Q2": MISSING, "2023Q3": MET, "2023Q4": MISSING}


def test_it_counts_the_first_day_of_a_quarter_for_the_new_quarter(world):
    held(world.branch_b, "congress", date(2023, 10, 1))
    result = check(world.branch_b, Period.parse("2023Q3"), as_of=LATER, ruleset=only("congress"))
    assert units(result, world.branch_b, "congress") == {"2023Q3": MISSING}


def test_it_counts_new_years_eve_for_the_old_year_and_new_years_day_for_the_new(world):
    held(world.branch_b, "life_meeting", date(2023, 12, 31))
    held(world.branch_a, "life_meeting", date(2024, 1, 1))
    result = check(world.community, Period.parse("2023"), as_of=LATER, ruleset=only("life_meeting"))
    assert units(result, world.branch_b, "life_meeting") == {"2023": MET}
    assert units(result, world.branch_a, "life_meeting") == {"2023": MISSING}


def test_it_does_not_check_a_quarterly_rule_in_a_month_view(world):
    result = check(world.branch_b, Period.parse("2023-08"), as_of=LATER, ruleset=only("congress", "theme_day"))
    assert [r.key for r in result.not_evaluated] == ["congress"]
    assert units(result, world.branch_b, "congress") == {}


def test_it_asks_a_branch_founded_mid_quarter_only_for_the_months_it_existed_at_their_end(world):
    new = branch(world.community, "新成立党支部", founded_on=date(2023, 8, 15))
    result = check(new, Period.parse("2023Q3"), as_of=LATER, ruleset=only("theme_day", "congress"))
    assert units(result, new, "theme_day") == {"2023-07": NOT_OWED, "2023-08": MISSING, "2023-09": MISSING}
    assert units(result, new, "congress") == {"2023Q3": MISSING}
    assert result.by_type[1].required == 2  # 主题党日: August and September


def test_it_asks_a_branch_founded_on_the_last_day_of_a_month_for_that_month(world):
    new = branch(world.community, "月末成立党支部", founded_on=date(2023, 8, 31))
    later = branch(world.community, "月初成立党支部", founded_on=date(2023, 9, 1))
    result = check(world.community, Period.parse("2023-08"), as_of=LATER, ruleset=only("theme_day"))
    assert units(result, new, "theme_day") == {"2023-08": MISSING}
    assert later not in [b.branch for b in result.branches]


def test_it_no_longer_asks_a_branch_dissolved_mid_period(world):
    gone = branch(world.community, "撤销党支部", dissolved_on=date(2023, 8, 15))
    result = check(world.community, Period.parse("2023Q3"), as_of=LATER, ruleset=only("theme_day", "congress"))
    assert units(result, gone, "theme_day") == {"2023-07": MISSING, "2023-08": NOT_OWED, "2023-09": NOT_OWED}
    assert units(result, gone, "congress") == {"2023Q3": NOT_OWED}
    assert next(b for b in result.branches if b.branch == gone).note == "2023-08-15撤销"


def test_it_treats_a_branch_dissolved_on_the_last_day_of_a_month_as_gone_that_day(world):
    gone = branch(world.community, "月末撤销党支部", dissolved_on=date(2023, 8, 31))
    result = check(gone, Period.parse("2023-08"), as_of=LATER, ruleset=only("theme_day"))
    assert units(result, gone, "theme_day") == {"2023-08": NOT_OWED}


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_it_counts_only_submitted_records(world, status):
    held(world.branch_b, "theme_day", date(2023, 7, 10), status=status)
    result = check(world.branch_b, Period.parse("2023-07"), as_of=LATER, ruleset=only("theme_day"))
    assert units(result, world.branch_b, "theme_day") == {"2023-07": MISSING}


def test_it_counts_an_activity_for_the_types_it_was_combined_with(world):
    held(world.branch_b, "theme_day", date(2023, 7, 1), also=("lecture",))
    result = check(world.branch_b, Period.parse("2023Q3"), as_of=LATER, ruleset=only("lecture"))
    assert units(result, world.branch_b, "lecture") == {"2023Q3": MET}


def test_it_asks_each_party_group_for_its_own_meeting(world):
    result = check(world.community, Period.parse("2023-07"), as_of=LATER, ruleset=only("group"))
    assert units(result, world.branch_a, "group") == {"2023-07": MISSING}
    assert units(result, world.branch_b, "group") == {}  # no 党小组
    assert "第一党小组党小组会" in next(b for b in result.branches if b.branch == world.branch_a).reasons(result.period)[0][1]


def test_it_counts_a_group_meeting_for_its_group(world):
    held(world.group_a1, "group", date(2023, 7, 20))
    result = check(world.branch_a, Period.parse("2023-07"), as_of=LATER, ruleset=only("group"))
    assert units(result, world.branch_a, "group") == {"2023-07": MET}


def test_it_does_not_ask_for_a_committee_meeting_without_a_committee(world):
    committee(world.branch_b, 2)
    result = check(world.branch_b, Period.parse("2023-07"), as_of=LATER, ruleset=only("committee"))
    bc = result.branches[0]
    assert bc.checks[0].not_applicable and bc.state == "grey"


def test_it_asks_for_a_committee_meeting_when_the_branch_has_three_committee_members(world):
    committee(world.branch_b, 3)
    result = check(world.branch_b, Period.parse("2023-07"), as_of=LATER, ruleset=only("committee"))
    assert units(result, world.branch_b, "committee") == {"2023-07": MISSING}


def test_it_calls_the_running_month_pending_and_the_next_future(world):
    held(world.branch_b, "theme_day", date(2023, 7, 5))
    result = check(world.branch_b, Period.parse("2023Q3"), as_of=date(2023, 8, 20), ruleset=only("theme_day"))
    assert units(result, world.branch_b, "theme_day") == {"2023-07": MET, "2023-08": PENDING, "2023-09": FUTURE}
    assert result.branches[0].state == AMBER


def test_it_turns_red_once_the_month_is_over(world):
    result = check(world.branch_b, Period.parse("2023-08"), as_of=date(2023, 9, 1), ruleset=only("theme_day"))
    assert result.branches[0].state == RED
    assert result.branches[0].reasons(result.period) == [(RED, "主题党日：8月未达到每月至少1次")]


def test_it_is_green_when_every_unit_is_met(world):
    for month in (7, 8, 9):
        held(world.branch_b, "theme_day", date(2023, month, 10))
    result = check(world.branch_b, Period.parse("2023Q3"), as_of=LATER, ruleset=only("theme_day"))
    assert result.branches[0].state == GREEN


def test_it_counts_only_lectures_flagged_as_the_secretarys_for_the_secretary_rule(world):
    held(world.branch_b, "lecture", date(2023, 7, 1))
    result = check(world.branch_b, Period.parse("2023"), as_of=LATER, ruleset=only("secretary_lecture"))
    assert units(result, world.branch_b, "secretary_lecture") == {"2023": MISSING}
    held(world.branch_b, "lecture", date(2023, 8, 1), secretary=True)
    result = check(world.branch_b, Period.parse("2023"), as_of=LATER, ruleset=only("secretary_lecture"))
    assert units(result, world.branch_b, "secretary_lecture") == {"2023": MET}


def test_it_does_not_count_a_community_level_activity_for_a_branch(world):
    held(world.community, "theme_day", date(2023, 7, 1))
    result = check(world.community, Period.parse("2023-07"), as_of=LATER, ruleset=only("theme_day"))
    assert units(result, world.branch_b, "theme_day") == {"2023-07": MISSING}
    assert result.by_type[0].held_total == 1


def test_it_compares_required_and_held_per_type(world):
    held(world.branch_b, "theme_day", date(2023, 7, 1))
    held(world.branch_b, "theme_day", date(2023, 7, 2))
    result = check(world.branch_b, Period.parse("2023Q3"), as_of=LATER, ruleset=only("theme_day"))
    total = result.by_type[0]
    assert (total.required, total.held, total.met_units, total.missing_units) == (3, 2, 1, 2)


def test_it_lists_overdue_drafts_and_returned_records(world):
    late = held(world.branch_b, "theme_day", date(2023, 7, 3), status=Status.DRAFT, planned=True)
    back = held(world.branch_b, "theme_day", date(2023, 7, 4), status=Status.RETURNED)
    result = check(world.branch_b, Period.parse("2023-07"), as_of=date(2023, 7, 20), ruleset=only("theme_day"))
    assert result.overdue == [late] and result.returned == [back]


def test_it_reads_a_deployments_override(world):
    from dangjian.meetings.models import RuleSetting

    RuleSetting.objects.create(key="theme_day", per="quarter", value=2, local_basis="某市委组织部文件")
    held(world.branch_b, "theme_day", date(2023, 7, 1))
    result = check(world.branch_b, Period.parse("2023Q3"), as_of=LATER)
    assert units(result, world.branch_b, "theme_day") == {"2023Q3": MISSING}
    assert "本地规定：某市委组织部文件" in next(t.source for t in result.by_type if t.key == "theme_day")


def test_it_uses_the_same_number_of_queries_whatever_the_number_of_activities(world):
    MemberFactory(org=world.branch_b)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            check(world.community, Period.parse("2023"), as_of=LATER)
        return len(ctx.captured_queries)

    held(world.branch_b, "theme_day", date(2023, 1, 5), also=("lecture",))
    before = queries()
    for month in range(2, 13):
        held(world.branch_a, "theme_day", date(2023, month, 5), also=("lecture",))
        held(world.group_a1, "group", date(2023, month, 6))
    assert queries() == before
