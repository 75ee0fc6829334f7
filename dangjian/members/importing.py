"""The roster (花名册) layout: import columns, row validation, import plan, export, template.

The reading itself (header row, variants, dates, full-width text) is dangjian.lib.tabular;
this module only declares the columns and what a valid member row is.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dangjian.grid.models import StagedChange
from dangjian.lib.bulk import bulk_create_copying_history, insert_rows
from dangjian.lib.changes import records_changed
from dangjian.lib.crypto import blind_index, decrypt, encrypt
from dangjian.lib.idnumbers import birth_date_from_id, sex_from_id
from dangjian.lib.names import NameIndex, clean_name
from dangjian.lib.staging import BATCH, Pace, purge
from dangjian.lib.tabular import Column, Row, RowError, birth_mismatch, read_table
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.orgs.models import Org, OrgKind

from .choices import Category, Education, Status
from .models import Member

log = logging.getLogger(__name__)

YES = {"是", "有", "√", "✓", "y", "yes", "true", "1"}
NO = {"否", "无", "", "×", "n", "no", "false", "0"}

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("党员姓名",), required=True),
    Column("sex", "性别"),
    Column("ethnicity", "民族"),
    Column("birth_date", "出生日期", ("出生年月", "出生时间"), kind="date"),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码"), required=True, kind="id"),
    Column("native_place", "籍贯"),
    Column("education", "学历", ("文化程度", "最高学历")),
    Column("category", "人员类别", ("类别", "人员分类")),
    Column("joined_on", "入党日期", ("入党时间",), kind="date"),
    Column("confirmed_on", "转正日期", ("转正时间",), kind="date"),
    Column("status", "党员状态", ("状态", "党员类型")),
    Column("branch", "所在党支部", ("党支部", "所属支部", "支部", "所在支部", "所在党小组", "党小组")),
    Column("party_post", "党内职务", ("职务",)),
    Column("phone", "联系电话", ("手机", "手机号", "手机号码", "移动电话", "联系方式"), kind="phone"),
    Column("landline", "固定电话", ("电话", "固话", "座机", "家庭电话", "住宅电话", "宅电", "电话号码"), kind="phone"),
    Column("address", "居住地址", ("家庭住址", "住址", "现住址", "居住地")),
    Column("employer", "工作单位", ("单位",)),
    Column("introducers", "入党介绍人", ("介绍人",)),
    Column("is_mobile", "是否流动党员", ("流动党员",)),
    Column("mobile_place", "外出地点", ("流动去向",)),
    Column("mobile_since", "外出日期", ("外出时间",), kind="date"),
    Column("mobile_reason", "外出原因"),
    Column("has_mobile_card", "持流动党员活动证", ("流动党员活动证", "是否持流动党员活动证")),
    Column("mobile_contact", "外出联系方式"),
    Column("is_infirm", "年老体弱/行动不便", ("年老体弱", "行动不便")),
    Column("in_hardship", "生活困难", ("是否生活困难",)),
    # Membership start (import only, not exported): see `member_import_apply`'s `since`.
    Column("member_since", "加入本组织日期", ("转入本支部日期", "加入本支部日期", "转入本组织日期", "转入本支部时间",
                                         "加入本组织时间", "组织关系转入日期", "转入日期"), kind="date"),
)
HEADERS = [c.header for c in COLUMNS if c.field != "member_since"]
BOOL_FIELDS = ("is_mobile", "has_mobile_card", "is_infirm", "in_hardship")
STATUS_WORDS = {"正式": Status.FULL, "正式党员": Status.FULL, "预备": Status.PROBATIONARY, "预备党员": Status.PROBATIONARY}
CATEGORY_WORDS = {c.value: c.value for c in Category} | {c.label: c.value for c in Category} | {
    "退休": Category.RETIRED, "离休": Category.RETIRED, "在岗": Category.EMPLOYED, "失业": Category.UNEMPLOYED,
    "个体经营": Category.SELF_EMPLOYED, "低保户": Category.LOW_INCOME,
}
EDUCATION_WORDS = {e.value: e.value for e in Education} | {e.label: e.value for e in Education} | {
    "研究生": Education.MASTER, "大学本科": Education.BACHELOR, "大学专科": Education.COLLEGE, "专科": Education.COLLEGE,
    "高中及以下": Education.SENIOR, "技校": Education.VOCATIONAL, "中技": Education.VOCATIONAL,
}


@dataclass
class ImportPlan:
    """What an import would do; nothing is written until `member_import_apply`."""

    org: Org
    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[tuple[Member, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    # Branch names as written that matched one unit after normalising ("三支部" → 第三党支部):
    # name → (unit, rows). Names that matched none or several wait for the user: name → rows.
    matched_units: dict[str, tuple[Org, list[int]]] = field(default_factory=dict)
    unmapped: dict[str, list[int]] = field(default_factory=dict)
    unit_choices: list[Org] = field(default_factory=list)  # what an unmapped name may be mapped to
    unit_column: str = "所在党支部"  # the branch column as the file names it
    notes: list[tuple[int, str]] = field(default_factory=list)  # (row, what the reader changed)
    # After a background import: updates the records refused once it had committed, (row, reason).
    update_failed: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return len(self.create) + len(self.update) + self.unchanged

    @property
    def undated(self) -> int:
        """New members without a 加入本组织日期 in the file: the preview asks once when they belong from."""
        return sum(1 for v in self.create if not v.get("member_since"))

    @property
    def unmapped_rows(self) -> int:
        return sum(len(rows) for rows in self.unmapped.values())

    def create_preview(self) -> list[tuple[int, str]]:
        return [(v["_row"], v["name"]) for v in self.create]

    def unmapped_errors(self) -> list[RowError]:
        """One RowError per row whose branch name still matches no single unit."""
        return [RowError(row, self.unit_column, _unmatched_reason(self.org, name))
                for name, rows in self.unmapped.items() for row in rows]

    def update_preview(self) -> list[tuple[int, str, list[str]]]:
        labels = {c.field: c.header for c in COLUMNS} | {"org": "所在党支部"}
        hidden = {"id_number", "phone", "landline"}
        return [
            (changes["_row"], member.name,
             [labels.get(k, k) + ("" if k in hidden else f"：{getattr(member, k) or '（空）'} → {v}")
              for k, v in changes.items() if not k.startswith("_")])
            for member, changes in self.update
        ]

    def as_json(self) -> dict:
        rejected = sorted(self.rejected + self.unmapped_errors(), key=lambda e: e.row)
        return {
            "accepted": self.accepted,
            "created": len(self.create),
            "updated": len(self.update),
            "unchanged": self.unchanged,
            "rejected_rows": len({e.row for e in rejected}),
            "rejected": [e.as_json() for e in rejected],
            "matched_units": [{"name": name, "unit": org_label(unit), "rows": rows}
                              for name, (unit, rows) in self.matched_units.items()],
            "unmapped_units": [{"name": name, "rows": rows} for name, rows in self.unmapped.items()],
            "notes": [{"row": row, "note": note} for row, note in self.notes],
        }


def _header(field_name: str) -> str:
    return next(c.header for c in COLUMNS if c.field == field_name)


def _unmatched_reason(org: Org, name: str) -> str:
    return f"在“{org.name}”下找不到党支部/党小组“{name}”（请在导入预览中为它选择党支部，或用 --map 指定）"


class _Units:
    """The branch column's names matched to units of the subtree, once per name (not per row)."""

    def __init__(self, org: Org, plan: ImportPlan, mapping: dict[str, Org] | None):
        units = list(Org.objects.subtree_of(org).filter(kind__in=(OrgKind.BRANCH, OrgKind.GROUP))
                     .select_related("parent"))
        plan.unit_choices = units
        self.index = NameIndex((o, (o.name, o.short_name, org_label(o))) for o in units)
        self.mapping = {clean_name(k): v for k, v in (mapping or {}).items()}
        self.plan = plan
        self.found: dict[str, list[Org]] = {}

    def find(self, name: str, number: int) -> Org | None:
        """The unit a row's branch name means; None when it waits for the user's mapping."""
        if name not in self.found:
            mapped = self.mapping.get(clean_name(name))
            self.found[name] = [mapped] if mapped else self.index.find(name)
        found = self.found[name]
        if len(found) == 1:
            unit = found[0]
            if clean_name(name) not in {clean_name(unit.name), clean_name(org_label(unit))}:
                self.plan.matched_units.setdefault(name, (unit, []))[1].append(number)
            return unit
        self.plan.unmapped.setdefault(name, []).append(number)
        return None


