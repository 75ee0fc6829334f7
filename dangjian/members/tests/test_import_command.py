"""`dangjian import members` books a roster as the worker does: in short transactions under a job
of its own, all or nothing, with the output it always had."""

import json
import random
import subprocess
import sys
from datetime import date

import pytest
from django.core.management import call_command
from django.db import OperationalError

from dangjian.grid.models import StagedChange
from dangjian.jobs import lease
from dangjian.jobs.models import Job
from dangjian.lib.idnumbers import make_id
from dangjian.members import importing
from dangjian.members.models import Member, Membership
from dangjian.members.tests.test_import_batches import NEW, changed, new_rows, roster, run, snapshot
from dangjian.orgs.models import AccessLog
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 3)  # new members three at a time
    monkeypatch.setattr(importing, "UPDATE_BATCH", 1)  # and the changes applied one at a time


def messy(world, tmp_path):
    """Seven new members, one change, a bad row, a branch written short and one the file's own."""
    rng = random.Random(9)
    rows = new_rows(NEW) + [changed(world.member_a, "13911112222"), ("钱七", "123", "第一党支部", "1"),
                            ("赵六", make_id(date(1961, 2, 3), "女", "370105", rng), "一支部", ""),
                            ("孙八", make_id(date(1962, 2, 3), "男", "370105", rng), "五支部", "")]
    path = tmp_path / "花名册.csv"
    path.write_bytes(roster(rows))
    return path


def command(path, *args):
    call_command("import_members", str(path), "--org", "HP", "--member-since", "2024-03-01", *args)


# What the command printed when it booked the roster in one transaction: unchanged.
TEXT = """已新增 8 人，已更新 1 人，无变化 0 人，拒绝 2 处
  “一支部” → 第一党支部（1行）
  找不到党支部“五支部”（第12行），可用 --map 五支部=党支部名称 指定
  第10行 [公民身份号码] 长度应为18位（或换证前的15位），现为3位
  第10行 [联系电话] 电话号码无效：“1”，应为11位手机号或带区号的固定电话（如010-12345678）
"""
MAPPED = """已新增 9 人，已更新 1 人，无变化 0 人，拒绝 2 处
  “一支部” → 第一党支部（1行）
  “五支部” → 第二党支部（1行）
  第10行 [公民身份号码] 长度应为18位（或换证前的15位），现为3位
  第10行 [联系电话] 电话号码无效：“1”，应为11位手机号或带区号的固定电话（如010-12345678）
"""
JSON = {
    "accepted": 9, "created": 8, "updated": 1, "unchanged": 0, "rejected_rows": 2,
    "rejected": [
        {"row": 10, "column": "公民身份号码", "reason": "长度应为18位（或换证前的15位），现为3位"},
        {"row": 10, "column": "联系电话", "reason": "电话号码无效：“1”，应为11位手机号或带区号的固定电话（如010-12345678）"},
        {"row": 12, "column": "所在党支部",
         "reason": "在“和平社区党总支”下找不到党支部/党小组“五支部”（请在导入预览中为它选择党支部，或用 --map 指定）"},
    ],
    "matched_units": [{"name": "一支部", "unit": "第一党支部", "rows": [11]}],
    "unmapped_units": [{"name": "五支部", "rows": [12]}],
    "notes": [],
}


def test_the_command_books_the_roster_in_batches_under_a_job_of_its_own(world, tmp_path, capsys, small_batches,
                                                                        monkeypatch):
    original, batches = importing._create, []

    def counted(members, since_of, *, user, job):
        batches.append((len(members), job))
        return original(members, since_of, user=user, job=job)

    monkeypatch.setattr(importing, "_create", counted)
    command(messy(world, tmp_path))
    assert capsys.readouterr().out == TEXT
    job = Job.objects.get()
    assert (job.kind, job.status, job.user, job.org, job.task_id) == ("member_import", "done", None, world.community, "")
    assert job.started_at and job.finished_at and job.message.startswith("导入完成：新增8人，更新1人")
    assert [n for n, _ in batches] == [3, 3, 2] and {b for _, b in batches} == {job}  # hidden behind the job
    created = Member.objects.filter(name__in=[*NEW, "赵六"])
    assert created.count() == 8 and all(m.import_job_id == job.pk for m in created)
    assert Membership.objects.filter(member__in=created, started_on=date(2024, 3, 1)).count() == 8
    world.member_a.refresh_from_db()
    assert world.member_a.phone == "13911112222" and not StagedChange.objects.exists()  # staged, then applied
    assert AccessLog.objects.filter(action=AccessLog.Action.IMPORT, target__contains="命令行导入党员名册").count() == 1


