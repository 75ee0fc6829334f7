"""Dated intervals from a member's records: a pure function, used where no interval was recorded
as it happened — the data migration (members that existed before intervals), a member entered
with their whole past (a first roster import "from their 入党/转入 dates"), and test factories.

Afterwards every change goes through the services (services.py), which extend these intervals.

How the records read (the same reading the dues book used before intervals existed):
- membership starts on `since` when given (the date the clerk says these members belong from),
  otherwise on the 入党 date (or "as long as records go" when there is none); a 转入 event starts
  it later (the day of the 转入) or reopens it after a 转出; 转出/停止党籍/出党/去世 end it on the
  event's day (the member is no longer on the roll that day), and so does `archived_on`;
- the organisation is the member's current one, split where the roster's change history shows
  a move between organisations of the deployment (`org_changes`, (day, org_id) in date order);
- status: 预备 from 入党 to 转正, 正式 from 转正; a 正式党员 without a 转正 date is 正式 as long as
  records go;
- 流动: from each 外出 to the next 返回, and from `mobile_since` while the member is flagged now;
  年老体弱: as long as records go, while flagged now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .choices import ARCHIVING_EVENTS, EventKind, Flag, Since, Status

END_REASONS = {EventKind.TRANSFER_OUT: Since.TRANSFER_OUT, EventKind.SUSPEND: Since.SUSPEND,
               EventKind.EXPEL: Since.EXPEL, EventKind.DEATH: Since.DEATH}
ARCHIVE_LABELS = {EventKind(k).label: END_REASONS[k] for k in ARCHIVING_EVENTS} | {Since.CANCELLED.label: Since.CANCELLED}


@dataclass
class Span:
    """[start, end): start None = as long as records go, end None = open."""

    start: date | None
    end: date | None
    value: str | int  # an org id, a status, or a flag
    start_reason: str = ""
    end_reason: str = ""

    def empty(self) -> bool:
        return self.start is not None and self.end is not None and self.end <= self.start


@dataclass
class Record:
    org_id: int
    joined_on: date | None
    confirmed_on: date | None
    status: str
    archived_on: date | None = None
    archive_reason: str = ""
    is_mobile: bool = False
    mobile_since: date | None = None
    is_infirm: bool = False


def memberships(r: Record, events: Iterable[tuple[str, date]], *, since: date | None = None,
                since_reason: str = Since.RECORDED, org_changes: Sequence[tuple[date, int]] = ()) -> list[Span]:
    start = since if since is not None else r.joined_on
    reason = since_reason if since is not None else (Since.JOINED if r.joined_on else Since.RECORDED)
    spans: list[Span] = []
    current: Span | None = Span(start, None, r.org_id, reason)
    for kind, on in sorted(events, key=lambda e: e[1]):
        if kind == EventKind.TRANSFER_IN:
            if current is None:
                current = Span(on, None, r.org_id, Since.TRANSFER_IN)
            elif current.start is None or on > current.start:
                current.start, current.start_reason = on, Since.TRANSFER_IN
        elif kind in END_REASONS and current is not None:
            current.end, current.end_reason = on, END_REASONS[kind]
            spans.append(current)
            current = None
    if current is not None:
        if r.archived_on is not None:
            current.end = r.archived_on
            current.end_reason = ARCHIVE_LABELS.get(r.archive_reason, Since.TRANSFER_OUT)
        spans.append(current)
    spans = [s for s in spans if not s.empty()]
    return _split_by_org(spans, org_changes) if org_changes else spans


def _split_by_org(spans: list[Span], org_changes: Sequence[tuple[date, int]]) -> list[Span]:
    """Give each span the organisation of the change history: the first recorded org before
    the first change, and a new span from each day the org changed."""
    out: list[Span] = []
    first_org = org_changes[0][1]
    changes = [(d, o) for d, o in org_changes[1:]]
    for s in spans:
        org = first_org
        for d, o in changes:
            if s.start is None or d <= s.start:
                org = o
        piece = Span(s.start, s.end, org, s.start_reason, s.end_reason)
        for d, o in changes:
            if (s.start is None or d > s.start) and (s.end is None or d < s.end) and o != piece.value:
                piece.end, piece.end_reason = d, Since.MOVED
                out.append(piece)
                piece = Span(d, s.end, o, Since.MOVED, s.end_reason)
        out.append(piece)
    return [s for s in out if not s.empty()]


def statuses(r: Record) -> list[Span]:
    if r.status == Status.PROBATIONARY:
        return [Span(r.joined_on, None, Status.PROBATIONARY)]
    if r.confirmed_on is None:
        return [Span(None, None, Status.FULL)]
    spans = [Span(r.joined_on, r.confirmed_on, Status.PROBATIONARY)] if r.joined_on else []
    spans.append(Span(r.confirmed_on, None, Status.FULL))
    return [s for s in spans if not s.empty()]


def flags(r: Record, events: Iterable[tuple[str, date]]) -> list[Span]:
    spans: list[Span] = []
    out: Span | None = None
    for kind, on in sorted(events, key=lambda e: e[1]):
        if kind == EventKind.MOVE_OUT and out is None:
            out = Span(on, None, Flag.MOBILE)
        elif kind == EventKind.RETURN and out is not None:
            out.end = on
            spans.append(out)
            out = None
    if r.is_mobile:
        if out is None:
            last_end = max((s.end for s in spans if s.end), default=None)
            start = r.mobile_since
            if last_end and (start is None or start < last_end):
                start = last_end
            out = Span(start, None, Flag.MOBILE)
        spans.append(out)
    if r.is_infirm:
        spans.append(Span(None, None, Flag.INFIRM))
    return [s for s in spans if not s.empty()]
