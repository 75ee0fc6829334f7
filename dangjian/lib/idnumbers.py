"""Citizen ID numbers (GB 11643-1999, 18 digits; the 15-digit numbers issued before 1999 are
upgraded to 18) and masking of personal numbers for display."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# A float cannot hold more than 15–16 significant digits, so an 18-digit ID that passed
# through a number cell has lost its tail, and no checksum trick can bring it back.
_FLOAT_EXACT_LIMIT = 2**53
_WELL_FORMED = re.compile(r"[0-9]{17}[0-9X]").fullmatch
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")
ID_STORED_AS_NUMBER = "身份证号被Excel存为数字，后几位已丢失，请把该列设为文本后重新填写"


_ZERO_WEIGHT = ord("0") * sum(_WEIGHTS)


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_char needs the first 17 digits")
    # The digits' byte values weighted, less what the "0" in every byte adds: one pass in C.
    return _CHECK_CHARS[(sum(map(mul, first17.encode(), _WEIGHTS)) - _ZERO_WEIGHT) % 11]


def normalize_id(value: str | int | float) -> str:
    """Full-width → half-width, no spaces, upper-case X; integral numbers become their digits."""
    if isinstance(value, bool):
        raise ValueError(f"含非法字符：“{value}”")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"含非法字符：“{value}”")
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text).upper()


_EARLIEST_BIRTH = date(1850, 1, 1)


def _birth_date(digits: str) -> date | None:
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return None
    return born if _EARLIEST_BIRTH <= born <= date.today() else None


def upgrade_15(text: str) -> str:
    """A 15-digit ID (region, YYMMDD, 3-digit sequence) as the 18-digit one: "19" inserted before
    the year and the check character added (GB 11643-1999 replaced GB 11643-1989's 15 digits)."""
    if not re.fullmatch(r"[0-9]{15}", text):
        raise ValueError("15位身份证号应全部为数字")
    first17 = text[:6] + "19" + text[6:]
    if _birth_date(first17 + "0") is None:
        raise ValueError(f"出生日期无效：19{text[6:12]}")
    return first17 + check_char(first17)


def validate_id(value: str | int | float) -> str:
    """The normalised 18-digit ID (a valid 15-digit one upgraded), or ValueError saying in
    Chinese what is wrong with it."""
    if isinstance(value, float) and abs(value) >= _FLOAT_EXACT_LIMIT:
        raise ValueError(ID_STORED_AS_NUMBER)
    if type(value) is str and _WELL_FORMED(value):
        text = value  # typed as it should be (the usual cell): 17 digits, then a digit or X
    else:
        text = normalize_id(value)
        if _SCIENTIFIC.fullmatch(text):
            raise ValueError(ID_STORED_AS_NUMBER)
        bad = sorted(set(re.sub(r"[0-9X]", "", text)))
        if bad:
            raise ValueError(f"含非法字符：“{''.join(bad)}”")
        if len(text) == 15:
            return upgrade_15(text)
        if len(text) != 18:
            raise ValueError(f"长度应为18位（或换证前的15位），现为{len(text)}位")
        if "X" in text[:17]:
            raise ValueError("含非法字符：X只能出现在最后一位")
    if _birth_date(text) is None:
        raise ValueError(f"出生日期无效：{text[6:14]}")
    expected = check_char(text[:17])
    if text[17] != expected:
        raise ValueError(f"校验码错误，应为{expected}")
    return text


def was_upgraded(value: object) -> bool:
    """Whether a cell's ID is a 15-digit one (which validate_id upgrades); cheap for the usual 18."""
    if type(value) is str and len(value) == 18:
        return False
    try:
        return len(normalize_id(value)) == 15  # type: ignore[arg-type]
    except ValueError:
        return False


def is_valid_id(value: str | int | float) -> bool:
    try:
        validate_id(value)
    except ValueError:
        return False
    return True


def birth_date_from_id(value: str | int | float) -> date:
    text = validate_id(value)
    return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def sex_from_id(value: str | int | float) -> str:
    """'男' or '女': the 17th digit is odd for men (GB 11643-1999 §5.4)."""
    return "男" if int(validate_id(value)[16]) % 2 else "女"


def mask_id(value: str) -> str:
    """`110101196503011234` → `1101**********1234`."""
    text = str(value or "")
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def phone_tail(value: str | None) -> str:
    """The last 4 digits of a phone, what phone search matches (`010-1234567-89` → `6789`)."""
    return "".join(c for c in value if c.isdigit())[-4:] if value else ""


def mask_phone(value: str) -> str:
    """`13812341234` → `138****1234`; other lengths keep the first 3 and last 2."""
    text = str(value or "")
    if len(text) == 11 and text.isdigit():
        return text[:3] + "****" + text[-4:]
    if len(text) <= 5:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def make_id(birth: date, sex: str, region: str = "110101", rng: random.Random | None = None) -> str:
    """A valid ID for demo data and tests: region, birth date, a sequence whose parity gives the sex."""
    if not re.fullmatch(r"[1-9]\d{5}", region):
        raise ValueError(f"地区码应为6位数字：“{region}”")
    if sex not in ("男", "女"):
        raise ValueError(f"性别应为“男”或“女”：“{sex}”")
    rng = rng or random.Random()
    sequence = rng.randrange(0, 100) * 10 + rng.randrange(1 if sex == "男" else 0, 10, 2)
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
