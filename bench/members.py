"""Member list and dashboard at 1 and 20 communities (≈125 and ≈2,500 members).

Prints median server time and query count per page; the query count must be the same at
both scales. Run: python bench/members.py [--runs 15]
"""

import argparse

from _harness import client_for, fresh_database, measure, setup_django, table

PAGES = [
    ("党员名册 (社区书记)", "shuji", "/members/"),
    ("党员名册 搜索 zs", "shuji", "/members/?q=zs"),
    ("党员名册 (街道, 全部)", "jiedao", "/members/"),
    ("党员名册 2023Q3在册 (图表链接)", "shuji", "/members/?period=2023Q3"),
    ("党员名册 2023Q3预备党员", "shuji", "/members/?period=2023Q3&status=%E9%A2%84%E5%A4%87"),
    ("首页 (社区书记)", "shuji", "/"),
    ("首页 2023Q3 (社区书记)", "shuji", "/?period=2023Q3"),
    ("首页 (街道)", "jiedao", "/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django("members")
    from dangjian.members.models import Member

    results = {}
    for n in (1, 20):
        built = fresh_database(n, apps=["orgs", "members"])
        members = Member.objects.current().count()
        print(f"{n} 个社区: {members} 名党员, 生成用时 {built:.1f}s")
        for label, user, url in PAGES:
            results[(label, n)] = measure(client_for(user), url, args.runs)
    rows = []
    for label, _, _ in PAGES:
        (t1, q1), (t20, q20) = results[(label, 1)], results[(label, 20)]
        rows.append((label, f"{t1:.1f}", q1, f"{t20:.1f}", q20, "same" if q1 == q20 else "GROWS"))
    print()
    print(table(rows, ("page", "ms@1", "queries@1", "ms@20", "queries@20", "query count")))
    if any(r[-1] == "GROWS" for r in rows):
        raise SystemExit("query count grows with the data")


if __name__ == "__main__":
    main()