def _clean_row(row: Row, org: Org, units: _Units, errors: list[RowError] | None = None
               ) -> dict[str, Any] | list[RowError]:
    """Row checks beyond single cells; `errors` are the reader's cell errors for this row, so
    that every problem of a row is reported together (in column order). A branch name that
    matches no single unit is left to the plan's `unmapped` (listed once per name)."""
    v = dict(row.values)
    errors = list(errors or [])
    failed = {e.column for e in errors}

    def err(field_name: str, reason: str) -> None:
        column = row.headers.get(field_name, _header(field_name))
        if column not in failed:
            errors.append(RowError(row.number, column, reason))

    for name in BOOL_FIELDS:
        raw = str(v.get(name) or "").strip().lower()
        if raw in YES:
            v[name] = True
        elif raw in NO:
            v[name] = False
        else:
            err(name, f"应填“是”或“否”，不是“{v[name]}”")
    if v.get("status"):
        status = STATUS_WORDS.get(v["status"])
        if status is None:
            err("status", f"应为“正式党员”或“预备党员”，不是“{v['status']}”")
        v["status"] = status
    elif v.get("confirmed_on"):
        v["status"] = Status.FULL
    if v.get("category"):
        cat = CATEGORY_WORDS.get(v["category"])
        if cat is None:
            err("category", f"无法识别的人员类别“{v['category']}”，可填：{'、'.join(c.value for c in Category)}")
        v["category"] = cat
    if v.get("education"):
        edu = EDUCATION_WORDS.get(v["education"])
        if edu is None:
            err("education", f"无法识别的学历“{v['education']}”")
        v["education"] = edu
    if v.get("sex") and v["sex"] not in ("男", "女"):
        err("sex", f"性别应为“男”或“女”，不是“{v['sex']}”")
    if v.get("id_number"):
        if "birth_date" in v:  # else its cell already failed
            born = birth_date_from_id(v["id_number"])
            mismatch = birth_mismatch(row.headers.get("birth_date", "出生日期"), v["birth_date"], born)
            if mismatch:
                err("birth_date", mismatch)
            v["birth_date"] = born  # the ID's full date is stored: "1985.03" only says the month
        sex = sex_from_id(v["id_number"])
        if v.get("sex") and v["sex"] != sex:
            err("sex", f"性别“{v['sex']}”与身份证号不一致（身份证号为{sex}）")
        v["sex"] = sex
    if v.get("landline") and not v.get("phone") and len(v["landline"]) == 11 and v["landline"].isdigit():
        v["phone"], v["landline"] = v["landline"], None  # a mobile written under 电话
    if v.get("joined_on") and v.get("confirmed_on") and v["confirmed_on"] < v["joined_on"]:
        err("confirmed_on", "转正日期早于入党日期")
    branch_name = v.pop("branch", None)
    unmapped = False
    if branch_name:
        units.plan.unit_column = row.headers.get("branch", units.plan.unit_column)
        v["org"] = units.find(branch_name, row.number)
        unmapped = v["org"] is None
    elif org.kind in (OrgKind.BRANCH, OrgKind.GROUP):
        v["org"] = org
    else:
        err("branch", "所在党支部为空（导入到社区时必须填写）")
    if errors:
        return sorted(errors, key=lambda e: list(row.headers.values()).index(e.column) if e.column in row.headers.values() else 99)
    if unmapped:
        return []  # waits in plan.unmapped
    return {k: val for k, val in v.items() if val is not None and k in _FIELD_NAMES}


