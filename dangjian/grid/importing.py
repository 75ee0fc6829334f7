"""Importing a residents register (one row per resident, with building/unit/room columns).

The file comes in batches of prepared rows from grid.register (read and checked — in a second
process for a large file). Each batch is matched against the database by ID hash (re-import
updates, never duplicates); the ID and phone of the residents it creates or changes are sealed
here, in bulk, and written with batched inserts (with history). Memory
stays flat in the number of rows: duplicates across batches are found in the database (each
resident the import writes remembers the job and row), rejects are kept up to a cap,
buildings and units are cached per community.

All or nothing, in short transactions (lib/staging.py): each batch is its own transaction, so
a web write waits for one batch at most. The grids, buildings, units, households and residents
an import creates carry its job as `pending_import` and stay hidden (ImportedManager) until the
job row says done — one write makes all of them visible. What it changes of rows that existed
before (a resident's new phone, a household's status, an unchanged resident's job and row) is
written to StagedChange and applied after that commit, a batch at a time; a worker that dies
during the apply leaves the rest staged, and the next import applies it (rolled forward, never
lost). A failed import or a dry run is purged: its hidden rows and staged changes deleted.
"""

from __future__ import annotations

import json
import logging
import re
from collections import namedtuple
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import ExpressionWrapper, F, Q, TextField
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from dangjian.jobs.models import Job
from dangjian.jobs.sizing import estimate_rows
from dangjian.lib.changes import records_changed
from dangjian.lib.names import NameIndex, clean_name
from dangjian.lib.staging import BATCH, purge
from dangjian.lib.tabular import RowError, TabularError
from dangjian.lib.uploads import discard_upload
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.members.models import Member
from dangjian.orgs.models import AccessLog, Org
from dangjian.orgs.scoping import log_access

from .bulk import copy_to_history, insert_rows, insert_tuples, select_in, table
from .choices import HousingStatus, JobStatus
from .models import Building, Grid, Household, ImportJob, Resident, ResidentTag, StagedChange, Unit
from .register import (
    COMPARED,
    ESTATE_BUILDING_UNIT,
    HEADERS,
    RESIDENT_COLUMNS,
    SEALED_AT,
    Item,
    Prepared,
    column_of,
    prepared_batches,
    prepared_in_child,
)
from .sealing import open_many, seal_many
from .services import IMPORT_REASON

log = logging.getLogger(__name__)

MAX_REJECTS = 2000  # kept with the job; the count is always exact
# From about this many rows a file is read and prepared in a second process (starting one
# costs about half a second; below this the import takes less than that in one process).
CHILD_FROM_ROWS = 5000


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
    notes: list[dict] = field(default_factory=list)
    matched_grids: dict[str, str] = field(default_factory=dict)  # grid name as written → the grid it means

    def reject(self, errors: list[RowError]) -> None:
        self.rejected += 1
        for e in errors:
            if len(self.rejects) < MAX_REJECTS:
                self.rejects.append(e.as_json())

    def note(self, row: Prepared, text: str) -> None:
        if len(self.notes) < MAX_REJECTS:
            self.notes.append({"row": row.row, "note": text} | ({"sheet": row.sheet} if row.sheet else {}))

    def as_json(self) -> dict:
        return {k: getattr(self, k) for k in ("processed", "created", "updated", "unchanged", "rejected",
                                              "households_created", "buildings_created", "grids_created",
                                              "members_linked")} | {"rejects": self.rejects, "notes": self.notes,
                                                                    "matched_grids": self.matched_grids}


# A new resident's columns: what grid.register prepared, then the same for every row, then the
# household and party member found here. Its "+" history row the database copies from the
# inserted row (bulk.copy_to_history).
FIXED_COLUMNS = ("moved_out_on", "moved_to", "died_on", "archived_on", "archive_reason", "source_job_id", "created_at",
                 "updated_at", "pending_import_id")
INSERT_COLUMNS = (*RESIDENT_COLUMNS, *FIXED_COLUMNS, "household_id", "member_id")

