"""Writes on the grid register and the survey ledger. Each keeps who/when/old → new in history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from dangjian.lib.crypto import blind_index
from dangjian.lib.idnumbers import birth_date_from_id, mask_id, mask_phone, sex_from_id, validate_id
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from .choices import ArchiveReason, HousingStatus
from .models import (
    Building,
    Campaign,
    Grid,
    GridAssignment,
    Household,
    Resident,
    ResidentTag,
    Unit,
    Visit,
)
from .register import tags_value

IMPORT_REASON = "导入"
MASKED = {"id_number": mask_id, "phone": mask_phone, "landline": mask_phone}
# Fields a resident record may change through resident_update (the rest have their own service).
EDITABLE_FIELDS = (
    "name", "id_number", "sex", "birth_date", "relation", "hukou_type", "hukou_address", "current_address",
    "phone", "landline", "moved_in_on", "tags", "note", "household",
)


def _stamp(obj, user, reason: str) -> None:
    obj._history_user = user if getattr(user, "pk", None) else None
    obj._change_reason = reason


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def member_for_id(id_number: str) -> Member | None:
    """The party member with this ID number, if any (matched by the keyed hash, never by plaintext)."""
    if not id_number:
        return None
    return Member.objects.filter(id_hash=blind_index(id_number)).order_by("archived_on", "-pk").first()


def known_tags() -> list[str]:
    return list(ResidentTag.objects.filter(is_active=True).values_list("name", flat=True))


@transaction.atomic
def tag_rename(*, tag: ResidentTag, old_name: str, user=None) -> int:
    """After a tag was renamed (tag.name is the new name): every resident carrying the old name,
    archived ones too, carries the new one, each change kept in the resident's history. Returns
    how many residents changed."""
    if tag.name == old_name:
        return 0
    residents = list(Resident.objects.filter(tags__contains=f"|{old_name}|"))
    for resident in residents:
        resident.tags = tags_value(tag.name if name == old_name else name for name in resident.tag_list)
    reason = f"标签改名：{old_name}→{tag.name}"[:100]
    bulk_update_with_history(residents, Resident, ["tags"], batch_size=500,
                             default_user=user if getattr(user, "pk", None) else None, default_change_reason=reason)
    return len(residents)


def clean_tags(names: Iterable[str]) -> str:
    """Stored tags, refusing names not in the deployment's list."""
    names = [n.strip() for n in names if n and n.strip()]
    allowed = set(ResidentTag.objects.values_list("name", flat=True))
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValidationError({"tags": f"未知标签：{'、'.join(unknown)}（可在管理后台“居民标签”中添加）"})
    return tags_value(names)


# ---------------------------------------------------------------------------------------------
# Grids and workers


@transaction.atomic
def grid_create(*, community: Org, name: str, user=None, code: str = "", area: str = "", sort: int = 0) -> Grid:
    if not community.is_community:
        raise ValidationError({"community": "网格只能建在社区（社区党委/党总支）下"})
    grid = Grid(community=community, name=name, code=code, area=area, sort=sort)
    grid.full_clean()
    _stamp(grid, user, "新建网格")
    grid.save()
    return grid


@transaction.atomic
def grid_assign_worker(*, grid: Grid, worker, started_on: date, user=None, note: str = "") -> GridAssignment:
    """Bind a 网格员 to a grid from a day; the grid's earlier workers stay in its history."""
    from dangjian.orgs.models import Role
    from dangjian.orgs.scoping import has_role

    if not has_role(worker, Role.GRID_WORKER, org=grid.community):
        raise ValidationError({"user": f"{worker.get_full_name() or worker.username}不是{grid.community}的网格员账号"})
    overlapping = grid.assignments.filter(user=worker, ended_on__isnull=True).exists()
    if overlapping:
        raise ValidationError({"user": "该网格员已在本网格任职"})
    assignment = GridAssignment(grid=grid, user=worker, started_on=started_on, note=note)
    assignment.full_clean()
    _stamp(assignment, user, "网格员任职")
    assignment.save()
    return assignment


@transaction.atomic
def grid_assignment_end(*, assignment: GridAssignment, ended_on: date, user=None) -> GridAssignment:
    if assignment.ended_on is not None:
        raise ValidationError({"ended_on": "该任职已结束"})
    assignment.ended_on = ended_on
    assignment.full_clean()
    _stamp(assignment, user, "网格员离任")
    assignment.save()
    return assignment


# ---------------------------------------------------------------------------------------------
# Buildings and households


@transaction.atomic
def building_create(*, grid: Grid, name: str, estate: str = "", address: str = "", units: Iterable[str] = (),
                    user=None) -> Building:
    clash = Building.objects.filter(grid__community=grid.community, estate=estate, name=name).exclude(grid=grid)
    if clash.exists():
        raise ValidationError({"name": f"{estate}{name}已登记在本社区的其他网格"})
    building = Building(grid=grid, estate=estate, name=name, address=address)
    building.full_clean()
    _stamp(building, user, "新建楼栋")
    building.save()
    for sort, unit in enumerate(dict.fromkeys(u.strip() for u in units)):
        Unit.objects.create(building=building, name=unit, sort=sort)
    return building


