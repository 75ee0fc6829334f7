"""A backup taken while members are being written restores into an empty data folder (or an
empty PostgreSQL database) with the same rows, and the ID numbers decrypt with the key supplied."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from dangjian.lib.backup import BackupError, backup_to, check_backup, daily_backup
from dangjian.members.models import Member
from dangjian.testing.factories import MemberFactory

ROOT = Path(__file__).resolve().parents[3]


def _dangjian(args, data_dir: Path, database_url: str | None = None, key: str | None = None):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DANGJIAN_PII_KEY", "DANGJIAN_DB")}
    env |= {"DANGJIAN_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env |= {"DATABASE_URL": database_url} if database_url else {}
    env |= {"DANGJIAN_PII_KEY": key} if key else {}
    return subprocess.run([sys.executable, "-c", "from dangjian.cli import main; main()", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def _backup_while_writing(world, target: Path) -> None:
    stop = threading.Event()

    def write():
        try:
            while not stop.is_set():
                with transaction.atomic():  # a member and its history row commit together
                    MemberFactory(org=world.branch_a)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while Member.objects.count() < 8:
            pass
        backup_to(target)
    finally:
        stop.set()
        writer.join()


def test_it_restores_a_backup_taken_during_writes_on_sqlite(world, concurrent_db, tmp_path):
    if concurrent_db != "sqlite":
        pytest.skip("the PostgreSQL run is the test below")
    edits = Member.history.count() - Member.objects.count()  # the world's own later edits
    _backup_while_writing(world, tmp_path / "backup.sqlite3")
    snapshot = check_backup(tmp_path / "backup.sqlite3").tables
    # One moment, not a torn copy: every member written meanwhile came with its history row.
    assert snapshot["members_historicalmember"] - snapshot["members_member"] == edits
    restored = _dangjian(["restore", str(tmp_path / "backup.sqlite3"), "--json"], tmp_path / "new", key=settings.PII_KEY)
    assert restored.returncode == 0, restored.stderr
    report = json.loads(restored.stdout)
    assert report["key_works"] is True
    db = sqlite3.connect(tmp_path / "new" / "dangjian.sqlite3")
    counts = {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in snapshot}
    assert counts == snapshot


def test_it_restores_a_backup_taken_during_writes_on_postgresql(world, concurrent_db, tmp_path):
    if concurrent_db != "postgresql":
        pytest.skip("runs when the tests run on PostgreSQL (DATABASE_URL)")
    edits = Member.history.count() - Member.objects.count()
    _backup_while_writing(world, tmp_path / "backup.pgdump")
    target = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{target}"
        restored = _dangjian(["restore", str(tmp_path / "backup.pgdump"), "--json"], tmp_path / "new", url, settings.PII_KEY)
        assert restored.returncode == 0, restored.stderr
        assert json.loads(restored.stdout)["key_works"] is True
        counts = _dangjian(["shell", "-c", "from dangjian.members.models import Member; "
                            "print(Member.objects.count(), Member.history.count(), Member.objects.first().id_number[:6])"],
                           tmp_path / "new", url, settings.PII_KEY)
        members, history, prefix = counts.stdout.strip().splitlines()[-1].split()
        assert int(history) - int(members) == edits and int(members) >= 8 and prefix.isdigit()
    finally:
        connections.close_all()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def test_it_says_when_the_key_does_not_open_a_backup(world, concurrent_db, tmp_path):
    if concurrent_db != "sqlite":
        pytest.skip("SQLite file check")
    backup_to(tmp_path / "b.sqlite3")
    result = _dangjian(["restore", "--check", str(tmp_path / "b.sqlite3"), "--json"], tmp_path / "other", key="another-key")
    assert result.returncode == 0 and json.loads(result.stdout)["key_works"] is False


def test_it_refuses_to_restore_over_data(world, concurrent_db, tmp_path):
    if concurrent_db != "sqlite":
        pytest.skip("SQLite file check")
    backup_to(tmp_path / "b.sqlite3")
    from dangjian.lib.backup import restore_from

    with pytest.raises(BackupError, match="已有数据"):
        restore_from(tmp_path / "b.sqlite3")


def test_it_refuses_a_file_that_is_no_backup(tmp_path):
    (tmp_path / "x.sqlite3").write_bytes(b"hello")
    with pytest.raises(BackupError, match="不是 dangjian 的备份文件"):
        check_backup(tmp_path / "x.sqlite3")


def test_it_keeps_the_newest_daily_backups(world, concurrent_db, tmp_path):
    from datetime import datetime, timedelta

    start = datetime(2026, 11, 1, 2, 0)
    for day in range(5):
        daily_backup(tmp_path, keep=3, now=start + timedelta(days=day))
    kept = sorted(p.name for p in tmp_path.glob("dangjian-*"))
    assert len(kept) == 3 and kept[0].startswith("dangjian-20261103")


def test_it_writes_backups_owner_only_and_without_the_key(world, concurrent_db, tmp_path):
    path = backup_to(tmp_path / "b.bak")
    assert oct(path.stat().st_mode & 0o777) == "0o600" and settings.PII_KEY.encode() not in path.read_bytes()


def test_it_runs_the_nightly_backup_from_the_workers_daily_schedule(world, concurrent_db, tmp_path, monkeypatch):
    from django.utils.module_loading import import_string

    from dangjian.jobs.models import Job

    monkeypatch.setenv("DANGJIAN_BACKUP_DIR", str(tmp_path))
    path, _, _ = settings.DANGJIAN_DAILY["backup"]
    result = import_string(path).call(job_id=Job.objects.create(kind="backup", label="每日备份").pk)
    assert Path(result["file"]).parent == tmp_path and "members_member" in check_backup(result["file"]).tables
