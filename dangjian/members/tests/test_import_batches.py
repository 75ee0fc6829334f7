"""A large roster booked by a worker: short transactions, all or nothing, linear in the rows."""

import csv
import io
import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.grid.models import StagedChange
from dangjian.jobs import lease
from dangjian.jobs.models import Job
from dangjian.jobs.services import job_enqueue
from dangjian.jobs.worker import run_pending
from dangjian.lib.idnumbers import make_id
from dangjian.members import importing
from dangjian.members.models import FlagInterval, Member, Membership, StatusInterval
from dangjian.members.tasks import member_import as member_import_task
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
NEW = [f"新党员{i}" for i in range(7)]


def roster(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A roster CSV: (name, ID number, branch, mobile) a row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "公民身份号码", "所在党支部", "联系电话", "入党日期", "转正日期", "人员类别", "是否流动党员"])
    for name, id_number, branch, phone in rows:
        writer.writerow([name, id_number, branch, phone, "2001-07-01", "2002-07-01", "离退休", "否"])
    return out.getvalue().encode("utf-8")


def new_rows(names: list[str], seed: int = 1) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    return [(name, make_id(date(1960, 1, 1 + i), "男", "370105", rng), "第一党支部", f"1370000{i:04d}")
            for i, name in enumerate(names)]


def changed(member: Member, phone: str) -> tuple[str, str, str, str]:
    """The member's row with a new mobile, in the branch (or group) they are in."""
    return (member.name, member.id_number, member.org.name, phone)


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 3)  # new members three at a time
    monkeypatch.setattr(importing, "UPDATE_BATCH", 1)  # and the changes applied one at a time


def run(world, tmp_path, data: bytes) -> Job:
    """Confirm the roster into a worker as the page does, and run the worker."""
    path = tmp_path / "花名册.csv"
    path.write_bytes(data)
    job = job_enqueue(member_import_task, kind="member_import", label="党员名册导入", org=world.community,
                      user=world.worker, path=str(path), org_id=world.community.pk, filename=path.name, unit_map={},
                      user_id=world.worker.pk, since="2024-03-01")
    run_pending()
    job.refresh_from_db()
    return job


def snapshot() -> dict:
    """Everything a roster import writes, as the pages see it."""
    return {"members": sorted(Member.objects.values_list("pk", "name", "org_id", "phone_tail")),
            "history": Member.history.filter(id__in=Member.objects.values("pk")).count(),
            "intervals": [sorted(m.objects.filter(member__in=Member.objects.all()).values_list("pk", "member_id"))
                          for m in (Membership, StatusInterval, FlagInterval)]}


def test_new_members_stay_hidden_until_the_job_is_done_then_show_at_once(world, tmp_path, small_batches):
    a, b = world.member_a, world.member_b
    moved = (b.name, b.id_number, "第一党支部", "13933334444")
    job = run(world, tmp_path, roster(new_rows(NEW) + [changed(a, "13911112222"), moved]))
    assert job.status == "done" and "新增7人，更新2人" in job.message, job.message
    created = Member.objects.filter(name__in=NEW)
    assert created.count() == 7 and {m.org for m in created} == {world.branch_a}
    assert Membership.objects.filter(member__in=created, started_on=date(2024, 3, 1), org=world.branch_a).count() == 7
    assert Member.history.filter(name__in=NEW, history_type="+", history_change_reason="名册导入",
                                 history_user=world.worker).count() == 7
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.phone == "13911112222" and b.phone == "13933334444" and b.org == world.branch_a
    assert a.history.filter(history_type="~", history_change_reason="名册导入").exists()
    assert Membership.objects.get(member=b, ended_on__isnull=True).org == world.branch_a  # moved on the import date
    assert not StagedChange.objects.exists()
    Job.objects.filter(pk=job.pk).update(status="running")  # as seen between two batches
    assert not Member.objects.filter(name__in=NEW).exists() and Member._base_manager.filter(name__in=NEW).count() == 7


