"""Shared benchmark harness: a fresh SQLite (or DATABASE_URL) database per scale, the demo built
into it, and pages (or calls) measured with Django's test client: median and p95 server time and
query count; a fixed CPU loop to state how noisy the machine is."""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code measured: this checkout, or another one (`bench/scale.py --code DIR`, an earlier commit's
# worktree for "before" figures). The list of pages is always this checkout's (pages()).
CODE = Path(os.environ.get("DANGJIAN_BENCH_CODE") or ROOT)
sys.path.insert(0, str(CODE))


def pages():
    """This checkout's dangjian/testing/pages.py (the one list of pages and how to run them), loaded
    from its file, so that the same list runs against the code of an earlier commit too."""
    import importlib.util

    if "bench_pages" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "dangjian" / "testing" / "pages.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_pages"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_pages"]


def setup_django(label: str) -> Path:
    """Point the data folder at a fresh temp dir (before settings load) and set Django up."""
    folder = Path(tempfile.mkdtemp(prefix=f"dangjian-bench-{label}-"))
    os.environ["DANGJIAN_DATA_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ["AXES_ENABLED"] = "False"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()
    return folder


def fresh_database(communities: int, apps: list[str] | None = None) -> float:
    """Flush and migrate, then build the demo; returns the build time in seconds."""
    from django.core.management import call_command
    from django.db import transaction

    from dangjian.demo import build

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        build(communities=communities, apps=apps, log=lambda *_: None)
    return time.perf_counter() - started


@dataclass(frozen=True)
class Timing:
    """Server times (ms) of `runs` requests or calls after one warm-up, and one more's query count."""

    median: float
    p95: float
    queries: int
    runs: int
    times: tuple[float, ...] = ()
    sql: tuple[str, ...] = ()  # the statements of the counted run

    @property
    def spread(self) -> float:
        """Slowest over fastest run (1.0 = no spread)."""
        return max(self.times) / min(self.times) if self.times else float("nan")


def p95(times) -> float:
    """The 95th percentile by nearest rank (with fewer than 20 runs, the slowest run)."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def time_call(fn, runs: int = 15, budget: float | None = None, min_runs: int = 3) -> Timing:
    """Call fn once to warm up, then `runs` times (fewer if `budget` seconds are spent, but at
    least `min_runs`), then once more counting its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statements = pages().statements

    fn()
    times: list[float] = []
    spent = time.perf_counter()
    for i in range(runs):
        if budget is not None and i >= min_runs and time.perf_counter() - spent > budget:
            break
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn()
    sql = statements(queries)
    return Timing(statistics.median(times), p95(times), len(sql), len(times), tuple(times), tuple(sql))


def time_page(client, url: str, runs: int = 15, budget: float | None = None) -> Timing:
    """`time_call` of a GET through the test client; the page must answer 200."""

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return time_call(get, runs, budget)


def measure(client, url: str, runs: int = 15) -> tuple[float, int]:
    """Median server time (ms) over `runs` requests after one warm-up, and the query count."""
    t = time_page(client, url, runs)
    return t.median, t.queries


def cpu_loop(runs: int = 5) -> Timing:
    """A fixed pure-Python loop (no database): its times show how busy the machine is. Run it
    before and after a bench; the ratio after/before and each spread state the noise."""

    def loop():
        total = 0
        for i in range(300_000):
            total += i * i % 7
        return total

    loop()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        loop()
        times.append((time.perf_counter() - started) * 1000)
    return Timing(statistics.median(times), p95(times), 0, runs, tuple(times))


def client_for(user):
    """A test client logged in as `user` (a User, or a username)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=user) if isinstance(user, str) else user)
    return client


def width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[tuple], headers: tuple) -> str:
    widths = [max(width(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]
    line = lambda r: "  ".join(str(x) + " " * (w - width(str(x))) for x, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])
