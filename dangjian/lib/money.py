"""Money: amounts in 元 as Decimal, to the 分, rounded half-up as a cashier would."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ROUNDING_NOTE = "金额以元为单位，精确到分，四舍五入"  # Decimal ROUND_HALF_UP
CENT = Decimal("0.01")

# NFKC has already turned ￥ into ¥ and full-width commas into ASCII ones.
_NOISE = re.compile(r"[\s,¥元]|^RMB", re.IGNORECASE)


def parse_decimal(value: str | int | float | Decimal) -> Decimal:
    """A finite Decimal from user input, unrounded; floats go through str so 0.1 stays 0.1."""
    if isinstance(value, bool):
        raise ValueError(f"无法识别为数字：“{value}”")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        text = _NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"无法识别为数字：“{value}”") from None
    if not number.is_finite():
        raise ValueError(f"无法识别为数字：“{value}”")
    return number


def to_money(value: str | int | float | Decimal) -> Decimal:
    """`"¥1,234.505元"` → Decimal("1234.51")."""
    try:
        number = parse_decimal(value)
    except ValueError:
        raise ValueError(f"金额无法识别：“{value}”") from None
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal | int | str | float) -> str:
    """`Decimal("1234.5")` → `"1,234.50"`."""
    return f"{to_money(value):,.2f}"