_FIELD_NAMES = {c.field for c in COLUMNS} - {"branch"} | {"org"}


def org_label(org: Org) -> str:
    return org.unit_label


def member_import_plan(source, *, org: Org, filename: str | None = None,
                       unit_map: dict[str, Org] | None = None) -> ImportPlan:
    """Read a roster file and decide, row by row, what would be created, updated or rejected.

    `unit_map`: branch names as written → the unit the user chose for them (applies to every
    row with that name). Raises lib.tabular.TabularError for a file that cannot be read at all.
    """
    plan = ImportPlan(org=org)
    units = _Units(org, plan, unit_map)
    cleaned: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for item in read_table(source, COLUMNS, filename=filename):
        if isinstance(item, list):
            partial = getattr(item, "partial", None)
            plan.rejected.extend(_clean_row(partial, org, units, item) if partial else item)
            continue
        result = _clean_row(item, org, units)
        if isinstance(result, list):
            plan.rejected.extend(result)
            continue
        plan.notes.extend((item.number, note) for note in item.notes)
        digest = blind_index(result["id_number"])
        if digest in seen:
            plan.rejected.append(RowError(item.number, item.headers["id_number"], f"与第{seen[digest]}行的身份证号重复"))
            continue
        seen[digest] = item.number
        result["_hash"], result["_row"], result["_idcol"] = digest, item.number, item.headers["id_number"]
        cleaned.append((item.number, result))

    existing = {m.id_hash: m for m in Member.objects.filter(id_hash__in=list(seen)).select_related("org")}
    for number, values in cleaned:
        member = existing.get(values.pop("_hash"))
        if member is None:
            plan.create.append(values)
            continue
        if not member.org.is_within(org):
            plan.rejected.append(RowError(number, values["_idcol"], "该身份证号已在其他组织的名册中，请先办理组织关系转接"))
            continue
        changes = {k: val for k, val in values.items()
                   if not k.startswith("_") and k != "member_since" and getattr(member, k) != val}
        if changes:
            changes["_row"] = number
            plan.update.append((member, changes))
        else:
            plan.unchanged += 1
    plan.rejected.sort(key=lambda e: e.row)
    return plan


