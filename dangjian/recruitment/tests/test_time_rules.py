"""Every time rule at its boundary: the day before, the day, the day after (thresholds from rules)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from dangjian.lib.periods import add_months
from dangjian.recruitment import services
from dangjian.recruitment.models import RuleSetting
from dangjian.recruitment.rules import DEFAULTS

from .conftest import APPLIED, WALK, walk

pytestmark = pytest.mark.django_db
ONE = timedelta(days=1)


def record(applicant, code, on, **extra):
    fields = {**WALK[code][1], **extra}
    return services.step_record(applicant=applicant, code=code, done_on=on, **fields)


# --- 第五条: 18 at the application -----------------------------------------------------------

BIRTH = date(2005, 6, 15)
EIGHTEEN = date(BIRTH.year + DEFAULTS["min_age"].value, BIRTH.month, BIRTH.day)


def apply(world, on):
    return services.applicant_create(org=world.branch_a, name="钱小明", birth_date=BIRTH, applied_on=on)


def test_it_refuses_an_application_the_day_before_the_eighteenth_birthday(world):
    with pytest.raises(ValidationError, match="第五条"):
        apply(world, EIGHTEEN - ONE)


@pytest.mark.parametrize("on", [EIGHTEEN, EIGHTEEN + ONE])
def test_it_accepts_an_application_from_the_eighteenth_birthday(world, on):
    assert apply(world, on).steps.get().code == "apply"


# --- 第七条: the talk within one month -------------------------------------------------------

TALK_BY = add_months(APPLIED, DEFAULTS["talk_months"].value)


@pytest.mark.parametrize("on", [TALK_BY - ONE, TALK_BY])
def test_it_accepts_a_talk_within_the_month(applicant, on):
    assert record(applicant, "talk", on).reason == ""


def test_it_asks_for_a_reason_for_a_talk_the_day_after_the_month(applicant):
    with pytest.raises(ValidationError, match="第七条") as exc:
        record(applicant, "talk", TALK_BY + ONE)
    assert "特殊情况" in str(exc.value)


def test_it_records_a_late_talk_with_its_reason(applicant):
    assert record(applicant, "talk", TALK_BY + ONE, reason="申请人外出务工，返回后即谈话").reason


def test_it_takes_the_month_end_for_an_application_on_the_31st(world):
    a = services.applicant_create(org=world.branch_a, name="孙小雨", birth_date=date(1990, 1, 1), applied_on=date(2023, 1, 31))
    record(a, "talk", date(2023, 2, 28))
    assert a.steps.filter(code="talk", reason="").exists()


# --- 第十二条: one year as 积极分子 -------------------------------------------------------------

def candidate_boundary(applicant):
    walk(applicant, "candidate")
    applicant.refresh_from_db()
    return add_months(applicant.activist_on, 12 * DEFAULTS["activist_years"].value)


def test_it_refuses_a_candidate_the_day_before_a_full_year(applicant):
    earliest = candidate_boundary(applicant)
    with pytest.raises(ValidationError, match="未满1年"):
        record(applicant, "candidate", earliest - ONE, reason="表现突出")


@pytest.mark.parametrize("days", [0, 1])
def test_it_accepts_a_candidate_from_a_full_year(applicant, days):
    earliest = candidate_boundary(applicant)
    record(applicant, "candidate", earliest + timedelta(days=days))
    applicant.refresh_from_db()
    assert applicant.get_stage_display() == "发展对象"


# --- 第十七条: training ≥ 3 days or ≥ 24 class hours ------------------------------------------

DAYS, HOURS = DEFAULTS["training_days"].value, DEFAULTS["training_hours"].value
START = date(2022, 7, 4)


@pytest.mark.parametrize(("days", "hours", "ok"), [
    (DAYS - 1, HOURS - 1, False), (DAYS, 0, True), (DAYS + 1, 0, True),
    (DAYS - 1, HOURS, True), (DAYS - 1, HOURS + 1, True),
])
def test_it_checks_the_training_length_at_its_boundary(applicant, days, hours, ok):
    walk(applicant, "training")
    ends = START + timedelta(days=days - 1)
    fields = {"starts_on": START, "ends_on": ends, "hours": hours}
    if ok:
        assert services.step_record(applicant=applicant, code="training", done_on=ends, **fields)
    else:
        with pytest.raises(ValidationError, match="第十七条"):
            services.step_record(applicant=applicant, code="training", done_on=ends, **fields)


# --- 公示 in working days -----------------------------------------------------------------------

@pytest.mark.parametrize(("ends", "ok"), [(date(2022, 7, 21), False), (date(2022, 7, 22), True), (date(2022, 7, 25), True)])
def test_it_counts_the_publicity_in_working_days(applicant, ends, ok):
    # Mon 2022-07-18: the 5th working day is Fri 07-22.
    walk(applicant, "branch_review")
    fields = {"starts_on": date(2022, 7, 18), "ends_on": ends}
    if ok:
        assert services.step_record(applicant=applicant, code="branch_review", done_on=ends, **fields)
    else:
        with pytest.raises(ValidationError, match="不足5个工作日"):
            services.step_record(applicant=applicant, code="branch_review", done_on=ends, **fields)


def test_it_does_not_count_the_national_day_holiday_in_the_publicity(applicant):
    walk(applicant, "branch_review")
    # 2022-09-29 (Thu) to 2022-10-10 (Mon): 29, 30 Sep and 8, 9 (调休 weekend), 10 Oct — 5 working days.
    with pytest.raises(ValidationError, match="共4个工作日"):
        services.step_record(applicant=applicant, code="branch_review", done_on=date(2022, 10, 9),
                             starts_on=date(2022, 9, 29), ends_on=date(2022, 10, 9))
    assert services.step_record(applicant=applicant, code="branch_review", done_on=date(2022, 10, 10),
                                starts_on=date(2022, 9, 29), ends_on=date(2022, 10, 10))


# --- approval within 3 months of the branch meeting (at most 6) -------------------------------

MEETING = WALK["branch_meeting"][0]
APPROVE_BY = add_months(MEETING, DEFAULTS["approval_months"].value)
APPROVE_LIMIT = add_months(MEETING, DEFAULTS["approval_months"].limit)


@pytest.mark.parametrize("on", [APPROVE_BY - ONE, APPROVE_BY])
def test_it_accepts_an_approval_within_three_months(applicant, on):
    walk(applicant, "approval")
    assert record(applicant, "approval", on).reason == ""


def test_it_asks_for_a_reason_the_day_after_three_months(applicant):
    walk(applicant, "approval")
    with pytest.raises(ValidationError, match="特殊情况"):
        record(applicant, "approval", APPROVE_BY + ONE)


@pytest.mark.parametrize("on", [APPROVE_LIMIT - ONE, APPROVE_LIMIT])
def test_it_accepts_a_late_approval_with_a_reason_up_to_six_months(applicant, on):
    walk(applicant, "approval")
    assert record(applicant, "approval", on, reason="党委换届").reason == "党委换届"


def test_it_refuses_an_approval_the_day_after_six_months_even_with_a_reason(applicant):
    walk(applicant, "approval")
    with pytest.raises(ValidationError, match="重新履行入党手续"):
        record(applicant, "approval", APPROVE_LIMIT + ONE, reason="党委换届")


# --- 预备期 one year from the branch meeting; 转正 approved within 3 months -------------------

PROBATION_END = add_months(MEETING, 12 * DEFAULTS["probation_years"].value)


def test_it_refuses_the_conversion_meeting_the_day_before_probation_ends(applicant):
    walk(applicant, "conversion_meeting")
    with pytest.raises(ValidationError, match="届满后方可讨论转正"):
        record(applicant, "conversion_meeting", PROBATION_END - ONE)


@pytest.mark.parametrize("on", [PROBATION_END, PROBATION_END + ONE])
def test_it_accepts_the_conversion_meeting_from_the_end_of_probation(applicant, on):
    walk(applicant, "conversion_meeting")
    assert record(applicant, "conversion_meeting", on)


CONVERT_BY = add_months(PROBATION_END, DEFAULTS["conversion_months"].value)


@pytest.mark.parametrize(("on", "needs_reason"), [(CONVERT_BY - ONE, False), (CONVERT_BY, False), (CONVERT_BY + ONE, True)])
def test_it_checks_the_conversion_approval_within_three_months(applicant, on, needs_reason):
    walk(applicant, "conversion_approval", conversion_meeting=PROBATION_END)
    if needs_reason:
        with pytest.raises(ValidationError, match="特殊情况"):
            record(applicant, "conversion_approval", on)
    else:
        assert record(applicant, "conversion_approval", on)


# --- people named ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("people", "ok"), [("", False), ("李华", True), ("李华、赵敏", True), ("李华、赵敏、钱进", False)])
def test_it_takes_one_or_two_contacts(applicant, people, ok):
    walk(applicant, "contacts")
    if ok:
        assert record(applicant, "contacts", WALK["contacts"][0], people=people)
    else:
        with pytest.raises(ValidationError, match="培养联系人"):
            record(applicant, "contacts", WALK["contacts"][0], people=people)


def test_it_takes_exactly_two_introducers(applicant):
    walk(applicant, "introducers")
    with pytest.raises(ValidationError, match="党章"):
        record(applicant, "introducers", WALK["introducers"][0], people="李华")


# --- order, overrides ------------------------------------------------------------------------

def test_it_refuses_a_step_out_of_order(applicant):
    with pytest.raises(ValidationError, match="请先登记"):
        record(applicant, "activist", date(2021, 6, 1))


def test_it_refuses_a_step_dated_before_the_previous_one(applicant):
    walk(applicant, "activist")
    with pytest.raises(ValidationError, match="不能早于上一步"):
        record(applicant, "activist", date(2021, 3, 10))


def test_it_applies_a_local_override_of_the_talk_time_limit(applicant):
    RuleSetting.objects.create(key="talk_months", value=2, local_basis="某区委组织部〔2024〕1号")
    record(applicant, "talk", TALK_BY + ONE)
    assert "本地规定" in RuleSetting.objects.ruleset()["talk_months"].source
