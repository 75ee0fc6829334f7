"""Resident and member search, the resident register and survey progress, on an existing database.

Prints, per page: median and p95 server time (ms), the query count, how many rows it found, and
with --explain the plan of each SQL statement the page runs on the searched table
(`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, `EXPLAIN QUERY PLAN` on SQLite) with the indexes it
uses. It builds nothing: point it at a demo or city database, with the data folder whose PII key
sealed it (otherwise the whole-ID search still runs, but finds nobody).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_city DANGJIAN_DATA_DIR=… \\
        python bench/search.py [--runs 15] [--explain] [--json] [--only resident]

`bench/scale.py` may import `cases()`, `measure_case()`, `explain_page()` and `plan_indexes()`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The tables a search reads; a page's statements on these are the ones explained.
SEARCHED_TABLES = ('"grid_resident"', '"members_member"', '"grid_household"', '"grid_visit"')


@dataclass
class Case:
    label: str
    url: str
    username: str
    kind: str = ""  # id, name, initials, pinyin, tail, list, progress, …


@dataclass
class Result:
    label: str
    url: str
    username: str
    median_ms: float
    p95_ms: float
    queries: int
    found: int | None
    plans: list[dict] = field(default_factory=list)


def setup() -> None:
    """Django against DATABASE_URL (or the default SQLite) and the data folder as given."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ["AXES_ENABLED"] = "False"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then keeps each page's context (rows found)


def _first(role, **filters):
    from dangjian.orgs.models import RoleAssignment

    ra = (RoleAssignment.objects.filter(role=role, user__is_active=True, **filters)
          .select_related("user", "org").order_by("org__path", "user_id").first())
    return (ra.org, ra.user) if ra else (None, None)