# ---- Membership start of the rows an import creates ------------------------------------------
# A row's 加入本组织日期 column wins; otherwise the clerk's answer: a date (default: the import
# date), or JOINED — "from their 入党/转入 dates" — offered on a first import only, when the
# roster being entered is the organisation's whole past. Updates of members already on file
# take effect on the import date. So importing today's roster never changes a past period.
JOINED = "joined"


def is_first_import(org: Org) -> bool:
    """No member has ever belonged to org's subtree: the roster being imported is its whole past."""
    from .models import Membership

    return not Membership.objects.filter(org__path__startswith=org.path).exists()


def parse_since(text: str | None, *, today: date) -> date | str:
    """`--member-since DATE|joined` (and the preview's field) → a date or JOINED."""
    text = (text or "").strip()
    if not text:
        return today
    if text.lower() == JOINED:
        return JOINED
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"加入本组织日期应为“YYYY-MM-DD”或“{JOINED}”（按各自的入党/转入日期），不是“{text}”") from exc


ROSTER_REASON = "名册导入"
# At most this many updates a transaction: each goes through the services (the member saved
# with its history, its intervals reconciled: about a dozen queries), so their batches are
# sized by time (lib.staging.Pace).
UPDATE_BATCH = 500
# Staged changes to members: encrypted as the member's own columns are.
SEALED_FIELDS = ("phone", "landline")


