"""Self-study (自学) import: the columns, the row check, a plan previewed before anything is written.

The reading (header row, variants, dates, full-width text) is dangjian.lib.tabular; members are
matched by ID number when given, otherwise by name within the chosen org.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dangjian.lib.bulk import copy_to_history, insert_rows
from dangjian.lib.crypto import blind_index
from dangjian.lib.staging import BATCH, purge
from dangjian.lib.tabular import Column, RowError, read_table
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from .choices import StudySource
from .models import SelfStudy

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("党员姓名",), required=True),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证"), kind="id"),
    Column("studied_on", "学习日期", ("日期", "学习时间", "时间"), required=True, kind="date"),
    Column("source", "学习方式", ("学习平台", "平台", "方式", "学习形式")),
    Column("content", "学习内容", ("内容", "学习主题", "学习篇目")),
    Column("hours", "学习时长（小时）", ("学习时长", "时长", "小时", "学时"), kind="decimal"),
    Column("points", "积分", ("学习积分", "学习强国积分", "得分"), kind="int"),
)
HEADERS = [c.header for c in COLUMNS]
SOURCE_WORDS = {s.value: s.value for s in StudySource} | {s.label: s.value for s in StudySource} | {
    "强国": StudySource.XUEXI, "学习强国APP": StudySource.XUEXI, "学习强国平台": StudySource.XUEXI,
    "原著": StudySource.BOOK, "书籍": StudySource.BOOK, "读书": StudySource.BOOK, "网课": StudySource.ONLINE,
    "网络学习": StudySource.ONLINE, "报纸": StudySource.NEWSPAPER, "杂志": StudySource.NEWSPAPER,
}


def _header(name: str) -> str:
    return next(c.header for c in COLUMNS if c.field == name)


@dataclass
class StudyImportPlan:
    org: Org
    create: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # row numbers already recorded
    rejected: list[RowError] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # (row, what the reader changed)

    @property
    def accepted(self) -> int:
        return len(self.create)

    def as_json(self) -> dict:
        return {"accepted": self.accepted, "duplicates": len(self.duplicates),
                "rejected": [e.as_json() for e in self.rejected],
                "notes": [{"row": row, "note": note} for row, note in self.notes]}


def _key(member_id: int, studied_on: date, source: str, content: str, hours, points) -> tuple:
    return (member_id, studied_on, source, content or "", Decimal(hours) if hours is not None else None, points)


def study_import_plan(source, *, org: Org, filename: str | None = None, today: date | None = None) -> StudyImportPlan:
    """Read a self-study file and decide row by row; raises TabularError for an unreadable file."""
    today = today or timezone.localdate()
    plan = StudyImportPlan(org=org)
    members = list(Member.objects.in_org(org).current().select_related("org"))
    by_name: dict[str, list[Member]] = defaultdict(list)
    by_hash = {m.id_hash: m for m in members if m.id_hash}
    for m in members:
        by_name[m.name].append(m)
    rows: list[tuple[int, dict[str, Any]]] = []
    for item in read_table(source, COLUMNS, filename=filename):
        if isinstance(item, list):
            plan.rejected.extend(item)
            continue
        v = item.values
        errors: list[RowError] = []

        def err(name: str, reason: str, number: int = item.number, errors: list[RowError] = errors,
                headers: dict[str, str] = item.headers) -> None:
            # Name the column as the file writes it, like lib.tabular does.
            errors.append(RowError(number, headers.get(name) or _header(name), reason))

        member = None
        if v.get("id_number"):
            member = by_hash.get(blind_index(v["id_number"]))
            if member is None:
                err("id_number", f"身份证号对应的党员不在“{org.name}”的名册中")
            elif member.name != v["name"]:
                err("name", f"姓名“{v['name']}”与身份证号对应的党员“{member.name}”不一致")
        else:
            found = by_name.get(v["name"], [])
            if not found:
                err("name", f"在“{org.name}”的名册中找不到党员“{v['name']}”")
            elif len(found) > 1:
                err("name", f"“{v['name']}”有{len(found)}人同名，请填写身份证号")
            else:
                member = found[0]
        if v["studied_on"] and v["studied_on"] > today:
            err("studied_on", f"学习日期{v['studied_on']:%Y-%m-%d}晚于今天")
        source_value = StudySource.XUEXI
        if v.get("source"):
            source_value = SOURCE_WORDS.get(v["source"])
            if source_value is None:
                err("source", f"学习方式“{v['source']}”无法识别，可填：{'、'.join(StudySource.values)}")
        hours, points = v.get("hours"), v.get("points")
        if hours is not None and not Decimal(0) <= hours < Decimal(1000):
            err("hours", f"学习时长应在0到999.9小时之间，不是“{hours}”")
        elif hours is not None and hours != hours.quantize(Decimal("0.1")):
            err("hours", f"学习时长最多保留1位小数，不是“{hours}”")
        if points is not None and points < 0:
            err("points", f"积分不能为负数：“{points}”")
        if hours is None and points is None and not v.get("content"):
            err("hours", "学习内容、学习时长、积分至少填写一项")
        if errors:
            plan.rejected.extend(errors)
            continue
        plan.notes.extend((item.number, note) for note in item.notes)
        rows.append((item.number, {"member": member, "studied_on": v["studied_on"], "source": source_value,
                                   "content": (v.get("content") or "")[:200], "hours": hours, "points": points}))

    # Rows already recorded (the same file imported twice) are skipped, not doubled.
    ids = {r["member"].pk for _, r in rows}
    existing = {_key(*t) for t in SelfStudy.objects.filter(member_id__in=ids).values_list(
        "member_id", "studied_on", "source", "content", "hours", "points")}
    seen: set[tuple] = set()
    for number, r in rows:
        key = _key(r["member"].pk, r["studied_on"], r["source"], r["content"], r["hours"], r["points"])
        if key in existing or key in seen:
            plan.duplicates.append(number)
            continue
        seen.add(key)
        r["row"] = number
        plan.create.append(r)
    plan.rejected.sort(key=lambda e: e.row)
    return plan


def _insert(rows: list[dict[str, Any]], *, user, job) -> None:
    """Insert checked rows and their "+" history rows in two statements (lib.bulk: no per-row
    model instance or query; the plan checked every value, the database enforces the rest)."""
    if not rows:
        return
    now = timezone.now()
    user_id = user.pk if user is not None and user.pk else None
    insert_rows(SelfStudy, [{"org_id": r["member"].org_id, "member_id": r["member"].pk, "studied_on": r["studied_on"],
                             "source": r["source"], "content": r["content"], "hours": r["hours"], "points": r["points"]}
                            for r in rows],
                {"imported": True, "created_by_id": user_id, "import_job_id": job.pk if job else None, "created_at": now})
    # This batch's rows: imported with this very timestamp by this user and job.
    where = "imported = %s AND created_at = %s AND " + ("import_job_id = %s" if job else "import_job_id IS NULL")
    params = [True, connection.ops.adapt_datetimefield_value(now), *([job.pk] if job else [])]
    copy_to_history(SelfStudy, where, params, when=now, user_id=user_id, reason="导入自学记录")


def study_import_apply(plan: StudyImportPlan, *, user=None, job=None) -> StudyImportPlan:
    """Write the plan's rows, all or nothing; linear in the rows (no query per row).

    Without a job (a small file, in the request): one transaction. With a background job: short
    transactions of BATCH rows, each row marked with the job and hidden (SelfStudyManager) until
    the worker marks the job done — all-or-nothing still, while other writers never wait behind
    the import for more than a batch."""
    if job is None:
        with transaction.atomic():
            _insert(plan.create, user=user, job=None)
        return plan
    purge_failed_imports()
    for start in range(0, len(plan.create), BATCH):
        with transaction.atomic():
            _insert(plan.create[start:start + BATCH], user=user, job=job)
        job.report(min(start + BATCH, len(plan.create)), len(plan.create))
    return plan


def purge_failed_imports() -> int:
    """Delete, a batch at a time, the hidden rows that failed background imports left behind."""
    return purge(SelfStudy, SelfStudy._base_manager.filter(import_job__status="failed"))


def study_template_xlsx() -> bytes:
    example = ["张三", "", "2023-07-15", "学习强国", "《习近平新时代中国特色社会主义思想专题摘编》第三章", "1.5", "45"]
    return write_workbook([SheetSpec(title="自学记录", heading="党员自学记录（导入模板：第2行为表头，请从第3行开始填写）",
                                     headers=HEADERS, rows=[example], text_columns=("公民身份号码",))])
