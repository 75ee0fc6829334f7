"""Street size against city size on PostgreSQL: the pages and commands people use, side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        python bench/scale.py [--street-db dj_bench_street] [--city-db dj_city] [--runs 15] [--budget 8] [--json]

For every page of dangjian/testing/pages.py (the same list the query-count test pins) it prints the
median and p95 server time (ms, Django's test client, force_login as the community secretary, the
street admin or the district admin, resolved by role from each database) and the query count, at
street size (~2,500 members: `dangjian demo --communities 20`) and at city size (~50,000 members,
1,000,000 residents: the shared `dj_city`), and city/street per row; then the EXPLAIN (ANALYZE) of
the resident searches' SQL as the search page runs it, at the widest level.

The databases are given by name on the server of DATABASE_URL. The street database is built when
missing, else migrated to this commit (its build and migrations — commit, date, command — are
written into `COMMENT ON DATABASE`, and printed with each run, as is whatever comment the city's
builder left; migrations of this commit a database lacks are listed as NOT APPLIED). Each database is measured by a
child process (no cache carries over from one to the other) inside one transaction that is rolled
back at the end, with `last_login` left alone: nothing is written into a shared database; any
statement a page would have written is listed under "writes (rolled back)". The machine's noise: a
fixed CPU loop before and after the run (ratio after/before), and each row's p95 against its p50.
A missing database gives "n/a" columns, as do district rows where the database has no district.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import cpu_loop, table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# The PII key of the databases this script builds: demo data only. A database built with another
# key still benches; its ID search then uses an ID nobody has (marked "miss").
BENCH_PII_KEY = "dangjian-bench-demo"
SIZES = ("street", "city")
SIZE_LABELS = {"street": "街道规模", "city": "全市规模"}


def db_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/scale.py 只在 PostgreSQL 上运行：DATABASE_URL=postgres://…")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_sql(sql: str, *params, fetch: bool = False):
    import psycopg

    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if fetch else None


def db_exists(name: str) -> bool:
    return bool(_admin_sql("SELECT 1 FROM pg_database WHERE datname = %s", name, fetch=True))


def git_commit(where: Path = ROOT) -> str:
    def git(*a):
        return subprocess.run(["git", "-C", str(where), *a], capture_output=True, text=True).stdout.strip()

    dirty = " +uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{git('rev-parse', '--short', 'HEAD')} ({git('log', '-1', '--format=%cI')}){dirty}"


def build_street(name: str, communities: int) -> None:
    """Create the street database with the demo and write how it was built into its comment."""
    from psycopg import sql as pgsql

    command = ["demo", "--communities", str(communities), "--no-serve"]
    print(f"建立街道规模数据库 {name}：dangjian {' '.join(command)} …", file=sys.stderr)
    _admin_sql(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)).as_string(None))
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url(name), "DANGJIAN_PII_KEY": BENCH_PII_KEY,
           "DANGJIAN_DATA_DIR": tempfile.mkdtemp(prefix="dangjian-scale-build-")}
    subprocess.run([sys.executable, "-m", "dangjian.cli", *command], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL)
    note = (f"dangjian {' '.join(command)} at commit {git_commit()}, built {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
            f"in {time.monotonic() - started:.0f}s, DANGJIAN_PII_KEY={BENCH_PII_KEY} (bench/scale.py)")
    _admin_sql(pgsql.SQL("COMMENT ON DATABASE {} IS {}").format(pgsql.Identifier(name), pgsql.Literal(note))
               .as_string(None))


def migrate_street(name: str) -> None:
    """Bring the bench's own street database up to this commit's schema (a no-op when it is);
    what was applied is added to its comment."""
    from psycopg import sql as pgsql

    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url(name), "DANGJIAN_PII_KEY": BENCH_PII_KEY,
           "DANGJIAN_DATA_DIR": tempfile.mkdtemp(prefix="dangjian-scale-migrate-")}
    done = subprocess.run([sys.executable, "-m", "django", "migrate", "--settings=dangjian.settings"], check=True,
                          cwd=ROOT, env=env, capture_output=True, text=True)
    applied = [line.split()[1] for line in done.stdout.splitlines() if line.strip().startswith("Applying")]
    if applied:
        old = _admin_sql("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", name,
                         fetch=True)[0][0] or ""
        note = f"{old}; migrated at commit {git_commit()} ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC): {', '.join(applied)}"
        _admin_sql(pgsql.SQL("COMMENT ON DATABASE {} IS {}").format(pgsql.Identifier(name), pgsql.Literal(note))
                   .as_string(None))


# ------------------------------------------------------------------------------------------------
# The child: one database, every page


def measure_database(name: str, runs: int, budget: float, only: list[str]) -> dict:
    os.environ["DATABASE_URL"] = db_url(name)
    os.environ.setdefault("DANGJIAN_PII_KEY", BENCH_PII_KEY)
    from _harness import client_for, setup_django, time_call

    setup_django(f"scale-{name}")
    from _harness import pages
    from django.contrib.auth import user_logged_in
    from django.db import connection, transaction

    PAGES, resolve_targets, runner = pages().PAGES, pages().resolve_targets, pages().runner

    # force_login would stamp last_login on a shared account (a row lock others wait on); the
    # session row it adds goes with the rollback.
    user_logged_in.disconnect(dispatch_uid="update_last_login")
    out: dict = {"db": name, "pages": {}, "writes": [], "explain": []}
    with transaction.atomic():
        out["info"] = database_info()
        targets = resolve_targets()
        out["targets"] = {
            "levels": {level: (f"{org.name} ({org.code}) · {user.username}" if org and user else None)
                       for level, (org, user) in ((lv, targets.at(lv)) for lv in ("community", "street", "district"))},
            "year": str(targets.year), "quarter": str(targets.quarter), "member_q": targets.member_q,
            "resident_id": "hit" if targets.resident_id_hit else "miss (ID not readable with this PII key)",
            "resident_pinyin": targets.resident_pinyin, "resident_tail": targets.resident_tail,
        }
        for page in PAGES:
            if only and not any(page.key.startswith(o) for o in only):
                continue
            fn = runner(page, targets, client_for)
            if fn is None:
                out["pages"][page.key] = None
                continue
            try:
                with transaction.atomic():
                    t = time_call(fn, runs, budget)
            except Exception as exc:  # noqa: BLE001 — a page that fails is a row that says so
                out["pages"][page.key] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
                continue
            out["pages"][page.key] = {"p50": round(t.median, 1), "p95": round(t.p95, 1), "queries": t.queries,
                                      "runs": t.runs, "url": getattr(fn, "url", None)}
            out["writes"] += [f"{page.key}: {s[:120]}" for s in t.sql
                              if s.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE")]
            if page.key.startswith("resident_"):
                out["explain"].append(explain(page, t.sql, hide=targets.resident_id))
        transaction.set_rollback(True)
    connection.close()
    return out


def explain(page, sql: list[str], hide: str) -> dict:
    """The plans (bench/search.py's EXPLAIN (ANALYZE, BUFFERS), and the indexes each names) of the
    statements a resident search page runs on the residents; the ID searched for is masked."""
    from search import explain_sql

    masked = hide[:4] + "*" * (len(hide) - 8) + hide[-4:]
    plans = []
    for statement in sql:
        if 'FROM "grid_resident"' in statement.split(" WHERE ", 1)[0]:
            e = explain_sql(statement)
            plans.append({"sql": statement.replace(hide, masked), "indexes": e["indexes"],
                          "plan": e["plan"].replace(hide, masked).splitlines()})
    return {"key": page.key, "title": page.title, "plans": plans}


def database_info() -> dict:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from dangjian.grid.models import Resident
    from dangjian.members.models import Member
    from dangjian.orgs.models import COMMUNITY_KINDS, Org, OrgKind

    executor = MigrationExecutor(connection)
    pending = [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]
    with connection.cursor() as cur:
        cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()")
        comment = cur.fetchone()[0]
        cur.execute("SELECT max(applied) FROM django_migrations")
        migrated = cur.fetchone()[0]
    kinds = {k: Org.objects.filter(kind=k).count() for k in (OrgKind.STREET, *COMMUNITY_KINDS)}
    return {
        "built": comment or "unknown (no comment on the database)",
        "last_migration_applied": f"{migrated:%Y-%m-%d %H:%M} UTC" if migrated else None,
        "pending_migrations": pending,  # this commit's migrations the database lacks (its indexes, say)
        "streets": kinds[OrgKind.STREET], "communities": sum(kinds[k] for k in COMMUNITY_KINDS),
        "members": Member.objects.current().count(), "residents": Resident.objects.current().count(),
    }


# ------------------------------------------------------------------------------------------------
# The parent: both sizes, side by side


def run_child(name: str, args) -> dict:
    command = [sys.executable, __file__, "--child", name, "--runs", str(args.runs), "--budget", str(args.budget)]
    if args.only:
        command += ["--only", args.only]
    code = str(Path(args.code).resolve()) if args.code else str(ROOT)
    done = subprocess.run(command, capture_output=True, text=True, cwd=code,
                          env={**os.environ, "PYTHONPATH": code, "DANGJIAN_BENCH_CODE": code})
    if done.returncode != 0:  # e.g. a database still being built: its columns say n/a, with why
        lines = [x for x in done.stderr.strip().splitlines() if x.strip()]
        print(f"测量 {name} 失败 (failed):\n{done.stderr[-2000:]}", file=sys.stderr)
        return {"db": name, "failed": lines[-1] if lines else f"exit {done.returncode}", "pages": {}, "explain": []}
    return json.loads(done.stdout)


def fmt(x, digits=0) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def rows_of(result: dict) -> list[dict]:
    from _harness import pages

    PAGES = pages().PAGES

    rows = []
    present = [r for r in result["sizes"].values() if r and not r.get("failed")]
    for page in PAGES:
        if present and all(page.key not in r["pages"] for r in present):
            continue  # left out by --only
        cells = {s: (result["sizes"][s] or {}).get("pages", {}).get(page.key) for s in SIZES}
        row = {"key": page.key, "page": page.title, "level": page.level, "owner": page.owner, **cells}
        street, city = (cells[s] if cells[s] and "error" not in cells[s] else None for s in SIZES)
        row["ratio_p50"] = round(city["p50"] / street["p50"], 2) if street and city else None
        row["queries_same"] = (street["queries"] == city["queries"]) if street and city else None
        rows.append(row)
    return rows


def print_text(result: dict) -> None:
    m, n = result["machine"], result["noise"]
    print(f"bench/scale.py · {result['started']} · 代码 commit {result['commit']}")
    print(f"机器 machine: {m['cpus']} 核 {m['platform']}, Python {m['python']}, PostgreSQL {m['postgres']}; "
          f"负载 load avg 前 before {m['load_before']} / 后 after {m['load_after']}")
    print(f"噪声 noise: 固定 CPU 循环 fixed CPU loop {n['before_ms']} ms 前 before, {n['after_ms']} ms 后 after "
          f"(后/前 after/before = {n['ratio']}); 各 5 次最慢/最快 spread {n['before_spread']} / {n['after_spread']}")
    print(f"每页 each page: 预热 1 次后测 {result['runs']} 次（单页超过 {result['budget']} 秒则至少 3 次）"
          f" — 1 warm-up, then {result['runs']} runs (at least 3 when a page passes {result['budget']} s)")
    for s in SIZES:
        r = result["sizes"][s]
        if r is None:
            print(f"{SIZE_LABELS[s]} {s}: {result['db_names'][s] or '—'} 不存在或未指定 (missing) — n/a")
            continue
        if r.get("failed"):
            print(f"{SIZE_LABELS[s]} {s}: {r['db']} 无法测量 (failed) — n/a: {r['failed']}")
            continue
        i = r["info"]
        print(f"{SIZE_LABELS[s]} {s}: {r['db']} — {i['streets']} 街道 streets, {i['communities']} 社区 communities, "
              f"{i['members']} 党员 members, {i['residents']} 居民 residents")
        print(f"    built: {i['built']}; last migration applied {i['last_migration_applied']}")
        if i["pending_migrations"]:
            print(f"    NOT APPLIED here (this commit's schema differs): {', '.join(i['pending_migrations'])}")
        t = r["targets"]
        print(f"    users: {t['levels']}; year {t['year']}, quarter {t['quarter']}, member q={t['member_q']}, "
              f"resident pinyin={t['resident_pinyin']}, tail={t['resident_tail']}, ID {t['resident_id']}")
    rows = []
    for row in result["rows"]:
        line = [row["page"]]
        for s in SIZES:
            c = row[s]
            if c is None:
                line += ["n/a"] * 3
            elif "error" in c:
                line += ["error", "", ""]
            else:
                line += [fmt(c["p50"], 1), fmt(c["p95"], 1), str(c["queries"])]
        same = {True: "same", False: "GROWS", None: ""}[row["queries_same"]]
        line += [fmt(row["ratio_p50"], 2), same]
        rows.append(tuple(line))
    print()
    print(table(rows, ("page 页面", "street p50", "p95", "queries", "city p50", "p95", "queries",
                       "city/street", "query count")))
    errors = [(row["page"], s, row[s]["error"]) for row in result["rows"] for s in SIZES
              if row[s] and "error" in row[s]]
    for page, s, error in errors:
        print(f"error {s} · {page}: {error}")
    for s in SIZES:
        r = result["sizes"][s]
        if r and r.get("writes"):
            print(f"\nwrites (rolled back) at {s} size: " + "; ".join(r["writes"][:10]))
    size = "city" if (result["sizes"]["city"] or {}).get("explain") else "street"
    explains = (result["sizes"][size] or {}).get("explain", [])
    wanted = [e for e in explains if e["key"].endswith("@district")] or explains
    if wanted:
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the resident search SQL ({size} size, {result['db_names'][size]}):")
    for e in wanted:
        for p in e["plans"]:
            print(f"\n-- {e['title']} · indexes used: {', '.join(p['indexes']) or 'none'}\n{short_sql(p['sql'])}")
            print("\n".join("   " + line for line in p["plan"]))


def compare(before_path: str, after_path: str) -> None:
    """A Markdown table (the README's) of two `--json` runs: p50 ms and queries per page, street and
    city, before → after, with each run's commit, load average and CPU-loop noise."""
    before, after = (json.loads(Path(p).read_text()) for p in (before_path, after_path))
    for name, r in (("before", before), ("after", after)):
        m, n = r["machine"], r["noise"]
        print(f"- {name}: commit {r['commit']}, {r['started']}; load avg {m['load_before']} → {m['load_after']}; "
              f"CPU loop {n['before_ms']} → {n['after_ms']} ms (×{n['ratio']})")
    print()
    print("| 页面 page | 街道 street p50 ms (queries) before → after | 全市 city p50 ms (queries) before → after |")
    print("|---|---|---|")
    old = {row["key"]: row for row in before["rows"]}

    def cell(c) -> str:
        if c is None:
            return "n/a"
        return "error" if "error" in c else f"{c['p50']:,.0f} ({c['queries']})"

    for row in after["rows"]:
        was = old.get(row["key"], {})
        print(f"| {row['page']} | " + " | ".join(f"{cell(was.get(s))} → **{cell(row[s])}**" for s in SIZES) + " |")


def short_sql(sql: str) -> str:
    """The statement with its column list elided (the JSON keeps it whole)."""
    head, sep, rest = sql.partition(" FROM ")
    return (head if len(head) < 80 else head[:head.index(" ", 7)] + " …") + sep + rest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--street-db", default="dj_bench_street", help="街道规模数据库名（不存在则生成）")
    parser.add_argument("--city-db", default="dj_city", help="全市规模数据库名（只读；空字符串则不测）")
    parser.add_argument("--communities", type=int, default=20, help="生成街道规模数据库时的社区数")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--budget", type=float, default=8.0, help="单页计时的秒数上限（至少测 3 次）")
    parser.add_argument("--only", default="", help="只测这些页面（key 前缀，逗号分隔，如 dashboard,resident_）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.add_argument("--code", default="",
                        help="测另一个检出目录的代码（如较早提交的 git worktree，得“优化前”数字）；页面清单与数据库不变")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE.json", "AFTER.json"),
                        help="不测量：把两次 --json 的结果并排成 Markdown 表（README 用）")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return 0
    only = [o for o in args.only.split(",") if o]
    if args.child:
        print(json.dumps(measure_database(args.child, args.runs, args.budget, only), ensure_ascii=False, default=str))
        return 0

    import psycopg

    started = datetime.now(UTC)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    before = cpu_loop()
    names = {"street": args.street_db, "city": args.city_db}
    if not db_exists(names["street"]):
        build_street(names["street"], args.communities)
    else:
        migrate_street(names["street"])
    sizes = {s: (run_child(names[s], args) if names[s] and db_exists(names[s]) else None) for s in SIZES}
    after = cpu_loop()
    with psycopg.connect(db_url("postgres")) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    result = {
        "started": f"{started:%Y-%m-%d %H:%M} UTC", "commit": git_commit(Path(args.code) if args.code else ROOT), "runs": args.runs, "budget": args.budget,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(terse=True), "python": platform.python_version(),
                    "postgres": postgres, "load_before": load_before,
                    "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg())},
        "noise": {"before_ms": round(before.median, 1), "after_ms": round(after.median, 1),
                  "ratio": round(after.median / before.median, 2),
                  "before_spread": round(before.spread, 2), "after_spread": round(after.spread, 2)},
        "db_names": names, "sizes": sizes,
    }
    sys.path.insert(0, str(ROOT))
    result["rows"] = rows_of(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    else:
        print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