@transaction.atomic
def household_create(*, building: Building, unit_name: str, door: str, user=None,
                     housing_status: str = HousingStatus.OWNER, note: str = "") -> Household:
    unit, _ = Unit.objects.get_or_create(building=building, name=unit_name.strip())
    household = Household(unit=unit, grid_id=building.grid_id, door=door.strip(), housing_status=housing_status, note=note)
    household.full_clean()
    _stamp(household, user, "新建住户")
    household.save()
    return household


@transaction.atomic
def household_update(*, household: Household, user=None, reason: str = "修改住户", **changes: Any) -> list[str]:
    """Change housing status / note; returns the labels of the fields that changed."""
    changed = []
    for name, value in changes.items():
        if name not in ("housing_status", "note", "door"):
            raise ValueError(f"住户字段“{name}”不能在此修改")
        if getattr(household, name) != value:
            setattr(household, name, value)
            changed.append(_label(Household, name))
    if changed:
        household.full_clean()
        _stamp(household, user, reason)
        household.save()
    return changed


@transaction.atomic
def building_move(*, building: Building, grid: Grid, user=None) -> Building:
    """Move a building (with its households) to another grid of the same community."""
    if grid.community_id != building.grid.community_id:
        raise ValidationError({"grid": "只能调整到本社区的网格"})
    building.grid = grid
    building.full_clean()
    _stamp(building, user, "调整网格")
    building.save()
    Household.objects.filter(unit__building=building).update(grid=grid)
    return building


# ---------------------------------------------------------------------------------------------
# Residents


def _normalise_resident_fields(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("id_number"):
        try:
            values["id_number"] = validate_id(values["id_number"])
        except ValueError as exc:
            raise ValidationError({"id_number": str(exc)}) from exc
        born, sex = birth_date_from_id(values["id_number"]), sex_from_id(values["id_number"])
        if values.get("birth_date") and values["birth_date"] != born:
            raise ValidationError({"birth_date": f"出生日期与身份证号不一致（身份证号为{born:%Y-%m-%d}）"})
        if values.get("sex") and values["sex"] != sex:
            raise ValidationError({"sex": f"性别与身份证号不一致（身份证号为{sex}）"})
        values["birth_date"], values["sex"] = born, sex
    if "tags" in values and not isinstance(values["tags"], str):
        values["tags"] = clean_tags(values["tags"])
    return values


def _check_live_id(resident: Resident) -> None:
    if not resident.id_number:
        return
    clash = Resident.objects.current().filter(id_hash=blind_index(resident.id_number)).exclude(pk=resident.pk)
    other = clash.select_related("household__grid").first()
    if other is not None:
        where = other.household.address if other.household.grid.community_id == resident.household.grid.community_id else "其他社区"
        raise ValidationError({"id_number": f"该身份证号已登记为在住居民（{where}），请先在原住户办理迁出"})


@transaction.atomic
def resident_add(*, household: Household, user=None, reason: str = "新增居民", **values: Any) -> Resident:
    values = _normalise_resident_fields(dict(values))
    resident = Resident(household=household, **values)
    if not resident.current_address:
        resident.current_address = household.address
    resident.member = member_for_id(resident.id_number)
    _check_live_id(resident)
    resident.full_clean(validate_constraints=False)
    _stamp(resident, user, reason)
    resident.save()
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, user=None, reason: str = "修改居民信息", **changes: Any) -> list[str]:
    """Apply field changes; saves (and writes history) only when something differs. Returns changed labels."""
    if resident.is_archived:
        raise ValidationError(f"{resident.name}已{resident.archive_reason}（归档），不能修改")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"居民字段不能在此修改：{'、'.join(sorted(unknown))}")
    changes = _normalise_resident_fields(dict(changes))
    changed = []
    for name, value in changes.items():
        if getattr(resident, name) != value:
            setattr(resident, name, value)
            changed.append(_label(Resident, name))
    if not changed:
        return []
    if "household" in changes and resident.household.grid.community_id != changes["household"].grid.community_id:
        raise ValidationError({"household": "只能调整到本社区的住户"})
    if "id_number" in changes:
        resident.member = member_for_id(resident.id_number)
        _check_live_id(resident)
    resident.full_clean(validate_constraints=False)
    _stamp(resident, user, reason)
    resident.save()
    return changed


@transaction.atomic
def resident_move_out(*, resident: Resident, on: date, moved_to: str = "", user=None) -> Resident:
    """迁出: the record is archived with the date and destination, never deleted."""
    if resident.is_archived:
        raise ValidationError(f"{resident.name}已{resident.archive_reason}，不能重复办理")
    resident.moved_out_on, resident.moved_to = on, moved_to
    resident.archived_on, resident.archive_reason = on, ArchiveReason.MOVED_OUT
    resident.full_clean(validate_constraints=False)
    _stamp(resident, user, f"迁出（{on:%Y-%m-%d}）")
    resident.save()
    return resident


