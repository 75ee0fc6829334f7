"""Recruitment: the board, the dashboard (with its panel) and the export at 1 and 10 communities,
and the figures they read. The query count must be the same at both scales.
Run: python bench/recruitment.py [--runs 5]
"""

import argparse
import json

from _harness import client_for, fresh_database, measure, setup_django, table

PAGES = [
    ("发展党员工作台 (社区书记)", "shuji", "/recruitment/"),
    ("发展党员工作台 (街道)", "jiedao", "/recruitment/"),
    ("工作台导出 xlsx (街道)", "jiedao", "/recruitment/export/"),
    ("首页仪表盘 (街道)", "jiedao", "/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django("recruitment")
    from django.utils import timezone

    from dangjian.lib.periods import Period
    from dangjian.orgs.models import Org
    from dangjian.recruitment import figures
    from dangjian.recruitment.models import Applicant, Step

    results = {}
    for n in (1, 10):
        built = fresh_database(n, apps=["orgs", "members", "recruitment"])
        print(f"{n} 个社区: {Applicant.objects.count()} 人, {Step.objects.count()} 个步骤, 生成用时 {built:.1f}s")
        for label, user, url in PAGES:
            results[(label, n)] = measure(client_for(user), url, args.runs)
        street = Org.objects.get(parent__isnull=True)
        f = figures.for_period(street, Period.of(timezone.localdate(), "quarter"))
        print(json.dumps({k: v for k, v in f.as_json().items() if k != "people"}, ensure_ascii=False))
    rows = []
    for label, _, _ in PAGES:
        (t1, q1), (t10, q10) = results[(label, 1)], results[(label, 10)]
        rows.append((label, f"{t1:.1f}", q1, f"{t10:.1f}", q10, "same" if q1 == q10 else "GROWS"))
    print()
    print(table(rows, ("page", "ms@1", "queries@1", "ms@10", "queries@10", "query count")))
    if any(r[-1] == "GROWS" for r in rows):
        raise SystemExit("query count grows with the data")


if __name__ == "__main__":
    main()
