"""Importing a residents register (one row per resident, with building/unit/room columns).

The file is streamed through lib.tabular.read_table and written in batches: each batch of rows
is checked, matched against the database by ID hash (re-import updates, never duplicates), and
written with bulk_create/bulk_update (with history). Memory stays flat in the number of rows:
duplicates across batches are found in the database (each resident remembers the import job and
row that last wrote it), rejects are kept up to a cap, buildings and units are cached per
community. A dry run does the same work inside a transaction that is rolled back.
"""

from __future__ import annotations

import logging
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from dangjian.lib.crypto import blind_index
from dangjian.lib.pinyin import _syllables
from dangjian.lib.tabular import Column, Row, RowError, TabularError, read_table
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.members.models import Member
from dangjian.orgs.models import AccessLog, Org
from dangjian.orgs.scoping import log_access

from .bulk import insert_history, insert_rows
from .choices import HousingStatus, HukouType, JobStatus, Relation
from .models import (
    Building,
    Grid,
    Household,
    ImportJob,
    Resident,
    ResidentTag,
    Unit,
    format_address,
    tags_value,
)
from .sealing import seal_many
from .services import IMPORT_REASON

log = logging.getLogger(__name__)

BATCH = 2000
MAX_REJECTS = 2000  # kept with the job; the count is always exact

COLUMNS: tuple[Column, ...] = (
    Column("grid", "网格", ("所属网格", "网格名称")),
    Column("estate", "小区", ("小区名称", "小区/院落", "院落", "小区(院落)")),
    Column("building", "楼栋", ("楼号", "楼栋号", "栋号", "幢"), required=True),
    Column("unit", "单元", ("单元号",)),
    Column("door", "房号", ("门牌号", "房间号", "室号", "户号"), required=True),
    Column("housing_status", "住房状况", ("房屋状况", "居住状况", "房屋用途"), kind="choice", choices=tuple(HousingStatus.values)),
    Column("name", "姓名", ("居民姓名",), required=True),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码"), required=True, kind="id"),
    Column("sex", "性别", kind="choice", choices=("男", "女")),
    Column("birth_date", "出生日期", ("出生年月",), kind="date"),
    Column("relation", "与户主关系", ("关系", "家庭关系")),
    Column("hukou_type", "户籍类型", ("人口类型", "户籍状态", "人员类型")),
    Column("hukou_address", "户籍地址", ("户籍地", "户口所在地")),
    Column("current_address", "现住址", ("居住地址", "现居住地址")),
    Column("phone", "联系电话", ("手机", "手机号", "手机号码", "电话", "联系方式"), kind="phone"),
    Column("moved_in_on", "迁入日期", ("迁入时间", "入住日期", "入住时间"), kind="date"),
    Column("tags", "标签", ("人员标签", "特殊人群", "重点人群")),
    Column("note", "备注"),
)
HEADERS = [c.header for c in COLUMNS]
_HEADER_OF = {c.field: c.header for c in COLUMNS}

RELATION_WORDS = {r.value: r.value for r in Relation} | {
    "本人": Relation.HEAD, "户主本人": Relation.HEAD, "妻": Relation.SPOUSE, "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE, "儿子": Relation.SON, "长子": Relation.SON, "次子": Relation.SON, "女儿": Relation.DAUGHTER,
    "长女": Relation.DAUGHTER, "次女": Relation.DAUGHTER, "父亲": Relation.PARENT, "母亲": Relation.PARENT,
    "父": Relation.PARENT, "母": Relation.PARENT, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD, "外孙女": Relation.GRANDCHILD, "兄": Relation.SIBLING, "弟": Relation.SIBLING,
    "姐": Relation.SIBLING, "妹": Relation.SIBLING, "儿媳": Relation.IN_LAW, "女婿": Relation.IN_LAW,
    "租客": Relation.TENANT, "承租人": Relation.TENANT,
}
HUKOU_WORDS = {h.value: h.value for h in HukouType} | {
    "本地": HukouType.LOCAL, "户籍人口": HukouType.LOCAL, "常住人口": HukouType.LOCAL, "外来": HukouType.MIGRANT,
    "流动人口": HukouType.MIGRANT, "外地": HukouType.MIGRANT, "人在户不在": HukouType.SEPARATED,
}
_TAG_SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    households_created: int = 0
    buildings_created: int = 0
    grids_created: int = 0
    members_linked: int = 0
    rejects: list[dict] = field(default_factory=list)

    def reject(self, errors: list[RowError]) -> None:
        self.rejected += 1
        for e in errors:
            if len(self.rejects) < MAX_REJECTS:
                self.rejects.append({"row": e.row, "column": e.column, "reason": e.reason})

    def as_json(self) -> dict:
        return {k: getattr(self, k) for k in ("processed", "created", "updated", "unchanged", "rejected",
                                              "households_created", "buildings_created", "grids_created",
                                              "members_linked")} | {"rejects": self.rejects}


