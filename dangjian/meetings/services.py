"""Writes across rows: recording an activity and its attendance, submitting, sending back, education."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.orgs.models import COMMUNITY_KINDS, Org, OrgKind

from .choices import EDITABLE_STATUSES, AppraisalResult, Audience, Mark, OrgLevel, Status
from .models import (
    Activity,
    ActivityType,
    Appraisal,
    Attachment,
    Attendance,
    Guest,
    SelfStudy,
    Send,
    Tag,
    Visit,
    check_upload,
)


def roster_for(*, org: Org, type: ActivityType, day: date | None) -> list[Member]:
    """The 应到 list a type concerns: the branch's members (with its 党小组), its 支委, or the group."""
    if type.audience == Audience.CHOSEN:
        return []
    members = Member.objects.in_org_on(org, day) if day else Member.objects.in_org(org).current()
    members = members.select_related("org")
    if type.audience == Audience.COMMITTEE:
        members = members.filter(is_committee=True)
    return list(members)


def check_org_for_type(org: Org, type: ActivityType) -> None:
    if type.level == OrgLevel.GROUP and org.kind != OrgKind.GROUP:
        raise ValidationError({"org": f"“{type.name}”由党小组召开，请选择一个党小组"})
    if type.level == OrgLevel.BRANCH and org.kind not in (OrgKind.BRANCH, *COMMUNITY_KINDS):
        raise ValidationError({"org": f"“{type.name}”由党支部（或党总支、社区党委）开展，请选择党支部"})


def _set_tags(activity: Activity, tag_names: Iterable[str]) -> None:
    names = [n.strip() for n in tag_names if n.strip()]
    tags = []
    for name in dict.fromkeys(names):
        tag, _ = Tag.objects.get_or_create(name=name[:30])
        tags.append(tag)
    activity.tags.set(tags)


def _require_editable(activity: Activity) -> None:
    if activity.status not in EDITABLE_STATUSES:
        raise ValidationError("已提交的记录不能修改；如需更正，请社区书记退回后再改")


@transaction.atomic
def activity_create(*, org: Org, type: ActivityType, user=None, also_types: Iterable[ActivityType] = (),
                    tags: Iterable[str] = (), **fields) -> Activity:
    """A draft activity with its default 应到 list (the members the type concerns on its date)."""
    check_org_for_type(org, type)
    activity = Activity(org=org, type=type, created_by=user, status=Status.DRAFT, **fields)
    activity._history_user = user
    activity.full_clean()
    activity.save()
    activity.also_types.set([t for t in also_types if t.pk != type.pk])
    _set_tags(activity, tags)
    Attendance.objects.bulk_create(Attendance(activity=activity, member=m)
                                   for m in roster_for(org=org, type=type, day=activity.day))
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, user=None, also_types: Iterable[ActivityType] | None = None,
                    tags: Iterable[str] | None = None, **fields) -> Activity:
    _require_editable(activity)
    for name, value in fields.items():
        setattr(activity, name, value)
    check_org_for_type(activity.org, activity.type)
    activity._history_user = user
    activity.full_clean()
    activity.save()
    if also_types is not None:
        activity.also_types.set([t for t in also_types if t.pk != activity.type_id])
    if tags is not None:
        _set_tags(activity, tags)
    return activity


@transaction.atomic
def attendance_reset(*, activity: Activity) -> int:
    """Rebuild the 应到 list from the type, keeping the marks of members who stay on it."""
    _require_editable(activity)
    wanted = {m.pk: m for m in roster_for(org=activity.org, type=activity.type, day=activity.day)}
    existing = set(activity.attendance.values_list("member_id", flat=True))
    activity.attendance.exclude(member_id__in=wanted).delete()
    Attendance.objects.bulk_create(Attendance(activity=activity, member=m) for pk, m in wanted.items()
                                   if pk not in existing)
    return len(wanted)


@transaction.atomic
def attendance_record(*, activity: Activity, marks: Mapping[int, tuple[str, str]], user=None) -> int:
    """Set the marks (attendance id → (mark, reason)) from the sign-in sheet; returns rows changed."""
    _require_editable(activity)
    changed = 0
    for row in activity.attendance.select_for_update().filter(pk__in=list(marks)):
        mark, reason = marks[row.pk]
        if mark not in Mark.values and mark != "":
            raise ValidationError(f"{row.member.name}：无效的签到标记“{mark}”")
        reason = reason.strip()[:100]
        if (row.mark, row.reason) != (mark, reason):
            row.mark, row.reason = mark, reason
            row._history_user = user
            row.save()
            changed += 1
    return changed


@transaction.atomic
def attendance_mark_rest(*, activity: Activity, mark: str = Mark.PRESENT, user=None) -> int:
    """Give every row not yet marked the same mark (the usual "其余全部到会")."""
    _require_editable(activity)
    rows = list(activity.attendance.filter(mark=""))
    for row in rows:
        row.mark = mark
        row._history_user = user
        row.save()
    return len(rows)


