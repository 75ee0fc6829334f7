"""Working days under the State Council schedule, 调休 included (facts checked against chinesecalendar)."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.workdays import (
    Deadline,
    WorkCalendar,
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
    package_knows,
    statutory_holidays,
    working_days_between,
)

NO_LOCAL = WorkCalendar(loaders=[], schedules=[])


def test_it_agrees_with_the_package_on_the_2023_national_day_adjustments():
    # 2023: 中秋 Sep 29 and 国庆 Sep 30 – Oct 6 off; Sat Oct 7 and Sun Oct 8 were working days.
    for day in (date(2023, 9, 29), date(2023, 10, 1), date(2023, 10, 6)):
        assert chinese_calendar.is_holiday(day) and not NO_LOCAL.is_working_day(day)
    for day in (date(2023, 10, 7), date(2023, 10, 8)):
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day) and NO_LOCAL.is_working_day(day)


def test_it_counts_the_national_day_makeup_weekend_as_working_days():
    # From Thu Sep 28: next working days are Sat Oct 7, Sun Oct 8, Mon Oct 9.
    assert NO_LOCAL.add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 7)
    assert NO_LOCAL.add_working_days(date(2023, 9, 28), 3) == date(2023, 10, 9)


def test_it_counts_working_days_across_national_day():
    assert NO_LOCAL.working_days_between(date(2023, 9, 28), date(2023, 10, 9)) == 3


def test_it_counts_the_spring_festival_2023_makeup_weekend():
    # 2023 春节: Jan 21–27 off, Sat Jan 28 and Sun Jan 29 working.
    assert NO_LOCAL.add_working_days(date(2023, 1, 20), 1) == date(2023, 1, 28)
    assert NO_LOCAL.working_days_between(date(2023, 1, 20), date(2023, 1, 30)) == 3


def test_it_counts_the_spring_festival_2024_makeup_sundays():
    # 2024 春节: Sun Feb 4 and Sun Feb 18 were working days, Feb 10–17 off.
    assert NO_LOCAL.is_working_day(date(2024, 2, 4)) and NO_LOCAL.is_working_day(date(2024, 2, 18))
    assert NO_LOCAL.add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)


def test_it_counts_backwards_over_a_holiday():
    assert NO_LOCAL.add_working_days(date(2023, 10, 7), -1) == date(2023, 9, 28)


def test_it_gives_zero_working_days_from_a_day_to_itself():
    assert NO_LOCAL.working_days_between(date(2023, 10, 1), date(2023, 10, 1)) == 0


def test_it_moves_a_holiday_to_the_next_working_day():
    assert NO_LOCAL.next_working_day(date(2023, 10, 1)) == date(2023, 10, 7)


def test_it_treats_a_deadline_after_the_holiday_as_due_soon():
    # Thursday before 国庆: a deadline on Mon Oct 9 is 3 working days away, so due within 3.
    assert NO_LOCAL.is_due_within(date(2023, 10, 9), date(2023, 9, 28), 3)
    assert not NO_LOCAL.is_due_within(date(2023, 10, 10), date(2023, 9, 28), 3)


def test_it_names_the_holiday():
    assert holiday_name(date(2023, 10, 7)) == "国庆节"
    assert holiday_name(date(2023, 1, 28)) == "春节"


def test_it_applies_local_non_working_days():
    calendar = WorkCalendar({date(2023, 9, 28): False}, loaders=[])
    assert calendar.add_working_days(date(2023, 9, 27), 1) == date(2023, 10, 7)


def test_it_applies_local_working_days():
    # 2023-10-05 was a 调休 day off, not a statutory holiday: a deployment may work it.
    calendar = WorkCalendar({date(2023, 10, 5): True}, loaders=[])
    assert calendar.add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 5)


def test_it_reads_local_days_from_a_loader_once_per_year():
    calls = []

    def loader(first, last):
        calls.append(first.year)
        return {date(2023, 9, 28): False}

    calendar = WorkCalendar(loaders=[loader])
    calendar.working_days_between(date(2023, 9, 1), date(2023, 10, 31))
    assert calendar.add_working_days(date(2023, 9, 27), 1) == date(2023, 10, 7)
    assert calls == [2023]


def test_it_falls_back_to_weekdays_less_statutory_holidays_for_a_year_the_package_does_not_know():
    unknown = date(2099, 10, 1)  # a Thursday, 国庆节
    assert not NO_LOCAL.covers(unknown)
    assert not NO_LOCAL.is_working_day(unknown) and NO_LOCAL.is_working_day(date(2099, 10, 8))


def test_it_offers_module_level_helpers(db):
    assert is_working_day(date(2023, 10, 7))
    assert next_working_day(date(2023, 10, 1)) == date(2023, 10, 7)
    assert add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 7)
    assert working_days_between(date(2023, 9, 28), date(2023, 10, 7)) == 1


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 1)), st.integers(min_value=0, max_value=60))
def test_it_inverts_adding_and_counting(day, n):
    target = NO_LOCAL.add_working_days(day, n)
    assert NO_LOCAL.working_days_between(day, target) == n
    assert n == 0 or NO_LOCAL.is_working_day(target)


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 1)), st.integers(min_value=1, max_value=40))
def test_it_never_takes_fewer_calendar_days_than_working_days(day, n):
    assert NO_LOCAL.add_working_days(day, n) - day >= timedelta(days=n)


# ---------------------------------------------------------------------------------------------
# A year the package does not know: computed holidays, 预计 until the schedule is entered

# (the day before, the holiday(s) skipped, the next working day) — 2027 as the law computes it:
# 春节 2027-02-06 is 初一 (lunar), its eve 02-05; weekend holidays get 补假 on the next weekdays.
HOLIDAYS_2027 = [
    ("元旦", date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 4)),
    ("春节", date(2027, 2, 4), date(2027, 2, 8), date(2027, 2, 11)),
    ("清明节", date(2027, 4, 2), date(2027, 4, 5), date(2027, 4, 6)),
    ("劳动节", date(2027, 4, 30), date(2027, 5, 1), date(2027, 5, 5)),
    ("端午节", date(2027, 6, 8), date(2027, 6, 9), date(2027, 6, 10)),
    ("中秋节", date(2027, 9, 14), date(2027, 9, 15), date(2027, 9, 16)),
    ("国庆节", date(2027, 9, 30), date(2027, 10, 1), date(2027, 10, 6)),
]


# Once a chinesecalendar release publishes 2027, these tests of the estimate have nothing to estimate.
UNPUBLISHED_2027 = pytest.mark.skipif(package_knows(2027), reason="chinesecalendar now carries the 2027 schedule")


def test_it_knows_2026_from_the_package():
    assert package_knows(2026)


@UNPUBLISHED_2027
@pytest.mark.parametrize(("name", "before", "holiday", "after"), HOLIDAYS_2027)
def test_it_skips_each_2027_statutory_holiday_and_marks_the_deadline_estimated(name, before, holiday, after):
    assert not NO_LOCAL.is_working_day(holiday) and holiday_name(holiday) == name
    assert NO_LOCAL.deadline(before, 1) == Deadline(after, estimated=True)


def test_it_computes_the_2027_spring_festival_from_the_lunar_calendar():
    assert {date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)} <= set(statutory_holidays(2027))


def test_it_marks_a_deadline_exact_within_a_published_year():
    assert NO_LOCAL.deadline(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 8), estimated=False)


# An entered 2027 schedule (the shape of the State Council's notice; dates chosen for the test).
SCHEDULE_2027 = {
    **{date(2027, 1, d): False for d in (1, 2, 3)},
    **{date(2027, 2, d): False for d in range(5, 13)}, date(2027, 2, 20): True,
    **{date(2027, 4, d): False for d in (3, 4, 5)},
    **{date(2027, 5, d): False for d in range(1, 6)}, date(2027, 4, 25): True,
    date(2027, 6, 9): False, date(2027, 9, 15): False,
    **{date(2027, 10, d): False for d in range(1, 8)}, date(2027, 9, 26): True, date(2027, 10, 9): True,
}
ENTERED = WorkCalendar(loaders=[], schedules=[lambda year: SCHEDULE_2027 if year == 2027 else None])


@UNPUBLISHED_2027
def test_it_makes_2027_deadlines_exact_once_the_schedule_is_entered():
    assert ENTERED.deadline(date(2027, 9, 30), 1) == Deadline(date(2027, 10, 8), estimated=False)
    assert ENTERED.deadline(date(2027, 2, 4), 1) == Deadline(date(2027, 2, 15), estimated=False)


@UNPUBLISHED_2027
def test_it_counts_an_entered_makeup_weekend_as_a_working_day():
    assert ENTERED.is_working_day(date(2027, 2, 20)) and ENTERED.add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 20)


@UNPUBLISHED_2027
def test_it_never_lets_an_entry_make_a_statutory_holiday_a_working_day():
    calendar = WorkCalendar({date(2027, 10, 1): True}, loaders=[],
                            schedules=[lambda year: {date(2027, 2, 6): True} if year == 2027 else None])
    assert not calendar.is_working_day(date(2027, 10, 1)) and not calendar.is_working_day(date(2027, 2, 6))


def test_it_never_lets_a_local_day_make_a_known_years_holiday_a_working_day():
    assert not WorkCalendar({date(2025, 10, 1): True}, loaders=[], schedules=[]).is_working_day(date(2025, 10, 1))


@given(st.integers(min_value=2027, max_value=2080))
def test_it_never_counts_a_computed_statutory_holiday_as_a_working_day(year):
    assert not any(NO_LOCAL.is_working_day(day) for day in statutory_holidays(year))


@given(st.dates(min_value=date(2026, 6, 1), max_value=date(2040, 12, 1)), st.integers(min_value=1, max_value=40))
def test_it_marks_a_deadline_estimated_exactly_when_it_reaches_an_unpublished_year(day, n):
    deadline = NO_LOCAL.deadline(day, n)
    assert deadline.estimated == any(not package_knows(y) for y in range(day.year, deadline.day.year + 1))
