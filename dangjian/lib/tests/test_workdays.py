"""Working days under the State Council schedule, 调休 included (facts checked against chinesecalendar)."""

from datetime import date, timedelta

import chinese_calendar
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.workdays import (
    WorkCalendar,
    add_working_days,
    covers,
    holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
)

NO_LOCAL = WorkCalendar(loaders=[])


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
    calendar = WorkCalendar({date(2023, 10, 3): True}, loaders=[])
    assert calendar.add_working_days(date(2023, 9, 28), 1) == date(2023, 10, 3)


def test_it_reads_local_days_from_a_loader_once_per_year():
    calls = []

    def loader(first, last):
        calls.append(first.year)
        return {date(2023, 9, 28): False}

    calendar = WorkCalendar(loaders=[loader])
    calendar.working_days_between(date(2023, 9, 1), date(2023, 10, 31))
    assert calendar.add_working_days(date(2023, 9, 27), 1) == date(2023, 10, 7)
    assert calls == [2023]


def test_it_falls_back_to_weekdays_for_a_year_the_package_does_not_know():
    unknown = date(2099, 10, 1)  # a Thursday
    assert not covers(unknown)
    assert NO_LOCAL.is_working_day(unknown) and not NO_LOCAL.is_working_day(date(2099, 10, 3))


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
