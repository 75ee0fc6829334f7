"""Plans pages, the ledger export and `remind` at 1 and 20 communities.

Prints median server time and query count per page; the query count must be the same at both
scales. Run: python bench/plans.py [--runs 15]
"""

import argparse
import time

from _harness import client_for, fresh_database, measure, setup_django, table

PAGES = [
    ("工作计划 (社区书记)", "shuji", "/plans/"),
    ("工作计划 (街道)", "jiedao", "/plans/"),
    ("到期与逾期 (街道)", "jiedao", "/plans/due/"),
    ("问题整改台账 2023 (社区书记)", "shuji", "/plans/problems/?period=2023"),
    ("问题整改台账 当年 (街道)", "jiedao", "/plans/problems/"),
    ("台账导出 xlsx (街道)", "jiedao", "/plans/problems/export/"),
    ("我的提醒 (社区书记)", "shuji", "/plans/notifications/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django("plans")
    from dangjian.plans import reminders
    from dangjian.plans.models import PlanItem, Problem

    results, remind = {}, {}
    for n in (1, 20):
        built = fresh_database(n, apps=["orgs", "members", "plans"])
        print(f"{n} 个社区: {PlanItem.objects.count()} 个计划事项, {Problem.objects.count()} 个问题, 生成用时 {built:.1f}s")
        for label, user, url in PAGES:
            results[(label, n)] = measure(client_for(user), url, args.runs)
        started = time.perf_counter()
        reminders.run()
        remind[n] = (time.perf_counter() - started) * 1000
    rows = []
    for label, _, _ in PAGES:
        (t1, q1), (t20, q20) = results[(label, 1)], results[(label, 20)]
        rows.append((label, f"{t1:.1f}", q1, f"{t20:.1f}", q20, "same" if q1 == q20 else "GROWS"))
    print()
    print(table(rows, ("page", "ms@1", "queries@1", "ms@20", "queries@20", "query count")))
    print(f"\nremind (second run of the day): {remind[1]:.1f} ms @1, {remind[20]:.1f} ms @20")
    if any(r[-1] == "GROWS" for r in rows):
        raise SystemExit("query count grows with the data")


if __name__ == "__main__":
    main()