@transaction.atomic
def resident_record_death(*, resident: Resident, on: date, user=None) -> Resident:
    if resident.is_archived:
        raise ValidationError(f"{resident.name}已{resident.archive_reason}，不能重复办理")
    resident.died_on = on
    resident.archived_on, resident.archive_reason = on, ArchiveReason.DIED
    resident.full_clean(validate_constraints=False)
    _stamp(resident, user, f"去世（{on:%Y-%m-%d}）")
    resident.save()
    return resident


# ---------------------------------------------------------------------------------------------
# Campaigns and the visit ledger


@transaction.atomic
def campaign_create(*, community: Org, name: str, grids: Iterable[Grid], starts_on: date, deadline: date,
                    note: str = "", user=None) -> Campaign:
    grids = list(grids)
    if not grids:
        raise ValidationError({"grids": "请至少选择一个网格"})
    if any(g.community_id != community.pk for g in grids):
        raise ValidationError({"grids": "只能选择本社区的网格"})
    campaign = Campaign(community=community, name=name.strip(), starts_on=starts_on, deadline=deadline, note=note,
                        created_by=user if getattr(user, "pk", None) else None)
    campaign.full_clean()
    _stamp(campaign, user, "发起摸排")
    campaign.save()
    campaign.grids.set(grids)
    return campaign


def _since(campaign: Campaign, household: Household) -> datetime:
    last = campaign.visits.filter(household=household).order_by("-recorded_at").values_list("recorded_at", flat=True).first()
    return last or timezone.make_aware(datetime.combine(campaign.starts_on, time.min))


def household_changes(household: Household, since: datetime) -> list[dict[str, str]]:
    """What changed in a household since a moment, read from history (imports left out): the visit's 'what changed'."""
    changes: list[dict[str, str]] = []
    records = (Resident.history.filter(household_id=household.pk, history_date__gt=since)
               .exclude(history_change_reason__startswith=IMPORT_REASON).order_by("history_date", "history_id"))
    for record in records:
        if record.history_type == "+":
            changes.append({"kind": "added", "text": f"新增居民 {record.name}"})
            continue
        previous = record.prev_record
        if previous is None:
            continue
        delta = record.diff_against(previous)
        fields = {c.field: c for c in delta.changes}
        if "archive_reason" in fields and record.archive_reason:
            kind = "moved_out" if record.archive_reason == ArchiveReason.MOVED_OUT else "died"
            extra = f"（迁往{record.moved_to}）" if kind == "moved_out" and record.moved_to else ""
            changes.append({"kind": kind, "text": f"{record.name} {record.archive_reason}{extra}"})
            continue
        for name, change in fields.items():
            if name in ("archived_on", "moved_out_on", "died_on", "moved_to", "member"):
                continue
            mask = MASKED.get(name)
            old, new = (mask(change.old) if change.old else change.old, mask(change.new) if change.new else change.new) if mask else (change.old, change.new)
            label = _label(Resident, name)
            if name == "household":
                changes.append({"kind": "corrected", "text": f"{record.name} 调整住户"})
            elif name == "tags":
                show = lambda v: "、".join(t for t in (v or "").split("|") if t) or "（无）"  # noqa: E731
                changes.append({"kind": "corrected", "text": f"{record.name} {label}：{show(old)} → {show(new)}"})
            else:
                changes.append({"kind": "corrected", "text": f"{record.name} 更正{label}：{old or '（空）'} → {new or '（空）'}"})
    for record in (Household.history.filter(id=household.pk, history_date__gt=since, history_type="~")
                   .exclude(history_change_reason__startswith=IMPORT_REASON).order_by("history_date", "history_id")):
        previous = record.prev_record
        if previous is None:
            continue
        for change in record.diff_against(previous).changes:
            if change.field in ("grid",):
                continue
            changes.append({"kind": "household", "text": f"{_label(Household, change.field)}：{change.old} → {change.new}"})
    return changes


@transaction.atomic
def visit_record(*, campaign: Campaign, household: Household, result: str, user=None, visited_on: date | None = None,
                 note: str = "") -> Visit:
    """Append a visit to the ledger, with what changed in the household since its last visit in this campaign."""
    if not campaign.grids.filter(pk=household.grid_id).exists():
        raise ValidationError(f"{household.address}不在“{campaign.name}”的摸排范围内")
    day = visited_on or timezone.localdate()
    if day < campaign.starts_on:
        raise ValidationError(f"走访日期早于摸排开始日期（{campaign.starts_on:%Y-%m-%d}）")
    changes = household_changes(household, _since(campaign, household))
    visit = Visit(campaign=campaign, household=household, visited_on=day, result=result, note=note,
                  worker=user if getattr(user, "pk", None) else None, changes=changes, changes_count=len(changes))
    visit.full_clean()
    visit.save()
    return visit
