"""Writes that touch several rows: a member's life events and their dated intervals.

Every change to where a member belongs, their status (预备/正式) or a figure flag (流动, 年老体弱)
goes through one of these functions, which
- record the dated interval (Membership, StatusInterval, FlagInterval — see models.py), so a
  figure for a past period reads what was true then, and
- keep the member's current fields (org, status, confirmed_on, archived_on, is_mobile, …) equal to
  what the open intervals say today.

Days: an interval holds [started_on, ended_on). A member transferred out on D is not on the roll
on D; one transferred in on D is. A move between two organisations of the deployment on D ends
one membership and starts the other on D (`member_move`).

All functions are keyword-only and atomic, and raise django.core.exceptions.ValidationError with
a Chinese message for a change the records do not allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.orgs.models import Org, OrgKind

from . import timeline
from .choices import ARCHIVING_EVENTS, EventKind, Flag, Since, Status
from .models import FlagInterval, Member, MemberEvent, Membership, StatusInterval

EVENT_END = {EventKind.TRANSFER_OUT: Since.TRANSFER_OUT, EventKind.SUSPEND: Since.SUSPEND,
             EventKind.EXPEL: Since.EXPEL, EventKind.DEATH: Since.DEATH}


# ---------------------------------------------------------------------------------------------
# Interval helpers (the only code that writes intervals).


def _fmt(day: date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "建档前"


def _close(interval, on: date, user, *, reason: str = "", end_field: str = "end_reason") -> None:
    """End an open interval on `on`; an interval that would end on its first day is removed (it
    covered no day)."""
    if interval.started_on is not None and on < interval.started_on:
        raise ValidationError(f"日期{_fmt(on)}早于当前记录的起始日期{_fmt(interval.started_on)}")
    if interval.started_on == on:
        interval.delete()
        return
    interval.ended_on = on
    if reason and hasattr(interval, end_field):
        setattr(interval, end_field, reason)
    interval._history_user = user
    interval.full_clean(validate_constraints=False)
    interval.save()


def _open(model, *, member: Member, start: date | None, user, **values):
    """Start an interval on `start` (None: as long as records go); it may not overlap another of
    the same kind (the database refuses it too where it can express that)."""
    same = model.objects.filter(member=member, **{k: v for k, v in values.items() if k == "flag"})
    probe = model(member=member, started_on=start, ended_on=None, **values)
    clash = next((i for i in same if i.overlaps(probe)), None)
    if clash is not None:
        raise ValidationError(f"{member.name}在{_fmt(start)}已有{model._meta.verbose_name}记录"
                              f"（{_fmt(clash.started_on)}起），不能重叠")
    probe._history_user = user
    probe.full_clean(validate_constraints=False)
    probe.save()
    return probe


def _open_one(model, member: Member, **values):
    return model.objects.filter(member=member, ended_on__isnull=True, **values).first()


def _save_member(member: Member, user, reason: str) -> None:
    if user is not None:
        member._history_user = user
    member._change_reason = reason
    member.full_clean()
    member.save()


def _event(member: Member, kind: str, on: date, user, **fields) -> MemberEvent:
    event = MemberEvent(member=member, kind=kind, on=on, recorded_by=user, **fields)
    event.full_clean()
    event.save()
    return event


# ---------------------------------------------------------------------------------------------
# Building intervals from records (a member that has none yet).


@transaction.atomic
def member_intervals_build(*, member: Member, since: date | None = None, since_reason: str = Since.RECORDED,
                           events: Iterable[tuple[str, date]] | None = None,
                           org_changes: Sequence[tuple[date, int]] = (), user=None) -> None:
    """Write the intervals of a member that has none, from their records (members.timeline).

    `since`: the day the member belongs to their organisation from (a roster import's "加入本组织
    日期", or the import date); None reads it from their 入党/转入 dates and events.
    """
    if Membership.objects.filter(member=member).exists() or StatusInterval.objects.filter(member=member).exists():
        raise ValidationError(f"{member.name}已有组织关系记录，请通过转入、转出等事项登记变化")
    if events is None:
        events = list(member.events.values_list("kind", "on"))
    record = timeline.Record(
        org_id=member.org_id, joined_on=member.joined_on, confirmed_on=member.confirmed_on, status=member.status,
        archived_on=member.archived_on, archive_reason=member.archive_reason, is_mobile=member.is_mobile,
        mobile_since=member.mobile_since, is_infirm=member.is_infirm)
    Membership.objects.bulk_create(
        Membership(member=member, org_id=s.value, started_on=s.start, ended_on=s.end, start_reason=s.start_reason,
                   end_reason=s.end_reason)
        for s in timeline.memberships(record, events, since=since, since_reason=since_reason, org_changes=org_changes))
    StatusInterval.objects.bulk_create(StatusInterval(member=member, status=s.value, started_on=s.start, ended_on=s.end)
                                       for s in timeline.statuses(record))
    FlagInterval.objects.bulk_create(FlagInterval(member=member, flag=s.value, started_on=s.start, ended_on=s.end)
                                     for s in timeline.flags(record, events))


@transaction.atomic
def members_intervals_build(*, members: Iterable[Member], events: dict[int, list[tuple[str, date]]] | None = None,
                            since: date | None = None, since_of: dict[int, date | None] | None = None) -> None:
    """`member_intervals_build` for many new members at once (the demo, a roster import): three
    bulk inserts. `events`: member id → (kind, day) life events already recorded; `since_of`:
    member id → the day that member belongs from, where it differs from `since`."""
    events = events or {}
    since_of = since_of or {}
    spans: dict[type, list] = {Membership: [], StatusInterval: [], FlagInterval: []}
    for m in members:
        record = timeline.Record(
            org_id=m.org_id, joined_on=m.joined_on, confirmed_on=m.confirmed_on, status=m.status,
            archived_on=m.archived_on, archive_reason=m.archive_reason, is_mobile=m.is_mobile,
            mobile_since=m.mobile_since, is_infirm=m.is_infirm)
        mine = events.get(m.pk, ())
        spans[Membership] += [Membership(member=m, org_id=s.value, started_on=s.start, ended_on=s.end,
                                         start_reason=s.start_reason, end_reason=s.end_reason)
                              for s in timeline.memberships(record, mine, since=since_of.get(m.pk, since))]
        spans[StatusInterval] += [StatusInterval(member=m, status=s.value, started_on=s.start, ended_on=s.end)
                                  for s in timeline.statuses(record)]
        spans[FlagInterval] += [FlagInterval(member=m, flag=s.value, started_on=s.start, ended_on=s.end)
                                for s in timeline.flags(record, mine)]
    for model, rows in spans.items():
        model.objects.bulk_create(rows, batch_size=1000)


@transaction.atomic
def member_create(*, member: Member, since: date | None, user=None, reason: str = "建档",
                  since_reason: str = Since.RECORDED) -> Member:
    """Save a new member (validated) with their intervals: they belong to `member.org` from `since`
    (None: from their 入党 date — a first roster entered with its whole past), for `since_reason`
    (建档, or 转入 for a member whose 组织关系 came from outside)."""
    _save_member(member, user, reason)
    member_intervals_build(member=member, since=since, since_reason=since_reason, events=(), user=user)
    return member


# ---------------------------------------------------------------------------------------------
# Life events. Each records a MemberEvent, the intervals, and the current fields.


@transaction.atomic
def member_move(*, member: Member, org: Org, on: date, user=None, note: str = "") -> Member:
    """A move between two organisations of the deployment (转接 inside the system, or a change of
    党小组): the membership of the old org ends on `on`, the new one starts on `on`."""
    if org.kind not in (OrgKind.BRANCH, OrgKind.GROUP):
        raise ValidationError(f"“{org.name}”不是党支部或党小组")
    if member.is_archived:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}），请先办理转入")
    current = _open_one(Membership, member)
    if current is not None and current.org_id == org.pk:
        return member
    if current is not None:
        _close(current, on, user, reason=Since.MOVED)
    _open(Membership, member=member, start=on, user=user, org=org, start_reason=Since.MOVED)
    old = member.org
    member.org = org
    _save_member(member, user, f"组织内调整（{on:%Y-%m-%d}）：{old.name} → {org.name}")
    return member


@transaction.atomic
def member_transfer_in(*, member: Member, on: date, user=None, from_org: str = "", note: str = "") -> MemberEvent:
    """组织关系转入 of a member already on file (e.g. one who had transferred out and comes back):
    they belong to `member.org` from `on`. A member new to the system is entered with
    `member_create(since=on, reason="转入")` instead."""
    if _open_one(Membership, member) is not None:
        raise ValidationError(f"{member.name}的组织关系仍在本系统内，不需要转入；在系统内调整请用“组织内调整”")
    event = _event(member, EventKind.TRANSFER_IN, on, user, from_org=from_org, note=note)
    _open(Membership, member=member, start=on, user=user, org=member.org, start_reason=Since.TRANSFER_IN)
    member.archived_on, member.archive_reason = None, ""
    _save_member(member, user, f"组织关系转入（{on:%Y-%m-%d}）")
    return event


@transaction.atomic
def member_archive(*, member: Member, kind: str, on: date, user=None, to_org: str = "", note: str = "") -> MemberEvent:
    """转出 / 停止党籍 / 出党 / 去世: the membership ends on `on` (not on the roll that day) and the
    member is archived (历史党员), never deleted."""
    if kind not in ARCHIVING_EVENTS:
        raise ValidationError(f"“{kind}”不是归档事项")
    if member.is_archived:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}），不能再登记“{EventKind(kind).label}”")
    event = _event(member, kind, on, user, to_org=to_org, note=note)
    current = _open_one(Membership, member)
    if current is not None:
        _close(current, on, user, reason=EVENT_END[kind])
    member.archived_on, member.archive_reason = on, EventKind(kind).label
    _save_member(member, user, f"{EventKind(kind).label}（{on:%Y-%m-%d}）")
    return event


@transaction.atomic
def member_transfer_out(*, member: Member, on: date, user=None, to_org: str = "", note: str = "") -> MemberEvent:
    """组织关系转出 to an organisation outside the deployment (inside it: `member_move`)."""
    return member_archive(member=member, kind=EventKind.TRANSFER_OUT, on=on, user=user, to_org=to_org, note=note)


@transaction.atomic
def member_admit(*, member: Member, on: date, user=None, reason: str = "") -> Member:
    """A 预备党员 admitted by the branch meeting on `on` (发展党员 stage 4): `member` (new, unsaved)
    is saved as 预备 with 入党日期 `on`, and belongs to `member.org` from that day."""
    if member.pk is not None:
        raise ValidationError(f"{member.name}已在名册中")
    member.status, member.joined_on, member.confirmed_on = Status.PROBATIONARY, on, None
    _save_member(member, user, reason or f"接收为预备党员（{on:%Y-%m-%d}）")
    _open(Membership, member=member, start=on, user=user, org=member.org, start_reason=Since.JOINED)
    _open(StatusInterval, member=member, start=on, user=user, status=Status.PROBATIONARY)
    for flag, on_now in ((Flag.MOBILE, member.is_mobile), (Flag.INFIRM, member.is_infirm)):
        if on_now:
            _open(FlagInterval, member=member, start=on, user=user, flag=flag)
    return member


@transaction.atomic
def member_confirm(*, member: Member, on: date, user=None, note: str = "") -> MemberEvent:
    """转正: 预备 ends and 正式 starts on `on` (党龄 counts from it)."""
    if member.is_archived:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}），不能再登记“转正”")
    if member.status != Status.PROBATIONARY:
        raise ValidationError(f"{member.name}不是预备党员，无需转正")
    if member.joined_on and on < member.joined_on:
        raise ValidationError(f"转正日期{on:%Y-%m-%d}早于入党日期{member.joined_on:%Y-%m-%d}")
    event = _event(member, EventKind.CONFIRM, on, user, note=note)
    current = _open_one(StatusInterval, member)
    if current is not None:
        _close(current, on, user)
    _open(StatusInterval, member=member, start=on, user=user, status=Status.FULL)
    member.status, member.confirmed_on = Status.FULL, on
    _save_member(member, user, f"转正（{on:%Y-%m-%d}）")
    return event


@transaction.atomic
def member_probation_cancel(*, member: Member, on: date, user=None, reason: str = "") -> Member:
    """取消预备资格 on `on` (发展党员工作细则): the 预备 status and the membership end that day and
    the person is archived (kept, never deleted)."""
    if member.is_archived:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}）")
    if member.status != Status.PROBATIONARY:
        raise ValidationError(f"{member.name}不是预备党员")
    for model in (Membership, StatusInterval):
        current = _open_one(model, member)
        if current is not None:
            _close(current, on, user, reason=Since.CANCELLED)
    member.archived_on, member.archive_reason = on, Since.CANCELLED.label
    _save_member(member, user, reason or f"取消预备资格（{on:%Y-%m-%d}）")
    return member


@transaction.atomic
def member_move_out(*, member: Member, on: date, user=None, place: str = "", note: str = "") -> MemberEvent:
    """外出流动 from `on`: counted as 流动党员 from that day until `member_return`."""
    if member.is_archived:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}），不能再登记“外出流动”")
    event = _event(member, EventKind.MOVE_OUT, on, user, to_org=place, note=note)
    if _open_one(FlagInterval, member, flag=Flag.MOBILE) is None:
        _open(FlagInterval, member=member, start=on, user=user, flag=Flag.MOBILE)
    member.is_mobile, member.mobile_since = True, on
    member.mobile_place = place or member.mobile_place
    _save_member(member, user, f"外出流动（{on:%Y-%m-%d}）")
    return event


@transaction.atomic
def member_return(*, member: Member, on: date, user=None, note: str = "") -> MemberEvent:
    """流动返回 on `on`: no longer counted as 流动党员 from that day."""
    if member.is_archived:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}），不能再登记“流动返回”")
    event = _event(member, EventKind.RETURN, on, user, note=note)
    current = _open_one(FlagInterval, member, flag=Flag.MOBILE)
    if current is not None:
        _close(current, on, user)
    member.is_mobile = False
    _save_member(member, user, f"流动返回（{on:%Y-%m-%d}）")
    return event


@transaction.atomic
def member_set_infirm(*, member: Member, infirm: bool, on: date, user=None) -> Member:
    """年老体弱/行动不便 from `on` (or no longer, from `on`)."""
    _sync_flag(member, Flag.INFIRM, infirm, on, user)
    member.is_infirm = infirm
    _save_member(member, user, f"{'标记' if infirm else '取消'}年老体弱（{on:%Y-%m-%d}）")
    return member


def _sync_flag(member: Member, flag: str, wanted: bool, on: date, user) -> None:
    current = _open_one(FlagInterval, member, flag=flag)
    if wanted and current is None:
        _open(FlagInterval, member=member, start=on, user=user, flag=flag)
    elif not wanted and current is not None:
        _close(current, max(on, current.started_on) if current.started_on else on, user)


@transaction.atomic
def member_event_record(*, member: Member, kind: str, on: date, user=None, from_org: str = "",
                        to_org: str = "", note: str = "") -> MemberEvent:
    """Record a life event from the member page: the matching service above does the work."""
    if member.is_archived and kind != EventKind.TRANSFER_IN:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}），不能再登记“{EventKind(kind).label}”")
    if kind == EventKind.CONFIRM:
        return member_confirm(member=member, on=on, user=user, note=note)
    if kind in ARCHIVING_EVENTS:
        return member_archive(member=member, kind=kind, on=on, user=user, to_org=to_org, note=note)
    if kind == EventKind.TRANSFER_IN:
        return member_transfer_in(member=member, on=on, user=user, from_org=from_org, note=note)
    if kind == EventKind.MOVE_OUT:
        return member_move_out(member=member, on=on, user=user, place=to_org, note=note)
    if kind == EventKind.RETURN:
        return member_return(member=member, on=on, user=user, note=note)
    raise ValidationError(f"无法识别的事项“{kind}”")


# ---------------------------------------------------------------------------------------------
# Edits of the current fields (the member form, a roster re-import).


@transaction.atomic
def member_reconcile(*, member: Member, on: date, user=None) -> None:
    """After the current fields of a saved member were edited (the member form, a roster update),
    make the intervals say the same from `on`: a new org is a move on `on`, a new status or flag
    holds from `on`. Earlier days keep what was recorded, so an edit never changes a past period;
    a dated correction is a life event (转正, 外出, 转出 … with its date)."""
    current = _open_one(Membership, member)
    if member.is_archived:
        if current is not None:
            end = member.archived_on if current.started_on is None else max(member.archived_on, current.started_on)
            _close(current, end, user, reason=timeline.ARCHIVE_LABELS.get(member.archive_reason, ""))
    elif current is None:
        _open(Membership, member=member, start=on, user=user, org=member.org, start_reason=Since.RECORDED)
    elif current.org_id != member.org_id:
        if current.started_on == on:
            current.org = member.org
            current._history_user = user
            current.save()
        else:
            _close(current, on, user, reason=Since.MOVED)
            _open(Membership, member=member, start=on, user=user, org=member.org, start_reason=Since.MOVED)
    status = _open_one(StatusInterval, member)
    if status is None:
        _open(StatusInterval, member=member, start=on, user=user, status=member.status)
    elif status.status != member.status:
        if status.started_on is not None and status.started_on >= on:
            status.status = member.status
            status._history_user = user
            status.save()
        else:
            _close(status, on, user)
            _open(StatusInterval, member=member, start=on, user=user, status=member.status)
    _sync_flag(member, Flag.MOBILE, member.is_mobile, on, user)
    _sync_flag(member, Flag.INFIRM, member.is_infirm, on, user)
