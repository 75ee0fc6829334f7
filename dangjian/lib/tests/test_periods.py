from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.periods import FIRST_YEAR, LAST_YEAR, Period

KIND_SIZES = {"month": 12, "quarter": 4, "half": 2, "year": 1}


@st.composite
def periods(draw: st.DrawFn) -> Period:
    kind = draw(st.sampled_from(sorted(KIND_SIZES)))
    return Period(kind, draw(st.integers(FIRST_YEAR + 1, LAST_YEAR - 1)), draw(st.integers(1, KIND_SIZES[kind])))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-07", Period("month", 2023, 7)),
        ("2023-7", Period("month", 2023, 7)),
        ("2023Q3", Period("quarter", 2023, 3)),
        ("2023q3", Period("quarter", 2023, 3)),
        ("2023H1", Period("half", 2023, 1)),
        ("2023", Period("year", 2023, 1)),
        (" ２０２３－０７ ", Period("month", 2023, 7)),
        ("2023年第三季度", Period("quarter", 2023, 3)),
        ("2023年上半年", Period("half", 2023, 1)),
    ],
)
def test_it_parses_every_written_form(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


@pytest.mark.parametrize("text", ["", "2023-13", "2023Q5", "2023H3", "23-07", "July 2023", "2023-07-01"])
def test_it_rejects_nonsense_in_chinese(text: str) -> None:
    with pytest.raises(ValueError, match="期间|没有"):
        Period.parse(text)


def test_it_knows_the_days_of_a_quarter() -> None:
    q = Period.parse("2024Q1")
    assert (q.first_day, q.last_day) == (date(2024, 1, 1), date(2024, 3, 31))


def test_it_knows_february_in_a_leap_year() -> None:
    assert Period.parse("2024-02").last_day == date(2024, 2, 29)


def test_it_labels_in_chinese() -> None:
    labels = [Period.parse(s).label for s in ("2023-07", "2023Q3", "2023H1", "2023H2", "2023")]
    assert labels == ["2023年7月", "2023年第三季度", "2023年上半年", "2023年下半年", "2023年"]


def test_it_writes_canonical_codes() -> None:
    assert [str(Period.parse(s)) for s in ("2023-7", "2023q3", "2023h1", "2023")] == [
        "2023-07",
        "2023Q3",
        "2023H1",
        "2023",
    ]


def test_it_finds_the_period_of_a_date() -> None:
    assert Period.of(date(2023, 8, 15), "quarter") == Period("quarter", 2023, 3)
    assert Period.of(date(2023, 8, 15), "half") == Period("half", 2023, 2)


def test_it_splits_a_year_and_a_half_into_quarters() -> None:
    assert [str(q) for q in Period.parse("2023").quarters()] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert [str(q) for q in Period.parse("2023H2").quarters()] == ["2023Q3", "2023Q4"]


def test_it_wraps_around_the_year() -> None:
    assert Period.parse("2023-12").next() == Period.parse("2024-01")
    assert Period.parse("2023Q1").previous() == Period.parse("2022Q4")


@given(periods())
def test_it_round_trips_through_its_code(period: Period) -> None:
    assert Period.parse(str(period)) == period


@given(periods())
def test_it_round_trips_through_its_label(period: Period) -> None:
    assert Period.parse(period.label) == period


@given(periods())
def test_it_covers_its_days_with_contiguous_months(period: Period) -> None:
    months = period.months()
    assert months[0].first_day == period.first_day
    assert months[-1].last_day == period.last_day
    for before, after in zip(months, months[1:], strict=False):
        assert after.first_day == before.last_day + timedelta(days=1)


@given(periods())
def test_it_steps_back_and_forth(period: Period) -> None:
    assert period.next().previous() == period
    assert period.previous().next() == period


@given(periods(), st.dates(date(FIRST_YEAR + 1, 1, 1), date(LAST_YEAR - 1, 12, 31)))
def test_it_contains_exactly_its_own_days(period: Period, day: date) -> None:
    assert period.contains(day) == (Period.of(day, period.kind) == period)


@pytest.mark.parametrize("text", ["0001", "9999", "10000", "1899", "2101-01"])
def test_it_refuses_a_year_outside_the_calendar(text: str) -> None:
    with pytest.raises(ValueError, match="超出范围|无法识别"):
        Period.parse(text)