# What a batch reads of a known (live) resident: enough to match the row and compare it.
SEALED_COMPARED = ("phone", "landline")
KNOWN_FIELDS = ("id", "id_hash", "source_job_id", "source_row", "household_id", "member_id", "community_id",
                "pending_import_id",
                *(name for name in COMPARED if name not in SEALED_COMPARED))
Known = namedtuple("Known", (*KNOWN_FIELDS, *SEALED_COMPARED))


# ---------------------------------------------------------------------------------------------
# The place of a row: grid → building → unit → household, cached per community


@lru_cache(maxsize=4096)
def place_key(name: str) -> str:
    """What a building or unit name means: 3号楼, 3栋, 3幢 and 3 → "3"; 2单元 and 2 → "2"."""
    text = clean_name(name)
    match = re.fullmatch(r"0*(\d+)(?:号楼|号|栋|幢|座|#|楼|单元)?", text)
    return match.group(1) if match else text


class Places:
    """Grids, buildings and units of one community in memory (a community has hundreds, not
    millions); households are looked up per batch."""

    def __init__(self, community: Org, user, result: ImportResult, reason: str, job: ImportJob | None = None):
        self.community, self.user, self.result, self.reason, self.job = community, user, result, reason, job
        self.grids = {g.name: g for g in Grid.objects.filter(community=community)}
        self.buildings = {(b.estate, b.name): b for b in Building.objects.filter(grid__community=community).select_related("grid")}
        # (estate, building, unit) → (unit id, grid id, grid name): what every row asks.
        self.units = {(u.building.estate, u.building.name, u.name): (u.pk, u.building.grid_id, u.building.grid.name)
                      for u in Unit.objects.filter(building__grid__community=community).select_related("building__grid")}
        # How the file names a grid, building or unit → what the register calls it ("一网格" →
        # 第一网格, "3栋" → 3号楼, "2" → 2单元), each worked out once.
        self.grid_index = NameIndex((name, (name,)) for name in self.grids)
        self.grid_names: dict[str, str | list[str]] = {}
        self.building_alias = {(estate, place_key(name)): name for estate, name in self.buildings}
        self.unit_alias = {(estate, building, place_key(unit)): unit for estate, building, unit in self.units}

    def _grid_name(self, written: str) -> str | list[str]:
        if written in self.grids or not written:
            return written
        if written not in self.grid_names:
            found = self.grid_index.find(written)
            self.grid_names[written] = found[0] if len(found) == 1 else found or written
            if len(found) == 1:
                self.result.matched_grids[written] = found[0]
        return self.grid_names[written]

    def named(self, row: Prepared, headers: dict[str, str]) -> Prepared | RowError:
        """The row with its grid, building and unit named as the register names them."""
        if row[ESTATE_BUILDING_UNIT] in self.units and (not row.grid or row.grid in self.grids):
            return row  # the usual row: nothing to rename
        grid = self._grid_name(row.grid)
        if isinstance(grid, list):
            return RowError(row.row, column_of(headers, "grid"),
                            f"网格“{row.grid}”可能是{'、'.join(grid)}，请写网格全称", row.sheet)
        building = self.building_alias.get((row.estate, place_key(row.building)), row.building)
        unit = self.unit_alias.get((row.estate, building, place_key(row.unit)), row.unit)
        if (grid, building, unit) != (row.grid, row.building, row.unit):
            row = row._replace(grid=grid, building=building, unit=unit)
        return row

    def prepare(self, rows: list[Prepared]) -> None:
        """Create, a batch at a time, the grids, buildings and units these rows name and we lack."""
        missing = [row for row in rows if row[ESTATE_BUILDING_UNIT] not in self.units]
        if not missing:
            return
        new_grids: dict[str, Grid] = {}
        new_buildings: dict[tuple[str, str], str] = {}
        for row in missing:
            key = (row.estate, row.building)
            if key in self.buildings or key in new_buildings or not row.grid:
                continue
            if row.grid not in self.grids and row.grid not in new_grids:
                new_grids[row.grid] = Grid(community=self.community, name=row.grid, pending_import=self.job,
                                           sort=len(self.grids) + len(new_grids) + 1)
            new_buildings[key] = row.grid
        if new_grids:
            created = bulk_create_with_history(list(new_grids.values()), Grid, default_user=self.user,
                                               default_change_reason=self.reason)
            self.grids.update({g.name: g for g in created})
            self.grid_index = NameIndex((name, (name,)) for name in self.grids)
            self.grid_names.clear()
            self.result.grids_created += len(created)
        if new_buildings:
            objs = [Building(grid=self.grids[grid], estate=estate, name=name, sort=len(self.buildings) + i + 1,
                             pending_import=self.job)
                    for i, ((estate, name), grid) in enumerate(new_buildings.items())]
            created = bulk_create_with_history(objs, Building, default_user=self.user, default_change_reason=self.reason)
            for b in created:
                b.grid = self.grids[new_buildings[(b.estate, b.name)]]
                self.buildings[(b.estate, b.name)] = b
                self.building_alias.setdefault((b.estate, place_key(b.name)), b.name)
            self.result.buildings_created += len(created)
        new_units: dict[tuple[str, str, str], Unit] = {}
        for row in missing:
            key = row[ESTATE_BUILDING_UNIT]
            b = self.buildings.get(key[:2])
            if b is not None and key not in self.units and key not in new_units:
                new_units[key] = Unit(building=b, name=row.unit, sort=len(self.units) + len(new_units) + 1,
                                      pending_import=self.job)
        for key, u in zip(new_units, Unit.objects.bulk_create(list(new_units.values())), strict=True):
            self.units[key] = (u.pk, u.building.grid_id, u.building.grid.name)
            self.unit_alias.setdefault((key[0], key[1], place_key(key[2])), key[2])

    def locate(self, row: Prepared, headers: dict[str, str]) -> tuple[int, int] | RowError:
        """(unit id, grid id) of the row, or why it cannot be placed."""
        found = self.units.get(row[ESTATE_BUILDING_UNIT])
        if found is None:
            return RowError(row.row, column_of(headers, "grid"), f"楼栋“{row.estate}{row.building}”尚未登记，请填写所属网格",
                            row.sheet)
        unit_id, grid_id, grid_name = found
        if row.grid and row.grid != grid_name:
            return RowError(row.row, column_of(headers, "grid"),
                            f"{row.estate}{row.building}已登记在“{grid_name}”，与本行的“{row.grid}”不符", row.sheet)
        return unit_id, grid_id