# ---------------------------------------------------------------------------------------------
# One row


@lru_cache(maxsize=20_000)
def _pinyin(name: str) -> tuple[str, str]:
    """(initials(name), full_pinyin(name)) from one pinyin pass instead of two: pinyin is the largest
    cost of an import after the reader (tests check it agrees with lib.pinyin's public functions)."""
    syllables = _syllables(name)
    return ("".join(s if latin else s[0] for s, latin in syllables)[:20], "".join(s for s, _ in syllables)[:100])


def _err(row: Row, field_name: str, reason: str) -> RowError:
    return RowError(row.number, row.headers.get(field_name) or _HEADER_OF[field_name], reason)


def check_row(row: Row, known_tags: frozenset[str]) -> dict[str, Any] | list[RowError]:
    """A row's clean values, or every reason (in Chinese, naming the column) it is rejected."""
    v = row.values
    errors: list[RowError] = []
    id_number: str = v["id_number"]
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    sex = "男" if int(id_number[16]) % 2 else "女"
    if v["sex"] and v["sex"] != sex:
        errors.append(_err(row, "sex", f"性别“{v['sex']}”与身份证号不一致（身份证号为{sex}）"))
    if v["birth_date"] and v["birth_date"] != born:
        errors.append(_err(row, "birth_date", f"出生日期{v['birth_date']:%Y-%m-%d}与身份证号不一致（身份证号为{born:%Y-%m-%d}）"))
    relation = ""
    if v["relation"]:
        relation = RELATION_WORDS.get(v["relation"], "")
        if not relation:
            errors.append(_err(row, "relation", f"无法识别的与户主关系“{v['relation']}”，可填：{'、'.join(Relation.values)}"))
    hukou = HukouType.LOCAL.value
    if v["hukou_type"]:
        hukou = HUKOU_WORDS.get(v["hukou_type"], "")
        if not hukou:
            errors.append(_err(row, "hukou_type", f"无法识别的户籍类型“{v['hukou_type']}”，可填：{'、'.join(HukouType.values)}"))
    tags = ""
    if v["tags"]:
        names = [t for t in _TAG_SPLIT.split(v["tags"]) if t]
        unknown = [t for t in names if t not in known_tags]
        if unknown:
            errors.append(_err(row, "tags", f"未知标签“{'、'.join(unknown)}”，可用标签：{'、'.join(sorted(known_tags))}"))
        tags = tags_value(names)
    for name, limit in (("name", 50), ("grid", 50), ("estate", 50), ("building", 50), ("unit", 20), ("door", 20)):
        if v[name] and len(v[name]) > limit:
            errors.append(_err(row, name, f"{_HEADER_OF[name]}超过{limit}个字"))
    if errors:
        return errors
    return {
        "grid": v["grid"] or "", "estate": v["estate"] or "", "building": v["building"], "unit": v["unit"] or "",
        "door": v["door"], "housing_status": v["housing_status"], "name": v["name"], "id_number": id_number,
        "id_hash": blind_index(id_number), "sex": sex, "birth_date": born, "relation": relation, "hukou_type": hukou,
        "hukou_address": (v["hukou_address"] or "")[:200], "current_address": (v["current_address"] or "")[:200],
        "phone": v["phone"] or "", "moved_in_on": v["moved_in_on"], "tags": tags, "note": (v["note"] or "")[:200],
        "_row": row.number,
    }


# ---------------------------------------------------------------------------------------------
# The place of a row: grid → building → unit → household, cached per community


