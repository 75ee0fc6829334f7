"""A bounded load test of `dangjian serve` on this machine (127.0.0.1 only).

    python bench/load.py --db sqlite   --users 50 --minutes 10            # one serve process (+ its worker)
    python bench/load.py --db postgres --users 50 --minutes 10            # two serve processes + a worker

It prepares its own database (SQLite: a fresh data folder with `dangjian demo --communities 20`;
PostgreSQL: the database `dj_load`, built the same way), adds --users accounts with their own
logins through the models — 社区书记 on their own community, 党务工作者 on their own 党支部, 网格员 on
their own grid — and two draft meetings for each record keeper, starts the server(s) itself, logs
every user in through the login form (CSRF token; django-axes stays on: it locks a username+IP
after AXES_FAILURE_LIMIT *failed* logins, and every login here is a correct one), and runs each
user's loop of the pages of their role with a think time between requests. Writes:

  attendance  a keeper changes marks on the sign-in sheet of one of their draft meetings
  pay         a keeper records a dues payment through the member's pay form (its one-time token)
  visit       a 网格员 records a visit of a household in the open 摸排 (the htmx button)

Each user's records are their own (disjoint orgs and grids), so what the script did can be checked
exactly afterwards against the database: the ledger entries created during the run add up to the
payments it made (and their allocations to the same sum), the attendance history has one change per
mark it changed and the marks are the last ones it set, and one visit per visit it recorded.

Printed: per request kind the count, errors, p50/p95/p99/max in ms; errors (status ≥ 400 not
expected, a write the page did not confirm, exceptions); "database is locked" found in responses and
in the server logs; the machine's load average sampled during the run. `--json` prints the same as
JSON. Times are printed, never asserted. Everything it starts is stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import html
import http.client
import ipaddress
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "dj_load"
PG_PII_KEY = "dangjian-bench-demo"  # the key of the PostgreSQL bench databases (bench/scale.py's too)
LOCKED = "database is locked"
PREFIX = "load-"  # the accounts this script adds (and checks) — never anyone else's records


# ---------------------------------------------------------------------------------------------
# Loopback only.


def loopback(host: str) -> str:
    """The address to use for `host`, which must be this machine (refuse anything else)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise SystemExit(f"load.py: cannot resolve {host!r}: {exc}") from exc
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(f"load.py: refusing {host!r} ({', '.join(sorted(addresses))}): only a loopback target is allowed")
    return "127.0.0.1" if "127.0.0.1" in addresses else sorted(addresses)[0]


# ---------------------------------------------------------------------------------------------
# The database and the accounts (in this process, through the models).


def environment(args) -> dict[str, str]:
    """The environment the demo command, the servers and this process's Django share."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    env["DANGJIAN_DATA_DIR"] = str(args.data_dir)
    env.pop("DANGJIAN_DB", None)
    for name in ("AXES_ENABLED", "AXES_FAILURE_LIMIT", "DEBUG", "DANGJIAN_TEST_FAST_HASHER"):
        env.pop(name, None)  # the server as deployed: axes on, real password hashing
    if args.db == "postgres":
        env["DATABASE_URL"] = f"{PG_SERVER}/{args.pg_name}"
        # The database outlives the data folder (--reuse starts with a new one): its PII key must
        # not be the folder's generated one, or a reused database cannot be read (demo data only).
        env.setdefault("DANGJIAN_PII_KEY", PG_PII_KEY)
    else:
        env.pop("DATABASE_URL", None)
    return env


def build_database(args, env: dict[str, str], log) -> None:
    """A fresh database with the demo street (unless --reuse and it is there already)."""
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.pg_name]).fetchone()
            if exists and args.reuse:
                log(f"reusing PostgreSQL database {args.pg_name}")
                return _migrate(env)
            conn.execute(f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{args.pg_name}"')
    elif (args.data_dir / "dangjian.sqlite3").exists():
        if args.reuse:
            log(f"reusing {args.data_dir / 'dangjian.sqlite3'}")
            return _migrate(env)
        raise SystemExit(f"load.py: {args.data_dir} already has a database; pass --reuse or another --data-dir")
    log(f"building the demo ({args.communities} communities) …")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "dangjian.cli", "demo", "--no-serve", "--communities", str(args.communities)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    log(f"demo built in {time.monotonic() - started:.0f} s")


def _migrate(env: dict[str, str]) -> None:
    """A database built by an earlier version catches up with the code's migrations."""
    subprocess.run([sys.executable, "-m", "dangjian.cli", "migrate", "--verbosity", "0"], env=env, check=True)


def django_setup(env: dict[str, str]) -> None:
    for name in ("DJANGO_SETTINGS_MODULE", "DANGJIAN_DATA_DIR", "DATABASE_URL", "DANGJIAN_PII_KEY"):
        if name in env:
            os.environ[name] = env[name]
        else:
            os.environ.pop(name, None)
    import django

    django.setup()


