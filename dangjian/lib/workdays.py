"""Working days under the State Council holiday schedule (国务院办公厅节假日安排), 调休 included.

The official schedule comes from the `chinesecalendar` package, which knows each year only once
the State Council has published it (usually in the preceding November/December). For a year it
does not know yet, Monday–Friday count as working days, and `covers(day)` says so, so the UI can
warn. A deployment adds its own days on top (a local non-working day, or a working day that the
package does not know yet) through a loader that an app registers with `register_local_days`;
this module imports no app.

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
from datetime import date, timedelta

import chinese_calendar

# loader(first_day, last_day) -> {day: True (working) | False (non-working)} for local overrides.
LocalDaysLoader = Callable[[date, date], Mapping[date, bool]]

_loaders: list[LocalDaysLoader] = []

_ONE_DAY = timedelta(days=1)


def register_local_days(loader: LocalDaysLoader) -> None:
    """An app adds the deployment's local days (e.g. a model edited in the admin)."""
    if loader not in _loaders:
        _loaders.append(loader)


def unregister_local_days(loader: LocalDaysLoader) -> None:
    if loader in _loaders:
        _loaders.remove(loader)


def covers(day: date) -> bool:
    """Whether the official holiday schedule of day's year is known to the package."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


@functools.lru_cache(maxsize=8192)
def official_is_working_day(day: date) -> bool:
    """The State Council schedule alone; Monday–Friday for a year not yet published.
    Cached: the package takes tens of microseconds a day, and the schedule never changes
    within a process."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def holiday_name(day: date) -> str:
    """'国庆节', '春节' … for an official holiday or 调休 working day, else ''."""
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    if name is None:
        return ""
    return _HOLIDAY_NAMES.get(str(name), str(name))


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class WorkCalendar:
    """The official schedule plus local days; loads local days a year at a time, once.

    Build one per request or command run and use it for a whole list, so local days are read
    with one query per year touched rather than once per row.
    """

    def __init__(self, local: Mapping[date, bool] | None = None, *, loaders: list[LocalDaysLoader] | None = None):
        self._local: dict[date, bool] = dict(local or {})
        self._loaders = list(_loaders if loaders is None else loaders)
        self._years_loaded: set[int] = set()
        self._totals: dict[int, list[int]] = {}

    def _load_year(self, year: int) -> None:
        if year in self._years_loaded:
            return
        self._years_loaded.add(year)
        for loader in self._loaders:
            for day, working in loader(date(year, 1, 1), date(year, 12, 31)).items():
                self._local.setdefault(day, bool(working))

    def local_override(self, day: date) -> bool | None:
        self._load_year(day.year)
        return self._local.get(day)

    def is_working_day(self, day: date) -> bool:
        override = self.local_override(day)
        if override is not None:
            return override
        return official_is_working_day(day)

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
