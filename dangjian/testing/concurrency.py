"""Running requests at the same time in tests: threads, each with its own database connection.

On PostgreSQL the test database already serves several connections. SQLite's test database
lives in memory, where connections share one cache and a second writer fails at once instead of
waiting; `concurrent_db` copies it (with what the fixtures built) into a file configured like
production (WAL, busy timeout, BEGIN IMMEDIATE) for the test and puts the memory one back after.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections


@pytest.fixture
def concurrent_db(transactional_db, tmp_path):
    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():
        yield conn.vendor
        return
    conn.ensure_connection()
    target = sqlite3.connect(tmp_path / "concurrent.sqlite3")
    conn.connection.backup(target)
    target.close()
    memory, name = conn.connection, conn.settings_dict["NAME"]
    conn.connection = None
    conn.settings_dict["NAME"] = str(tmp_path / "concurrent.sqlite3")
    try:
        yield "sqlite"
    finally:
        conn.close()
        conn.settings_dict["NAME"] = name
        conn.connection = memory


def run_together(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run action(0) … action(count-1) in `count` threads released at once; each result, or the
    exception it raised, in order. Every thread closes its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = action(i)
        except Exception as exc:  # noqa: BLE001 — returned to the test, which asserts on it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