@dataclass
class Plan:
    """One simulated user: their account and the records they work on."""

    username: str
    password: str
    kind: str  # secretary | clerk | grid
    org_id: int
    meetings: list[int] = field(default_factory=list)
    grid_id: int | None = None


def split(users: int) -> tuple[int, int, int]:
    secretaries = max(1, users * 3 // 10)
    clerks = max(1, users * 4 // 10) if users > 1 else 0
    return secretaries, clerks, users - secretaries - clerks


def provision(users: int, log) -> list[Plan]:
    """The accounts (own login, own role on their own org or grid) and the keepers' draft meetings."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from dangjian.grid.models import Campaign, Grid, GridAssignment
    from dangjian.grid.services import campaign_create
    from dangjian.meetings.models import Activity, ActivityType
    from dangjian.meetings.services import activity_create
    from dangjian.orgs.models import Org, Role, RoleAssignment

    n_sec, n_clerk, n_grid = split(users)
    communities = list(Org.objects.communities().order_by("path"))
    branches_by_community = {c.pk: list(Org.objects.branches().filter(parent=c).order_by("sort", "pk")) for c in communities}
    # Clerks on the branches of the first communities, secretaries on the communities after them:
    # no two users keep the same members, so each write's effect is theirs alone.
    clerk_orgs, used = [], 0
    while len(clerk_orgs) < n_clerk and used < len(communities):
        clerk_orgs += branches_by_community[communities[used].pk]
        used += 1
    clerk_orgs = clerk_orgs[:n_clerk]
    secretary_orgs = communities[used:used + n_sec]
    grids = list(Grid.objects.select_related("community").order_by("community__path", "sort", "pk")[:n_grid])
    if len(clerk_orgs) < n_clerk or len(secretary_orgs) < n_sec or len(grids) < n_grid:
        raise SystemExit(f"load.py: {users} users need more communities than the database has "
                         f"({len(communities)}); build it with more --communities")
    today = timezone.localdate()
    User = get_user_model()
    meeting_type = (ActivityType.objects.filter(is_active=True, level="branch", audience="branch", needs_lecturer=False)
                    .order_by("sort", "pk").first())
    plans: list[Plan] = []
    jobs = ([("secretary", Role.COMMUNITY_SECRETARY, org) for org in secretary_orgs]
            + [("clerk", Role.PARTY_WORKER, org) for org in clerk_orgs]
            + [("grid", Role.GRID_WORKER, grid.community) for grid in grids])
    counters: dict[str, int] = defaultdict(int)
    for (kind, role, org), grid in zip(jobs, [None] * (n_sec + n_clerk) + grids, strict=True):
        counters[kind] += 1
        username = f"{PREFIX}{kind}{counters[kind]:02d}"
        password = f"{username}-Pw-2026"
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username=username, password=password,
                                                first_name=f"压测{ {'secretary': '书记', 'clerk': '党务', 'grid': '网格员'}[kind] }{counters[kind]:02d}")
            RoleAssignment.objects.filter(user=user).exclude(role=role, org=org).delete()
            RoleAssignment.objects.get_or_create(user=user, role=role, org=org)
            plan = Plan(username, password, kind, org.pk)
            if grid is not None:
                GridAssignment.objects.filter(user=user).exclude(grid=grid).delete()
                if not GridAssignment.objects.filter(user=user, grid=grid).exists():
                    GridAssignment.objects.create(grid=grid, user=user, started_on=today - timedelta(days=30))
                plan.grid_id = grid.pk
            elif meeting_type is not None:
                mine = list(Activity.objects.filter(org=org, created_by=user, status="draft").values_list("pk", flat=True))
                for i in range(len(mine), 2):
                    mine.append(activity_create(org=org, type=meeting_type, user=user, held_on=today,
                                                topic=f"压测会议{i + 1}（{username}）").pk)
                plan.meetings = mine[:2]
        plans.append(plan)
    # A 网格员 records visits in the open 摸排 of their grid: open one where the demo has none.
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    quarter_end = (quarter_start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    for grid in grids:
        if not Campaign.objects.filter(grids=grid, starts_on__lte=today, deadline__gte=today).exists():
            community_grids = Grid.objects.filter(community=grid.community)
            campaign_create(community=grid.community, name=f"{today.year}年压测摸排", grids=community_grids,
                            starts_on=quarter_start, deadline=quarter_end)
    log(f"{len(plans)} accounts: {n_sec} 社区书记, {n_clerk} 党务工作者, {n_grid} 网格员")
    return plans


def marks_before() -> dict:
    """Where the ledgers stand before the run: the rows added afterwards are the run's."""
    from django.db.models import Max, Sum

    from dangjian.dues.models import DuesEntry
    from dangjian.grid.models import Visit
    from dangjian.meetings.models import Attendance

    return {
        "entry": DuesEntry.objects.aggregate(m=Max("pk"))["m"] or 0,
        "ledger_total": DuesEntry.objects.aggregate(s=Sum("amount"))["s"] or Decimal("0"),
        "visit": Visit.objects.aggregate(m=Max("pk"))["m"] or 0,
        "attendance_history": Attendance.history.aggregate(m=Max("history_id"))["m"] or 0,
    }


def verify(before: dict, made: Made) -> dict:
    """Compare what the database holds now with what the users did."""
    from django.db.models import Sum

    from dangjian.dues.models import DuesAllocation, DuesEntry
    from dangjian.grid.models import Visit
    from dangjian.meetings.models import Attendance

    # SQLite sums decimals as floating point: compare to the cent.
    cents = lambda value: Decimal(value or 0).quantize(Decimal("0.01"))  # noqa: E731
    entries = DuesEntry.objects.filter(pk__gt=before["entry"])
    ours = entries.filter(recorded_by__username__startswith=PREFIX)
    entry_sum = cents(ours.aggregate(s=Sum("amount"))["s"])
    allocated = cents(DuesAllocation.objects.filter(entry__in=ours).aggregate(s=Sum("amount"))["s"])
    ledger_growth = cents(DuesEntry.objects.aggregate(s=Sum("amount"))["s"]) - cents(before["ledger_total"])
    history = Attendance.history.filter(history_id__gt=before["attendance_history"], history_type="~",
                                        history_user__username__startswith=PREFIX).count()
    final = dict(Attendance.objects.filter(pk__in=list(made.last_mark)).values_list("pk", "mark"))
    wrong_marks = sum(1 for pk, mark in made.last_mark.items() if final.get(pk) != mark)
    visits = Visit.objects.filter(pk__gt=before["visit"], worker__username__startswith=PREFIX).count()
    checks = {
        "payments": {"made": made.payments, "in_ledger": ours.count(), "others_in_ledger": entries.count() - ours.count()},
        "paid_sum": {"made": f"{made.paid:.2f}", "in_ledger": f"{entry_sum:.2f}", "allocated": f"{allocated:.2f}",
                     "ledger_growth": f"{ledger_growth:.2f}"},
        "attendance_changes": {"made": made.mark_changes, "in_history": history, "final_mark_differs": wrong_marks},
        "visits": {"made": made.visits, "in_ledger": visits},
    }
    checks["ok"] = (made.payments == ours.count() and made.paid == entry_sum == allocated
                    and ledger_growth == made.paid and made.mark_changes == history
                    and wrong_marks == 0 and made.visits == visits)
    return checks


# ---------------------------------------------------------------------------------------------
# The servers.


class Servers:
    """`dangjian serve` processes (and a separate `dangjian worker`), each in its own process group."""

    def __init__(self, env: dict[str, str], logdir: Path):
        self.env, self.logdir, self.procs = env, logdir, []

    def start(self, name: str, argv: list[str]) -> None:
        out = open(self.logdir / f"{name}.log", "wb")  # noqa: SIM115 — closed in stop()
        proc = subprocess.Popen([sys.executable, "-m", "dangjian.cli", *argv], env=self.env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc, out))

    def wait_ready(self, host: str, ports: list[int], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for port in ports:
            while True:
                for name, proc, _ in self.procs:
                    if proc.poll() is not None:
                        raise SystemExit(f"load.py: {name} exited ({proc.returncode}); see {self.logdir / name}.log")
                try:
                    conn = http.client.HTTPConnection(host, port, timeout=5)
                    conn.request("GET", "/login/")
                    if conn.getresponse().status == 200:
                        conn.close()
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"load.py: the server on port {port} did not answer within {timeout:.0f} s")
                time.sleep(0.5)

    def stop(self, timeout: float = 40) -> None:
        """SIGTERM (serve stops its worker child), then SIGKILL to the group of what is left."""
        for _, proc, _ in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for _, proc, out in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            out.close()
        self.procs = []

    def cpu_seconds(self) -> float:
        """CPU time the servers and their workers (children) have used so far (Linux /proc)."""
        pids = {proc.pid for _, proc, _ in self.procs}
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat.parent.name) in pids or int(fields[1]) in pids:  # fields[1]: the parent's pid
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def log_counts(self) -> dict[str, int]:
        text = "".join((self.logdir / f).read_text(errors="replace") for f in os.listdir(self.logdir) if f.endswith(".log"))
        depths = [int(n) for n in re.findall(r"Task queue depth is (\d+)", text)]  # waitress: all threads busy
        return {"database_is_locked": text.count(LOCKED), "internal_server_error": text.count("Internal Server Error"),
                "traceback": text.count("Traceback (most recent call last)"), "queue_warnings": len(depths),
                "max_queue_depth": max(depths, default=0)}


