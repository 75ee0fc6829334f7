"""Backups that restore: a consistent copy of the database taken while the server runs.

SQLite: the online backup API copies the database in one step inside a read transaction, so the
copy is one moment of the database however many writers are busy (WAL lets them go on). The
backup file is itself a SQLite database. PostgreSQL: `pg_dump --format=custom`, restored with
`pg_restore`.

The personal-data key (DANGJIAN_PII_KEY, or the data folder's `pii_key` file) is never written
into a backup: the database holds ID numbers and phones encrypted, and the key must be kept
apart from the backups (a password manager, a sealed envelope in the 党委 office safe, another
machine). A backup without its key restores everything except those numbers.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

SQLITE_MAGIC, PGDUMP_MAGIC = b"SQLite format 3\x00", b"PGDMP"
KEEP_DAILY = int(os.environ.get("DANGJIAN_BACKUP_KEEP", "14"))
KEY_NOTE = ("备份不含个人信息密钥（DANGJIAN_PII_KEY）。请把密钥与备份分开保管（如密码管理器、党委保密柜中的密封件或另一台电脑）；"
            "没有密钥，备份中的身份证号和手机号无法解密。")


class BackupError(Exception):
    """A backup or a restore could not be made; the message says why, in Chinese."""


@dataclass
class BackupCheck:
    """What `restore --check` found in a backup file."""

    kind: str
    tables: dict[str, int] = field(default_factory=dict)
    migrations: int = 0
    key_works: bool | None = None  # None: nothing encrypted to try the key on


def _private(path: Path) -> None:
    if os.name == "posix":
        os.chmod(path, 0o600)


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432),
            "--username", str(db.get("USER") or "postgres")]
    env = os.environ | ({"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {})
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：PostgreSQL 数据库的备份与恢复需要安装与服务器同版本的 PostgreSQL 客户端工具")
    return path


def backup_to(target: str | Path) -> Path:
    """Write a consistent backup of the database to `target` (owner-only); returns its path."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkstemp(prefix=".backup-", dir=target.parent)[1])
    try:
        if connection.vendor == "sqlite":
            source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # one step: a single consistent snapshot
            finally:
                copy.close()
                source.close()
        elif connection.vendor == "postgresql":
            args, env = _pg_env()
            result = subprocess.run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(partial),
                                     connection.settings_dict["NAME"]], env=env, capture_output=True, text=True)
            if result.returncode:
                raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
        else:
            raise BackupError(f"不支持备份 {connection.vendor} 数据库")
        _private(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def daily_backup(folder: str | Path | None = None, *, keep: int = KEEP_DAILY, now: datetime | None = None) -> Path:
    """Today's backup into `folder` (DANGJIAN_BACKUP_DIR, else the data folder's `backups`),
    keeping the newest `keep` backups there: the one call the daily schedule makes."""
    folder = Path(folder or os.environ.get("DANGJIAN_BACKUP_DIR") or Path(settings.DATA_DIR) / "backups")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".pgdump"
    path = backup_to(folder / f"dangjian-{(now or datetime.now()):%Y%m%d-%H%M%S}{suffix}")
    for old in sorted(folder.glob("dangjian-*"), reverse=True)[keep:]:
        old.unlink(missing_ok=True)
    return path


def _kind(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(f"备份文件无法打开：{exc.strerror or exc}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError("这不是 dangjian 的备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）")


def _key_works(sample: str | None) -> bool | None:
    from .crypto import decrypt  # the key of this process (environment or data folder)

    if not sample:
        return None
    try:
        decrypt(sample)
    except Exception:  # noqa: BLE001 — any failure means this key does not open the backup
        return False
    return True


_SAMPLE_SQL = "SELECT id_number FROM members_member WHERE id_number <> '' LIMIT 1"


def check_backup(path: str | Path) -> BackupCheck:
    """Verify a backup without restoring it: readable, complete, and whether our key opens it."""
    path = Path(path)
    kind = _kind(path)
    if kind == "postgresql":
        result = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
        if result.returncode:
            raise BackupError(f"备份文件已损坏：{result.stderr.strip()}")
        tables = {line.split()[-2]: 0 for line in result.stdout.splitlines() if " TABLE DATA " in line}
        return BackupCheck(kind, tables, migrations=1 if "django_migrations" in tables else 0)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if (status := db.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            raise BackupError(f"备份文件已损坏：{status}")
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        if "django_migrations" not in names:
            raise BackupError("这不是 dangjian 的备份文件（没有迁移记录）")
        tables = {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
        sample = db.execute(_SAMPLE_SQL).fetchone() if "members_member" in names else None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件已损坏：{exc}") from exc
    finally:
        db.close()
    return BackupCheck(kind, tables, tables["django_migrations"], _key_works(sample[0] if sample else None))


def _database_is_empty() -> bool:
    """No tables at all; on SQLite (whose file is replaced) also a migrated one with no org or user."""
    tables = set(connection.introspection.table_names())
    if not tables:
        return True
    if connection.vendor != "sqlite" or not {"orgs_org", "auth_user"} <= tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT COUNT(*) FROM orgs_org) + (SELECT COUNT(*) FROM auth_user)")
        return cursor.fetchone()[0] == 0


def restore_from(path: str | Path) -> BackupCheck:
    """Restore a backup into this (empty) database; refuses to overwrite one that holds data."""
    path = Path(path)
    found = check_backup(path)
    if found.kind != connection.vendor:
        raise BackupError(f"备份是 {found.kind} 数据库的，当前配置的是 {connection.vendor}，无法恢复")
    if not _database_is_empty():
        raise BackupError("当前数据库已有数据：恢复只能在空的数据目录（或空数据库）中进行，以免覆盖现有数据")
    if found.kind == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        connection.close()
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        source, copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        _private(target)
    else:
        args, env = _pg_env()
        result = subprocess.run([_tool("pg_restore"), *args, "--no-owner", "--exit-on-error", "--single-transaction",
                                 "--dbname", connection.settings_dict["NAME"], str(path)],
                                env=env, capture_output=True, text=True)
        if result.returncode:
            raise BackupError(f"pg_restore 失败：{result.stderr.strip()}")
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(_SAMPLE_SQL)
            sample = cursor.fetchone()
        found.key_works = _key_works(sample[0] if sample else None)
    return found
