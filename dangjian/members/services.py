"""Writes that touch several rows: life events, the roster import."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from .choices import ARCHIVING_EVENTS, EventKind, Status
from .models import Member, MemberEvent


@transaction.atomic
def member_event_record(*, member: Member, kind: str, on: date, user=None, from_org: str = "",
                        to_org: str = "", note: str = "") -> MemberEvent:
    """Record a life event and apply its effect on the roster (archive, confirm, mobile)."""
    if member.is_archived and kind != EventKind.TRANSFER_IN:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}），不能再登记“{EventKind(kind).label}”")
    event = MemberEvent(member=member, kind=kind, on=on, from_org=from_org, to_org=to_org, note=note, recorded_by=user)
    event.full_clean()
    event.save()
    if kind == EventKind.CONFIRM:
        if member.status != Status.PROBATIONARY:
            raise ValidationError(f"{member.name}不是预备党员，无需转正")
        member.status, member.confirmed_on = Status.FULL, on
    elif kind in ARCHIVING_EVENTS:
        member.archived_on, member.archive_reason = on, EventKind(kind).label
    elif kind == EventKind.TRANSFER_IN:
        member.archived_on, member.archive_reason = None, ""
    elif kind == EventKind.MOVE_OUT:
        member.is_mobile, member.mobile_since = True, on
        member.mobile_place = to_org or member.mobile_place
    elif kind == EventKind.RETURN:
        member.is_mobile = False
    if user is not None:
        member._history_user = user
    member._change_reason = f"{EventKind(kind).label}（{on:%Y-%m-%d}）"
    member.full_clean()
    member.save()
    return event