def _readable_id(residents) -> str | None:
    """A whole ID number of one of these residents, if this process holds the key that sealed it."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from dangjian.lib.crypto import blind_index, decrypt

    rows = residents.exclude(id_number="").annotate(raw=Cast("id_number", TextField())).values_list("raw", "id_hash")
    for raw, id_hash in rows.order_by("pk")[:5]:
        try:
            number = decrypt(raw)
        except ValueError:
            return None
        if blind_index(number) == id_hash:
            return number
    return None


def cases(db_info: dict | None = None) -> list[Case]:
    """The pages to time, resolved from the database by role (never by a demo username): the
    secretary of the first community by org path, the street admin above it, a grid worker of
    that community, and a superuser for the whole deployment. The search words are those of one
    resident and one member of that community, so every level's search finds them.
    `db_info` may name users instead: {"community": username, "street": …, "worker": …, "top": …}."""
    from django.contrib.auth import get_user_model

    from dangjian.grid.models import Campaign, GridAssignment, Resident
    from dangjian.members.models import Member
    from dangjian.orgs.models import Role

    db_info = db_info or {}
    community, secretary = _first(Role.COMMUNITY_SECRETARY)
    if community is None:
        raise LookupError("数据库中没有社区书记账号（先生成演示数据）")
    street = community.parent
    while street is not None and street.kind != "street":
        street = street.parent
    _, street_admin = _first(Role.STREET_ADMIN, org=street) if street else (None, None)
    assignment = (GridAssignment.objects.filter(grid__community=community, ended_on__isnull=True, user__is_active=True)
                  .select_related("user", "grid").order_by("grid__sort", "grid_id", "pk").first())
    top = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    users = {"community": secretary.username,
             "street": street_admin.username if street_admin else None,
             "worker": assignment.user.username if assignment else None,
             "top": top.username if top else None}
    users.update({k: v for k, v in db_info.items() if v})

    residents = Resident.objects.current().filter(household__grid=assignment.grid if assignment else None)
    if not residents.exists():
        residents = Resident.objects.current().filter(household__grid__community=community)
    someone = residents.exclude(phone_tail="").exclude(name_pinyin="").order_by("pk").first()
    whole_id = _readable_id(residents) or "11010519491231002X"  # a miss still walks the same index
    member = Member.objects.current().filter(org__path__startswith=community.path).order_by("pk").first()
    campaign = Campaign.objects.filter(community=community).order_by("-starts_on", "-pk").first()

    words = [("id", "身份证号", whole_id), ("name", "姓名", someone.name),
             ("initials", "拼音首字母", someone.name_initials), ("pinyin", "全拼", someone.name_pinyin),
             ("tail", "手机尾号", someone.phone_tail)]
    out: list[Case] = []
    levels = [("worker", "网格员"), ("community", "社区书记"), ("street", "街道管理员"), ("top", "全区（超级管理员）")]
    for level, title in levels:
        if not users.get(level):
            continue
        out.append(Case(f"居民名册 · {title}", "/grid/residents/", users[level], "list"))
        for kind, label, word in words:
            out.append(Case(f"居民搜索 {label} · {title}", "/grid/residents/?" + urlencode({"q": word}), users[level], kind))
    for level, title in levels[1:]:
        if not users.get(level):
            continue
        out.append(Case(f"党员名册 · {title}", "/members/", users[level], "members"))
        if member is not None:
            for kind, label, word in [("initials", "拼音首字母", member.name_initials[:2]), ("name", "姓名", member.name),
                                      ("tail", "手机尾号", member.phone_tail)]:
                out.append(Case(f"党员搜索 {label} · {title}", "/members/?" + urlencode({"q": word}), users[level], kind))
    if campaign is not None:
        out.append(Case("摸排进度 · 社区书记", f"/grid/campaigns/{campaign.pk}/", users["community"], "progress"))
        out.append(Case("未完成住户 · 社区书记", f"/grid/campaigns/{campaign.pk}/pending/", users["community"], "progress"))
        if users.get("worker"):
            out.append(Case("摸排进度 · 网格员", f"/grid/campaigns/{campaign.pk}/", users["worker"], "progress"))
    out.append(Case("网格首页 · 社区书记", "/grid/", users["community"], "progress"))
    return out


def _client(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _found(response) -> int | None:
    context = response.context
    if context is None:
        return None
    if "total" in context:
        return context["total"]
    page = context.get("page") if hasattr(context, "get") else None
    return page.paginator.count if page is not None and hasattr(page, "paginator") else None


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure_case(case: Case, runs: int = 15, explain: bool = False) -> Result:
    """One warm-up, `runs` timed GETs, one more counting (and, with `explain`, explaining) its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(case.username)
    response = client.get(case.url)
    assert response.status_code == 200, (case.url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(case.url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(case.url)
    plans = [explain_sql(q["sql"]) for q in captured.captured_queries if _searched(q["sql"])] if explain else []
    return Result(case.label, case.url, case.username, statistics.median(times), p95(times), len(captured),
                  _found(response), plans)


def _searched(sql: str) -> bool:
    head = sql.split(" WHERE ", 1)[0]
    return sql.lstrip().upper().startswith("SELECT") and any(f"FROM {t}" in head for t in SEARCHED_TABLES)


def explain_sql(sql: str) -> dict:
    """The plan of one statement as the page ran it, and the indexes the plan names."""
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    plan = "\n".join(str(r[0]) if len(r) == 1 else " ".join(str(x) for x in r) for r in rows)
    return {"sql": sql, "plan": plan, "indexes": plan_indexes(plan)}


def explain_page(url: str, username: str) -> list[dict]:
    """The plans of a page's statements on the searched tables (for bench/scale.py)."""
    return measure_case(Case(url, url, username), runs=1, explain=True).plans


_INDEX = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on|USING (?:COVERING )?INDEX) (\S+)")


def plan_indexes(plan: str) -> list[str]:
    """Index names a plan uses (PostgreSQL or SQLite wording), in order, without repeats."""
    return list(dict.fromkeys(_INDEX.findall(plan)))


def _scans(plan: str) -> list[str]:
    return sorted({m for m in re.findall(r"Seq Scan on (\S+)|SCAN (\w+)(?! USING)", plan) for m in m if m})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="print the plan of each search statement")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", default="", help="only pages whose label or URL contains this")
    args = parser.parse_args()
    setup()
    from django.db import connection

    from dangjian.grid.models import Resident
    from dangjian.members.models import Member

    size = {"vendor": connection.vendor, "database": connection.settings_dict["NAME"],
            "residents": Resident.objects.count(), "members": Member.objects.current().count()}
    results = [measure_case(c, args.runs, args.explain or args.json) for c in cases()
               if args.only in c.label or args.only in c.url]
    if args.json:
        print(json.dumps({"size": size, "pages": [asdict(r) for r in results]}, ensure_ascii=False, indent=1))
        return
    print(f"{size['vendor']} {size['database']}: {size['residents']} 居民, {size['members']} 党员")
    width = max(len(r.label) for r in results) + 2
    print(f"{'page':<{width}}{'median':>8}{'p95':>8}{'queries':>9}{'found':>8}  user")
    for r in results:
        found = "" if r.found is None else r.found
        print(f"{r.label:<{width}}{r.median_ms:8.1f}{r.p95_ms:8.1f}{r.queries:9}{found!s:>8}  {r.username}")
    if args.explain:
        for r in results:
            print(f"\n== {r.label}  {r.url}")
            for p in r.plans:
                print(f"-- indexes: {', '.join(p['indexes']) or '(none)'}; full scans: {', '.join(_scans(p['plan'])) or '(none)'}")
                print(p["sql"][:600])
                print(p["plan"])


if __name__ == "__main__":
    main()