# ---------------------------------------------------------------------------------------------
# The simulated users.


class Budget:
    """The run's end: a deadline and a request cap shared by all users."""

    def __init__(self, seconds: float, max_requests: int):
        self.deadline = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def take(self) -> bool:
        if self.stop.is_set() or time.monotonic() >= self.deadline:
            return False
        with self.lock:
            if self.left <= 0:
                self.stop.set()
                return False
            self.left -= 1
            return True

    def sleep(self, seconds: float) -> bool:
        """Think; False when the run ended meanwhile."""
        return not self.stop.wait(max(0.0, min(seconds, self.deadline - time.monotonic())))


class Made:
    """What the users did, to compare with the database afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.payments, self.paid = 0, Decimal("0.00")
        self.mark_changes, self.last_mark = 0, {}
        self.visits = 0


class Stop(Exception):
    """The run's time or request budget is spent."""


class PageError(Exception):
    """A page did not answer as a working page would (recorded as an error of its kind)."""


@dataclass
class Sample:
    kind: str
    ms: float
    status: int
    error: str = ""


A = re.compile(r'href="(/[^"#]*)')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def links(body: str, pattern: str) -> list[str]:
    """The page's links that match `pattern` (a regex on the path), without repeats."""
    rx = re.compile(pattern)
    return list(dict.fromkeys(html.unescape(h) for h in A.findall(body) if rx.fullmatch(html.unescape(h).split("?")[0])))


