"""Shared benchmark harness: a fresh SQLite (or DATABASE_URL) database per scale, the demo built
into it, and pages measured with Django's test client: median server time and query count."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


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


def measure(client, url: str, runs: int = 15) -> tuple[float, int]:
    """Median server time (ms) over `runs` requests after one warm-up, and the query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries)


def client_for(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def table(rows: list[tuple], headers: tuple) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])