def member_import_apply(plan: ImportPlan, *, user=None, since: date | str | None = None,
                        today: date | None = None, job=None) -> ImportPlan:
    """Book a plan, all or nothing: valid rows are created/updated; rejected rows are reported.
    Linear in the rows: new members go in with a fixed number of queries a batch (lib.bulk), each
    update through the services with a fixed number a member.

    Without a job (a small file confirmed in the request): one transaction.
    With a background job (jobs.Job): short transactions, so a web write waits for one batch at
    most (lib/staging.py). New members are written a batch at a time (about BATCH_SECONDS each,
    lib.staging.Pace) with their history and intervals, marked with the job and hidden
    (MemberManager) until it commits; changes to members on file are checked and staged
    (grid.StagedChange). Then the commit — the job marked done, every new member shows at once —
    and the staged changes are applied a batch at a time (apply_staged); a worker that dies
    meanwhile leaves the rest staged for the next import.

    `since`: when created members belong to their organisation from, for rows without a
    加入本组织日期 (default: `today`, the import date); JOINED reads it from their 入党 dates."""
    today = today or timezone.localdate()
    since = today if since is None else since
    if job is not None:
        purge_failed_imports()
        finish_committed_imports()
    if since == JOINED and not is_first_import(plan.org):
        raise ValidationError("“按各自的入党/转入日期”只用于首次导入；已有名册的组织请填写这些党员加入本组织的日期")
    if job is None:
        with transaction.atomic():
            _create(*_new_members(plan.create, since), user=user, job=None)
            for member, changes in plan.update:
                _update(member, {k: v for k, v in changes.items() if not k.startswith("_")}, user=user, on=today)
        return plan
    total, done, pace = len(plan.create) + len(plan.update), 0, Pace(first=min(200, BATCH), most=BATCH)
    while done < len(plan.create):
        rows = plan.create[done:done + pace.size]
        batch = _new_members(rows, since)  # checked outside the transaction
        with pace.batch(len(rows)), transaction.atomic():
            _create(*batch, user=user, job=job)
        done += len(rows)
        job.report(done, total)
    for start in range(0, len(plan.update), BATCH):
        updates = plan.update[start:start + BATCH]
        _stage(updates, job=job, on=today)
        job.report(len(plan.create) + start + len(updates), total)
    _commit(job)
    plan.update_failed = apply_staged(job)
    return plan


def member_import_run(plan: ImportPlan, *, job, user=None, since: date | str | None = None) -> ImportPlan:
    """Book a confirmed plan under `job`, in short transactions (member_import_apply with a job):
    the one way of the worker's task (members.tasks.member_import) and of the command line
    (`dangjian import members`, its job run in its own process).

    Should it stop before its commit — any exception, Ctrl-C — the job is marked failed, which
    keeps everything it wrote hidden, that is purged at once (or, if that cannot be done now, by
    the next import), and the exception goes on. Should it stop after its commit, while applying
    the staged changes, the job stays done and the next import applies the rest."""
    job.report(0, len(plan.create) + len(plan.update))
    try:
        return member_import_apply(plan, user=user, since=since, job=job)
    except BaseException as exc:
        _failed(job, exc)
        raise


def _failed(job, exc: BaseException) -> None:
    from dangjian.jobs.models import FINISHED, Job, JobStatus
    from dangjian.jobs.worker import failure_text

    if isinstance(exc, KeyboardInterrupt | SystemExit):
        reason = "导入被中断，没有写入任何数据"
    else:
        reason = failure_text(exc)
    try:
        failed = Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), message=reason[:2000])
        if failed:
            job.status = JobStatus.FAILED
            purge_failed_imports()
    except Exception:  # the database away too: the sweep fails the job, the next import purges
        log.exception("名册导入（任务 %s）失败后未能清除已写入的部分", job.pk)


def import_summary(plan: ImportPlan) -> str:
    """What a booked import did, in a line (the job's message)."""
    updated = len(plan.update) - len(plan.update_failed)
    refused = "".join(f"；第{row}行未能更新：{reason}" for row, reason in plan.update_failed[:20])
    return (f"导入完成：新增{len(plan.create)}人，更新{updated}人，未变{plan.unchanged}人，"
            f"拒绝{len(plan.rejected)}条{refused}")


