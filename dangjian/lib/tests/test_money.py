from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.money import ROUNDING_NOTE, fmt_money, to_money


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
