"""Period: a month, quarter, half-year or year — the one time span every figure and rule takes."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

Kind = Literal["month", "quarter", "half", "year"]

# How many of each kind fit in a year, and how many months each one spans.
_PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4, "half": 2, "year": 1}
_CN_NUMBERS = "一二三四"
_KIND_NAMES = {"month": "月", "quarter": "季度", "half": "半年", "year": "年"}

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(\d{4})[-/.](\d{1,2})"), "month"),
    (re.compile(r"(\d{4})Q(\d)"), "quarter"),
    (re.compile(r"(\d{4})H(\d)"), "half"),
    (re.compile(r"(\d{4})"), "year"),
    (re.compile(r"(\d{4})年(\d{1,2})月"), "month"),
    (re.compile(r"(\d{4})年第([一二三四1-4])季度"), "quarter"),
    (re.compile(r"(\d{4})年([上下])半年"), "half"),
    (re.compile(r"(\d{4})年(?:度)?"), "year"),
)


def _index_from_text(text: str) -> int:
    if text in _CN_NUMBERS:
        return _CN_NUMBERS.index(text) + 1
    if text in "上下":
        return "上下".index(text) + 1
    return int(text)


# The years a record can be about: a date typed outside them is a typo (9999-12-31, 0001), and
# the calendar arithmetic of the figures is only defined inside them.
FIRST_YEAR, LAST_YEAR = 1900, 2100


@dataclass(frozen=True)
class Period:
    """A calendar span: Period("month", 2023, 7), Period("quarter", 2023, 3), Period("year", 2023, 1)."""

    kind: Kind
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        if self.kind not in _PER_YEAR:
            raise ValueError(f"期间类型无效：“{self.kind}”，应为 month、quarter、half 或 year")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise ValueError(f"年份{self.year}超出范围，应在{FIRST_YEAR}—{LAST_YEAR}之间")
        if not 1 <= self.index <= _PER_YEAR[self.kind]:
            raise ValueError(f"{self.year}年没有第{self.index}个{_KIND_NAMES[self.kind]}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read `2023-07`, `2023-7`, `2023Q3`, `2023H1`, `2023` (and the Chinese labels)."""
        cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).upper()
        for pattern, kind in _PATTERNS:
            match = pattern.fullmatch(cleaned)
            if match is None:
                continue
            year = int(match.group(1))
            index = _index_from_text(match.group(2)) if match.lastindex and match.lastindex > 1 else 1
            return cls(kind, year, index)  # type: ignore[arg-type]
        raise ValueError(f"无法识别的期间：“{text}”，应写成 2023-07、2023Q3、2023H1 或 2023")

    @classmethod
    def of(cls, day: date, kind: Kind) -> Period:
        """The period of the given kind that contains `day`."""
        if kind not in _PER_YEAR:
            raise ValueError(f"期间类型无效：“{kind}”，应为 month、quarter、half 或 year")
        months_each = 12 // _PER_YEAR[kind]
        return cls(kind, day.year, (day.month - 1) // months_each + 1)

    @property
    def _months_each(self) -> int:
        return 12 // _PER_YEAR[self.kind]

    @property
    def _first_month(self) -> int:
        return (self.index - 1) * self._months_each + 1

    @property
    def first_day(self) -> date:
        return date(self.year, self._first_month, 1)

    @property
    def last_day(self) -> date:
        month = self._first_month + self._months_each - 1
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def months(self) -> list[Period]:
        first = self._first_month
        return [Period("month", self.year, m) for m in range(first, first + self._months_each)]

    def quarters(self) -> list[Period]:
        if self.kind == "month":
            raise ValueError("月份不能再分为季度")
        first = (self._first_month - 1) // 3 + 1
        return [Period("quarter", self.year, q) for q in range(first, first + self._months_each // 3)]

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        return Period(self.kind, self.year - 1, _PER_YEAR[self.kind])

    def next(self) -> Period:
        if self.index < _PER_YEAR[self.kind]:
            return Period(self.kind, self.year, self.index + 1)
        return Period(self.kind, self.year + 1, 1)

    @property
    def label(self) -> str:
        match self.kind:
            case "month":
                return f"{self.year}年{self.index}月"
            case "quarter":
                return f"{self.year}年第{_CN_NUMBERS[self.index - 1]}季度"
            case "half":
                return f"{self.year}年{'上下'[self.index - 1]}半年"
        return f"{self.year}年"

    def __str__(self) -> str:
        match self.kind:
            case "month":
                return f"{self.year:04d}-{self.index:02d}"
            case "quarter":
                return f"{self.year:04d}Q{self.index}"
            case "half":
                return f"{self.year:04d}H{self.index}"
        return f"{self.year:04d}"


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the month's last day when it has no such day
    (31 January + 1 month = 28/29 February): how a deadline "within one month" is read."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