class Places:
    """Grids, buildings and units of one community in memory (a community has hundreds, not
    millions); households are looked up per batch."""

    def __init__(self, community: Org, user, result: ImportResult, reason: str):
        self.community, self.user, self.result, self.reason = community, user, result, reason
        self.grids = {g.name: g for g in Grid.objects.filter(community=community)}
        self.buildings = {(b.estate, b.name): b for b in Building.objects.filter(grid__community=community).select_related("grid")}
        self.units = {(u.building_id, u.name): u.pk for u in Unit.objects.filter(building__grid__community=community)}

    def prepare(self, rows: list[dict[str, Any]]) -> None:
        """Create, a batch at a time, the grids, buildings and units these rows name and we lack."""
        new_grids: dict[str, Grid] = {}
        new_buildings: dict[tuple[str, str], str] = {}
        for v in rows:
            key = (v["estate"], v["building"])
            if key in self.buildings or key in new_buildings or not v["grid"]:
                continue
            if v["grid"] not in self.grids and v["grid"] not in new_grids:
                new_grids[v["grid"]] = Grid(community=self.community, name=v["grid"], sort=len(self.grids) + len(new_grids) + 1)
            new_buildings[key] = v["grid"]
        if new_grids:
            created = bulk_create_with_history(list(new_grids.values()), Grid, default_user=self.user,
                                               default_change_reason=self.reason)
            self.grids.update({g.name: g for g in created})
            self.result.grids_created += len(created)
        if new_buildings:
            objs = [Building(grid=self.grids[grid], estate=estate, name=name, sort=len(self.buildings) + i + 1)
                    for i, ((estate, name), grid) in enumerate(new_buildings.items())]
            created = bulk_create_with_history(objs, Building, default_user=self.user, default_change_reason=self.reason)
            for b in created:
                b.grid = self.grids[new_buildings[(b.estate, b.name)]]
                self.buildings[(b.estate, b.name)] = b
            self.result.buildings_created += len(created)
        new_units: dict[tuple[int, str], Unit] = {}
        for v in rows:
            b = self.buildings.get((v["estate"], v["building"]))
            if b is not None and (b.pk, v["unit"]) not in self.units and (b.pk, v["unit"]) not in new_units:
                new_units[(b.pk, v["unit"])] = Unit(building=b, name=v["unit"], sort=len(self.units) + len(new_units) + 1)
        if new_units:
            for u in Unit.objects.bulk_create(list(new_units.values())):
                self.units[(u.building_id, u.name)] = u.pk

    def building(self, row: dict[str, Any], number: int, headers: dict[str, str]) -> Building | RowError:
        building = self.buildings.get((row["estate"], row["building"]))
        if building is None:
            return RowError(number, headers.get("grid", "网格"), f"楼栋“{row['estate']}{row['building']}”尚未登记，请填写所属网格")
        if row["grid"] and row["grid"] != building.grid.name:
            return RowError(number, headers.get("grid", "网格"),
                            f"{row['estate']}{row['building']}已登记在“{building.grid.name}”，与本行的“{row['grid']}”不符")
        return building

    def unit(self, building: Building, name: str) -> int:
        return self.units[(building.pk, name)]


# ---------------------------------------------------------------------------------------------
# The batch