@pytest.mark.parametrize(("args", "expected"), [([], TEXT), (["--map", "五支部=第二党支部"], MAPPED),
                                                 (["--dry-run"], TEXT.replace("已", "将")),
                                                 (["--json"], JSON | {"dry_run": False}),
                                                 (["--dry-run", "--json"], JSON | {"dry_run": True})],
                         ids=["text", "map", "dry-run", "json", "dry-run-json"])
def test_its_output_is_what_it_was(world, tmp_path, capsys, args, expected):
    command(messy(world, tmp_path), *args)
    out = capsys.readouterr().out
    assert (json.loads(out) if "--json" in args else out) == expected
    assert Job.objects.exists() is ("--dry-run" not in args)
    assert Member.objects.filter(name="赵六").exists() is ("--dry-run" not in args)


@pytest.mark.parametrize(("where", "call"), [("_create", 2), ("_stage", 2), ("_commit", 1)])
def test_a_failure_in_the_middle_leaves_nothing_visible_and_nothing_behind(world, tmp_path, small_batches, monkeypatch,
                                                                           where, call):
    on_file = [world.member_a, world.member_b, *(MemberFactory(org=world.branch_a) for _ in range(2))]
    path = tmp_path / "花名册.csv"
    path.write_bytes(roster(new_rows(NEW) + [changed(m, f"1391111000{i}") for i, m in enumerate(on_file)]))
    before = snapshot()
    original, calls, seen = getattr(importing, where), [], {}

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            seen["hidden"] = Member._base_manager.filter(name__in=NEW).count()
            raise RuntimeError("磁盘已满")
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, where, failing)
    with pytest.raises(RuntimeError, match="磁盘已满"):
        command(path)
    job = Job.objects.get()
    assert job.status == "failed" and "磁盘已满" in job.message and job.finished_at
    assert seen["hidden"] > 0  # the first batch was written, hidden
    assert snapshot() == before
    # What it wrote is purged at once: members, their history and intervals, staged changes.
    assert not Member._base_manager.filter(name__in=NEW).exists() and not StagedChange.objects.exists()
    assert not Member.history.filter(name__in=NEW).exists()
    assert Membership._base_manager.count() == Membership.objects.count()
    assert not AccessLog.objects.filter(target__contains="命令行导入党员名册").exists()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_next_run_fails_the_job_of_a_killed_command_and_purges_what_it_wrote(world, tmp_path, small_batches,
                                                                                 monkeypatch):
    path = tmp_path / "花名册.csv"
    path.write_bytes(roster(new_rows(NEW) + [changed(world.member_a, "13911112222")]))
    before = snapshot()
    original, calls = importing._create, []

    def killed(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit(137)
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "_create", killed)
    monkeypatch.setattr(importing, "_failed", lambda job, exc: None)  # killed: no time to say so
    with pytest.raises(SystemExit):
        command(path)
    monkeypatch.undo()
    job = Job.objects.get()
    assert job.status == "running" and job.worker_id == lease.foreground_id()
    assert snapshot() == before and Member._base_manager.filter(name__in=NEW).count() == 3  # hidden
    assert lease.sweep_foreground() == 0  # this process lives: its job is left alone
    Job.objects.filter(pk=job.pk).update(worker_id=f"{lease.FOREGROUND}:{dead_pid()}:{lease.HOST[:40]}")

    again = tmp_path / "再次.csv"
    again.write_bytes(roster(new_rows(["新党员甲"], seed=5)))
    command(again)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == lease.LOST_COMMAND
    assert not Member._base_manager.filter(name__in=NEW).exists() and not Member.history.filter(name__in=NEW).exists()
    assert Member.objects.filter(name="新党员甲").exists()
    assert Membership._base_manager.count() == Membership.objects.count()


def test_a_failed_import_whose_purge_cannot_run_now_is_purged_by_the_next(world, tmp_path, small_batches, monkeypatch):
    """The worker's task takes the same way: failed at once; if the purge fails too, the next import's."""
    before = snapshot()
    original, calls = importing._create, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("磁盘已满")
        return original(*args, **kwargs)

    purge, purges = importing.purge_failed_imports, []

    def locked():  # the purge before the import runs, the one after its failure cannot
        purges.append(1)
        if len(purges) == 2:
            raise OperationalError("database is locked")
        return purge()

    monkeypatch.setattr(importing, "_create", failing)
    monkeypatch.setattr(importing, "purge_failed_imports", locked)
    job = run(world, tmp_path, roster(new_rows(NEW)))
    monkeypatch.undo()
    assert job.status == "failed" and "磁盘已满" in job.message
    assert snapshot() == before and Member._base_manager.filter(name__in=NEW).exists()  # written, never seen
    run(world, tmp_path, roster(new_rows(["新党员甲"], seed=5)))
    assert not Member._base_manager.filter(name__in=NEW).exists() and snapshot()["members"] != before["members"]
