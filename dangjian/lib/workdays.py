"""Working days under the State Council holiday schedule (国务院办公厅节假日安排), 调休 included.

The official schedule comes from the `chinesecalendar` package, which knows each year only once
the State Council has published it (usually in the preceding November/December). For a year it
does not know, the administrator enters the published schedule (an app registers a loader with
`register_official_schedule`); until then the statutory holidays of 《全国年节及纪念日放假办法》
are computed — the fixed-date ones and the lunar ones (春节, 清明, 端午, 中秋) from the `holidays`
package, with the 补假 it predicts for holidays falling on a weekend — and every date that depends
on such a year is an estimate (`covers(day)` is False, `Deadline.estimated` is True) until the
year's 调休 is known. A statutory holiday is never a working day, whatever else says so.
A deployment adds its own days on top (a local non-working day, or a working day) through a
loader that an app registers with `register_local_days`; this module imports no app.

Conventions, chosen so that the two main functions are inverse of each other:
- `add_working_days(day, n)` is the day on which the n-th working day after `day` falls
  (`day` itself is not counted; negative n counts backwards).
- `working_days_between(a, b)` is the number of working days in (a, b] — after a, up to and
  including b; negative when b is before a. For a working day b:
  add_working_days(a, working_days_between(a, b)) == b.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
import holidays as holidays_lib

# loader(first_day, last_day) -> {day: True (working) | False (non-working)} for local overrides.
LocalDaysLoader = Callable[[date, date], Mapping[date, bool]]
# loader(year) -> the official schedule the administrator entered for that year ({day: working},
# holidays and 调休 working days), or None when it has not been entered.
ScheduleLoader = Callable[[int], Mapping[date, bool] | None]

_loaders: list[LocalDaysLoader] = []
_schedule_loaders: list[ScheduleLoader] = []

# 《全国年节及纪念日放假办法》（2024年修订）第二条: the fixed-date holidays of all citizens (the lunar
# ones — 春节 with its eve, 清明, 端午, 中秋 — come from the holidays package).
FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (5, 2): "劳动节", (10, 1): "国庆节", (10, 2): "国庆节",
                  (10, 3): "国庆节"}
STATUTORY_SOURCE = "《全国年节及纪念日放假办法》"

_ONE_DAY = timedelta(days=1)


def register_local_days(loader: LocalDaysLoader) -> None:
    """An app adds the deployment's local days (e.g. a model edited in the admin)."""
    if loader not in _loaders:
        _loaders.append(loader)


def unregister_local_days(loader: LocalDaysLoader) -> None:
    if loader in _loaders:
        _loaders.remove(loader)


def register_official_schedule(loader: ScheduleLoader) -> None:
    """An app supplies the schedules the administrator entered for years the package lacks."""
    if loader not in _schedule_loaders:
        _schedule_loaders.append(loader)


def unregister_official_schedule(loader: ScheduleLoader) -> None:
    if loader in _schedule_loaders:
        _schedule_loaders.remove(loader)


@functools.lru_cache(maxsize=256)
def package_knows(year: int) -> bool:
    """Whether chinesecalendar has the State Council schedule of that year."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@functools.lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The days off that the law gives every citizen in that year, computed: fixed dates plus the
    lunar ones (农历除夕 and 春节 初一–初三, 清明, 端午, 中秋). No 补假 and no 调休: those the State
    Council's schedule sets each year."""
    # 劳动节 has been two days since the 2024 revision (in force 2025).
    days = {date(year, m, d): name for (m, d), name in FIXED_HOLIDAYS.items() if year >= 2025 or (m, d) != (5, 2)}
    for day, name in holidays_lib.China(years=year, observed=False, language="en_US").items():
        # The package also lists a published year's 调休 days off ("Day off (substituted …)"): not statutory.
        for part in str(name).split("; "):
            if part in _STATUTORY_NAMES:
                days.setdefault(day, _STATUTORY_NAMES[part])
    return days


@functools.lru_cache(maxsize=256)
def predicted_days_off(year: int) -> dict[date, str]:
    """Statutory holidays plus the 补假 the law requires when one falls on a weekend, as the holidays
    package predicts them: the estimate for a year whose schedule is not published."""
    days = dict(statutory_holidays(year))
    for day, name in holidays_lib.China(years=year, language="zh_CN").items():
        days.setdefault(day, str(name))
    return days


def is_statutory_holiday(day: date) -> bool:
    return day in statutory_holidays(day.year)


def covers(day: date) -> bool:
    """Whether the official holiday schedule of day's year is known: to the package, or entered by
    the administrator. When not, dates depending on that year are estimates (预计)."""
    return WorkCalendar().covers(day)


