"""A production deployment refuses to start without its keys from the environment, and keeps
the data folder and the database private to the account that runs it."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper

ROOT = Path(__file__).resolve().parents[3]


def _dangjian(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DANGJIAN_PII_KEY", "DATABASE_URL")}
    clean |= {"DANGJIAN_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "ALLOWED_HOSTS": "example.org"} | env
    return subprocess.run([sys.executable, "-c", "from dangjian.cli import main; main()", *args], env=clean,
                          capture_output=True, text=True, timeout=120)


def test_it_refuses_production_without_keys_from_the_environment(tmp_path):
    result = _dangjian(["check"], tmp_path / "data", DANGJIAN_PRODUCTION="True")
    assert result.returncode != 0 and result.stderr.count("dangjian.E001") == 2
    assert not (tmp_path / "data" / "pii_key").exists()


def test_it_starts_production_with_both_keys_set(tmp_path):
    result = _dangjian(["check"], tmp_path / "data", DANGJIAN_PRODUCTION="True", SECRET_KEY="s" * 50,
                       DANGJIAN_PII_KEY="k" * 43)
    assert result.returncode == 0, result.stderr


def test_it_refuses_the_wsgi_application_without_keys(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DANGJIAN_PII_KEY", "DATABASE_URL")}
    result = subprocess.run([sys.executable, "-c", "import dangjian.wsgi"], capture_output=True, text=True, timeout=120,
                            env=clean | {"DANGJIAN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT),
                                         "DANGJIAN_PRODUCTION": "True"})
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr


def test_it_creates_the_data_folder_owner_only(tmp_path):
    _dangjian(["check"], tmp_path / "data")
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_it_makes_a_new_sqlite_database_owner_only(db, tmp_path):
    settings_dict = dict(connections["default"].settings_dict) | {"NAME": str(tmp_path / "db.sqlite3")}
    if connections["default"].vendor != "sqlite":
        settings_dict |= {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {}}
    wrapper = DatabaseWrapper(settings_dict, alias="private-check")
    wrapper.ensure_connection()
    wrapper.close()
    assert stat.S_IMODE((tmp_path / "db.sqlite3").stat().st_mode) == 0o600
