"""Dues at 1 and 20 communities (≈125 and ≈2,500 members, every month since 2023-01 booked).

The headline: a year's summary for the whole street (dues.figures.for_period, what the
dashboard, the duty report and `dangjian dues summary` read) — median time and query count —
and the dues pages on top of it. The query count must not grow with the data. Also prints how
long the dues demo seed takes (build with dues minus build without).

Run: python bench/dues.py [--runs 7]
"""

import argparse
import statistics
import time
from datetime import date

from _harness import client_for, fresh_database, measure, setup_django, table


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scales", default="1,20", help="two numbers of communities to compare")
    args = parser.parse_args()
    small, large = (int(x) for x in args.scales.split(","))
    setup_django("dues")
    from django.core.management import call_command

    from dangjian.dues.figures import for_period
    from dangjian.dues.models import DuesAllocation, DuesEntry
    from dangjian.lib.periods import Period
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org

    year = Period.parse(str(date.today().year - 1))
    results, rows = {}, []
    for n in (small, large):
        without = fresh_database(n, apps=["orgs", "members"])
        built = fresh_database(n, apps=["orgs", "members", "dues"])
        street = Org.objects.get(code="XH")
        member = DuesEntry.objects.filter(org__path__startswith=Org.objects.get(code="XH01").path).first().member
        print(f"{n} 个社区: {Member.objects.current().count()} 名党员, {DuesEntry.objects.count()} 笔账目, "
              f"{DuesAllocation.objects.count()} 条分配; 党费演示数据用时约 {built - without:.1f}s")
        f = for_period(street, year)
        print(f"  {year.label} 全街道：应交 {f.due.value} 实交 {f.paid.value} 欠交 {f.arrears.value} "
              f"按时足额率 {f.on_time_rate.value}% 预警 {f.warned.value} 告警 {f.alarmed.value}")
        checks = [
            (f"figures.for_period(街道, {year})", lambda s=street: for_period(s, year)),
            (f"dangjian dues summary --period {year} --json",
             lambda: call_command("dues_summary", org="XH", period=str(year), json=True, stdout=open("/dev/null", "w"))),
        ]
        for label, fn in checks:
            results[(label, n)] = timed(fn, args.runs)
        street_admin, worker = client_for("jiedao"), client_for("dangwu")
        pages = [
            (f"应交名单 街道 {year}", street_admin, f"/dues/?org={street.pk}&period={year}"),
            ("应交名单 社区 本月", worker, "/dues/"),
            (f"欠交名单 街道 {year}", street_admin, f"/dues/arrears/?org={street.pk}&period={year}"),
            ("党员党费明细", worker, f"/dues/member/{member.pk}/"),
            ("应交名单 街道 本月（含未到期）", street_admin, f"/dues/?org={street.pk}"),
            ("首页 街道 (含党费面板)", street_admin, "/"),
            (f"导出全年台账 街道 {year}", street_admin, f"/dues/export/?org={street.pk}&period={year}"),
        ]
        for label, client, url in pages:
            results[(label, n)] = measure(client, url, args.runs)
    for label in dict.fromkeys(k for k, _ in results):
        (t1, q1), (t20, q20) = results[(label, small)], results[(label, large)]
        rows.append((label, f"{t1:.0f}", q1, f"{t20:.0f}", q20, "same" if q1 == q20 else "GROWS"))
    print()
    print(table(rows, ("what", f"ms@{small}", f"queries@{small}", f"ms@{large}", f"queries@{large}", "query count")))
    if any(r[-1] == "GROWS" for r in rows):
        raise SystemExit("query count grows with the data")


if __name__ == "__main__":
    main()
