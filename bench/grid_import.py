"""Importing a residents register: our importer vs. the floor and a peer, on SQLite.

    python bench/grid_import.py [--sizes 10000,100000] [--peer-sizes 10000,100000]

For each size a register .xlsx (one row per resident, building/unit/room columns) is generated
once into a temp folder, then each of these runs in its own subprocess on a fresh SQLite
database, so its peak RSS is its own:

  floor     python-calamine reads every row (what any importer must pay)
  reader    lib.tabular.read_table cleans every row (the shared reader all our imports use)
  ours      dangjian.grid.importing.run_job: for a file this size a second process reads and
            prepares the rows (read_table, checks, ID hash, pinyin, Fernet) while this one
            matches them against the database and writes them in batches with history
  again     the same file imported a second time into the database `ours` filled (what a
            quarterly re-import does: every row matched by ID hash, found unchanged); only the
            second import is timed
  peer      django-import-export 4 (ModelResource, skip_diff, per-row save so history and the
            ID hash are kept, get_or_create for grid/building/unit/household) into the same models

Also printed: how long the parse takes before the first row exists (floor) and how long our
import spends inside SQLite statements (ours, again). Their sum bounds any importer that reads
with python-calamine and writes the same rows through one SQLite connection, so it says how far
a rows/s target on a given machine can be met at all.

Printed: rows/s by wall clock and by CPU time (ours: both processes' CPU added up, so it shows
the work, not the overlap), peak RSS (ours: of each process), and RSS above the process's own
baseline after Django setup. Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = Path(tempfile.gettempdir()) / "dangjian-bench-grid"
MODES = ("floor", "reader", "ours", "again", "peer")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
            "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建国志海燕宇浩然子轩欣怡梓涵一诺雨桐思博文俊凯鑫瑞佳晨"


def generate(path: Path, n: int, seed: int = 2023) -> None:
    """A register of n residents: 20 grids, 3 estates, 2 units × 6 floors × 2 doors a building."""
    from openpyxl import Workbook

    from dangjian.grid.register import HEADERS
    from dangjian.lib.idnumbers import make_id

    rng = random.Random(seed)
    used: set[str] = set()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民登记")
    ws.append(["和平街道居民登记表"])
    ws.append(HEADERS)
    written, household = 0, 0
    while written < n:
        building, slot = divmod(household, 24)
        unit, door = divmod(slot, 12)
        floor, side = divmod(door, 2)
        grid = f"第{building // 80 + 1}网格"
        estate = ("和平小区", "建设新村", "幸福家园")[building % 3]
        room = f"{floor + 1}0{side + 1}"
        status = rng.choices(["自住", "出租", "空置"], [82, 12, 6])[0]
        for k in range(rng.choice([1, 2, 2, 3, 3, 3, 4, 5])):
            if written >= n:
                break
            sex = rng.choice("男女")
            born = date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28))
            while (id_number := make_id(born, sex, rng.choice(("370102", "370103", "370104", "410102")), rng)) in used:
                born = date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28))
            used.add(id_number)
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            ws.append([grid, estate, f"{building + 1}号楼", f"{unit + 1}单元", room, status, name, id_number, sex, born,
                       "户主" if k == 0 else rng.choice(("配偶", "子", "女", "父母", "孙子女")),
                       rng.choice(("本地户籍",) * 6 + ("外来人口", "人户分离")), "山东省济南市历下区和平路1号",
                       "", f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}", "", None,
                       rng.choice(("", "", "", "", "独居老人", "高龄", "低保", "退役军人")), ""])
            written += 1
        household += 1
    wb.save(path)


# ---------------------------------------------------------------------------------------------
# Child: one measurement in a fresh process and database


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(mode: str, file: str) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"dj-bench-grid-{mode}-")
    os.environ["DANGJIAN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from dangjian.grid.importing import run_job
    from dangjian.grid.models import Household, ImportJob, Resident
    from dangjian.grid.register import COLUMNS
    from dangjian.lib.tabular import read_table
    from dangjian.orgs.models import Org, OrgKind

    community = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name="和平社区党总支", short_name="和平社区", code="HP")
    if mode == "again":
        first = run_job(ImportJob.objects.create(community=community, filename=Path(file).name, path=file))
        assert first.status == "done", first.error
    baseline = _current_rss_mb()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, cpu = time.perf_counter(), time.process_time()
    result: dict = {}
    if mode == "floor":
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(file)
        sheet = workbook.get_sheet_by_index(0)  # the whole sheet is parsed here, before any row
        result["parse"] = time.perf_counter() - wall
        rows = sum(1 for _ in sheet.iter_rows()) - 2
    elif mode == "reader":
        rows = sum(1 for _ in read_table(file, COLUMNS))
    elif mode in ("ours", "again"):
        from django.db import connection

        in_sql = [0.0]

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                in_sql[0] += time.perf_counter() - started

        with connection.execute_wrapper(timed):
            job = run_job(ImportJob.objects.create(community=community, filename=Path(file).name, path=file))
        assert job.status == "done", job.error
        rows = job.processed
        result = {"created": job.created, "unchanged": job.unchanged, "rejected": job.rejected, "sql": in_sql[0]}
    else:
        rows, result = _peer(file, community)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result |= {"child_cpu": children.ru_utime + children.ru_stime - before.ru_utime - before.ru_stime,
               "child_peak_mb": children.ru_maxrss / 1024}
    cpu += result["child_cpu"]
    if mode in ("ours", "again", "peer"):
        result |= {"residents": Resident.objects.count(), "households": Household.objects.count(),
                   "history_rows": Resident.history.count()}
    return {"mode": mode, "rows": rows, "wall": wall, "cpu": cpu, "peak_mb": _rss_mb(), "baseline_mb": baseline} | result


def _peer(file: str, community) -> tuple[int, dict]:
    import tablib
    from import_export import fields, resources, widgets

    from dangjian.grid.models import Building, Grid, Household, Resident, Unit
    from dangjian.lib.crypto import blind_index
    from dangjian.lib.idnumbers import validate_id

    class ResidentResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="公民身份号码")
        id_hash = fields.Field(attribute="id_hash", column_name="id_hash")
        sex = fields.Field(attribute="sex", column_name="性别")
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget())
        relation = fields.Field(attribute="relation", column_name="与户主关系")
        hukou_type = fields.Field(attribute="hukou_type", column_name="户籍类型")
        hukou_address = fields.Field(attribute="hukou_address", column_name="户籍地址")
        phone = fields.Field(attribute="phone", column_name="联系电话")
        tags = fields.Field(attribute="tags", column_name="标签")
        household = fields.Field(attribute="household", column_name="household", widget=widgets.ForeignKeyWidget(Household))

        class Meta:
            model = Resident
            import_id_fields = ("id_hash",)
            fields = ("name", "id_number", "id_hash", "sex", "birth_date", "relation", "hukou_type", "hukou_address",
                      "phone", "tags", "household")
            skip_diff = True
            use_transactions = True

        def get_queryset(self):
            # Re-import matches live residents, as ours does (and the ID index covers live ones).
            return Resident.objects.filter(archived_on__isnull=True)

        def before_import_row(self, row, **kwargs):
            row["公民身份号码"] = validate_id(row["公民身份号码"])
            row["id_hash"] = blind_index(row["公民身份号码"])
            row["标签"] = f"|{row['标签']}|" if row["标签"] else ""
            grid, _ = Grid.objects.get_or_create(community=community, name=row["网格"])
            building, _ = Building.objects.get_or_create(grid=grid, estate=row["小区"] or "", name=row["楼栋"])
            unit, _ = Unit.objects.get_or_create(building=building, name=row["单元"] or "")
            household, _ = Household.objects.get_or_create(unit=unit, door=str(row["房号"]),
                                                           defaults={"grid": grid, "housing_status": row["住房状况"]})
            row["household"] = household.pk

    with open(file, "rb") as fh:
        # The sheet has a title row above the header, as real registers do.
        dataset = tablib.Dataset().load(fh.read(), format="xlsx", skip_lines=1)
    dataset.append_col([None] * len(dataset), header="id_hash")
    dataset.append_col([None] * len(dataset), header="household")
    result = ResidentResource().import_data(dataset, dry_run=False, raise_errors=False)
    return len(dataset), {"created": result.totals.get("new", 0), "rejected": len(result.row_errors()) + len(result.invalid_rows)}


# ---------------------------------------------------------------------------------------------
# Parent


def run_child(mode: str, file: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(file)], capture_output=True, text=True,
                         cwd=ROOT, timeout=3600)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--peer-sizes", default="10000,100000", help="sizes the (slow) peer runs on; '' for none")
    parser.add_argument("--modes", default=",".join(MODES), help="which of floor,reader,ours,again,peer to run")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dj-bench-grid-gen-"))
    import django

    django.setup()
    CACHE.mkdir(exist_ok=True)
    peer_sizes = {int(s) for s in args.peer_sizes.split(",") if s}
    print(f"居民导入基准（SQLite，{os.cpu_count()} 核；每项单独子进程，峰值内存为该进程 RSS）")
    results: dict[int, dict[str, dict]] = {}
    for n in (int(s) for s in args.sizes.split(",")):
        file = CACHE / f"register-{n}.xlsx"
        if not file.exists():
            started = time.perf_counter()
            generate(file, n)
            print(f"生成 {file.name}：{n:,} 行，{file.stat().st_size / 2**20:.1f} MB，{time.perf_counter() - started:.1f} 秒")
        results[n] = {}
        for mode in args.modes.split(","):
            if mode == "peer" and n not in peer_sizes:
                continue
            r = run_child(mode, file)
            results[n][mode] = r
            extra = " ".join(f"{k}={r[k]}" for k in ("created", "unchanged", "rejected", "residents", "households",
                                                     "history_rows") if k in r)
            if "sql" in r:
                extra = f"其中在 SQLite 语句内 {r['sql']:.2f} s；{extra}"
            if "parse" in r:
                extra = f"其中解析整张表（第一行可用之前）{r['parse']:.2f} s"
            if r["child_cpu"]:
                extra = f"读取子进程：CPU {r['child_cpu']:.2f} s，峰值 {r['child_peak_mb']:.0f} MB；{extra}"
            print(f"  {n:>7,} 行  {mode:<6} {r['wall']:7.2f} s  {r['rows'] / r['wall']:>9,.0f} 行/s（CPU {r['rows'] / r['cpu']:>9,.0f}）"
                  f"  峰值 {r['peak_mb']:6.0f} MB（基线之上 {r['peak_mb'] - r['baseline_mb']:5.0f} MB）  {extra}", flush=True)
    print("\n结论（墙钟；括号内按 CPU 时间，机器被其他进程占用时以它为准）：")
    for n, r in results.items():
        if not {"floor", "reader", "ours", "again"} <= r.keys():
            print(f"  {n:>7,} 行：未运行全部模式，无结论")
            continue

        def rate(mode: str, clock: str, r: dict = r) -> float:
            return r[mode]["rows"] / r[mode][clock]

        line = (f"  {n:>7,} 行：ours {rate('ours', 'wall'):,.0f}（{rate('ours', 'cpu'):,.0f}）行/s，目标 ≥ 20,000；"
                f"再次导入 {rate('again', 'wall'):,.0f}（{rate('again', 'cpu'):,.0f}）行/s")
        if "peer" in r:
            line += (f"；peer {rate('peer', 'wall'):,.0f}（{rate('peer', 'cpu'):,.0f}）行/s，ours/peer = "
                     f"{rate('ours', 'wall') / rate('peer', 'wall'):.1f}×（{rate('ours', 'cpu') / rate('peer', 'cpu'):.1f}×），目标 ≥ 10×")
        ours = r["ours"]
        memory = (f"ours 读取子进程峰值 {ours['child_peak_mb']:.0f} MB（floor {r['floor']['peak_mb']:.0f} MB），"
                  f"写入进程峰值 {ours['peak_mb']:.0f} MB（基线之上 {ours['peak_mb'] - ours['baseline_mb']:.0f} MB）"
                  if ours["child_cpu"] else f"ours 峰值内存比 floor 高 {ours['peak_mb'] - r['floor']['peak_mb']:+.0f} MB")
        line += (f"；reader 上限 {rate('reader', 'wall'):,.0f}（{rate('reader', 'cpu'):,.0f}），floor {rate('floor', 'wall'):,.0f}"
                 f"（{rate('floor', 'cpu'):,.0f}）；{memory}")
        print(line)
        # No importer that reads with python-calamine (the whole sheet is parsed before its first
        # row) and writes these rows through one SQLite connection can finish before parse + SQL.
        bound = r["floor"]["parse"] + r["ours"]["sql"]
        print(f"           下限：解析 {r['floor']['parse']:.2f} s + 我们的 SQLite 语句 {r['ours']['sql']:.2f} s = {bound:.2f} s，"
              f"即任何先用 python-calamine 解析、再经一个 SQLite 连接写入这些行的导入都不超过 {n / bound:,.0f} 行/s")


if __name__ == "__main__":
    main()