# ---------------------------------------------------------------------------------------------
# The batch


class Importer:
    def __init__(self, job: ImportJob):
        self.job = job
        self.user = job.user
        self.reason = f"{IMPORT_REASON}：{job.filename}"[:100]
        self.result = ImportResult()
        self.places = Places(job.community, self.user, self.result, self.reason, job)
        self.user_id = self.user.pk if self.user is not None else None
        self.now = timezone.now()
        self.stamp = stamp = connection.ops.adapt_datetimefield_value(self.now)
        self.fixed = (None, "", None, None, "", job.pk, stamp, stamp, job.pk)  # FIXED_COLUMNS

    def run(self, batches: Iterator[tuple[dict[str, str], list[Item]]],
            on_progress: Callable[[int], None] | None = None) -> ImportResult:
        """Write every batch, each in its own transaction; what it writes stays hidden (or
        staged) until the job is marked done (run_job)."""
        for headers, items in batches:
            with transaction.atomic():
                self.uncommitted = set(ImportJob.objects.exclude(status=JobStatus.DONE, dry_run=False)
                                       .exclude(pk=self.job.pk).values_list("pk", flat=True))
                self.batch(headers, items)
            if on_progress:
                on_progress(self.result.processed)
        return self.result

    def batch(self, headers: dict[str, str], items: list[Item]) -> None:
        r = self.result
        r.processed += len(items)
        rows: list[Prepared] = []
        for item in items:
            if isinstance(item, list):
                r.reject(item)
                continue
            named = self.places.named(item, headers)
            if isinstance(named, RowError):
                r.reject([named])
                continue
            for note in named.notes:
                r.note(named, note)
            rows.append(named)
        if not rows:
            return
        id_column = column_of(headers, "id_number")
        hashes = [item.id_hash for item in rows]
        live_ids = [pk for _, pk in select_in(f"SELECT id_hash, id FROM {table(Resident)} WHERE archived_on IS NULL "
                                              "AND id_hash IN ({values})", hashes)]
        live = self._known(live_ids)
        staged = dict(select_in(f"SELECT id_hash, {connection.ops.quote_name('row')} FROM {table(StagedChange)} "
                                "WHERE import_job_id = %s AND id_hash IN ({values})", hashes, [self.job.pk]))
        gone = self._archived_here([h for h in hashes if h not in live])
        # A live member record wins over archived ones, then the latest archived.
        # Not a member a roster import is still writing (hidden until it commits; it may fail).
        members = dict(select_in(f"SELECT id_hash, id FROM {table(Member)} WHERE id_hash IN ({{values}}) "
                                 f"AND (import_job_id IS NULL OR import_job_id IN (SELECT id FROM {table(Job)} "
                                 "WHERE status = 'done')) ORDER BY (archived_on IS NULL), archived_on", hashes))

        accepted: list[Prepared] = []
        for item in rows:
            existing = live.get(item.id_hash)
            if item.id_hash in staged:
                r.reject([RowError(item.row, id_column, f"与第{staged[item.id_hash]}行的身份证号重复", item.sheet)])
            elif existing is not None and existing.pending_import_id == self.job.pk:
                r.reject([RowError(item.row, id_column, f"与第{existing.source_row}行的身份证号重复", item.sheet)])
            elif existing is not None and existing.pending_import_id in self.uncommitted:
                r.reject([RowError(item.row, id_column, "该身份证号正由另一次居民导入登记，请待其完成后重新导入",
                                   item.sheet)])
            elif existing is not None and existing.community_id != self.job.community_id:
                r.reject([RowError(item.row, id_column, "该身份证号已登记为其他社区的在住居民，请原社区先办理迁出", item.sheet)])
            elif existing is None and item.id_hash in gone:
                r.reject([RowError(item.row, id_column,
                                   f"该居民在本社区已办理{gone[item.id_hash]}（已归档），如已迁回请在系统中新增", item.sheet)])
            else:
                accepted.append(item)
        self.places.prepare(accepted)
        placed: list[tuple[Prepared, int, int]] = []  # (row, unit id, grid id)
        for item in accepted:
            located = self.places.locate(item, headers)
            if isinstance(located, RowError):
                r.reject([located])
            else:
                placed.append((item, *located))
        if not placed:
            return
        households = self._households(placed)
        creates, stage = [], []
        for item, unit_id, _ in placed:
            household_id = households[(unit_id, item.door)]
            existing = live.get(item.id_hash)
            if existing is None:
                creates.append((item, household_id))
                continue
            changes = self._changes(existing, item, household_id, members.get(item.id_hash))
            if changes:
                r.updated += 1
            else:
                r.unchanged += 1
            stage.append((existing.id, item, changes))
        self._create(creates, members)
        self._stage(stage)

    def _known(self, ids: list[int]) -> dict[str, Known]:
        """ID hash → what the import compares of each of these live residents.

        Not model instances: those decrypt the ID and phone one at a time (Fernet, about 12 µs a
        value on a fast machine), and a re-import looks at every resident of the file, most of
        them unchanged. The phones are opened in bulk; the ID is not needed (it matched by hash)."""
        if not ids:
            return {}
        rows = list(Resident._base_manager.filter(pk__in=ids).annotate(
            sealed_phone=ExpressionWrapper(F("phone"), output_field=TextField()),
            sealed_landline=ExpressionWrapper(F("landline"), output_field=TextField()),
            community_id=F("household__grid__community_id"),
        ).values_list(*KNOWN_FIELDS, "sealed_phone", "sealed_landline"))
        phones = open_many([row[-2] for row in rows])
        landlines = open_many([row[-1] for row in rows])
        return {row[1]: Known(*row[:-2], phone, landline)
                for row, phone, landline in zip(rows, phones, landlines, strict=True)}

    def _archived_here(self, hashes: list[str]) -> dict[str, str]:
        """ID hash → archive reason, for residents of this community archived (moved out, died)."""
        archived = select_in(f"SELECT id_hash, archive_reason, household_id FROM {table(Resident)} "
                             "WHERE archived_on IS NOT NULL AND id_hash IN ({values}) ORDER BY archived_on", hashes)
        if not archived:
            return {}
        here = set(Household.objects.filter(pk__in={h for _, _, h in archived}, grid__community=self.job.community)
                   .values_list("pk", flat=True))
        return {id_hash: reason for id_hash, reason, household in archived if household in here}

    def _households(self, placed: list[tuple[Prepared, int, int]]) -> dict[tuple[int, str], int]:
        """(unit id, door) → household id for the rows' households, creating those that are new."""
        units = {unit_id for _, unit_id, _ in placed}

        def lookup() -> dict[tuple[int, str], tuple[int, str, int | None]]:
            return {(unit_id, door): (pk, status, pending) for unit_id, door, pk, status, pending in select_in(
                f"SELECT unit_id, door, id, housing_status, pending_import_id FROM {table(Household)} "
                "WHERE unit_id IN ({values})", units)}

        found = lookup()
        status_of = {(unit_id, row.door): row.housing_status for row, unit_id, _ in placed if row.housing_status}
        new: dict[tuple[int, str], dict[str, Any]] = {}
        for row, unit_id, grid_id in placed:
            key = (unit_id, row.door)
            if key not in found and key not in new:
                new[key] = {"unit_id": unit_id, "grid_id": grid_id, "door": row.door,
                            "housing_status": status_of.get(key) or HousingStatus.OWNER}
        changed = {found[k][0]: status for k, status in status_of.items() if k in found and found[k][1] != status}
        # A household this import created may change at once (it is hidden); one that existed
        # before changes when the import commits.
        own = {pk for pk, _, pending in found.values() if pending == self.job.pk}
        staged = {pk: status for pk, status in changed.items() if pk not in own}
        changed = {pk: status for pk, status in changed.items() if pk in own}
        if staged:
            insert_rows(StagedChange, [{"object_id": pk, "changes": json.dumps({"housing_status": status})}
                                       for pk, status in staged.items()],
                        {"import_job_id": self.job.pk, "kind": StagedChange.Kind.HOUSEHOLD})
        if new:
            insert_rows(Household, list(new.values()), {"created_at": self.now, "pending_import_id": self.job.pk})
            found = lookup()
            # This import's households all have created_at = now; this batch's are the newest.
            copy_to_history(Household, "created_at = %s AND id >= %s",
                            [self.stamp, min(found[key][0] for key in new)],
                            when=self.now, user_id=self.user_id, reason=self.reason)
            self.result.households_created += len(new)
        if changed:
            households = list(Household._base_manager.filter(pk__in=list(changed)))
            for household in households:
                household.housing_status = changed[household.pk]
            bulk_update_with_history(households, Household, ["housing_status"], batch_size=BATCH,
                                     default_user=self.user, default_change_reason=self.reason)
        return {key: pk for key, (pk, _, _) in found.items()}

    def _create(self, creates: list[tuple[Prepared, int]], members: dict[str, int]) -> None:
        if not creates:
            return
        fixed = self.fixed
        id_at, phone_at, landline_at = SEALED_AT
        sealed = zip(seal_many([item.insert[id_at] for item, _ in creates]),
                     seal_many([item.insert[phone_at] for item, _ in creates]),
                     seal_many([item.insert[landline_at] for item, _ in creates]), strict=True)
        rows = []
        for (item, household_id), (sealed_id, sealed_phone, sealed_landline) in zip(creates, sealed, strict=True):
            member_id = members.get(item.id_hash)
            row = [*item.insert, *fixed, household_id, member_id]
            row[id_at], row[phone_at], row[landline_at] = str(sealed_id), str(sealed_phone), str(sealed_landline)
            rows.append(row)
            if member_id:
                self.result.members_linked += 1
        insert_tuples(Resident, INSERT_COLUMNS, rows)
        # Rows only grow through the file, so this batch's new rows are the job's rows in its
        # range created now (a resident this batch updates keeps its own created_at).
        copy_to_history(Resident, "source_job_id = %s AND source_row BETWEEN %s AND %s AND created_at = %s",
                        [self.job.pk, creates[0][0].row, creates[-1][0].row, self.stamp],
                        when=self.now, user_id=self.user_id, reason=self.reason)
        self.result.created += len(rows)

    def _changes(self, known: Known, item: Prepared, household_id: int, member_id: int | None) -> dict[str, Any]:
        """Field (attname) → new value, for what the file changes of a known resident."""
        changes = {}
        for name, new in zip(COMPARED, item.compared, strict=True):
            if not new:
                continue  # an empty cell does not erase what the register already holds
            if getattr(known, name) != new:
                changes[name] = new
        if known.household_id != household_id:
            changes["household_id"] = household_id
        if member_id and known.member_id != member_id:
            changes["member_id"] = member_id
            self.result.members_linked += 1
        return changes

    def _stage(self, stage: list[tuple[int, Prepared, dict[str, Any]]]) -> None:
        """Stage (resident id, row, changes) of the known residents in this batch: applied when
        the import commits (apply_staged). Phones are staged sealed, as they are stored."""
        if not stage:
            return
        for name in SEALED_COMPARED:
            plain = [changes.get(name, "") for _, _, changes in stage]
            if any(plain):
                for (_, _, changes), token in zip(stage, seal_many(plain), strict=True):
                    if name in changes:
                        changes[name] = str(token)
        insert_rows(StagedChange, [{"object_id": pk, "row": item.row, "id_hash": item.id_hash,
                                    "changes": json.dumps(changes, cls=DjangoJSONEncoder) if changes else ""}
                                   for pk, item, changes in stage],
                    {"import_job_id": self.job.pk, "kind": StagedChange.Kind.RESIDENT})


