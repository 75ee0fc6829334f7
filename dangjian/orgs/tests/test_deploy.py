"""Production settings pass Django's deploy checks; SQLite serves concurrent writers."""

import os
import secrets
import subprocess
import sys
import threading

import pytest
from django.db import connections, transaction

from dangjian.settings import sqlite_database


def test_it_passes_check_deploy_with_production_settings(tmp_path):
    env = os.environ | {
        "DANGJIAN_PRODUCTION": "True", "SECRET_KEY": secrets.token_urlsafe(60), "DANGJIAN_PII_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "dangjian.example.cn", "DANGJIAN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "dangjian.settings",
    }
    for leaked in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # set by other tests of this run (e2e)
        env.pop(leaked, None)
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_it_serves_the_security_headers(client, db):
    response = client.get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def sqlite_file(tmp_path, django_db_blocker):
    """A file-backed SQLite database configured exactly as settings configure it (the test
    database is in memory, where WAL does not apply)."""
    alias = "concurrency"
    connections.settings[alias] = sqlite_database(str(tmp_path / "c.sqlite3"))
    connections.settings[alias].update(
        {k: v for k, v in connections.settings["default"].items() if k not in connections.settings[alias]} | {
            "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None, "USER": "", "PASSWORD": "", "HOST": "", "PORT": ""})
    connections.settings[alias]["ENGINE"] = "django.db.backends.sqlite3"
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE ticket (n INTEGER PRIMARY KEY)")
        connections[alias].close()
        yield alias
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def test_it_runs_sqlite_in_wal_mode(sqlite_file):
    with connections[sqlite_file].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    connections[sqlite_file].close()


def test_it_lets_concurrent_writers_wait_instead_of_failing(sqlite_file):
    """Read-then-write transactions from 4 threads: with BEGIN IMMEDIATE none is refused and
    no number is taken twice (a deferred BEGIN fails here with "database is locked")."""
    errors: list[Exception] = []

    def writer():
        try:
            for _ in range(25):
                with transaction.atomic(using=sqlite_file), connections[sqlite_file].cursor() as cursor:
                    cursor.execute("SELECT COALESCE(MAX(n), 0) FROM ticket")
                    (last,) = cursor.fetchone()
                    cursor.execute("INSERT INTO ticket (n) VALUES (%s)", [last + 1])
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connections[sqlite_file].close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with connections[sqlite_file].cursor() as cursor:
        cursor.execute("SELECT COUNT(*), MAX(n) FROM ticket")
        assert cursor.fetchone() == (100, 100)
    connections[sqlite_file].close()
