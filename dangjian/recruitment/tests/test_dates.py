"""The date arithmetic behind every time rule: months that end on the 29th–31st, leap years."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.periods import add_months

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(DAYS, st.integers(min_value=-240, max_value=240))
def test_it_lands_in_the_right_month(day, months):
    got = add_months(day, months)
    assert (got.year * 12 + got.month) - (day.year * 12 + day.month) == months


@given(DAYS, st.integers(min_value=-240, max_value=240))
def test_it_keeps_the_day_or_takes_the_months_last_day(day, months):
    got = add_months(day, months)
    assert got.day == day.day or (got.day < day.day and add_months(got.replace(day=1), 1).toordinal() - got.toordinal() == 1)


@given(DAYS, st.integers(min_value=0, max_value=120))
def test_it_never_goes_backwards_when_adding(day, months):
    assert add_months(day, months) >= day


def test_it_takes_the_end_of_february_for_the_31st_of_january():
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_it_takes_the_28th_a_year_after_a_29th_of_february():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)