# ---------------------------------------------------------------------------------------------
# After the batches: commit (apply what was staged) or purge


def apply_staged(job: ImportJob) -> int:
    """Apply the staged changes of a committed import, BATCH at a time; each batch leaves the
    stage in the transaction that applies it, so a crash leaves exactly the rest to apply."""
    user, reason = job.user, f"{IMPORT_REASON}：{job.filename}"[:100]
    staged = StagedChange.objects.filter(import_job=job).order_by("pk")
    applied = 0
    while batch := list(staged.values_list("pk", "kind", "object_id", "row", "changes")[:BATCH]):
        with transaction.atomic():
            households = {pk: json.loads(changes)["housing_status"] for _, kind, pk, _, changes in batch
                          if kind == StagedChange.Kind.HOUSEHOLD}
            if households:
                objs = list(Household._base_manager.filter(pk__in=list(households)))
                for obj in objs:
                    obj.housing_status = households[obj.pk]
                bulk_update_with_history(objs, Household, ["housing_status"], batch_size=BATCH, default_user=user,
                                         default_change_reason=reason)
            residents = [(pk, row, changes) for _, kind, pk, row, changes in batch if kind == StagedChange.Kind.RESIDENT]
            # Unchanged residents only remember this job and row (no history: nothing changed).
            # Plain SQL: QuerySet.bulk_update builds a CASE per row, about 1 ms a row here.
            stamps = [(job.pk, row, pk) for pk, row, changes in residents if not changes]
            if stamps:
                with connection.cursor() as cursor:
                    cursor.executemany(f"UPDATE {table(Resident)} SET source_job_id = %s, source_row = %s WHERE id = %s",
                                       stamps)
            _update_residents(job, {pk: (row, json.loads(changes)) for pk, row, changes in residents if changes},
                              user, reason)
            StagedChange.objects.filter(pk__in=[pk for pk, *_ in batch])._raw_delete(connection.alias)
        applied += len(batch)
    return applied