def form_value(body: str, name: str) -> str:
    m = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', body)
    if not m:
        return ""
    v = re.search(r'value="([^"]*)"', m.group(0))
    return html.unescape(v.group(1)) if v else ""


def selected_option(body: str, name: str) -> str:
    m = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', body, re.S)
    if not m:
        return ""
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(0)) or re.search(r'<option value="([^"]+)"', m.group(0))
    return html.unescape(chosen.group(1)) if chosen else ""


def money(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.]", "", text) or "0")


class User:
    """One person at a browser: their own cookies, keep-alive connections, and their role's loop."""

    def __init__(self, plan: Plan, host: str, ports: list[int], index: int, budget: Budget, made: Made,
                 samples: list, think: float, seed: int):
        self.plan, self.host, self.ports, self.budget, self.made = plan, host, ports, budget, made
        self.samples, self.think = samples, think
        self.rng = random.Random(f"{seed}:{plan.username}")
        self.turn = index  # round-robin over the server processes, as a proxy in front of them would
        self.conns: dict[int, http.client.HTTPConnection] = {}
        self.cookies: dict[str, str] = {}
        # The public address the pages are served under (one host, whichever process answers).
        self.public = f"{host}:{ports[0]}"
        self.cache: dict[str, list[str]] = {}
        self.locked = 0

    # -- HTTP -----------------------------------------------------------------------------------

    def request(self, kind: str, method: str, path: str, data: dict | None = None, *, ok=(200,),
                htmx: bool = False, force: bool = False) -> tuple[int, dict, str]:
        """One request, timed and recorded; `force`: the page after a write, made even when the
        budget ran out meanwhile (the write's outcome is read from it)."""
        if not self.budget.take() and not force:
            raise Stop
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        headers = {"Host": self.public, "User-Agent": "dangjian-load/1", "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{self.public}"
            headers["Referer"] = f"http://{self.public}{path}"
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        status, error, text, reply_headers = 0, "", "", {}
        for attempt in (1, 2):
            reused = port in self.conns
            conn = self.conns.get(port) or http.client.HTTPConnection(self.host, port, timeout=60)
            self.conns[port] = conn
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                status, reply_headers = response.status, {k.lower(): v for k, v in response.getheaders()}
                for cookie in response.headers.get_all("Set-Cookie") or []:
                    name, _, rest = cookie.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                text = raw.decode("utf-8", errors="replace")
                if reply_headers.get("connection", "").lower() == "close":
                    conn.close()
                    self.conns.pop(port, None)
                break
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self.conns.pop(port, None)
                # A kept-alive connection the server closed meanwhile: retry once on a new one.
                if attempt == 2 or not reused or isinstance(exc, TimeoutError):
                    error = f"{type(exc).__name__}: {exc}"
                    break
        ms = (time.perf_counter() - started) * 1000
        if LOCKED in text:
            self.locked += text.count(LOCKED)
        if not error and status not in ok:
            error = f"HTTP {status} {method} {path}"
        self.samples.append(Sample(kind, ms, status, error))
        if error:
            raise PageError(error)
        return status, reply_headers, text

    def get(self, kind: str, path: str, *, force: bool = False) -> str:
        return self.request(kind, "GET", path, force=force)[2]

    def post(self, kind: str, path: str, data: dict, *, htmx: bool = False, ok=(302,)) -> tuple[int, dict, str]:
        data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        return self.request(kind, "POST", path, data, ok=ok, htmx=htmx)

    def follow(self, kind: str, headers: dict) -> str:
        location = headers.get("location", "")
        parts = urlsplit(location)
        return self.get(kind, parts.path + (f"?{parts.query}" if parts.query else ""), force=True)

    def pause(self, scale: float = 1.0) -> None:
        if not self.budget.sleep(self.rng.uniform(0.5, 1.5) * self.think * scale):
            raise Stop

    def fail(self, kind: str, text: str) -> None:
        """A write the page did not confirm: an error of its kind (no time: it is not a request)."""
        self.samples.append(Sample(kind, float("nan"), 0, text))

    # -- The day ----------------------------------------------------------------------------------

    def login(self) -> None:
        page = self.get("login", "/login/")
        token = CSRF.search(page)
        _, headers, _ = self.request("login", "POST", "/login/", {
            "csrfmiddlewaretoken": token.group(1) if token else "", "username": self.plan.username,
            "password": self.plan.password, "next": ""}, ok=(302,))
        if "/login" in headers.get("location", ""):
            raise PageError("login did not succeed")
        # Where the login leads: the dashboard, which sends a 网格员 on to their grids.
        status, headers, _ = self.request(self.dashboard_kind, "GET", headers.get("location") or "/", ok=(200, 302),
                                          force=True)
        if status == 302:
            self.follow("grid_home", headers)

    @property
    def dashboard_kind(self) -> str:
        return f"dashboard:{self.plan.kind}"

    def run(self, start_delay: float) -> None:
        try:
            if not self.budget.sleep(start_delay):
                return
            try:
                self.login()
            except PageError:
                return
            actions = ACTIONS[self.plan.kind]
            names, weights = zip(*[(a, w) for a, w in actions], strict=True)
            while True:
                action = self.rng.choices(names, weights)[0]
                try:
                    getattr(self, action)()
                except PageError:
                    pass
                self.pause()
        except Stop:
            pass
        except Exception as exc:  # noqa: BLE001 — a bug in the user's loop is reported as an error, not lost
            self.samples.append(Sample("exception", float("nan"), 0, f"{type(exc).__name__}: {exc}"))
        finally:
            for conn in self.conns.values():
                conn.close()

    # -- Reads ----------------------------------------------------------------------------------

    def dashboard(self) -> None:
        self.get(self.dashboard_kind, "/")

    def members(self) -> None:
        page = self.get("member_list", "/members/")
        found = links(page, r"/members/\d+/")
        if found:
            self.pause(0.5)
            self.get("member_detail", self.rng.choice(found))

    def member_search(self) -> None:
        self.get("member_search", "/members/?" + urlencode({"q": self.rng.choice("王李张刘陈杨赵黄周吴")}))

    def meetings(self) -> None:
        self.get("meeting_list", "/meetings/")

    def compliance(self) -> None:
        self.get("compliance", "/meetings/compliance/")

    def dues(self) -> None:
        self.get("dues_home", "/dues/")

    def arrears(self) -> None:
        self.get("dues_arrears", "/dues/arrears/")

    def entries(self) -> None:
        self.get("dues_entries", "/dues/entries/")

    def grid_home(self) -> None:
        self.get("grid_home", "/grid/")

    def grid(self) -> None:
        page = self.get("grid_detail", f"/grid/{self.plan.grid_id}/")
        self.cache["buildings"] = links(page, r"/grid/building/\d+/") or self.cache.get("buildings", [])

    def building(self) -> str:
        if not self.cache.get("buildings"):
            self.grid()
            self.pause(0.5)
        page = self.get("building_detail", self.rng.choice(self.cache["buildings"]))
        return page

    def pending(self) -> None:
        page = self.get("grid_home", "/grid/")
        found = links(page, r"/grid/campaigns/\d+/")
        if found:
            self.pause(0.5)
            self.get("campaign_pending", found[0] + "pending/?" + urlencode({"grid": self.plan.grid_id}))

    def residents(self) -> None:
        self.get("resident_search", "/grid/residents/?" + urlencode({"q": self.rng.choice("王李张刘陈杨赵黄周吴")}))

    # -- Writes ---------------------------------------------------------------------------------

    def attendance(self) -> None:
        if not self.plan.meetings:
            return
        self.get("meeting_list", "/meetings/")
        self.pause(0.5)
        pk = self.rng.choice(self.plan.meetings)
        page = self.get("meeting_detail", f"/meetings/{pk}/")
        rows = {}  # attendance row → (mark, reason) as the sheet shows them
        for sheet in re.finditer(r'<select[^>]*name="mark_(\d+)".*?</select>', page, re.S):
            mark = re.search(r'<option value="([^"]*)"[^>]*selected', sheet.group(0))
            rows[int(sheet.group(1))] = (html.unescape(mark.group(1)) if mark else "", form_value(page, f"reason_{sheet.group(1)}"))
        if not rows:
            return self.fail("attendance", f"no sign-in sheet on meeting {pk}")
        data, changed = {}, {}
        for row, (mark, reason) in rows.items():
            data[f"mark_{row}"], data[f"reason_{row}"] = mark, reason
        for row in self.rng.sample(sorted(rows), min(len(rows), self.rng.randint(1, 4))):
            new = self.rng.choice([m for m in MARKS if m != rows[row][0]])
            reason = "压测：家中有事" if new in ("病假", "事假", "公假", "缺席") else ""
            data[f"mark_{row}"], data[f"reason_{row}"] = new, reason
            if (new, reason) != rows[row]:
                changed[row] = new
        self.pause(2.0)  # marking the sheet
        _, headers, _ = self.post("attendance", f"/meetings/{pk}/attendance/", {**data, "action": "save"})
        page = self.follow("meeting_detail", headers)
        if "签到情况已保存" not in page:
            return self.fail("attendance", f"meeting {pk}: the saved message is missing")
        with self.made.lock:
            self.made.mark_changes += len(changed)
            self.made.last_mark.update(changed)

    def pay(self) -> None:
        member_links = []
        for state in ("arrears", "pending", "paid"):
            page = self.get("dues_home", "/dues/?" + urlencode({"state": state}))
            member_links = links(page, r"/dues/member/\d+/")
            if member_links:
                break
            self.pause(0.3)
        if not member_links:
            return self.fail("pay", "no member to take dues from")
        self.pause(0.5)
        page = self.get("dues_member", self.rng.choice(member_links))
        action = re.search(r'action="(/dues/member/\d+/pay/)"', page)
        if not action:
            return self.fail("pay", "no pay form on the member's page")
        owed = re.search(r'data-testid="owed">([^<]*)<', page)
        pending = re.search(r'data-testid="pending">[^<\d]*([\d,.]+)', page)
        total = (money(owed.group(1)) if owed else Decimal(0)) + (money(pending.group(1)) if pending else Decimal(0))
        # Part of what is owed (a member pays a month or a quarter); 1 元 ahead when nothing is owed.
        amount = min(total, Decimal(self.rng.randint(50, 3000)) / 100) if total > 0 else Decimal("1.00")
        data = {"paid_on": form_value(page, "paid_on"), "method": selected_option(page, "method"),
                "amount": f"{amount:.2f}", "extra": "0", "mode": "auto", "from_month": "", "to_month": "",
                "receipt_no": "", "collected_by": form_value(page, "collected_by"), "note": "压测",
                "form_token": form_value(page, "form_token"), "next": form_value(page, "next")}
        self.pause(2.0)  # filling the form in
        _, headers, _ = self.post("pay", action.group(1), data)
        page = self.follow("after_pay", headers)
        booked = re.search(r"已登记[^<]*?交纳党费([\d,.]+)元", page)
        if not booked:
            refused = re.search(r"未登记：[^<]*", page)
            return self.fail("pay", refused.group(0) if refused else "the booked message is missing")
        with self.made.lock:
            self.made.payments += 1
            self.made.paid += money(booked.group(1))

    def visit(self) -> None:
        page = self.building()
        households = links(page, r"/grid/household/\d+/")
        if not households:
            return self.fail("visit", "no household on the building's page")
        self.pause(0.5)
        path = self.rng.choice(households)
        page = self.get("household_detail", path)
        campaign = form_value(page, "campaign")
        results = re.findall(r'name="result" value="([^"]+)"', page)
        if not campaign or not results:
            return self.fail("visit", f"no open campaign on {path}")
        self.pause(0.5)
        result = self.rng.choices(results, [6 if r == "已摸排" else 1 for r in results])[0]
        _, _, text = self.post("visit", path + "visit/", {"campaign": campaign, "result": html.unescape(result)},
                               htmx=True, ok=(200,))
        if 'id="visits"' not in text:
            return self.fail("visit", f"{path}: the visits panel did not come back")
        with self.made.lock:
            self.made.visits += 1


MARKS = ["到会", "到会", "到会", "迟到", "病假", "事假", "公假", "缺席"]
ACTIONS = {
    "secretary": [("dashboard", 3), ("members", 2), ("member_search", 1), ("meetings", 1), ("compliance", 1),
                  ("dues", 1), ("arrears", 1), ("grid_home", 1), ("attendance", 2), ("pay", 1)],
    "clerk": [("dashboard", 2), ("members", 2), ("member_search", 1), ("meetings", 1), ("dues", 1),
              ("entries", 1), ("pay", 3), ("attendance", 2)],
    "grid": [("grid_home", 1), ("grid", 2), ("building", 2), ("pending", 1), ("residents", 1), ("visit", 4)],
}


# ---------------------------------------------------------------------------------------------
# The figures.


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)] if sorted_values else float("nan")


