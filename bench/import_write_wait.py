"""How long a web write waits while a large import runs in a worker, on SQLite.

    python bench/import_write_wait.py [--rows 200000] [--kinds study,residents,members,members-cli,payments]

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
  members    the roster import (members.importing, 花名册): --rows rows of a branch's roster
             with the columns a roster has — 300 of them the members already on file (a changed
             phone and address, and their move from the community to the branch), the rest new
  members-cli the same roster (other new members) booked by `dangjian import members` in its own
             process instead of a worker: the same batches, under a job the command makes
  payments   the payment-list import (dues.importing, 交费名单): one row per member for --rows
             members on file with their dues assessed (核定), name + ID tail + amount + month +
             交易单号, as a WeChat/bank export is

A street's roster or monthly payment list is about 3,000 rows; a district's about 20,000.

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
from decimal import Decimal
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


def branch_of(community):
    """The 党支部 the roster and payment rows belong to (made once)."""
    from dangjian.orgs.models import Org, OrgKind

    return Org.objects.get_or_create(kind=OrgKind.BRANCH, name="和平社区第一党支部", code="HP1", parent=community)[0]


def new_ids(n: int, region: str, seed: int) -> list[tuple[date, str, str]]:
    """n (birth date, sex, ID number) of distinct valid IDs of one region (none of the seed's)."""
    from dangjian.lib.idnumbers import make_id

    rng, seen, out = random.Random(seed), set(), []
    while len(out) < n:
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(20000))
        sex = rng.choice("男女")
        id_number = make_id(birth, sex, region, rng)
        if id_number not in seen:
            seen.add(id_number)
            out.append((birth, sex, id_number))
    return out


def roster_file(path: Path, n: int, community, existing, seed: int = 2) -> Path:
    """A roster of n rows: the members already on file (changed phone and address, now in the
    branch), then new members with every column a district's roster fills in."""
    from dangjian.members.importing import HEADERS

    branch = branch_of(community)
    rng = random.Random(seed)
    fresh = new_ids(n, "370104", seed)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for i in range(n):
            if i < len(existing):
                m = existing[i]
                name, id_number, birth, sex = m.name, m.id_number, m.birth_date, m.sex
                phone = f"139{i:08d}"
            else:
                birth, sex, id_number = fresh[i]
                name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
                phone = f"138{i:08d}"
            joined = birth + timedelta(days=365 * 20 + rng.randrange(3000))
            row = {"姓名": name, "性别": sex, "民族": "汉族", "出生日期": birth.isoformat(), "公民身份号码": id_number,
                   "籍贯": "山东济南", "学历": rng.choice(["本科", "大专", "高中", "初中"]), "人员类别": "离退休",
                   "入党日期": joined.isoformat(), "转正日期": (joined + timedelta(days=365)).isoformat(),
                   "党员状态": "正式党员", "所在党支部": branch.name, "党内职务": "", "联系电话": phone, "固定电话": "",
                   "居住地址": f"和平小区{i % 40 + 1}号楼{i % 6 + 1}单元{i % 30 + 101}", "工作单位": "",
                   "入党介绍人": "", "是否流动党员": "否", "外出地点": "", "外出日期": "", "外出原因": "",
                   "持流动党员活动证": "否", "外出联系方式": "", "年老体弱/行动不便": "否", "生活困难": "否"}
            out.writerow([row.get(h, "") for h in HEADERS])
    return path


def payers(community, n: int) -> list:
    """n members of the branch with their dues assessed from January (bulk: the setup, not the bench)."""
    from dangjian.dues.choices import DuesCategory
    from dangjian.dues.models import DuesBase
    from dangjian.members.models import Member
    from dangjian.members.services import members_intervals_build

    branch = branch_of(community)
    members = []
    for i, (birth, sex, id_number) in enumerate(new_ids(n, "370105", 3)):
        m = Member(name=f"交费人{i:05d}", sex=sex, birth_date=birth, id_number=id_number,
                   org=branch, category="离退休", joined_on=date(1990, 7, 1), confirmed_on=date(1991, 7, 1),
                   phone=f"137{i:08d}", address="和平小区")
        m.prepare()
        members.append(m)
    members = Member.objects.bulk_create(members, batch_size=1000)
    members_intervals_build(members=members, since=date(2020, 1, 1))
    january = date(date.today().year, 1, 1)
    DuesBase.objects.bulk_create([DuesBase(member=m, effective_month=january, category=DuesCategory.RETIRED,
                                           base=Decimal("3000")) for m in members], batch_size=1000)
    return members