class Importer:
    def __init__(self, job: ImportJob, known_tags: frozenset[str]):
        self.job = job
        self.user = job.user
        self.reason = f"{IMPORT_REASON}：{job.filename}"[:100]
        self.result = ImportResult()
        self.places = Places(job.community, self.user, self.result, self.reason)
        self.known_tags = known_tags
        self.user_id = self.user.pk if self.user is not None else None
        self.now = timezone.now()

    def run(self, rows: Iterator[Row | list[RowError]], on_progress: Callable[[int], None] | None = None) -> ImportResult:
        batch: list[Row | list[RowError]] = []
        for item in rows:
            batch.append(item)
            if on_progress and len(batch) % 250 == 0:
                on_progress(self.result.processed + len(batch))  # rows read; the bar moves while a batch fills
            if len(batch) >= BATCH:
                self.batch(batch)
                batch = []
                if on_progress:
                    on_progress(self.result.processed)
        if batch:
            self.batch(batch)
        if on_progress:
            on_progress(self.result.processed)
        return self.result

    def batch(self, items: list[Row | list[RowError]]) -> None:
        r = self.result
        r.processed += len(items)
        rows: list[dict[str, Any]] = []
        first_row: dict[str, int] = {}
        for item in items:
            if isinstance(item, list):
                r.reject(item)
                continue
            values = check_row(item, self.known_tags)
            if isinstance(values, list):
                r.reject(values)
                continue
            if values["id_hash"] in first_row:
                r.reject([_err(item, "id_number", f"与第{first_row[values['id_hash']]}行的身份证号重复")])
                continue
            first_row[values["id_hash"]] = item.number
            values["_headers"] = item.headers
            rows.append(values)
        if not rows:
            return
        hashes = list(first_row)
        live = {res.id_hash: res for res in Resident.objects.filter(id_hash__in=hashes, archived_on__isnull=True)
                .select_related("household__grid")}
        gone = dict(Resident.objects.filter(id_hash__in=hashes, archived_on__isnull=False,
                                            household__grid__community=self.job.community)
                    .exclude(id_hash__in=list(live)).order_by("archived_on")
                    .values_list("id_hash", "archive_reason"))
        members = dict(Member.objects.filter(id_hash__in=hashes).order_by("-archived_on").values_list("id_hash", "pk"))

        accepted = []
        for values in rows:
            headers, number = values["_headers"], values["_row"]
            existing = live.get(values["id_hash"])
            if existing is not None and existing.source_job_id == self.job.pk:
                r.reject([RowError(number, headers.get("id_number", "公民身份号码"), f"与第{existing.source_row}行的身份证号重复")])
            elif existing is not None and existing.household.grid.community_id != self.job.community_id:
                r.reject([RowError(number, headers.get("id_number", "公民身份号码"),
                                   "该身份证号已登记为其他社区的在住居民，请原社区先办理迁出")])
            elif existing is None and values["id_hash"] in gone:
                r.reject([RowError(number, headers.get("id_number", "公民身份号码"),
                                   f"该居民在本社区已办理{gone[values['id_hash']]}（已归档），如已迁回请在系统中新增")])
            else:
                values["_existing"] = existing
                accepted.append(values)
        self.places.prepare(accepted)
        placed: list[tuple[dict[str, Any], int]] = []  # (row, unit id)
        for values in accepted:
            building = self.places.building(values, values["_row"], values["_headers"])
            if isinstance(building, RowError):
                r.reject([building])
                continue
            values["_grid"] = building.grid_id
            placed.append((values, self.places.unit(building, values["unit"])))
        if not placed:
            return
        households = self._households(placed)
        creates, updates, stamps = [], [], []
        for values, unit_id in placed:
            household = households[(unit_id, values["door"])]
            existing = values["_existing"]
            if existing is None:
                creates.append((values, household))
            else:
                changed = self._changes(existing, values, household, members.get(values["id_hash"]))
                (updates if changed else stamps).append((existing, changed, values))
        self._create(creates, members)
        self._update(updates)
        for resident, _, values in stamps:
            resident.source_job_id, resident.source_row = self.job.pk, values["_row"]
        if stamps:
            Resident.objects.bulk_update([s[0] for s in stamps], ["source_job", "source_row"])
            r.unchanged += len(stamps)

    def _households(self, placed: list[tuple[dict[str, Any], int]]) -> dict[tuple[int, str], Household]:
        keys = {(unit_id, v["door"]) for v, unit_id in placed}

        def lookup() -> dict[tuple[int, str], Household]:
            return {(h.unit_id, h.door): h for h in
                    Household.objects.filter(unit_id__in={k[0] for k in keys}, door__in={k[1] for k in keys})}

        found = lookup()
        status_of = {(unit_id, v["door"]): v["housing_status"] for v, unit_id in placed if v["housing_status"]}
        new: dict[tuple[int, str], dict[str, Any]] = {}
        for values, unit_id in placed:
            key = (unit_id, values["door"])
            if key not in found and key not in new:
                new[key] = {"unit_id": unit_id, "grid_id": values["_grid"], "door": values["door"],
                            "housing_status": status_of.get(key) or HousingStatus.OWNER}
        changed = [found[k] for k, status in status_of.items() if k in found and found[k].housing_status != status]
        if new:
            insert_rows(Household, list(new.values()), {"created_at": self.now})
            found = lookup()
            for key, row in new.items():
                row["id"] = found[key].pk
            insert_history(Household, list(new.values()), when=self.now, user_id=self.user_id, reason=self.reason)
            self.result.households_created += len(new)
        if changed:
            for household in changed:
                household.housing_status = status_of[(household.unit_id, household.door)]
            bulk_update_with_history(changed, Household, ["housing_status"], batch_size=BATCH,
                                     default_user=self.user, default_change_reason=self.reason)
        return found

    def _create(self, creates: list[tuple[dict[str, Any], Household]], members: dict[str, int]) -> None:
        if not creates:
            return
        ids = seal_many([v["id_number"] for v, _ in creates])
        phones = seal_many([v["phone"] for v, _ in creates])
        rows = []
        for (v, household), sealed_id, sealed_phone in zip(creates, ids, phones, strict=True):
            name_initials, name_pinyin = _pinyin(v["name"])
            member_id = members.get(v["id_hash"])
            rows.append({
                "household_id": household.pk, "name": v["name"], "name_initials": name_initials,
                "name_pinyin": name_pinyin, "id_number": str(sealed_id), "id_hash": v["id_hash"], "sex": v["sex"],
                "birth_date": v["birth_date"], "relation": v["relation"], "hukou_type": v["hukou_type"],
                "hukou_address": v["hukou_address"],
                "current_address": v["current_address"] or format_address(v["estate"], v["building"], v["unit"], v["door"])[:200],
                "phone": str(sealed_phone), "phone_tail": v["phone"][-4:] if v["phone"] else "",
                "moved_in_on": v["moved_in_on"], "tags": v["tags"], "member_id": member_id, "note": v["note"],
                "source_row": v["_row"],
            })
            if member_id:
                self.result.members_linked += 1
        insert_rows(Resident, rows, {"source_job_id": self.job.pk, "created_at": self.now, "updated_at": self.now})
        new_ids = dict(Resident.objects.filter(source_job=self.job, source_row__in=[r["source_row"] for r in rows])
                       .values_list("source_row", "pk"))
        for row in rows:
            row["id"] = new_ids[row["source_row"]]
        insert_history(Resident, rows, when=self.now, user_id=self.user_id, reason=self.reason)
        self.result.created += len(rows)

    COMPARED = ("name", "relation", "hukou_type", "hukou_address", "current_address", "phone", "moved_in_on", "note")

    def _changes(self, resident: Resident, v: dict[str, Any], household: Household, member_id: int | None) -> list[str]:
        changed = []
        for name in self.COMPARED:
            new = v[name]
            if name in ("relation", "hukou_address", "current_address", "phone", "moved_in_on", "note") and not new:
                continue  # an empty cell does not erase what the register already holds
            if getattr(resident, name) != new:
                setattr(resident, name, new)
                changed.append(name)
        if v["tags"] and v["tags"] != resident.tags:
            resident.tags = v["tags"]
            changed.append("tags")
        if resident.household_id != household.pk:
            resident.household = household
            changed.append("household")
        if member_id and resident.member_id != member_id:
            resident.member_id = member_id
            changed.append("member")
            self.result.members_linked += 1
        resident.source_job_id, resident.source_row = self.job.pk, v["_row"]
        return changed

    def _update(self, updates: list[tuple[Resident, list[str], dict[str, Any]]]) -> None:
        if not updates:
            return
        objs = [u[0] for u in updates]
        # History rows copy every field: seal the personal data in bulk rather than once per row.
        for obj, sealed_id, sealed_phone in zip(objs, seal_many([o.id_number for o in objs]),
                                                seal_many([o.phone for o in objs]), strict=True):
            obj.name_initials, obj.name_pinyin = _pinyin(obj.name)
            obj.phone_tail = "".join(c for c in obj.phone if c.isdigit())[-4:] if obj.phone else ""
            obj.id_number, obj.phone = sealed_id, sealed_phone
        fields = sorted({f for u in updates for f in u[1]} | {"source_job", "source_row", "updated_at", "name_initials",
                                                               "name_pinyin", "phone_tail"})
        now = timezone.now()
        for obj in objs:
            obj.updated_at = now
        bulk_update_with_history(objs, Resident, fields, batch_size=BATCH, default_user=self.user,
                                 default_change_reason=self.reason)
        self.result.updated += len(objs)


