"""出生年月 as clerks write it: kept to the month (or year) and compared at that precision."""

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.idnumbers import birth_date_from_id, make_id
from dangjian.lib.tabular import MonthOnly, YearOnly, agrees, birth_mismatch, parse_date, show_date

ID_1985_04_12 = make_id(date(1985, 4, 12), "男", "110101", random.Random(3))


@pytest.mark.parametrize(("written", "kind", "shown"), [
    ("1985.03", MonthOnly, "1985.03"), ("1978年9月", MonthOnly, "1978.09"), ("1970.8", MonthOnly, "1970.08"),
    ("1985-03", MonthOnly, "1985.03"), ("1985/3", MonthOnly, "1985.03"), ("198503", MonthOnly, "1985.03"),
    ("１９８５．０３", MonthOnly, "1985.03"), ("1985年3月份", MonthOnly, "1985.03"), (1985.03, MonthOnly, "1985.03"),
    (1970.8, MonthOnly, "1970.08"), (198503, MonthOnly, "1985.03"), ("1985年", YearOnly, "1985"),
    ("1985", YearOnly, "1985"), (1985, YearOnly, "1985"), ("1985.3.1", date, "1985-03-01"),
])
def test_it_keeps_the_precision_a_date_was_written_in(written, kind, shown):
    parsed = parse_date(written)
    assert (type(parsed), show_date(parsed)) == (kind, shown)


def test_it_counts_a_month_as_agreeing_with_any_day_in_it():
    assert agrees(parse_date("1985.04"), date(1985, 4, 12)) and agrees(parse_date("1985年"), date(1985, 4, 12))
    assert not agrees(parse_date("1985.03"), date(1985, 4, 12))


def test_it_shows_both_values_when_a_month_disagrees_with_the_id():
    assert birth_mismatch("出生年月", parse_date("1985.03"), birth_date_from_id(ID_1985_04_12)) == "出生年月1985.03与身份证号中的1985-04-12不一致"


def test_it_says_nothing_when_the_month_holds_the_ids_birth_date():
    assert birth_mismatch("出生年月", parse_date("1985年4月"), birth_date_from_id(ID_1985_04_12)) is None


def test_it_still_asks_whether_1985_1_is_january_or_october():
    with pytest.raises(ValueError, match="是1月还是10月"):
        parse_date(1985.1)


SPELLINGS = ("{y}.{m:02d}", "{y}.{m}", "{y}年{m}月", "{y}-{m:02d}", "{y}/{m}", "{y}{m:02d}", "{y}年{m:02d}月")


@given(st.dates(date(1900, 1, 1), date(2025, 12, 31)), st.sampled_from(SPELLINGS), st.sampled_from("男女"),
       st.integers(0, 10**6))
def test_any_spelling_of_the_month_agrees_with_an_id_born_in_it(born, spelling, sex, seed):
    id_number = make_id(born, sex, "370102", random.Random(seed))
    written = parse_date(spelling.format(y=born.year, m=born.month))
    assert isinstance(written, MonthOnly) and (written.year, written.month) == (born.year, born.month)
    assert birth_mismatch("出生年月", written, birth_date_from_id(id_number)) is None


@given(st.dates(date(1900, 1, 1), date(2025, 12, 31)), st.dates(date(1900, 1, 1), date(2025, 12, 31)),
       st.sampled_from(SPELLINGS))
def test_a_month_other_than_the_ids_is_refused_with_both_values(born, other, spelling):
    id_number = make_id(born, "女", "370102", random.Random(0))
    written = parse_date(spelling.format(y=other.year, m=other.month))
    message = birth_mismatch("出生年月", written, birth_date_from_id(id_number))
    if (other.year, other.month) == (born.year, born.month):
        assert message is None
    else:
        assert message == f"出生年月{other.year}.{other.month:02d}与身份证号中的{born:%Y-%m-%d}不一致"
