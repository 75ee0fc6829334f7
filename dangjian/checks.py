"""System checks of a deployment: keys from the environment, a private data folder.

Registered by the orgs app; `dangjian serve`, every management command and the WSGI entry point
(dangjian/wsgi.py) refuse to start while an error stands.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db.backends.signals import connection_created
from django.dispatch import receiver

PRIVATE_FILE = 0o600


@register()
def keys_from_environment(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for name in getattr(settings, "MISSING_KEYS", []):
        kept = Path(settings.DATA_DIR) / {"SECRET_KEY": "secret_key", "DANGJIAN_PII_KEY": "pii_key"}[name]
        hint = (f"把 {kept} 的内容设为环境变量 {name}，再把该文件移出数据目录（与备份分开保管）"
                if kept.exists() else f"生成一个随机值设为环境变量 {name}，并与数据备份分开保管")
        errors.append(Error(f"生产模式（DANGJIAN_PRODUCTION）必须从环境变量读取 {name}", hint=hint, id="dangjian.E001"))
    return errors


@register()
def private_data_folder(app_configs=None, **kwargs) -> list[Warning]:
    folder = Path(settings.DATA_DIR)
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
    except OSError:
        return []
    if os.name == "posix" and mode & 0o077:
        return [Warning(f"数据目录 {folder} 的权限是 {mode:o}，其他用户可以读取", hint=f"chmod 700 {folder}",
                        id="dangjian.W001")]
    return []


def make_private(path: str | Path) -> None:
    """Owner-only read/write on a file we created (a database, an upload, a backup)."""
    try:
        if os.name == "posix" and stat.S_IMODE(os.stat(path).st_mode) != PRIVATE_FILE:
            os.chmod(path, PRIVATE_FILE)
    except OSError:
        pass


@receiver(connection_created)
def _private_sqlite_files(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return
    for path in (name, f"{name}-wal", f"{name}-shm"):
        if os.path.exists(path):
            make_private(path)
