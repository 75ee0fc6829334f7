"""How long a web write waits while a large import runs in a worker, on SQLite.

    python bench/import_write_wait.py [--rows 200000] [--kinds study,residents]

A fresh SQLite database (WAL, BEGIN IMMEDIATE, 20 s busy timeout — the settings the server
uses) gets an organisation with 300 members and a community. For each kind a file of --rows rows
is generated (.csv), a real `dangjian worker` process is started, and the import is queued as
the web page queues it. While it runs, this process does what a clerk's request does four times
a second — a short write transaction (a self-study entry typed in, through its service) — and
times each one, until the job is done. Printed per kind: import wall time and rows/s (the job's
own started/finished), the number of writes, and the median, 99th percentile and longest wait.

  study      the self-study import (meetings.importing): written by the worker in transactions of
             BATCH rows, hidden until the job is done — a write waits at most for one batch
  residents  the residents register (grid.importing): the same, BATCH rows a transaction; new
             grids, buildings, households and residents hidden until the job commits, changes to
             existing rows staged and applied after it, a batch at a time (lib/staging.py)

Times are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(folder: Path) -> None:
    os.environ["DANGJIAN_DATA_DIR"] = str(folder / "data")
    os.environ["DANGJIAN_DB"] = str(folder / "db.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    os.environ["DANGJIAN_TEST_FAST_HASHER"] = "True"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    from dangjian.orgs.models import Org, OrgKind
    from dangjian.testing.factories import MemberFactory, UserFactory

    street = Org.objects.create(kind=OrgKind.STREET, name="新华街道党工委", code="XH")
    community = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name="和平社区党总支", code="HP", parent=street)
    members = [MemberFactory(name=f"党员{i:03d}", org=community) for i in range(300)]
    user = UserFactory(username="shuji", role=("community_secretary", community))
    return community, members, user


def study_file(path: Path, n: int, names: list[str]) -> Path:
    from dangjian.meetings.importing import HEADERS

    rng = random.Random(1)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for i in range(n):
            row = {"姓名": rng.choice(names), "学习日期": (date(2024, 1, 1) + timedelta(days=i % 600)).isoformat(),
                   "学习方式": "学习强国", "学习内容": f"第{i}课", "学习时长（小时）": "1.5", "积分": str(i % 50)}
            out.writerow([row.get(h, "") for h in HEADERS])
    return path


def start_worker(folder: Path) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = (folder / "worker.log").open("w")
    return subprocess.Popen([sys.executable, "-m", "dangjian.cli", "worker", "--interval", "0.2"], env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def queue(kind: str, path: Path, community, user):
    from dangjian.jobs.models import Job

    if kind == "study":
        from dangjian.jobs.services import job_enqueue
        from dangjian.meetings.tasks import study_import

        return job_enqueue(study_import, kind="study_import", label="自学记录导入", org=community, user=user,
                           path=str(path), org_id=community.pk, filename=path.name, user_id=user.pk)
    from dangjian.grid import importing
    from dangjian.grid.models import ImportJob

    job = ImportJob.objects.create(community=community, user=user, filename=path.name, path=str(path))
    importing.start_in_background(job)
    return Job.objects.get(pk=job.job_id)


def writes_while(job, member) -> tuple[list[float], int]:
    """Seconds each short write waited, four a second, until the job is finished; and how many
    writes failed ("database is locked" after the 20 s busy timeout: a 500 for a user)."""
    from django.db import OperationalError, close_old_connections

    from dangjian.meetings import services

    waits, failed = [], 0
    while True:
        job.refresh_from_db()
        if job.is_finished:
            return waits, failed
        started = time.perf_counter()
        try:
            services.self_study_record(member=member, studied_on=date(2025, 1, 2), source="学习强国",
                                       content="手工登记", hours=None, points=10)
        except OperationalError:
            failed += 1
        waits.append(time.perf_counter() - started)
        close_old_connections()
        time.sleep(0.25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--kinds", default="study,residents")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dangjian-bench-wait-"))
    setup(folder)
    community, members, user = seed()
    print(f"导入期间网页写入的等待（SQLite，{os.cpu_count()} 核；每 0.25 秒一次短写事务）")
    for kind in args.kinds.split(","):
        started = time.perf_counter()
        if kind == "study":
            path = study_file(folder / f"study-{args.rows}.csv", args.rows, [m.name for m in members])
        else:
            sys.path.insert(0, str(ROOT / "bench"))
            from grid_import import generate  # the register the grid benchmark imports

            path = folder / f"register-{args.rows}.xlsx"
            generate(path, args.rows)
        made = time.perf_counter() - started
        worker = start_worker(folder)
        try:
            job = queue(kind, path, community, user)
            waits, failed = writes_while(job, members[0])
        finally:
            worker.terminate()
            worker.wait()
        seconds = (job.finished_at - job.started_at).total_seconds() if job.started_at and job.finished_at else 0
        waits.sort()
        p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))] if waits else 0
        print(f"  {kind:<9} {args.rows:>9,} 行  {job.status:<6} 导入 {seconds:7.1f} s"
              f"（{args.rows / seconds if seconds else 0:8,.0f} 行/s；生成文件 {made:.0f} s）  写入 {len(waits):4d} 次："
              f"中位 {statistics.median(waits) if waits else 0:.3f} s  P99 {p99:.3f} s  最长 {max(waits, default=0):.3f} s"
              f"  失败 {failed} 次"
              + (f"  {job.message}" if job.status == "failed" else ""))


if __name__ == "__main__":
    main()
