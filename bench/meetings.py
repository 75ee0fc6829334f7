"""Compliance and reach for a whole street over three years: median time and query count.

    python bench/meetings.py [--scales 1,20] [--runs 7]

For each scale (number of demo communities) a fresh database gets the demo org tree, roster and
organisational-life records (2023-01 to today); the meetings seed is timed on its own. Then, for
the street (every community), it measures:

  compliance   meetings.compliance.check(street, year) for 2023, 2024 and 2025
  reach        meetings.reach.compute(street, year) for the same years (with the lapse warnings)
  figures      meetings.figures.for_period(street, 2024Q3) — what the dashboard and report read
  pages        the list, calendar, compliance and reach pages and the dashboard (all its panels),
               through the test client

and once more after seeding the meetings a second time into the same roster (every activity and
attendance row doubled). The query count must be the same at 1 and 20 communities and after the
doubling; the script exits non-zero if it is not. Times are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import client_for, measure, setup_django, table  # noqa: E402

YEARS = ("2023", "2024", "2025")


def timed(fn, runs: int) -> tuple[float, int]:
    """Median ms over `runs` calls after a warm-up, and the query count of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn()
    return statistics.median(times), len(queries)


def build(communities: int):
    from django.core.management import call_command
    from django.db import transaction

    from dangjian.demo import build as demo_build
    from dangjian.meetings import demo as meetings_demo

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        ctx = demo_build(communities=communities, apps=["orgs", "members"], log=lambda *_: None)
        started = time.perf_counter()
        meetings_demo.seed(ctx)
        seconds = time.perf_counter() - started
    return ctx, seconds


def double(ctx) -> float:
    from django.db import transaction

    from dangjian.meetings import demo as meetings_demo

    started = time.perf_counter()
    with transaction.atomic():
        meetings_demo.seed(ctx)
    return time.perf_counter() - started


def measure_all(ctx, label: str, runs: int) -> list[tuple]:
    from dangjian.lib.periods import Period
    from dangjian.meetings import compliance, figures, reach
    from dangjian.meetings.models import Activity, Attendance

    street = ctx.street
    activities, attendance = Activity.objects.count(), Attendance.objects.count()
    rows = []
    for year in YEARS:
        period = Period.parse(year)
        ms, q = timed(lambda p=period: compliance.check(street, p), runs)
        rows.append((label, activities, attendance, f"compliance {year}", f"{ms:.1f}", q))
        ms, q = timed(lambda p=period: reach.compute(street, p), runs)
        rows.append((label, activities, attendance, f"reach {year}", f"{ms:.1f}", q))
    ms, q = timed(lambda: figures.for_period(street, Period.parse("2024Q3")), runs)
    rows.append((label, activities, attendance, "figures 2024Q3", f"{ms:.1f}", q))
    client = client_for("jiedao")
    for name, url in (("page list", "/meetings/"), ("page calendar", f"/meetings/calendar/?org={street.pk}&month=2024-07"),
                      ("page compliance", f"/meetings/compliance/?org={street.pk}&period=2024"),
                      ("page reach", f"/meetings/reach/?org={street.pk}&period=2024Q3"),
                      ("page dashboard", f"/?org={street.pk}&period=2024Q3"),
                      # The detail with its quorum (未登记出席 before attendance): a committee meeting of the first community.
                      ("page detail", f"/meetings/{Activity.objects.filter(type__code='committee').order_by('pk').first().pk}/")):
        ms, q = measure(client, url, runs=runs)
        rows.append((label, activities, attendance, name, f"{ms:.1f}", q))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,20")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    setup_django("meetings")
    from django.db import connection

    print(f"数据库：{connection.vendor}")
    rows: list[tuple] = []
    seeds = []
    for n in (int(x) for x in args.scales.split(",")):
        ctx, seconds = build(n)
        seeds.append((n, f"{seconds:.1f}"))
        rows += measure_all(ctx, f"{n}个社区", args.runs)
    seconds = double(ctx)
    seeds.append((f"{n}（再加一倍）", f"{seconds:.1f}"))
    rows += measure_all(ctx, f"{n}个社区×2", args.runs)

    print("\n组织生活演示数据生成（秒）：")
    print(table(seeds, ("社区数", "meetings.seed")))
    print("\n中位时间（毫秒）与查询次数：")
    print(table(rows, ("规模", "活动", "签到行", "操作", "中位ms", "查询")))

    by_op: dict[str, set[int]] = {}
    for _, _, _, op, _, q in rows:
        by_op.setdefault(op, set()).add(q)
    grew = {op: sorted(qs) for op, qs in by_op.items() if len(qs) > 1}
    if grew:
        print(f"\n查询次数随数据量变化：{grew}")
        return 1
    print("\n每项操作的查询次数在各规模（包括活动翻倍后）都相同：查询次数不随活动数量增长。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