# ---------------------------------------------------------------------------------------------
# Jobs: the CLI runs one in the foreground, the web page in a background thread


_PROGRESS: dict[int, int] = {}
_PROGRESS_LOCK = threading.Lock()


def live_progress(job: ImportJob) -> int:
    """Rows processed so far (the running job's thread reports here; the row is written at the end)."""
    with _PROGRESS_LOCK:
        return _PROGRESS.get(job.pk, job.processed)


def is_running_here(job: ImportJob) -> bool:
    with _PROGRESS_LOCK:
        return job.pk in _PROGRESS


def estimate_rows(path: str | Path) -> int:
    """About how many data rows the file has, without reading it (0 when unknown)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
        if head.startswith(b"PK"):
            with zipfile.ZipFile(path) as zf:
                sheets = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
                if not sheets:
                    return 0
                info = zf.getinfo(sheets[0])
                with zf.open(info) as fh:
                    chunk = fh.read(256 * 1024)
                found = re.search(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', chunk)
                if found:
                    return max(int(found.group(1)) - 1, 0)
                rows = chunk.count(b"<row ")
                if not rows:
                    return 0
                return max(int(info.file_size / (len(chunk) / rows)) - 1, 0)
        if head.startswith(b"\xd0\xcf"):
            return 0
        with path.open("rb") as fh:
            return max(sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")) - 1, 0)
    except (OSError, zipfile.BadZipFile):
        return 0


def run_job(job: ImportJob, on_progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """Run an import job to the end and store its outcome on the job row."""
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.total_estimate = estimate_rows(job.path)
    job.save(update_fields=["status", "started_at", "total_estimate"])

    def progress(done: int) -> None:
        with _PROGRESS_LOCK:
            _PROGRESS[job.pk] = done
        if on_progress:
            on_progress(done, job.total_estimate)

    progress(0)
    result = None
    if connection.vendor == "sqlite":
        # Random-keyed indexes (ID hash, pinyin) outgrow SQLite's default 2 MB page cache fast.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -32768")
    try:
        known = frozenset(ResidentTag.objects.filter(is_active=True).values_list("name", flat=True))
        with transaction.atomic():
            importer = Importer(job, known)
            result = importer.run(read_table(job.path, COLUMNS, filename=job.filename), progress)
            if job.dry_run:
                transaction.set_rollback(True)
        job.status = JobStatus.DONE
    except TabularError as exc:
        job.status, job.error = JobStatus.FAILED, str(exc)
    except Exception as exc:  # the job row must say it failed; the log keeps the traceback
        log.exception("居民导入失败（任务 %s）", job.pk)
        job.status, job.error = JobStatus.FAILED, f"导入失败：{exc}"
    finally:
        with _PROGRESS_LOCK:
            _PROGRESS.pop(job.pk, None)
    if result is not None and job.status == JobStatus.DONE:
        for name in ("processed", "created", "updated", "unchanged", "rejected", "households_created",
                     "buildings_created", "members_linked"):
            setattr(job, name, getattr(result, name))
        job.rejects = sorted(result.rejects, key=lambda e: (e["row"], HEADERS.index(e["column"]) if e["column"] in HEADERS else 99))
        if job.total_estimate < job.processed or job.total_estimate == 0:
            job.total_estimate = job.processed
    job.finished_at = timezone.now()
    job.save()
    if job.status == JobStatus.DONE and not job.dry_run:
        log_access(job.user, AccessLog.Action.IMPORT,
                   f"居民导入 {job.community}：新增{job.created} 更新{job.updated} 拒绝{job.rejected}（{job.filename}）")
    return job


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(ImportJob.objects.select_related("community", "user").get(pk=job_id))
    finally:
        connection.close()


def start_in_background(job: ImportJob) -> None:
    """Run the job in a thread of this server (waitress has no task broker; the page polls)."""
    with _PROGRESS_LOCK:
        _PROGRESS[job.pk] = 0
    threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"grid-import-{job.pk}", daemon=True).start()


# ---------------------------------------------------------------------------------------------
# Export and template


def register_rows(residents) -> Iterator[list]:
    for r in residents:
        h = r.household
        b = h.unit.building
        yield [h.grid.name, b.estate, b.name, h.unit.name, h.door, h.housing_status, r.name, r.id_number, r.sex,
               r.birth_date, r.relation, r.hukou_type, r.hukou_address, r.current_address, r.phone, r.moved_in_on,
               "、".join(r.tag_list), r.note]


def register_xlsx(grid: Grid, residents) -> bytes:
    """A grid's register in the import layout, so an export re-imports unchanged."""
    return write_workbook([SheetSpec(title="居民登记", heading=f"{grid.community.display_name}{grid.name}居民登记表",
                                     headers=HEADERS, rows=register_rows(residents),
                                     text_columns=("公民身份号码", "联系电话", "房号"))])


def rejects_xlsx(job: ImportJob) -> bytes:
    return write_workbook([SheetSpec(title="未导入的行", heading=f"{job.filename}：未导入的行及原因",
                                     headers=["行号", "列", "原因"],
                                     rows=([e["row"], e["column"], e["reason"]] for e in job.rejects))])


def template_xlsx() -> bytes:
    example = ["第一网格", "和平小区", "1号楼", "1单元", "101", "自住", "张三", "", "男", "1965-03-01", "户主", "本地户籍",
               "山东省济南市历下区和平路1号", "", "", "2010-05-01", "独居老人、高龄", ""]
    return write_workbook([SheetSpec(title="居民登记", heading="居民登记表（导入模板：第2行为表头，请从第3行开始填写，每行一位居民）",
                                     headers=HEADERS, rows=[example], text_columns=("公民身份号码", "联系电话", "房号"))])
