"""Real processes for the job tests: web servers and workers on one database of their own.

The pytest database lives in this process (SQLite in memory), so a stack gets its own: a SQLite
file in a temp folder, or — when the tests run on PostgreSQL — a database named after the test
database with `_live` added. Every process is started with the same environment, as
`dangjian serve` / `dangjian worker` would be on an office server.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "live-pass-123"

SEED = """
import django; django.setup()
from datetime import date, timedelta
from django.utils import timezone
from dangjian.orgs.models import Org, OrgKind, Role
from dangjian.plans import services as plans
from dangjian.testing.factories import UserFactory
street = Org.objects.create(kind=OrgKind.STREET, name="新华街道党工委", short_name="新华街道", code="XH")
community = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name="和平社区党总支", short_name="和平社区", code="HP",
                               parent=street)
user = UserFactory(username="shuji", role=(Role.COMMUNITY_SECRETARY, community), password="PASSWORD")
today = timezone.localdate()
plan = plans.plan_create(org=community, title="年度工作计划", kind="year", start_on=date(today.year, 1, 1),
                         end_on=date(today.year, 12, 31), user=user)
plans.plan_item_add(plan=plan, title="走访困难党员", owner="书记", deadline=today, owner_user=user, user=user)
print(community.pk)
""".replace("PASSWORD", PASSWORD)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_register(path: Path, n: int, seed: int = 7) -> Path:
    """A residents register of n rows as .csv (the importer reads it like .xlsx)."""
    from dangjian.grid.register import HEADERS
    from dangjian.lib.idnumbers import make_id

    rng = random.Random(seed)
    used: set[str] = set()
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for i in range(n):
            building, slot = divmod(i // 2, 24)
            unit, door = divmod(slot, 12)
            while True:
                sex = rng.choice("男女")
                number = make_id(date(rng.randint(1940, 2010), rng.randint(1, 12), rng.randint(1, 28)), sex, rng=rng)
                if number not in used:
                    used.add(number)
                    break
            values = {"网格": f"第{building // 40 + 1}网格", "小区": "和平小区", "楼栋": f"{building + 1}号楼",
                      "单元": f"{unit + 1}单元", "房号": f"{door // 2 + 1}0{door % 2 + 1}", "姓名": f"居民{i}",
                      "公民身份号码": number, "性别": sex, "与户主关系": "户主" if i % 2 == 0 else "配偶"}
            out.writerow([values.get(h, "") for h in HEADERS])
    return path


class Stack:
    def __init__(self, folder: Path, vendor: str):
        self.folder, self.vendor = folder, vendor
        self.procs: list[subprocess.Popen] = []
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DANGJIAN_DB", "DANGJIAN_TEST_DB")}
        env.update({"DANGJIAN_DATA_DIR": str(folder / "data"), "DJANGO_SETTINGS_MODULE": "dangjian.settings",
                    "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
                    "AXES_ENABLED": "False", "DANGJIAN_TEST_FAST_HASHER": "True", "PYTHONUNBUFFERED": "1"})
        if vendor == "postgresql":
            url = urlparse(os.environ["DATABASE_URL"])
            self.dbname = f"{url.path.lstrip('/')}_live"
            self._admin(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)', f'CREATE DATABASE "{self.dbname}"')
            env["DATABASE_URL"] = url._replace(path=f"/{self.dbname}").geturl()
        else:
            env["DANGJIAN_DB"] = str(folder / "db.sqlite3")
        self.env = env

    def _admin(self, *statements: str) -> None:
        import psycopg

        url = urlparse(os.environ["DATABASE_URL"])
        with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    # -- processes -------------------------------------------------------------------------------

    def run(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "dangjian.cli", *args], env=self.env, check=True,
                              capture_output=True, text=True, timeout=300).stdout

    def python(self, code: str) -> str:
        return subprocess.run([sys.executable, "-c", code], env=self.env, check=True, capture_output=True, text=True,
                              timeout=120).stdout

    def start(self, *args: str, env: dict | None = None) -> subprocess.Popen:
        log = (self.folder / f"proc-{len(self.procs)}.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "dangjian.cli", *args], env=self.env | (env or {}),
                                stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def serve(self) -> str:
        port = free_port()
        proc = self.start("serve", "--no-worker", "--port", str(port), "--threads", "4")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, self.logs()
            try:
                requests.get(f"{base}/login/", timeout=2)
                return base
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError(f"server did not start: {self.logs()}")

    def worker(self, env: dict | None = None) -> subprocess.Popen:
        return self.start("worker", "--interval", "0.2", env=env)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.folder.glob("proc-*.log")))

    # -- the database, read the way any other process would -------------------------------------

    def sql(self, query: str):
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"]) as conn:
                return conn.execute(query).fetchone()[0]
        import sqlite3

        conn = sqlite3.connect(self.env["DANGJIAN_DB"], timeout=30)
        try:
            return conn.execute(query).fetchone()[0]
        finally:
            conn.close()

    def wait_for(self, query: str, predicate, timeout: float = 120.0):
        deadline = time.monotonic() + timeout
        while True:
            value = self.sql(query)
            if predicate(value):
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {query!r} (last {value!r})\n{self.logs()}"
            time.sleep(0.2)


def login(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=10)
    response = session.post(f"{base}/login/", data={"username": "shuji", "password": PASSWORD,
                                                   "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                            headers={"Referer": f"{base}/login/"}, timeout=30)
    assert response.ok and "sessionid" in session.cookies, response.text[:500]
    return session
