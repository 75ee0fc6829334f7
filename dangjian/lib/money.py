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


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _group_capital(n: int) -> str:
    """0 < n < 10000 in capitals, zeros inside collapsed to one 零, none at the end."""
    out, zero = "", False
    for place in range(3, -1, -1):
        digit = n // 10**place % 10
        if digit == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + _DIGITS[digit] + _PLACES[place]
        zero = False
    return out


def money_in_capitals(value: Decimal | int | str) -> str:
    """An amount as written on a receipt or cheque (中文大写金额): `1680.32` → 壹仟陆佰捌拾元叁角贰分,
    `6007.14` → 陆仟零柒元壹角肆分, `325.04` → 叁佰贰拾伍元零肆分, `15` → 壹拾伍元整 (中国人民银行
    《支付结算办法》附件一: "整" after 元 or 角, none after 分)."""
    amount = to_money(value)
    if amount < 0:
        return "负" + money_in_capitals(-amount)
    fen_total = int(amount * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    words, zero_before = "", False
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            zero_before = bool(words)
            continue
        if words and (zero_before or g < 1000):
            words += "零"
        words += _group_capital(g) + _GROUPS[i]
        zero_before = False
    if words:
        words += "元"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif fen and words:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    return (words or "零元") + ("" if fen else "整")