def _update_residents(job: ImportJob, updates: dict[int, tuple[int, dict[str, Any]]], user, reason: str) -> None:
    """Apply the changes (resident id → (row, attname → value)) with a "~" history row each."""
    if not updates:
        return
    for name in SEALED_COMPARED:  # staged sealed: the search keys need the plain number
        tokens = [(pk, changes[name]) for pk, (_, changes) in updates.items() if name in changes]
        for (pk, _), plain in zip(tokens, open_many([t for _, t in tokens]), strict=True):
            updates[pk][1][name] = plain
    objs = list(Resident._base_manager.filter(pk__in=list(updates)))
    changed_fields = set()
    for obj in objs:
        row, changes = updates[obj.pk]
        for attname, value in changes.items():
            setattr(obj, attname, value)
        changed_fields.update(changes)
        obj.source_job_id, obj.source_row = job.pk, row
    # History rows copy every field: seal the personal data in bulk rather than once per row.
    for obj, sealed_id, sealed_phone, sealed_landline in zip(
            objs, seal_many([o.id_number for o in objs]), seal_many([o.phone for o in objs]),
            seal_many([o.landline for o in objs]), strict=True):
        obj.prepare()  # the derived look-up columns, from the plain values
        obj.id_number, obj.phone, obj.landline = sealed_id, sealed_phone, sealed_landline
    fields = sorted({name.removesuffix("_id") for name in changed_fields}
                    | {"source_job", "source_row", "updated_at", "name_initials", "name_pinyin", "phone_tail"})
    now = timezone.now()
    for obj in objs:
        obj.updated_at = now
    bulk_update_with_history(objs, Resident, fields, batch_size=BATCH, default_user=user, default_change_reason=reason)