def _new_members(rows: list[dict[str, Any]], since: date | str) -> tuple[list[Member], list[date | None]]:
    """Unsaved members of the plan's rows, checked field by field without a query (the plan found
    their branches and checked the ID is new and 转正 after 入党; the database holds to those),
    and the day each belongs from."""
    members, since_of = [], []
    for values in rows:
        member = Member(**{k: v for k, v in values.items() if not k.startswith("_") and k != "member_since"})
        member.prepare()
        member.full_clean(exclude=["org"], validate_unique=False, validate_constraints=False)
        members.append(member)
        since_of.append(values.get("member_since") or (None if since == JOINED else since))
    return members, since_of


def _create(members: list[Member], since_of: list[date | None], *, user, job) -> None:
    """Insert new members with their "+" history rows and their intervals (a fixed number of queries)."""
    from .services import members_intervals_build

    if not members:
        return
    for member in members:
        member.import_job = job
    bulk_create_copying_history(Member, members, user_id=user.pk if getattr(user, "pk", None) else None,
                                reason=ROSTER_REASON)
    members_intervals_build(members=members, since_of={m.pk: day for m, day in zip(members, since_of, strict=True)})


def _update(member: Member, changes: dict[str, Any], *, user, on: date, checked: bool = False) -> None:
    """One member on file changed by the roster, with its history row, its intervals following
    from `on` (the import date: a past period never changes). `checked`: the change was checked
    when it was staged."""
    from .services import member_reconcile

    for k, v in changes.items():
        setattr(member, k, v)
    member._history_user = user
    member._change_reason = ROSTER_REASON
    if not checked:
        member.full_clean()
    member.save()
    member_reconcile(member=member, on=on, user=user)


def _stage(updates: list[tuple[Member, dict[str, Any]]], *, job, on: date) -> None:
    """Stage the changes to members on file (attname → value as JSON, phones encrypted), each
    checked first as the update will be — a change the roster cannot make fails the import here,
    before anything shows — outside the transaction, which is one insert."""
    rows = []
    for member, changes in updates:
        values = {k: v for k, v in changes.items() if not k.startswith("_")}
        changed = copy.copy(member)  # the member as the plan read it, changed in memory only
        for k, v in values.items():
            setattr(changed, k, v)
        changed.full_clean()
        staged = {Member._meta.get_field(k).attname: (v.pk if k == "org" else v) for k, v in values.items()}
        for name in SEALED_FIELDS:
            if staged.get(name):
                staged[name] = encrypt(staged[name])
        rows.append({"object_id": member.pk, "row": changes.get("_row"), "id_hash": member.id_hash or "",
                     "changes": json.dumps({"on": on, "changes": staged}, cls=DjangoJSONEncoder)})
    with transaction.atomic():
        insert_rows(StagedChange, rows, {"job_id": job.pk, "kind": StagedChange.Kind.MEMBER})


def _unstage(text: str) -> tuple[dict[str, Any], date]:
    staged = json.loads(text)
    changes = {}
    for attname, value in staged["changes"].items():
        field = Member._meta.get_field(attname.removesuffix("_id") if attname == "org_id" else attname)
        if attname in SEALED_FIELDS and value:
            value = decrypt(value)
        changes[attname] = value if attname == "org_id" else field.to_python(value)
    return changes, date.fromisoformat(staged["on"])


def _commit(job) -> None:
    """The commit of a background import: its job marked done, which shows every member it created."""
    from dangjian.jobs.models import FINISHED, Job, JobStatus

    if not Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED).update(status=JobStatus.DONE):
        raise RuntimeError("导入任务已被标记为结束，本次导入没有生效")
    job.status = JobStatus.DONE
    records_changed.send(__name__, org=job.org)


