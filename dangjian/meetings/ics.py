"""An iCalendar (RFC 5545) feed of planned and held activities, for phone calendars.

Small enough to write by hand: escaping, line folding at 75 octets, CRLF, UTC times.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import Activity

DEFAULT_LENGTH = timedelta(hours=2)


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8 character."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode())
        if size + n > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _utc(day: date, at: time) -> str:
    local = datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(a: Activity, stamp: str, base_url: str, host: str) -> list[str]:
    planned = a.held_on is None
    day = a.day
    start = a.planned_time if planned else a.start_time
    end = None if planned else a.end_time
    lines = ["BEGIN:VEVENT", f"UID:activity-{a.pk}@{host}", f"DTSTAMP:{stamp}"]
    if start:
        finish = end or (datetime.combine(day, start) + DEFAULT_LENGTH).time()
        lines += [f"DTSTART:{_utc(day, start)}", f"DTEND:{_utc(day, finish) if finish > start else _utc(day + timedelta(days=1), finish)}"]
    else:
        lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"]
    summary = f"【{a.type.name}】{a.topic}" + ("（计划）" if planned else "")
    description = [f"组织：{a.org.name}"]
    for label, value in (("主持人", a.host), ("授课人", a.lecturer), ("状态", a.get_status_display())):
        if value:
            description.append(f"{label}：{value}")
    lines += [f"SUMMARY:{escape(summary)}", f"DESCRIPTION:{escape(chr(10).join(description))}",
              f"STATUS:{'TENTATIVE' if planned else 'CONFIRMED'}", f"URL:{base_url}/meetings/{a.pk}/"]
    if a.place:
        lines.append(f"LOCATION:{escape(a.place)}")
    lines.append("END:VEVENT")
    return lines


def build(activities: Iterable[Activity], *, name: str, base_url: str, now: datetime) -> str:
    host = base_url.split("://", 1)[-1].split("/", 1)[0] or "dangjian"
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dangjian//组织生活//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}", f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
             "REFRESH-INTERVAL;VALUE=DURATION:PT6H", "X-PUBLISHED-TTL:PT6H"]
    for a in activities:
        lines += _event(a, stamp, base_url, host)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