def figures(samples: list[Sample]) -> list[dict]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s)
    rows = []
    # Logging in (a slow password hash on purpose) happens once a day: the whole also without it.
    rest = [s for s in samples if s.kind != "login"]
    for kind, group in [*sorted(by_kind.items()), ("ALL but login", rest), ("ALL", samples)]:
        times = sorted(s.ms for s in group if not math.isnan(s.ms))
        rows.append({"kind": kind, "requests": len(times), "errors": sum(1 for s in group if s.error),
                     **{k: round(percentile(times, q), 1) if times else None
                        for k, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))}})
    return rows


def table(rows: list[dict]) -> str:
    headers = ("kind", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
    lines = [[r["kind"], str(r["requests"]), str(r["errors"]), *("—" if r[k] is None else f"{r[k]:.0f}" for k in ("p50", "p95", "p99", "max"))]
             for r in rows]
    widths = [max(len(x) for x in col) for col in zip(headers, *lines, strict=True)]
    fmt = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))  # noqa: E731
    return "\n".join([fmt(headers), fmt(["-" * w for w in widths]), *map(fmt, lines)])


class LoadSampler(threading.Thread):
    """The 1-minute load average every few seconds (the machine is shared)."""

    def __init__(self, every: float = 5.0):
        super().__init__(daemon=True)
        self.every, self.values, self.done = every, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.values.append(os.getloadavg()[0])
            self.done.wait(self.every)

    def summary(self) -> dict:
        v = sorted(self.values) or [float("nan")]
        return {"samples": len(self.values), "min": v[0], "median": percentile(v, 0.5), "max": v[-1],
                "cpus": os.cpu_count()}