INTERRUPTED = "导入被中断（后台进程停止），没有写入任何数据，请重新导入"


def purge_failed_imports(job: ImportJob | None = None) -> int:
    """Delete what failed imports and dry runs wrote (hidden rows, staged changes), a batch at a
    time; `job`: only that one. An import whose worker died is failed first."""
    if job is None:
        ImportJob.objects.filter(status=JobStatus.RUNNING, job__status="failed").update(
            status=JobStatus.FAILED, error=INTERRUPTED, finished_at=timezone.now())
        jobs = ImportJob.objects.filter(Q(status=JobStatus.FAILED) | Q(status=JobStatus.DONE, dry_run=True))
    else:
        jobs = ImportJob.objects.filter(pk=job.pk)
    purged = purge(StagedChange, StagedChange.objects.filter(import_job__in=jobs))
    for model in (Resident, Household, Unit, Building, Grid):  # each before what it points to
        purged += purge(model, model._base_manager.filter(pending_import__in=jobs))
    return purged


def finish_committed_imports() -> int:
    """Apply what committed imports left staged (their worker died while applying)."""
    jobs = ImportJob.objects.filter(status=JobStatus.DONE, dry_run=False,
                                    pk__in=StagedChange.objects.values("import_job")).select_related("user")
    return sum(apply_staged(job) for job in jobs)


