"""Two 党务 clerks booking for the same member at the same moment: never twice, never lost.

Each writer is a thread with its own database connection. On PostgreSQL the threads really
overlap; on SQLite, BEGIN IMMEDIATE (settings) makes the second writer wait for the first.
Django's in-memory SQLite test database cannot show that (shared-cache locking, no WAL), so on
SQLite each test re-runs itself in a child pytest against a file database — the configuration
the application actually uses.
"""

import os
import subprocess
import sys
import tempfile
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from dangjian.dues import services
from dangjian.dues.models import DuesAllocation, DuesEntry
from dangjian.dues.services import base_set, payment_record

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = date(2023, 12, 15)
JAN = date(2023, 1, 1)


_child_results: dict[str, dict] = {}


def _run_module_in_child(request) -> dict:
    """Run this module once in a child pytest on a file SQLite database; test name → outcome."""
    path = str(request.path)
    if path not in _child_results:
        import xml.etree.ElementTree as ET

        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "DANGJIAN_TEST_DB": os.path.join(folder, "concurrency.sqlite3")}
            report = os.path.join(folder, "report.xml")
            child = subprocess.run([sys.executable, "-m", "pytest", path, "-q", "-p", "no:warnings",
                                    f"--junitxml={report}"], env=env, capture_output=True, text=True, timeout=900,
                                   cwd=request.config.rootpath)
            outcomes = {}
            if os.path.exists(report):
                for case in ET.parse(report).iter("testcase"):
                    failed = case.find("failure") is not None or case.find("error") is not None
                    outcomes[case.get("name")] = "failed" if failed else "passed"
        _child_results[path] = {"outcomes": outcomes, "output": child.stdout[-6000:] + child.stderr[-2000:]}
    return _child_results[path]


@pytest.fixture
def on_real_database(request):
    """run(scenario): here on PostgreSQL or a file SQLite database; on the in-memory SQLite test
    database, the same test's result from a child run against a file database."""

    def run(scenario):
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            child = _run_module_in_child(request)
            assert child["outcomes"].get(request.node.name) == "passed", child["output"]
        else:
            scenario()

    return run


def _together(n: int, work) -> list:
    """Run work(i) in n threads that start at the same moment; return each result or exception."""
    start = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            start.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — the outcome under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _assessed(world):
    base_set(member=world.member_a, effective_month=JAN, category="在职", base=Decimal("4000"))  # 40.00 a month
    return world.member_a


def _pay(member, amount="40", months=None):
    return payment_record(member=member, amount=Decimal(amount), paid_on=TODAY, method="现金", months=months,
                          today=TODAY)


def test_it_books_a_month_once_when_two_clerks_record_it_together(world, on_real_database):
    on_real_database(lambda: _one_month_twice(world))


def _one_month_twice(world):
    member = _assessed(world)
    results = _together(2, lambda i: _pay(member, months=[JAN]))
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "已交清" in str(refused[0]), results
    assert DuesEntry.objects.filter(member=member).count() == 1
    assert sum(a.amount for a in DuesAllocation.objects.filter(member=member, month=JAN)) == Decimal("40.00")


def test_it_loses_no_payment_when_several_clerks_book_for_one_member_together(world, on_real_database):
    on_real_database(lambda: _six_clerks(world))


def _six_clerks(world):
    member = _assessed(world)
    results = _together(6, lambda i: _pay(member))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(DuesEntry.objects.filter(member=member).values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
    paid = {a.month.month: a.amount for a in DuesAllocation.objects.filter(member=member)}
    assert paid == {m: Decimal("40.00") for m in range(1, 7)}


def test_it_keeps_both_halves_of_a_month_paid_in_parts_at_the_same_time(world, on_real_database):
    on_real_database(lambda: _two_halves(world))


def _two_halves(world):
    member = _assessed(world)
    results = _together(2, lambda i: _pay(member, amount="20", months=[JAN]))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(a.amount for a in DuesAllocation.objects.filter(member=member, month=JAN)) == Decimal("40.00")


def test_it_holds_on_the_database_constraint_alone_without_the_row_lock(world, monkeypatch, on_real_database):
    """Without SELECT … FOR UPDATE both writers read the same state and number; the unique
    (member, seq) constraint rejects one insert, and its redo sees the month already paid."""
    on_real_database(lambda: _without_lock(world, monkeypatch))


def _without_lock(world, monkeypatch):
    member = _assessed(world)
    inside = threading.Barrier(2)
    conflicts = []
    real_next_seqs, real_once = services._next_seqs, services._payments_once

    def next_seqs_after_both_read(ids):
        seqs = real_next_seqs(ids)
        try:
            inside.wait(timeout=2)  # PostgreSQL: both are here; SQLite: the other waits for our lock
        except threading.BrokenBarrierError:
            pass
        return seqs

    def counting_once(*args, **kw):
        try:
            return real_once(*args, **kw)
        except IntegrityError:
            conflicts.append(1)
            raise

    monkeypatch.setattr(services, "_lock_members", lambda members: None)
    monkeypatch.setattr(services, "_next_seqs", next_seqs_after_both_read)
    monkeypatch.setattr(services, "_payments_once", counting_once)
    results = _together(2, lambda i: _pay(member, months=[JAN]))
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "已交清" in str(refused[0]), results
    assert DuesEntry.objects.filter(member=member).count() == 1
    if connection.vendor == "postgresql":
        assert conflicts, "the writers should have collided on the (member, seq) constraint"
