"""A large payment list booked by a worker: short transactions, hidden until the job commits,
posted to the kept summary at the commit, nothing left by a failed import (dues/importing.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.dues import importing, paid
from dangjian.dues.book import Book
from dangjian.dues.figures import for_period
from dangjian.dues.models import DuesAllocation, DuesEntry, DuesImport, DuesPaidRun, DuesPosting
from dangjian.dues.services import payment_record
from dangjian.dues.tasks import payment_import as payment_import_task
from dangjian.dues.tests.test_paid import kept, ledger_paid, rebuilt, summary_paid
from dangjian.jobs import lease
from dangjian.jobs.models import Job
from dangjian.jobs.services import job_enqueue
from dangjian.jobs.worker import run_pending
from dangjian.lib.periods import Period
from dangjian.members.models import Member
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB = date(2023, 1, 1), date(2023, 2, 1)
Q1 = Period.parse("2023Q1")


@pytest.fixture
def payers(world, assess):
    """Five members of branch A, 40.00 a month from January 2023, and one payment of B on file."""
    members = [MemberFactory(name=f"交费人{i}", org=world.branch_a) for i in range(5)]
    for m in (*members, world.member_b):
        assess(m, 4000)
    payment_record(member=world.member_b, amount=D("40"), paid_on=date(2023, 1, 5), method="现金")
    return members


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 2)  # two rows a transaction


def payment_list(members, *, month: str = "", amount: str = "40.00", start: int = 1) -> bytes:
    """A payment list: one row per member (name, ID tail, amount, date, month, 交易单号)."""
    lines = ["姓名,身份证后四位,金额,交纳日期,所属月份,交易单号"]
    lines += [f"{m.name},{m.id_number[-4:]},{amount},2023-07-05,{month},42000{start + i:05d}" for i, m in enumerate(members)]
    return "\n".join(lines).encode("utf-8")


def run(world, tmp_path, data: bytes) -> Job:
    """Confirm the list into a worker as the page does, and run the worker."""
    path = tmp_path / "交费名单.csv"
    path.write_bytes(data)
    job = job_enqueue(payment_import_task, kind="payment_import", label="党费交费名单导入", org=world.community,
                      user=world.worker, path=str(path), org_id=world.community.pk, filename=path.name, method="微信",
                      choices=[], assigned=[], user_id=world.worker.pk)
    run_pending()
    job.refresh_from_db()
    return job


def seen(world, client) -> dict:
    """Everything a payment import writes, as pages, figures and the kept summary see it."""
    ids = Member.objects.filter(org=world.branch_a).values_list("pk", flat=True)
    book = Book(Member.objects.filter(pk__in=ids), first=JAN, last=date(2023, 12, 1), asof=date(2023, 12, 31))
    entries_page = client.get(reverse("dues_entries"), {"org": world.community.pk, "period": "2023-07"})
    return {"entries": sorted(DuesEntry.objects.values_list("pk", "member_id", "seq", "amount")),
            "allocations": sorted(DuesAllocation.objects.values_list("pk", "entry_id", "month", "amount")),
            "batches": sorted(DuesImport.objects.values_list("pk", "booked")),
            "summary": kept(), "paid_by_june": summary_paid(date(2023, 12, 31)),
            "book": sorted((mid, str(ln.month), ln.paid) for mid, b in book.books.items() for ln in b.lines),
            "figures": for_period(world.community, Q1, asof=date(2023, 12, 31)).paid.value,
            "entries_page": entries_page.context["page"].paginator.count}


def test_a_background_import_is_hidden_until_its_commit_then_counted_by_the_kept_summary(
        world, payers, tmp_path, small_batches, monkeypatch, client_for):
    client = client_for(world.worker)
    before = seen(world, client)
    original, at_commit = importing._commit, {}

    def look_then_commit(job, batch, postings):
        assert Job.objects.get(pk=job.pk).status == "running"
        at_commit["seen"] = seen(world, client)
        at_commit["hidden"] = DuesEntry._base_manager.filter(import_job=job).count()
        at_commit["hidden_allocations"] = DuesAllocation._base_manager.filter(entry__import_job=job).count()
        at_commit["postings"] = DuesPosting.objects.filter(entry__import_job=job).count()
        original(job, batch, postings)

    monkeypatch.setattr(importing, "_commit", look_then_commit)
    job = run(world, tmp_path, payment_list(payers))
    assert job.status == "done" and "入账5笔" in job.message, job.message
    # (a) every batch written, none of it seen: pages, figures, the book, the summary.
    assert at_commit["seen"] == before
    assert at_commit["hidden"] == 5 and at_commit["hidden_allocations"] == 5 and at_commit["postings"] == 0
    # (b) at the commit all of it at once, in the kept summary too, as a rebuild from the ledger gives it.
    after = seen(world, client)
    assert len(after["entries"]) == 6 and after["entries_page"] == before["entries_page"] + 5
    assert after["figures"] == before["figures"] + D("200.00")
    assert DuesPosting.objects.filter(entry__import_job=job).count() == 5
    assert {a.month for a in DuesAllocation.objects.filter(entry__import_job=job)} == {JAN}
    assert kept() == rebuilt()
    assert summary_paid(date(2023, 12, 31)) == ledger_paid(date(2023, 12, 31))
    summary = kept()
    DuesPosting.objects.all()._raw_delete(DuesPosting.objects.db)
    DuesPaidRun.objects.all().delete()
    paid.build()
    assert kept() == summary
    assert DuesImport.objects.get(import_job=job).booked == 5


@pytest.mark.parametrize(("module", "where", "call"), [
    (importing, "payments_record", 2),  # the second batch
    (importing, "_commit", 1),  # before the commit
    (paid, "post_rows", 1),  # inside the commit, after the job was marked done
])
def test_a_failed_import_leaves_no_trace_and_the_next_one_purges_it(world, payers, tmp_path, small_batches,
                                                                    monkeypatch, client_for, module, where, call):
    client = client_for(world.worker)
    before = seen(world, client)
    original, calls = getattr(module, where), []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise RuntimeError("磁盘已满")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, where, failing)
    job = run(world, tmp_path, payment_list(payers))
    assert job.status == "failed" and "磁盘已满" in job.message, job.message
    assert seen(world, client) == before
    assert DuesEntry._base_manager.filter(import_job=job).exists()  # written, never seen
    assert not DuesPosting.objects.filter(entry__import_job=job).exists()
    monkeypatch.undo()
    # The next import clears what this one left (its 交易单号 free again) and books the same list.
    again = run(world, tmp_path, payment_list(payers))
    assert again.status == "done" and "入账5笔" in again.message, again.message
    assert not DuesEntry._base_manager.filter(import_job=job).exists()
    assert not DuesAllocation._base_manager.filter(entry__import_job=job).exists()
    assert not DuesImport._base_manager.filter(import_job=job).exists()
    assert DuesEntry._base_manager.count() == DuesEntry.objects.count() == 6
    assert kept() == rebuilt()


def test_purge_removes_exactly_what_failed_imports_wrote(world, payers, small_batches, monkeypatch):
    monkeypatch.setattr(importing, "_commit", lambda job, batch, postings: None)  # the worker died before its commit
    job = Job.objects.create(kind="payment_import", label="党费交费名单导入", status="running")
    plan = importing.payment_import_plan(payment_list(payers), org=world.community, members=Member.objects.all(),
                                         filename="a.csv", today=date(2023, 12, 15))
    importing.payment_import_apply(plan, choices={}, today=date(2023, 12, 15), job=job)
    Job.objects.filter(pk=job.pk).update(status="failed")
    summary = kept()
    assert importing.purge_failed_imports() == 5 + 5 + 1
    assert DuesEntry._base_manager.count() == 1 and kept() == summary == rebuilt()


def test_a_job_failed_meanwhile_is_never_committed(world, payers, tmp_path, small_batches, monkeypatch, client_for):
    """The sweep took the worker for dead (its job failed) while the import still ran: no commit."""
    original = importing._commit

    def swept_first(job, batch, postings):
        Job.objects.filter(pk=job.pk).update(status="failed", message=lease.LOST)
        original(job, batch, postings)

    monkeypatch.setattr(importing, "_commit", swept_first)
    client = client_for(world.worker)
    before = seen(world, client)
    job = run(world, tmp_path, payment_list(payers))
    assert job.status == "failed" and seen(world, client) == before


def test_a_clerk_cannot_pay_a_month_a_running_import_is_booking(world, payers, tmp_path, small_batches, monkeypatch):
    """The entries are hidden, but the months they pay are taken: paid twice once shown, never."""
    original, refused = importing._commit, []

    def clerk_then_commit(job, batch, postings):
        with pytest.raises(ValidationError, match="正在由后台导入的交费名单入账") as exc:
            payment_record(member=payers[0], amount=D("40"), paid_on=date(2023, 7, 6), method="现金", months=[JAN])
        refused.append(exc.value)
        # Without months chosen the clerk's payment pays the next month the import leaves open.
        booked = payment_record(member=payers[1], amount=D("40"), paid_on=date(2023, 7, 6), method="现金")
        assert [a.month for a in booked.allocations] == [FEB]
        original(job, batch, postings)

    monkeypatch.setattr(importing, "_commit", clerk_then_commit)
    job = run(world, tmp_path, payment_list(payers, month="2023-01"))
    assert job.status == "done" and refused, job.message
    months = sorted(DuesAllocation.objects.filter(member=payers[1]).values_list("month", "amount"))
    assert months == [(JAN, D("40.00")), (FEB, D("40.00"))]
    assert kept() == rebuilt()


@pytest.mark.parametrize("background", [False, True])
def test_a_month_paid_after_the_preview_fails_that_row_alone(world, payers, background):
    plan = importing.payment_import_plan(payment_list(payers, month="2023-01"), org=world.community,
                                         members=Member.objects.all(), filename="a.csv", today=date(2023, 12, 15))
    payment_record(member=payers[2], amount=D("40"), paid_on=date(2023, 7, 1), method="现金", months=[JAN])
    job = Job.objects.create(kind="payment_import", label="党费交费名单导入", status="running") if background else None
    outcome = importing.payment_import_apply(plan, choices={}, user=world.worker, today=date(2023, 12, 15), job=job)
    assert [r.member for r in outcome.booked] == [payers[i] for i in (0, 1, 3, 4)]
    assert [(row.member, reason) for row, reason in outcome.failed] == [(payers[2], "交费人2 2023年1月的党费已交清，不能重复交纳"
                                                                         .replace(" ", ""))]
    assert (outcome.batch.booked, outcome.batch.skipped) == (4, 1)
    assert DuesEntry.objects.filter(source="import").count() == 4 and kept() == rebuilt()


def test_two_rows_of_one_member_in_one_batch_pay_successive_months_and_a_repeated_ref_fails(world, payers):
    m = payers[0]
    data = "\n".join(["姓名,身份证后四位,金额,交纳日期,交易单号",
                      f"{m.name},{m.id_number[-4:]},40,2023-07-05,1",
                      f"{m.name},{m.id_number[-4:]},40,2023-07-06,2"]).encode()
    plan = importing.payment_import_plan(data, org=world.community, members=Member.objects.all(), filename="a.csv",
                                         today=date(2023, 12, 15))
    payment_record(member=payers[1], amount=D("40"), paid_on=date(2023, 7, 1), method="现金", external_ref="2")
    outcome = importing.payment_import_apply(plan, choices={}, today=date(2023, 12, 15))
    assert [r.number for r in outcome.booked] == [2] and outcome.failed[0][1] == "交易单号2已入账，不能重复登记"
    plan.rows[1].ref = "3"
    importing.payment_import_apply(plan, choices={}, today=date(2023, 12, 15))  # row 2 again: 1 is booked
    entries = DuesEntry.objects.filter(member=m).order_by("seq")
    assert [(e.seq, e.external_ref, [a.month for a in e.allocations.all()]) for e in entries] == [
        (1, "1", [JAN]), (2, "3", [FEB])]


@pytest.mark.parametrize("background", [False, True])
def test_a_batch_takes_the_same_number_of_queries_however_many_rows(world, background, assess):
    members = [MemberFactory(name=f"批量{i}", org=world.branch_a) for i in range(14)]
    for m in members:
        assess(m, 4000)
    counts, start = {}, 0
    for n in (2, 4, 8):
        data = payment_list(members[start:start + n], start=100 * n)
        start += n
        plan = importing.payment_import_plan(data, org=world.community, members=Member.objects.all(), filename="a.csv",
                                             today=date(2023, 12, 15))
        job = Job.objects.create(kind="payment_import", label="党费交费名单导入", status="running") if background else None
        with CaptureQueriesContext(connection) as queries:
            outcome = importing.payment_import_apply(plan, choices={}, today=date(2023, 12, 15), job=job)
        assert len(outcome.booked) == n
        counts[n] = len(queries)
    assert counts[2] == counts[4] == counts[8], counts


def test_rows_of_one_member_in_separate_batches_see_the_hidden_ones_before(world, payers, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 1)  # a row a transaction
    m = payers[0]
    data = "\n".join(["姓名,身份证后四位,金额,交纳日期,交易单号"]
                     + [f"{m.name},{m.id_number[-4:]},40,2023-07-0{day},{day}" for day in (5, 6, 7)]).encode()
    plan = importing.payment_import_plan(data, org=world.community, members=Member.objects.all(), filename="a.csv",
                                         today=date(2023, 12, 15))
    job = Job.objects.create(kind="payment_import", label="党费交费名单导入", status="running")
    outcome = importing.payment_import_apply(plan, choices={}, today=date(2023, 12, 15), job=job)
    assert len(outcome.booked) == 3
    entries = DuesEntry.objects.filter(member=m).order_by("seq")
    assert [(e.seq, [a.month.month for a in e.allocations.all()]) for e in entries] == [(1, [1]), (2, [2]), (3, [3])]
    assert kept() == rebuilt()