# ---------------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests in all")
    p.add_argument("--think", type=float, default=5.0,
                   help="mean seconds a user reads a page before the next (0.5–1.5×; half between the pages of one"
                        " errand, twice for filling a form in)")
    p.add_argument("--ramp", type=float, default=None, help="seconds over which the users log in (default: min(60, 10%% of the run))")
    p.add_argument("--host", default="127.0.0.1", help="loopback only")
    p.add_argument("--port", type=int, default=8170, help="first port; PostgreSQL uses --processes ports from here")
    p.add_argument("--processes", type=int, default=None, help="serve processes (default: 1 on SQLite, 2 on PostgreSQL)")
    p.add_argument("--threads", type=int, default=8, help="threads of each serve process")
    p.add_argument("--communities", type=int, default=20)
    p.add_argument("--data-dir", type=Path, default=None, help="data folder (default: a new temporary one)")
    p.add_argument("--pg-name", default=PG_NAME, help="PostgreSQL database (dropped and rebuilt unless --reuse)")
    p.add_argument("--reuse", action="store_true", help="use the database already built (the checks compare what this run adds)")
    p.add_argument("--prepare-only", action="store_true", help="build the database and the accounts, then stop")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    args.processes = args.processes or (2 if args.db == "postgres" else 1)
    if args.processes > 1 and args.db == "sqlite":
        p.error("several server processes need PostgreSQL")
    if args.users < 1 or args.minutes <= 0 or args.max_requests < 1:
        p.error("--users, --minutes and --max-requests must be positive")
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args) -> dict:
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else (lambda *a: print(*a, flush=True))
    host = loopback(args.host)
    args.data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix=f"dangjian-load-{args.db}-"))
    args.data_dir.mkdir(parents=True, exist_ok=True)
    env = environment(args)
    build_database(args, env, log)
    django_setup(env)
    from django.db import connections

    plans = provision(args.users, log)
    if args.prepare_only:
        return {}
    before = marks_before()
    connections.close_all()

    logdir = args.data_dir / "load-logs"
    logdir.mkdir(exist_ok=True)
    for f in logdir.glob("*.log"):
        f.unlink()
    ports = [args.port + i for i in range(args.processes)]
    servers = Servers(env, logdir)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    samples: list[Sample] = []
    made = Made()
    sampler = LoadSampler()
    users: list[User] = []
    try:
        if args.processes == 1:
            servers.start("serve", ["serve", "--host", host, "--port", str(ports[0]), "--threads", str(args.threads)])
        else:
            for port in ports:
                servers.start(f"serve-{port}", ["serve", "--host", host, "--port", str(port), "--threads",
                                                 str(args.threads), "--no-worker"])
            servers.start("worker", ["worker"])
        servers.wait_ready(host, ports)
        seconds = args.minutes * 60
        ramp = args.ramp if args.ramp is not None else min(60.0, seconds / 10)
        log(f"{args.users} users on {args.db} ({args.processes} serve process(es) × {args.threads} threads"
            f"{', a separate worker' if args.processes > 1 else ', its worker'}), {args.minutes:g} min, "
            f"think {args.think:g} s, cap {args.max_requests} requests, logs in {logdir}")
        budget = Budget(seconds, args.max_requests)
        users = [User(plan, host, ports, i, budget, made, samples, args.think, args.seed) for i, plan in enumerate(plans)]
        threads = [threading.Thread(target=u.run, args=(ramp * i / max(1, len(users)),), daemon=True)
                   for i, u in enumerate(users)]
        sampler.start()
        started, server_cpu, client_cpu = time.monotonic(), servers.cpu_seconds(), time.process_time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        server_cpu, client_cpu = servers.cpu_seconds() - server_cpu, time.process_time() - client_cpu
    finally:
        sampler.done.set()
        if users:
            users[0].budget.stop.set()
        servers.stop()
        signal.signal(signal.SIGTERM, previous)
    server_logs = servers.log_counts()
    checks = verify(before, made)
    rows = figures(samples)
    errors = [f"{s.kind}: {s.error}" for s in samples if s.error]
    return {
        "config": {"db": args.db, "users": args.users, "minutes": args.minutes, "max_requests": args.max_requests,
                   "think": args.think, "processes": args.processes, "threads": args.threads,
                   "worker": "separate" if args.processes > 1 else "serve's own", "communities": args.communities,
                   "elapsed_s": round(elapsed, 1), "data_dir": str(args.data_dir)},
        "kinds": rows,
        "throughput_rps": round(rows[-1]["requests"] / elapsed, 1) if elapsed else None,
        "cpu": {"servers_s": round(server_cpu, 1), "client_s": round(client_cpu, 1),
                "server_ms_per_request": round(1000 * server_cpu / max(1, rows[-1]["requests"]), 1)},
        "errors": {"count": len(errors), "first": errors[:20]},
        "database_is_locked": {"responses": sum(u.locked for u in users), "server_log": server_logs["database_is_locked"]},
        "server_log": server_logs,
        "checks": checks,
        "load_average": sampler.summary(),
    }


