import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.idnumbers import (
    ID_STORED_AS_NUMBER,
    birth_date_from_id,
    check_char,
    is_valid_id,
    make_id,
    mask_id,
    mask_phone,
    normalize_id,
    phone_tail,
    sex_from_id,
    validate_id,
    was_upgraded,
)

# The worked example of GB 11643-1999 Appendix A.
STANDARD_EXAMPLE = "11010519491231002X"


def test_it_accepts_the_standards_example() -> None:
    assert validate_id(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


def test_it_normalises_full_width_spaces_and_lowercase_x() -> None:
    assert validate_id(" １１０１０５ １９４９１２３１００２ｘ ") == STANDARD_EXAMPLE


def test_it_accepts_an_integer() -> None:
    ids = (make_id(date(1965, 3, 1), "男", "110101", random.Random(seed)) for seed in range(100))
    digits_only = next(i for i in ids if i.isdigit())
    assert validate_id(int(digits_only)) == digits_only


def test_it_turns_an_integral_float_into_digits() -> None:
    assert normalize_id(123.0) == "123"


def test_it_refuses_a_float_that_lost_digits() -> None:
    with pytest.raises(ValueError, match="Excel存为数字"):
        validate_id(110105194912310021.0)
    with pytest.raises(ValueError, match="Excel存为数字"):
        validate_id("1.10105E+17")
    assert "设为文本" in ID_STORED_AS_NUMBER


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("11010519491231002", "长度应为18位（或换证前的15位），现为17位"),
        ("1101051949123100212", "长度应为18位（或换证前的15位），现为19位"),
        ("1101054913310", "现为13位"),
        ("110105491331002", "出生日期无效：19491331"),
        ("11010549123100X", "15位身份证号应全部为数字"),
        ("11010519491231002a", "含非法字符"),
        ("1101051949X231002X", "含非法字符"),
        ("110105194913310024", "出生日期无效"),
        ("110105194912310021", "校验码错误，应为X"),
    ],
)
def test_it_says_why_an_id_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_id(raw)
    assert not is_valid_id(raw)


def test_it_reads_birth_date_and_sex() -> None:
    assert birth_date_from_id(STANDARD_EXAMPLE) == date(1949, 12, 31)
    assert sex_from_id(STANDARD_EXAMPLE) == "女"


def test_it_masks_an_id() -> None:
    assert mask_id("11010119650301123X") == "1101**********123X"


def test_it_masks_phones() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("010-12345678") == "010*******78"
    assert mask_phone("") == ""


@given(
    st.dates(date(1900, 1, 1), date(2020, 12, 31)),
    st.sampled_from(["男", "女"]),
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    st.integers(),
)
def test_it_makes_valid_ids(birth: date, sex: str, region: str, seed: int) -> None:
    made = make_id(birth, sex, region, random.Random(seed))
    assert validate_id(made) == made
    assert (birth_date_from_id(made), sex_from_id(made)) == (birth, sex)


@given(st.integers(), st.integers(0, 17), st.integers(1, 9))
def test_it_notices_one_changed_digit(seed: int, position: int, shift: int) -> None:
    made = make_id(date(1970, 1, 1), "男", "110101", random.Random(seed))
    digit = 10 if made[position] == "X" else int(made[position])
    changed = (digit + shift) % 10
    assert not is_valid_id(made[:position] + str(changed) + made[position + 1 :])


@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_the_check_character_follows_the_standards_formula(first17: str) -> None:
    # GB 11643-1999 §7: the sum of each digit times its weight, mod 11, picks the character.
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert check_char(first17) == "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


@pytest.mark.parametrize("bad", ["1234567890123456", "１２３４５６７８９０１２３４５６７", "1234567890123456X", "12345678901234567890"])
def test_the_check_character_needs_17_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_char(bad)


@pytest.mark.parametrize(("phone", "tail"), [("13812341234", "1234"), ("010-1234567-89", "6789"), ("", ""), (None, "")])
def test_the_phone_tail_is_its_last_four_digits(phone, tail) -> None:
    assert phone_tail(phone) == tail


def test_it_upgrades_a_15_digit_id_to_18() -> None:
    # GB 11643-1999's example 11010519491231002X, as its 15-digit predecessor wrote it.
    assert validate_id("110105491231002") == STANDARD_EXAMPLE
    assert validate_id(110105491231002.0) == STANDARD_EXAMPLE  # a number cell holds 15 digits exactly


def test_it_tells_a_15_digit_cell_from_an_18_digit_one() -> None:
    assert was_upgraded("110105491231002") and was_upgraded(110105491231002.0)
    assert not was_upgraded(STANDARD_EXAMPLE)


@given(st.dates(date(1900, 1, 1), date(1999, 12, 31)), st.sampled_from(["男", "女"]),
       st.from_regex(r"[1-8][0-9]{5}", fullmatch=True), st.integers())
def test_every_15_digit_id_upgrades_to_the_18_digit_one_with_the_same_birth_and_sex(birth, sex, region, seed) -> None:
    made = make_id(birth, sex, region, random.Random(seed))
    old = made[:6] + made[8:17]  # the 15-digit form: two-digit year, no check character
    assert validate_id(old) == made
    assert (birth_date_from_id(old), sex_from_id(old)) == (birth, sex)