def apply_staged(job) -> list[tuple[int | None, str]]:
    """Apply the staged changes of a committed import, a batch of about BATCH_SECONDS at a time
    (lib.staging.Pace); each batch leaves the stage in the transaction that applies it, so a crash
    leaves exactly the rest to apply. A change the records refuse now (a clerk's dated change
    meanwhile) is skipped and returned as (row, reason); the others are applied."""
    staged = StagedChange.objects.filter(job=job, kind=StagedChange.Kind.MEMBER).order_by("pk")
    user = job.user
    failed: list[tuple[int | None, str]] = []
    pace = Pace(first=min(20, UPDATE_BATCH), most=UPDATE_BATCH)
    while batch := list(staged.values_list("pk", "object_id", "row", "changes")[:pace.size]):
        with pace.batch(len(batch)), transaction.atomic():
            members = Member._base_manager.select_related("org").in_bulk([object_id for _, object_id, _, _ in batch])
            for _, object_id, row, text in batch:
                changes, on = _unstage(text)
                try:
                    with transaction.atomic():
                        _update(members[object_id], changes, user=user, on=on, checked=True)
                except (ValidationError, IntegrityError, KeyError) as exc:
                    log.warning("名册导入（任务 %s）第%s行未能更新：%s", job.pk, row, exc)
                    failed.append((row, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)))
            StagedChange.objects.filter(pk__in=[pk for pk, *_ in batch])._raw_delete(connection.alias)
    return failed


def purge_failed_imports() -> int:
    """Delete, a batch at a time, what failed background imports wrote and no one saw: their
    members with history rows and intervals, and their staged changes."""
    from dangjian.jobs.lease import sweep_foreground

    from .models import FlagInterval, Membership, StatusInterval

    sweep_foreground()  # a command killed mid-import: its job failed, so what it wrote goes too
    purged = purge(StagedChange, StagedChange.objects.filter(job__status="failed", kind=StagedChange.Kind.MEMBER))
    for model in (Membership, StatusInterval, FlagInterval):  # before the members they point to
        purged += purge(model, model._base_manager.filter(member__import_job__status="failed"))
    return purged + purge(Member, Member._base_manager.filter(import_job__status="failed"))


def finish_committed_imports() -> int:
    """Apply what committed imports left staged (their worker died while applying)."""
    from dangjian.jobs.models import Job

    jobs = Job.objects.filter(status="done", pk__in=StagedChange.objects.filter(kind=StagedChange.Kind.MEMBER)
                              .values("job")).select_related("user")
    return sum(len(apply_staged(job)) for job in jobs)


def _yes(value: bool) -> str:
    return "是" if value else "否"


def roster_rows(members: Iterable[Member]) -> Iterable[list]:
    for m in members:
        yield [
            m.name, m.sex, m.ethnicity, m.birth_date, m.id_number, m.native_place, m.education, m.category,
            m.joined_on, m.confirmed_on, Status(m.status).label, org_label(m.org), m.party_post, m.phone, m.landline,
            m.address,
            m.employer, m.introducers, _yes(m.is_mobile), m.mobile_place, m.mobile_since, m.mobile_reason,
            _yes(m.has_mobile_card), m.mobile_contact, _yes(m.is_infirm), _yes(m.in_hardship),
        ]


def roster_xlsx(org: Org, members: Iterable[Member]) -> bytes:
    """The 党员花名册 in the import layout, so an export re-imports unchanged."""
    return write_workbook([SheetSpec(title="党员花名册", heading=f"{org.name}党员花名册", headers=HEADERS,
                                     rows=roster_rows(members), text_columns=("公民身份号码", "联系电话", "固定电话"))])


def roster_template_xlsx() -> bytes:
    example = ["张三", "男", "汉族", "1965-03-01", "", "山东济南", "本科", "离退休", "1990-07-01", "1991-07-01",
               "正式党员", "第二党支部", "", "", "", "和平社区1号楼", "", "", "否", "", "", "", "否", "", "否", "否"]
    return write_workbook([SheetSpec(title="党员花名册", heading="党员花名册（导入模板：第2行为表头，请从第3行开始填写）",
                                     headers=HEADERS, rows=[example], text_columns=("公民身份号码", "联系电话", "固定电话"))])
