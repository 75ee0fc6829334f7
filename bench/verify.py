"""The invariant checker (`dangjian verify`, the report's 自检) at two scales: median time and query count.

    python bench/verify.py [--scales 1,3] [--runs 3]

For each scale (number of demo communities) a fresh database gets the whole demo; then, for the
street and for one community, `reports.invariants.check(org, quarter)` (every app's figures for
that org and the relations between them) for the last full quarter, and the pages whose figures it
checks. A single org's check must take the same number of queries at every scale (the script exits
non-zero if it does not); `--below` (every org of the street) grows with the number of orgs only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import client_for, fresh_database, measure, setup_django, table  # noqa: E402


def timed(fn, runs: int) -> tuple[float, int]:
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,3")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_django("verify")
    from django.db import connection
    from django.utils import timezone

    from dangjian.lib.periods import Period
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org, OrgKind
    from dangjian.reports import invariants

    print(f"数据库：{connection.vendor}")
    quarter = Period.of(timezone.localdate(), "quarter").previous()
    rows, by_op = [], {}
    for n in (int(x) for x in args.scales.split(",")):
        seconds = fresh_database(n)
        street = Org.objects.get(kind=OrgKind.STREET)
        community = Org.objects.get(code="XH01")
        orgs, members = Org.objects.count(), Member.objects.count()
        print(f"{n} 个社区：{orgs} 个组织，{members} 名党员；演示数据用时 {seconds:.0f}s")
        found = invariants.check(street, quarter, below=True)
        print(f"  verify --org {street.name} --period {quarter} 及其下全部组织：{len(found)} 处不成立")
        ops = [
            (f"check(街道, {quarter})", lambda s=street: invariants.check(s, quarter)),
            (f"check(社区, {quarter})", lambda c=community: invariants.check(c, quarter)),
        ]
        for label, fn in ops:
            ms, q = timed(fn, args.runs)
            rows.append((f"{n}个社区", label, f"{ms:.0f}", q))
            by_op.setdefault(label, set()).add(q)
        ms, q = timed(lambda s=street: invariants.check(s, quarter, below=True), 1)
        rows.append((f"{n}个社区", f"check(街道, {quarter}, below=True)（{orgs}个组织）", f"{ms:.0f}", q))
        client = client_for("jiedao")
        for label, url in (("page dashboard 街道", f"/?org={street.pk}&period={quarter}"),
                           ("page dues 应交名单 街道", f"/dues/?org={street.pk}&period={quarter}")):
            ms, q = measure(client, url, runs=args.runs)
            rows.append((f"{n}个社区", label, f"{ms:.0f}", q))
            by_op.setdefault(label, set()).add(q)
    print("\n中位时间（毫秒）与查询次数：")
    print(table(rows, ("规模", "操作", "中位ms", "查询")))
    grew = {op: sorted(qs) for op, qs in by_op.items() if len(qs) > 1}
    if grew:
        print(f"\n查询次数随数据量变化：{grew}")
        return 1
    print("\n单个组织的核对与页面，查询次数在各规模相同。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