# ---------------------------------------------------------------------------------------------
# Jobs: the CLI runs one in the foreground, the web page hands it to a worker (grid/tasks.py)


def run_job(job: ImportJob, on_progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """Run an import job to the end and store its outcome on the job row.

    The batches are written hidden and staged (Importer.run); the job row saved as done is the
    commit that shows them all; then the staged changes are applied. A failure or a dry run
    purges what the job wrote. Leftovers of earlier imports (a worker killed mid-import or mid-
    apply) are purged or applied first."""
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.total_estimate = estimate_rows(job.path)
    job.save(update_fields=["status", "started_at", "total_estimate"])

    def progress(done: int) -> None:
        if on_progress:
            on_progress(done, job.total_estimate)

    progress(0)
    result = None
    purge_failed_imports()
    finish_committed_imports()
    if connection.vendor == "sqlite":
        # Random-keyed indexes (ID hash, pinyin) outgrow SQLite's default 2 MB page cache fast.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -32768")
    try:
        known = frozenset(ResidentTag.objects.filter(is_active=True).values_list("name", flat=True))
        read = prepared_in_child if job.total_estimate >= CHILD_FROM_ROWS else prepared_batches
        batches = read(job.path, job.filename, known, BATCH, dates_as_text=connection.vendor == "sqlite")
        try:
            result = Importer(job).run(batches, progress)
        finally:
            batches.close()
        job.status = JobStatus.DONE
    except TabularError as exc:
        job.status, job.error = JobStatus.FAILED, str(exc)
    except Exception as exc:  # the job row must say it failed; the log keeps the traceback
        log.exception("居民导入失败（任务 %s）", job.pk)
        job.status, job.error = JobStatus.FAILED, f"导入失败：{exc}"
    if result is not None and job.status == JobStatus.DONE:
        for name in ("processed", "created", "updated", "unchanged", "rejected", "households_created",
                     "buildings_created", "members_linked"):
            setattr(job, name, getattr(result, name))
        job.rejects = sorted(result.rejects, key=lambda e: (e.get("sheet", ""), e["row"],
                                                            HEADERS.index(e["column"]) if e["column"] in HEADERS else 99))
        job.notes = [{"note": f"网格“{written}”按“{grid}”导入"} for written, grid in result.matched_grids.items()] + result.notes
        job.total_estimate = job.processed  # the estimate counted title rows and blank lines too
    job.finished_at = timezone.now()
    committed = job.status == JobStatus.DONE and not job.dry_run
    with transaction.atomic():
        job.save()  # the commit: the rows this job wrote are visible from here on (ImportedManager)
        if committed:
            log_access(job.user, AccessLog.Action.IMPORT,
                       f"居民导入 {job.community}：新增{job.created} 更新{job.updated} 拒绝{job.rejected}（{job.filename}）")
    if not job.dry_run or job.status != JobStatus.DONE:
        discard_upload(job.path)  # only a passed dry run keeps its file, for "import for real"
    if committed:
        apply_staged(job)
        records_changed.send(__name__, org=job.community)
        job.finished_at = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(finished_at=job.finished_at)
    else:
        purge_failed_imports(job)
    return job


def start_purge(job: ImportJob) -> None:
    """Queue the purge of what a failed import left hidden (its worker died mid-import)."""
    from dangjian.jobs.services import job_enqueue

    from .tasks import resident_import_purge

    job_enqueue(resident_import_purge, kind="resident_import_purge", label=f"清除未完成的居民导入：{job.filename}",
                org=job.community, user=job.user)


def start_in_background(job: ImportJob) -> None:
    """Queue the job for a worker (the page follows its progress from the database)."""
    from dangjian.jobs.services import job_enqueue

    from .tasks import resident_import

    verb = "检查" if job.dry_run else "导入"
    job.job = job_enqueue(resident_import, kind="resident_import", label=f"居民{verb}：{job.filename}",
                          org=job.community, user=job.user, import_job_id=job.pk)
    job.save(update_fields=["job"])


# ---------------------------------------------------------------------------------------------
# Export and template


def register_rows(residents) -> Iterator[list]:
    for r in residents:
        h = r.household
        b = h.unit.building
        yield [h.grid.name, b.estate, b.name, h.unit.name, h.door, h.housing_status, r.name, r.id_number, r.sex,
               r.birth_date, r.relation, r.hukou_type, r.hukou_address, r.current_address, r.phone, r.landline,
               r.moved_in_on, "、".join(r.tag_list), r.note]


def register_xlsx(grid: Grid, residents) -> bytes:
    """A grid's register in the import layout, so an export re-imports unchanged."""
    return write_workbook([SheetSpec(title="居民登记", heading=f"{grid.community.display_name}{grid.name}居民登记表",
                                     headers=HEADERS, rows=register_rows(residents),
                                     text_columns=("公民身份号码", "联系电话", "固定电话", "房号"))])


def rejects_xlsx(job: ImportJob) -> bytes:
    return write_workbook([SheetSpec(title="未导入的行", heading=f"{job.filename}：未导入的行及原因",
                                     headers=["工作表", "行号", "列", "原因"],
                                     rows=([e.get("sheet", ""), e["row"], e["column"], e["reason"]] for e in job.rejects))])


def template_xlsx() -> bytes:
    example = ["第一网格", "和平小区", "1号楼", "1单元", "101", "自住", "张三", "", "男", "1965-03-01", "户主", "本地户籍",
               "山东省济南市历下区和平路1号", "", "", "", "2010-05-01", "独居老人、高龄", ""]
    return write_workbook([SheetSpec(title="居民登记", heading="居民登记表（导入模板：第2行为表头，请从第3行开始填写，每行一位居民）",
                                     headers=HEADERS, rows=[example],
                                     text_columns=("公民身份号码", "联系电话", "固定电话", "房号"))])