def payment_file(path: Path, members: list) -> Path:
    """A month's payment list, a WeChat export: one payment of January's dues per member."""
    from dangjian.dues.importing import COLUMNS
    from dangjian.dues.rules import monthly_dues

    due = monthly_dues("离退休", base=Decimal("3000")).amount
    january = date(date.today().year, 1, 1)
    headers = [c.header for c in COLUMNS if c.field in ("name", "id_tail", "amount", "paid_on", "method", "ref",
                                                        "months", "note")]
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(headers)
        for i, m in enumerate(members):
            row = {"姓名": m.name, "身份证后四位": m.id_number[-4:], "金额": f"{due:.2f}", "交纳日期": january.isoformat(),
                   "交纳方式": "微信", "交易单号": f"4200001{i:012d}", "所属月份": f"{january:%Y-%m}",
                   "备注": "1月党费"}
            out.writerow([row.get(h, "") for h in headers])
    return path


def start_worker(folder: Path) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = (folder / "worker.log").open("w")
    return subprocess.Popen([sys.executable, "-m", "dangjian.cli", "worker", "--interval", "0.2"], env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def start_command(folder: Path, path: Path, community) -> subprocess.Popen:
    """`dangjian import members FILE --org CODE` in a process of its own, as an administrator runs it."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = (folder / "command.log").open("w")
    return subprocess.Popen([sys.executable, "-m", "dangjian.cli", "import", "members", str(path), "--org", community.code],
                            env=env, stdout=log, stderr=subprocess.STDOUT)


def queue(kind: str, path: Path, community, user):
    from dangjian.jobs.models import Job
    from dangjian.jobs.services import job_enqueue

    if kind == "members":
        from dangjian.members.tasks import member_import

        return job_enqueue(member_import, kind="member_import", label="党员名册导入", org=community, user=user,
                           path=str(path), org_id=community.pk, filename=path.name, unit_map={}, user_id=user.pk,
                           since=None)
    if kind == "payments":
        from dangjian.dues.tasks import payment_import

        return job_enqueue(payment_import, kind="payment_import", label="党费交费名单导入", org=community, user=user,
                           path=str(path), org_id=community.pk, filename=path.name, method="微信", choices=[],
                           assigned=[], user_id=user.pk)
    if kind == "study":
        from dangjian.meetings.tasks import study_import

        return job_enqueue(study_import, kind="study_import", label="自学记录导入", org=community, user=user,
                           path=str(path), org_id=community.pk, filename=path.name, user_id=user.pk)
    from dangjian.grid import importing
    from dangjian.grid.models import ImportJob

    job = ImportJob.objects.create(community=community, user=user, filename=path.name, path=str(path))
    importing.start_in_background(job)
    return Job.objects.get(pk=job.job_id)


def job_finished(job):
    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished and bool(job.finished_at)  # a roster import is done at its commit, then applies what it staged

    return finished


def writes_while(finished, member) -> tuple[list[float], int]:
    """Seconds each short write waited, four a second, until `finished()`; and how many
    writes failed ("database is locked" after the 20 s busy timeout: a 500 for a user)."""
    from django.db import OperationalError, close_old_connections

    from dangjian.meetings import services

    waits, failed = [], 0
    while True:
        if finished():
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
        elif kind == "members":
            path = roster_file(folder / f"roster-{args.rows}.csv", args.rows, community, members)
        elif kind == "members-cli":
            path = roster_file(folder / f"roster-cli-{args.rows}.csv", args.rows, community, members, seed=3)
        elif kind == "payments":
            path = payment_file(folder / f"payments-{args.rows}.csv", payers(community, args.rows))
        else:
            sys.path.insert(0, str(ROOT / "bench"))
            from grid_import import generate  # the register the grid benchmark imports

            path = folder / f"register-{args.rows}.xlsx"
            generate(path, args.rows)
        made = time.perf_counter() - started
        if kind == "members-cli":
            from dangjian.jobs.models import Job

            command = start_command(folder, path, community)
            try:
                waits, failed = writes_while(lambda process=command: process.poll() is not None, members[0])
            finally:
                command.wait()
            job = Job.objects.filter(kind="member_import", task_id="").latest("pk")
        else:
            worker = start_worker(folder)
            try:
                job = queue(kind, path, community, user)
                waits, failed = writes_while(job_finished(job), members[0])
            finally:
                worker.terminate()
                worker.wait()
        seconds = (job.finished_at - job.started_at).total_seconds() if job.started_at and job.finished_at else 0
        waits.sort()
        p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))] if waits else 0
        print(f"  {kind:<11} {args.rows:>9,} 行  {job.status:<6} 导入 {seconds:7.1f} s"
              f"（{args.rows / seconds if seconds else 0:8,.0f} 行/s；生成文件 {made:.0f} s）  写入 {len(waits):4d} 次："
              f"中位 {statistics.median(waits) if waits else 0:.3f} s  P99 {p99:.3f} s  最长 {max(waits, default=0):.3f} s"
              f"  失败 {failed} 次"
              + (f"  {job.message}" if job.status == "failed" else ""))


if __name__ == "__main__":
    main()