@transaction.atomic
def attendance_add(*, activity: Activity, member: Member) -> Attendance:
    _require_editable(activity)
    branch = activity.org if activity.org.kind != OrgKind.GROUP else activity.org.parent
    if not member.org.is_within(branch) and not member.org.is_within(activity.org):
        raise ValidationError(f"{member.name}不在{branch.name}，请作为列席人员登记")
    row = Attendance(activity=activity, member=member)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def attendance_remove(*, activity: Activity, attendance_id: int) -> None:
    _require_editable(activity)
    activity.attendance.filter(pk=attendance_id).delete()


@transaction.atomic
def guest_add(*, activity: Activity, name: str, unit: str = "") -> Guest:
    _require_editable(activity)
    guest = Guest(activity=activity, name=name.strip(), unit=unit.strip())
    guest.full_clean()
    guest.save()
    return guest


@transaction.atomic
def guest_remove(*, activity: Activity, guest_id: int) -> None:
    _require_editable(activity)
    activity.guests.filter(pk=guest_id).delete()


def submission_problems(activity: Activity, today: date | None = None) -> list[str]:
    """Why this record cannot be submitted yet (empty list: it can)."""
    today = today or timezone.localdate()
    problems = []
    if not activity.held_on:
        problems.append("请填写召开日期")
    elif activity.held_on > today:
        problems.append("召开日期晚于今天，会议召开后再提交")
    if not activity.topic.strip():
        problems.append("请填写议题/主题")
    if not activity.host.strip():
        problems.append("请填写主持人")
    if not activity.recorder.strip():
        problems.append("请填写记录人")
    lecture_types = {activity.type.needs_lecturer} | {t.needs_lecturer for t in activity.also_types.all()}
    if True in lecture_types and not activity.lecturer.strip():
        problems.append("党课须填写授课人")
    if not activity.minutes.strip():
        problems.append("请填写会议内容/记录")
    rows = list(activity.attendance.select_related("member"))
    if not rows and activity.type.audience != Audience.CHOSEN:
        problems.append("应到名单为空")
    unmarked = [a.member.name for a in rows if not a.mark]
    if unmarked:
        problems.append(f"以下党员还没有登记签到情况：{'、'.join(unmarked[:10])}{'等' if len(unmarked) > 10 else ''}")
    no_reason = [a.member.name for a in rows if a.mark == Mark.ABSENT and not a.reason.strip()]
    if no_reason:
        problems.append(f"缺席须注明原因（可填“无故”）：{'、'.join(no_reason)}")
    return problems


@transaction.atomic
def activity_submit(*, activity: Activity, user=None) -> Activity:
    _require_editable(activity)
    problems = submission_problems(activity)
    if problems:
        raise ValidationError(problems)
    activity.status = Status.SUBMITTED
    activity.submitted_at, activity.submitted_by = timezone.now(), user
    activity._history_user = user
    activity._change_reason = "提交"
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_return(*, activity: Activity, user, reason: str) -> Activity:
    """The community secretary sends a submitted record back for correction, saying why."""
    if activity.status != Status.SUBMITTED:
        raise ValidationError("只有已提交的记录可以退回")
    reason = reason.strip()
    if not reason:
        raise ValidationError("请写明退回原因")
    activity.status = Status.RETURNED
    activity.returned_at, activity.returned_by, activity.return_reason = timezone.now(), user, reason[:300]
    activity._history_user = user
    activity._change_reason = f"退回：{reason[:80]}"
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def attachment_add(*, activity: Activity, upload, user=None) -> Attachment:
    _require_editable(activity)
    content_type = check_upload(upload)
    attachment = Attachment(activity=activity, name=upload.name[:200], size=upload.size, content_type=content_type,
                            uploaded_by=user)
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, activity: Activity, attachment_id: int) -> None:
    _require_editable(activity)
    for attachment in activity.attachments.filter(pk=attachment_id):
        attachment.file.delete(save=False)
        attachment.delete()


@transaction.atomic
def visit_record(*, member: Member, visited_on: date, visitor: str, material: str, notes: str = "", photo=None,
                 user=None) -> Visit:
    visit = Visit(org=member.org, member=member, visited_on=visited_on, visitor=visitor, material=material,
                  notes=notes, created_by=user)
    visit._history_user = user
    if photo:
        from .models import IMAGE_TYPES

        check_upload(photo, IMAGE_TYPES)
        visit.photo.save(photo.name, photo, save=False)
    visit.full_clean()
    visit.save()
    return visit


def _correct(record, user, changes: dict) -> bool:
    """Apply a correction to an education record; its history keeps what it said before. Nothing
    is written when nothing changed."""
    changed = {k: v for k, v in changes.items() if getattr(record, k) != v}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(record, name, value)
    if "member" in changed:
        record.org = record.member.org
    record._history_user = user if getattr(user, "pk", None) else None
    record._change_reason = "更正"
    record.full_clean()
    record.save()
    return True