def report(result: dict) -> str:
    c, chk, la = result["config"], result["checks"], result["load_average"]
    lines = [
        f"load test: {c['users']} users, {c['db']}, {c['processes']} serve process(es) × {c['threads']} threads "
        f"({c['worker']} worker), think {c['think']:g} s, {c['elapsed_s']:.0f} s, {result['throughput_rps']} req/s",
        "",
        table(result["kinds"]),
        "",
        f"errors: {result['errors']['count']}" + "".join(f"\n  {e}" for e in result["errors"]["first"]),
        f"\"database is locked\": {result['database_is_locked']['responses']} in responses, "
        f"{result['database_is_locked']['server_log']} in the server logs "
        f"(server log: {result['server_log']['internal_server_error']} Internal Server Error, "
        f"{result['server_log']['traceback']} tracebacks; waitress queued requests {result['server_log']['queue_warnings']}"
        f" times, at most {result['server_log']['max_queue_depth']} waiting for a thread)",
        f"payments: {chk['payments']['made']} made, {chk['payments']['in_ledger']} in the ledger "
        f"(+{chk['payments']['others_in_ledger']} by others); sum made {chk['paid_sum']['made']} = ledger "
        f"{chk['paid_sum']['in_ledger']} = allocated {chk['paid_sum']['allocated']}, ledger grew by "
        f"{chk['paid_sum']['ledger_growth']}",
        f"attendance: {chk['attendance_changes']['made']} marks changed, {chk['attendance_changes']['in_history']} "
        f"changes in the history, {chk['attendance_changes']['final_mark_differs']} final marks differ",
        f"visits: {chk['visits']['made']} recorded, {chk['visits']['in_ledger']} in the ledger",
        f"database matches what the users did: {'yes' if chk['ok'] else 'NO'}",
        f"load average (1 min, every 5 s, {la['cpus']} CPUs): min {la['min']:.2f}, median {la['median']:.2f}, "
        f"max {la['max']:.2f} over {la['samples']} samples",
        f"CPU used: servers and worker {result['cpu']['servers_s']} s ({result['cpu']['server_ms_per_request']} ms per "
        f"request), this client {result['cpu']['client_s']} s",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    if args.prepare_only:
        print(f"prepared: {args.data_dir}" + (f", PostgreSQL {args.pg_name}" if args.db == "postgres" else ""))
        return 0
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
