"""The first minutes: `dangjian --help` speaks Chinese, lists our commands, and writes nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("DANGJIAN_HELP_ONLY", None)
    return subprocess.run([sys.executable, "-m", "dangjian.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("args", [(), ("--help",), ("help",)])
def test_it_lists_our_commands_first_in_chinese(tmp_path, args):
    out = run_cli(*args, data_dir=tmp_path / "data").stdout
    ours = out.index("党建工作台的命令")
    assert ours < out.index("Django 自带的命令")
    assert {"import members", "export members", "import residents", "demo", "serve", "report"} <= {
        line.split()[0] + (" " + line.split()[1] if line.split()[0] in ("import", "export") else "")
        for line in out[ours:out.index("Django 自带的命令")].splitlines()[1:] if line.startswith("  ")
    }


def test_it_writes_no_data_folder_or_keys_for_help(tmp_path):
    for args in [("--help",), ("demo", "--help"), ("import", "members", "--help")]:
        assert run_cli(*args, data_dir=tmp_path / "data").returncode == 0
    assert not (tmp_path / "data").exists()


def test_it_lists_data_dir_in_a_commands_help(tmp_path):
    out = run_cli("demo", "--help", data_dir=tmp_path / "data").stdout
    assert "--data-dir DIR" in out and "--no-serve" in out


def test_it_serves_a_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert client.get(response["Location"]).status_code == 200
