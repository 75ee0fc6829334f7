"""Admission makes a 预备党员 on the roll; 转正, an extension and a cancellation are recorded with
their decisions; probationers already on the roll get their 转正 step due."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from dangjian.lib.periods import add_months
from dangjian.members.choices import Status
from dangjian.recruitment import services
from dangjian.recruitment.choices import Outcome
from dangjian.recruitment.progress import track
from dangjian.recruitment.rules import DEFAULT_RULESET, DEFAULTS
from dangjian.testing.factories import MemberFactory

from .conftest import WALK, walk

pytestmark = pytest.mark.django_db
MEETING = WALK["branch_meeting"][0]
PROBATION_END = add_months(MEETING, 12 * DEFAULTS["probation_years"].value)


def test_it_puts_the_approved_person_on_the_roll_as_a_probationer_from_the_branch_meeting(applicant):
    walk(applicant, "approval_filing")
    member = applicant.member
    assert (member.status, member.joined_on, member.org) == (Status.PROBATIONARY, MEETING, applicant.org)
    assert member.introducers == "李华、赵敏"


def test_it_converts_on_the_day_probation_ends_and_counts_party_age_from_it(applicant):
    walk(applicant, "archive", conversion_meeting=PROBATION_END)
    member = applicant.member
    member.refresh_from_db()
    assert (member.status, member.confirmed_on) == (Status.FULL, PROBATION_END)
    assert member.party_age(add_months(PROBATION_END, 12) - timedelta(days=1)) == 0
    assert member.party_age(add_months(PROBATION_END, 12)) == 1
    assert applicant.outcome == Outcome.CONVERTED


def extend(applicant, months, **extra):
    return services.step_record(applicant=applicant, code="extend", done_on=PROBATION_END, months=months,
                                doc_number=extra.pop("doc_number", "和党〔2023〕12号"), **extra)


@pytest.mark.parametrize("months", [DEFAULTS["extension_months"].value, DEFAULTS["extension_months"].limit])
def test_it_extends_probation_once_by_six_to_twelve_months(applicant, months):
    walk(applicant, "conversion_application")
    extend(applicant, months)
    applicant.refresh_from_db()
    assert applicant.probation_ends_on == add_months(MEETING, 12 + months)


@pytest.mark.parametrize("months", [DEFAULTS["extension_months"].value - 1, DEFAULTS["extension_months"].limit + 1])
def test_it_refuses_an_extension_outside_six_to_twelve_months(applicant, months):
    walk(applicant, "conversion_application")
    with pytest.raises(ValidationError, match="第三十二条"):
        extend(applicant, months)


def test_it_refuses_a_second_extension(applicant):
    walk(applicant, "conversion_application")
    extend(applicant, 6)
    with pytest.raises(ValidationError, match="已延长过一次"):
        extend(applicant, 6)


def test_it_needs_the_decision_for_an_extension(applicant):
    walk(applicant, "conversion_application")
    with pytest.raises(ValidationError, match="决定"):
        extend(applicant, 6, doc_number="")


def test_it_moves_the_conversion_due_date_with_the_extension(applicant):
    walk(applicant, "conversion_meeting")
    extend(applicant, 6)
    applicant.refresh_from_db()
    due = {d.key: d.due_on for d in track(applicant, DEFAULT_RULESET, PROBATION_END).dues}
    assert due["conversion_meeting"] == add_months(MEETING, 18)
    with pytest.raises(ValidationError, match="届满后方可讨论转正"):
        services.step_record(applicant=applicant, code="conversion_meeting", done_on=PROBATION_END + timedelta(days=30),
                             votes_for=18)


def test_it_cancels_a_probation_with_its_decision_and_takes_the_person_off_the_roll(applicant):
    walk(applicant, "conversion_application")
    step = services.step_record(applicant=applicant, code="cancel", done_on=date(2023, 5, 10),
                                doc_number="和党〔2023〕9号", reason="不履行党员义务")
    applicant.refresh_from_db()
    assert applicant.outcome == Outcome.CANCELLED and step.doc_number == "和党〔2023〕9号"
    assert applicant.member.archived_on == date(2023, 5, 10)
    with pytest.raises(ValidationError, match="取消预备资格"):
        services.step_record(applicant=applicant, code="report", done_on=date(2023, 6, 1))


def test_it_refuses_to_extend_before_admission(applicant):
    walk(applicant, "branch_meeting")
    with pytest.raises(ValidationError, match="只有经上级党委批准的预备党员"):
        extend(applicant, 6)


def test_it_tracks_a_probationer_already_on_the_roll(world):
    member = MemberFactory(org=world.group_a1, status=Status.PROBATIONARY, joined_on=date(2023, 7, 1), confirmed_on=None)
    applicant = services.probationer_adopt(member=member)
    due = {d.key: d.due_on for d in track(applicant, DEFAULT_RULESET, date(2024, 6, 1)).dues}
    assert due["conversion_meeting"] == date(2024, 7, 1)
    assert applicant.org == world.branch_a


def test_it_lets_a_roster_probationer_go_straight_to_conversion(world):
    member = MemberFactory(org=world.branch_a, status=Status.PROBATIONARY, joined_on=date(2023, 7, 1), confirmed_on=None)
    applicant = services.probationer_adopt(member=member)
    services.step_record(applicant=applicant, code="conversion_application", done_on=date(2024, 6, 1))
    services.step_record(applicant=applicant, code="conversion_meeting", done_on=date(2024, 7, 1), votes_for=10)
    services.step_record(applicant=applicant, code="conversion_approval", done_on=date(2024, 8, 1))
    member.refresh_from_db()
    assert (member.status, member.confirmed_on) == (Status.FULL, date(2024, 7, 1))


def test_it_adopts_every_untracked_probationer_once(world):
    MemberFactory(org=world.branch_b, status=Status.PROBATIONARY, joined_on=date(2024, 1, 5), confirmed_on=None)
    assert services.probationers_adopt_all() == 1
    assert services.probationers_adopt_all() == 0


def test_it_adopts_an_imported_probationer_in_the_daily_reminder_run(world):
    from dangjian.plans.reminders import run

    member = MemberFactory(org=world.branch_a, status=Status.PROBATIONARY, joined_on=date(2025, 12, 20), confirmed_on=None)
    run(today=date(2026, 12, 18))
    assert member.recruitment.probation_ends_on == date(2026, 12, 20)