@functools.lru_cache(maxsize=8192)
def official_is_working_day(day: date) -> bool:
    """The State Council schedule alone; for a year not yet published, Monday–Friday less the
    computed statutory holidays and predicted 补假. Cached: the package takes tens of microseconds
    a day, and neither source changes within a process."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5 and day not in predicted_days_off(day.year)


def holiday_name(day: date) -> str:
    """'国庆节', '春节' … for an official (or, for a year not published, computed) holiday or 调休
    working day, else ''."""
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return predicted_days_off(day.year).get(day, "")
    if name is None:
        return ""
    return _HOLIDAY_NAMES.get(str(name), str(name))


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
_STATUTORY_NAMES = {
    "New Year's Day": "元旦", "Chinese New Year's Eve": "春节", "Chinese New Year (Spring Festival)": "春节",
    "Tomb-Sweeping Day": "清明节", "Labor Day": "劳动节", "Dragon Boat Festival": "端午节",
    "Mid-Autumn Festival": "中秋节", "National Day": "国庆节",
}


@dataclass(frozen=True)
class Deadline:
    """A date computed in working days, and whether it rests on a year whose 调休 is not known."""

    day: date
    estimated: bool = False

    def __str__(self) -> str:
        return f"{self.day.year}年{self.day.month}月{self.day.day}日" + ("（预计）" if self.estimated else "")


class WorkCalendar:
    """The official schedule plus local days; loads local days a year at a time, once.

    Build one per request or command run and use it for a whole list, so local days are read
    with one query per year touched rather than once per row.
    """

    def __init__(self, local: Mapping[date, bool] | None = None, *, loaders: list[LocalDaysLoader] | None = None,
                 schedules: list[ScheduleLoader] | None = None):
        self._local: dict[date, bool] = dict(local or {})
        self._loaders = list(_loaders if loaders is None else loaders)
        self._schedule_loaders = list(_schedule_loaders if schedules is None else schedules)
        self._years_loaded: set[int] = set()
        self._entered: dict[int, dict[date, bool] | None] = {}
        self._totals: dict[int, list[int]] = {}

    def _load_year(self, year: int) -> None:
        if year in self._years_loaded:
            return
        self._years_loaded.add(year)
        for loader in self._loaders:
            for day, working in loader(date(year, 1, 1), date(year, 12, 31)).items():
                self._local.setdefault(day, bool(working))

    def entered_schedule(self, year: int) -> dict[date, bool] | None:
        """The official schedule the administrator entered for a year the package lacks, or None."""
        if year not in self._entered:
            found = None
            if not package_knows(year):
                for loader in self._schedule_loaders:
                    days = loader(year)
                    if days is not None:
                        found = {**(found or {}), **{d: bool(w) for d, w in days.items()}}
            self._entered[year] = found
        return self._entered[year]

    def covers(self, day: date) -> bool:
        """Whether day's year has a known official schedule (package or entered)."""
        return package_knows(day.year) or self.entered_schedule(day.year) is not None

    def span_estimated(self, a: date, b: date) -> bool:
        """Whether counting working days between a and b rests on a year not yet published."""
        a, b = min(a, b), max(a, b)
        return any(not self.covers(date(y, 1, 1)) for y in range(a.year, b.year + 1))

    def local_override(self, day: date) -> bool | None:
        self._load_year(day.year)
        return self._local.get(day)

    def is_working_day(self, day: date) -> bool:
        override = self.local_override(day)
        if override is False:
            return False
        known = package_knows(day.year)
        if not known and is_statutory_holiday(day):
            return False  # whatever a local row or an entry says
        if override is True:
            # A local working day never turns a statutory holiday into one.
            return not (known and not chinese_calendar.is_workday(day) and is_statutory_holiday(day))
        if known:
            return official_is_working_day(day)
        entered = self.entered_schedule(day.year)
        if entered is None:
            return official_is_working_day(day)  # the estimate
        return entered.get(day, day.weekday() < 5)

    def deadline(self, day: date, n: int) -> Deadline:
        """The n-th working day after day, marked estimated when it rests on an unpublished year."""
        end = self.add_working_days(day, n)
        return Deadline(end, self.span_estimated(day, end))

    def next_working_day(self, day: date) -> date:
        """day itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        if b < a:
            return -self.working_days_between(b, a)
        # Running totals per year make a long span (an item overdue for two years) cost O(years).
        count = self._running(b) - self._running(a)
        for year in range(a.year, b.year):
            count += self._year_totals(year)[-1]
        return count

    def _running(self, day: date) -> int:
        """Working days from 1 January of day's year up to and including day."""
        return self._year_totals(day.year)[day.timetuple().tm_yday - 1]

    def _year_totals(self, year: int) -> list[int]:
        totals = self._totals.get(year)
        if totals is None:
            totals, count, day = [], 0, date(year, 1, 1)
            while day.year == year:
                count += self.is_working_day(day)
                totals.append(count)
                day += _ONE_DAY
            self._totals[year] = totals
        return totals

    def is_due_within(self, deadline: date, today: date, n: int) -> bool:
        """Not yet overdue, and at most n working days left (a deadline today has 0 left)."""
        return deadline >= today and self.working_days_between(today, deadline) <= n


def is_working_day(day: date) -> bool:
    return WorkCalendar().is_working_day(day)


def next_working_day(day: date) -> date:
    return WorkCalendar().next_working_day(day)


def add_working_days(day: date, n: int) -> date:
    return WorkCalendar().add_working_days(day, n)


def working_days_between(a: date, b: date) -> int:
    return WorkCalendar().working_days_between(a, b)
