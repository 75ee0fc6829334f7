from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.money import ROUNDING_NOTE, fmt_money, money_in_capitals, to_money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.345", "12.35"),
        ("12.344", "12.34"),
        ("2.5", "2.50"),
        (3, "3.00"),
        (0.1, "0.10"),
        (Decimal("0.005"), "0.01"),
        ("¥1,234.5", "1234.50"),
        ("￥１，２３４．５元", "1234.50"),
        (" 12 元 ", "12.00"),
        ("-0.005", "-0.01"),
    ],
)
def test_it_reads_amounts_to_the_cent(raw: object, expected: str) -> None:
    assert to_money(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "NaN", "Infinity", True])
def test_it_rejects_garbage_in_chinese(raw: object) -> None:
    with pytest.raises(ValueError, match="金额无法识别"):
        to_money(raw)


def test_it_formats_with_thousands_separators() -> None:
    assert fmt_money(Decimal("1234.5")) == "1,234.50"
    assert fmt_money(Decimal("-1234567.005")) == "-1,234,567.01"


def test_it_states_its_rounding_rule() -> None:
    assert "四舍五入" in ROUNDING_NOTE and "ROUND" not in ROUNDING_NOTE


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_it_reads_back_what_it_formats(amount: Decimal) -> None:
    assert to_money(fmt_money(amount)) == amount


@pytest.mark.parametrize("amount, words", [
    ("0", "零元整"), ("0.20", "贰角整"), ("0.05", "伍分"), ("15", "壹拾伍元整"), ("10.50", "壹拾元伍角整"),
    ("325.04", "叁佰贰拾伍元零肆分"), ("1409.50", "壹仟肆佰零玖元伍角整"), ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("6007.14", "陆仟零柒元壹角肆分"), ("107000.53", "壹拾万柒仟元伍角叁分"), ("100010001", "壹亿零壹万零壹元整"),
    ("30000000", "叁仟万元整"), ("1000001", "壹佰万零壹元整"),
])
def test_it_writes_an_amount_in_capitals_as_a_receipt_does(amount, words):
    assert money_in_capitals(amount) == words


@given(st.decimals(min_value=0, max_value=Decimal("99999999999.99"), places=2))
def test_it_reads_back_every_amount_it_writes_in_capitals(amount):
    words = money_in_capitals(amount)
    digits = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
    units = {"拾": 10, "佰": 100, "仟": 1000}
    total, section, big, number = Decimal(0), 0, 0, 0
    for c in words.rstrip("整"):
        if c in digits:
            number = digits[c]
        elif c in units:
            section += number * units[c]
            number = 0
        elif c in ("万", "亿"):
            big += (section + number) * (10000 if c == "万" else 10**8)
            section = number = 0
        elif c == "元":
            total += big + section + number
            big = section = number = 0
        elif c == "角":
            total += Decimal(number) / 10
            number = 0
        elif c == "分":
            total += Decimal(number) / 100
            number = 0
    assert total == amount