@transaction.atomic
def visit_update(*, visit: Visit, member: Member, visited_on: date, visitor: str, material: str, notes: str = "",
                 photo=None, user=None) -> bool:
    """Correct a 送学上门 record (a new photo replaces the old one; none given keeps it)."""
    changed = _correct(visit, user, {"member": member, "visited_on": visited_on, "visitor": visitor,
                                     "material": material, "notes": notes})
    if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
        from .models import IMAGE_TYPES

        check_upload(photo, IMAGE_TYPES)
        visit.photo.save(photo.name, photo, save=False)
        visit._history_user = user if getattr(user, "pk", None) else None
        visit._change_reason = "更正照片"
        visit.save()
        changed = True
    return changed


@transaction.atomic
def send_update(*, send: Send, member: Member, material: str, channel: str, sent_on: date,
                confirmed_on: date | None = None, confirmation: str = "", user=None) -> bool:
    """Correct a 寄学 record."""
    return _correct(send, user, {"member": member, "material": material, "channel": channel, "sent_on": sent_on,
                                 "confirmed_on": confirmed_on, "confirmation": confirmation})


@transaction.atomic
def send_record(*, member: Member, material: str, channel: str, sent_on: date, confirmed_on: date | None = None,
                confirmation: str = "", user=None) -> Send:
    send = Send(org=member.org, member=member, material=material, channel=channel, sent_on=sent_on,
                confirmed_on=confirmed_on, confirmation=confirmation, created_by=user)
    send._history_user = user
    send.full_clean()
    send.save()
    return send


@transaction.atomic
def send_confirm(*, send: Send, confirmed_on: date, confirmation: str = "", user=None) -> Send:
    send.confirmed_on, send.confirmation = confirmed_on, confirmation.strip()[:200]
    send._history_user = user
    send.full_clean()
    send.save()
    return send


@transaction.atomic
def self_study_record(*, member: Member, studied_on: date, source: str, content: str = "", hours=None, points=None,
                      user=None, imported: bool = False) -> SelfStudy:
    entry = SelfStudy(org=member.org, member=member, studied_on=studied_on, source=source, content=content,
                      hours=hours, points=points, created_by=user, imported=imported)
    entry._history_user = user
    entry.full_clean()
    entry.save()
    return entry


# 民主评议党员 is held once a year and may be combined with the 组织生活会 (DOMAIN: 民主评议党员).
APPRAISAL_TYPES = ("appraisal", "life_meeting")


def decides_appraisals(activity: Activity) -> bool:
    """Whether the activity is a held 民主评议 meeting (or a 组织生活会 held with it)."""
    codes = {activity.type.code, *(t.code for t in activity.also_types.all())}
    return activity.held_on is not None and bool(codes & set(APPRAISAL_TYPES))


@transaction.atomic
def appraisal_record(*, activity: Activity, results: Mapping[int, tuple[str, str]], user=None) -> int:
    """Record the 评定等次 the meeting decided for members on its list, for the year it was held.
    `results`: member id → (result, note); an empty result leaves the member unrecorded. A member
    already recorded that year is corrected (the history keeps the old result); an unchanged row
    is not written. Returns how many rows were written."""
    if not decides_appraisals(activity):
        raise ValidationError("只有已召开的民主评议党员会议（或同时开展民主评议的组织生活会）可以登记评议结果")
    year = activity.held_on.year
    on_list = {a.member_id: a.member for a in activity.attendance.select_related("member")}
    existing = {a.member_id: a for a in Appraisal.objects.filter(member_id__in=on_list, year=year)}
    written = 0
    for member_id, (result, note) in results.items():
        member = on_list.get(member_id)
        if member is None:
            raise ValidationError("只能为本次会议应到名单中的党员登记评议结果")
        if not result:
            continue
        if result not in AppraisalResult.values:
            raise ValidationError(f"{member.name}：评定等次只能是优秀、合格、基本合格或不合格")
        row = existing.get(member_id) or Appraisal(member=member, year=year)
        if row.pk and (row.result, row.note, row.activity_id) == (result, note, activity.pk):
            continue
        row.result, row.note, row.activity, row.recorded_by = result, note, activity, user if getattr(user, "pk", None) else None
        if row.pk:
            row._history_user = row.recorded_by
            row._change_reason = "更正评议结果"
        row.full_clean(validate_constraints=False)
        row.save()
        written += 1
    return written


@transaction.atomic
def rule_setting_save(*, setting, user=None) -> bool:
    """Save this deployment's version of a rule; the history keeps who changed what. Unchanged → not written."""
    if setting.pk:
        before = type(setting).objects.get(pk=setting.pk)
        if all(getattr(before, f) == getattr(setting, f) for f in ("enabled", "value", "per", "local_basis")):
            return False
    setting.full_clean()
    setting._history_user = user if getattr(user, "pk", None) else None
    setting.save()
    return True