@pytest.mark.parametrize(("where", "call"), [("_create", 2), ("_stage", 2), ("_commit", 1)])
def test_an_exception_in_the_middle_leaves_no_member_visible_and_the_data_as_before(world, tmp_path, small_batches,
                                                                                   monkeypatch, where, call):
    on_file = [world.member_a, world.member_b, *(MemberFactory(org=world.branch_a) for _ in range(2))]
    before = snapshot()
    original, calls = getattr(importing, where), []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise RuntimeError("磁盘已满")
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, where, failing)
    job = run(world, tmp_path, roster(new_rows(NEW) + [changed(m, f"1391111000{i}") for i, m in enumerate(on_file)]))
    assert job.status == "failed" and "磁盘已满" in job.message
    assert snapshot() == before
    # What it wrote (hidden, never seen) is purged once the job is failed: members, their history
    # and intervals, staged changes (test_import_command: else by the next import).
    assert importing.purge_failed_imports() == 0
    assert not Member._base_manager.filter(name__in=NEW).exists() and not StagedChange.objects.exists()
    assert not Member.history.filter(name__in=NEW).exists()
    assert Membership._base_manager.count() == Membership.objects.filter(member__in=Member.objects.all()).count()
    assert snapshot() == before


def test_a_job_failed_meanwhile_is_never_committed(world, tmp_path, small_batches, monkeypatch):
    """The sweep took the worker for dead (its job failed) while the import still ran: no commit."""
    original = importing._commit

    def swept_first(job):
        Job.objects.filter(pk=job.pk).update(status="failed", message=lease.LOST)
        original(job)

    monkeypatch.setattr(importing, "_commit", swept_first)
    before = snapshot()
    job = run(world, tmp_path, roster(new_rows(NEW) + [changed(world.member_a, "13911112222")]))
    assert job.status == "failed" and snapshot() == before


def test_changes_left_staged_by_a_worker_dying_after_the_commit_are_applied_by_the_next_import(
        world, tmp_path, small_batches, monkeypatch):
    monkeypatch.setattr(importing, "apply_staged", lambda job: [])  # died right after the commit
    first = run(world, tmp_path, roster(new_rows(NEW[:2]) + [changed(world.member_a, "13911112222")]))
    assert first.status == "done" and Member.objects.filter(name__in=NEW[:2]).count() == 2
    world.member_a.refresh_from_db()
    assert world.member_a.phone == "13812345678" and StagedChange.objects.filter(job=first).count() == 1
    monkeypatch.undo()
    run(world, tmp_path, roster(new_rows(NEW[2:3], seed=2)))
    world.member_a.refresh_from_db()
    assert world.member_a.phone == "13911112222" and not StagedChange.objects.exists()


@pytest.mark.parametrize("background", [False, True])
def test_an_import_is_linear_in_its_rows(world, background):
    """New members take the same number of queries however many there are (a batch); each
    member changed takes the same number more."""
    on_file = [MemberFactory(name=f"老党员{i}", org=world.branch_a) for i in range(14)]
    counts = {}
    for n, seed in ((2, 1), (4, 2), (8, 3)):
        names = [f"新{seed}-{i}" for i in range(n)]
        updates = [changed(m, f"1390000{seed}{i:03d}") for i, m in enumerate(on_file[:n])]
        on_file = on_file[n:]
        plan = importing.member_import_plan(roster(new_rows(names, seed) + updates), org=world.community,
                                            filename="花名册.csv")
        assert (len(plan.create), len(plan.update)) == (n, n)
        job = Job.objects.create(kind="member_import", label="党员名册导入", status="running") if background else None
        with CaptureQueriesContext(connection) as queries:
            importing.member_import_apply(plan, user=world.worker, since=date(2024, 3, 1), job=job)
        counts[n] = len(queries)
    assert counts[8] - counts[4] == 2 * (counts[4] - counts[2]), counts
    per_member = (counts[4] - counts[2]) / 2
    assert per_member <= 25, counts  # the updates' services; new members add none
