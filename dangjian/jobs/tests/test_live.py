"""Background work with real processes: two web servers and workers sharing one database (SQLite
file, or PostgreSQL when the suite runs there), as `dangjian serve` / `dangjian worker` run them."""

import os
import re
import signal
import time

import pytest
from django.db import connection

from .live import Stack, login, write_register

pytestmark = pytest.mark.django_db  # only to learn which database the suite runs on


@pytest.fixture(scope="module")
def stack(tmp_path_factory, django_db_blocker):
    with django_db_blocker.unblock():
        vendor = connection.vendor
    s = Stack(tmp_path_factory.mktemp("live"), vendor)
    s.run("migrate", "--verbosity", "0")
    s.community = int(s.python(__import__("dangjian.jobs.tests.live", fromlist=["SEED"]).SEED).strip())
    s.web1, s.web2 = s.serve(), s.serve()
    yield s
    s.stop()
    s.drop()


def upload(session, base: str, path, community: int) -> int:
    page = session.get(f"{base}/grid/import/", timeout=30)
    assert page.ok, page.text[:300]
    with path.open("rb") as fh:
        response = session.post(f"{base}/grid/import/", files={"file": (path.name, fh, "text/csv")},
                                data={"community": community, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                                headers={"Referer": f"{base}/grid/import/"}, allow_redirects=False, timeout=60)
    assert response.status_code == 302, response.text[:500]
    return int(re.search(r"/grid/import/(\d+)/", response.headers["Location"]).group(1))


def status(session, base: str, pk: int) -> str:
    response = session.get(f"{base}/grid/import/{pk}/status/", timeout=30)
    assert response.ok
    return response.text


def test_an_import_started_on_one_server_runs_in_the_worker_and_shows_on_another(stack, tmp_path):
    first, second = login(stack.web1), login(stack.web2)
    pk = upload(first, stack.web1, write_register(tmp_path / "登记.csv", 3000), stack.community)
    assert "等待开始" in status(second, stack.web2, pk)  # queued: no worker yet, and the other server knows
    worker = stack.worker()
    stack.wait_for(f"SELECT status FROM grid_importjob WHERE id = {pk}", lambda s: s in ("done", "failed"))
    page = status(second, stack.web2, pk)
    assert "3000 / 3000" in page and 'aria-valuenow="100"' in page, page
    assert stack.sql(f"SELECT created FROM grid_importjob WHERE id = {pk}") == 3000
    assert stack.sql("SELECT status FROM jobs_job WHERE kind = 'resident_import'") == "done"
    assert worker.poll() is None


def test_the_worker_makes_the_days_reminders_on_its_own_once_with_two_workers(stack):
    stack.worker(env={"DANGJIAN_REMIND_AT": "00:00"})
    stack.worker(env={"DANGJIAN_REMIND_AT": "00:00"})
    stack.wait_for("SELECT count(*) FROM jobs_job WHERE kind = 'remind' AND status = 'done'", lambda n: n >= 1)
    time.sleep(3 * 2.0)  # a few more heartbeats of both workers: nothing is enqueued twice
    assert stack.sql("SELECT count(*) FROM jobs_dailyrun WHERE name = 'remind'") == 1
    assert stack.sql("SELECT count(*) FROM jobs_job WHERE kind = 'remind'") == 1
    assert stack.sql("SELECT count(*) FROM plans_notification WHERE kind = 'plan_item'") == 1


def test_a_worker_killed_mid_import_leaves_nothing_and_the_page_says_why(stack, tmp_path):
    stack.stop()  # the earlier tests' workers: this one must be the only one
    stack.web1, stack.web2 = stack.serve(), stack.serve()
    first, second = login(stack.web1), login(stack.web2)
    residents = stack.sql("SELECT count(*) FROM grid_resident")
    households = stack.sql("SELECT count(*) FROM grid_household")
    worker = stack.worker()
    pk = upload(first, stack.web1, write_register(tmp_path / "大文件.csv", 40000, seed=11), stack.community)
    stack.wait_for(f"SELECT status FROM grid_importjob WHERE id = {pk}", lambda s: s == "running")
    wal = stack.folder / "db.sqlite3-wal"
    if stack.vendor == "postgresql":
        stack.wait_for("SELECT done FROM jobs_job WHERE kind = 'resident_import' ORDER BY id DESC LIMIT 1",
                       lambda n: n and n > 0)  # rows are being written
    else:
        size = wal.stat().st_size if wal.exists() else 0
        deadline = time.monotonic() + 60
        while (wal.stat().st_size if wal.exists() else 0) < size + 4_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)  # the import's transaction is writing pages
    assert stack.sql(f"SELECT status FROM grid_importjob WHERE id = {pk}") == "running", "import ended too soon"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    page = status(second, stack.web2, pk)
    assert "停止" in page and "没有写入任何数据" in page, page
    assert stack.sql(f"SELECT status FROM grid_importjob WHERE id = {pk}") == "failed"
    visible = ("SELECT count(*) FROM grid_{} t LEFT JOIN grid_importjob j ON j.id = t.pending_import_id "
               "WHERE t.pending_import_id IS NULL OR (j.status = 'done' AND NOT j.dry_run)")
    assert stack.sql(visible.format("resident")) == residents  # what it wrote was never visible
    assert stack.sql(visible.format("household")) == households
    worker = stack.worker()  # and a worker purges it
    stack.wait_for(f"SELECT count(*) FROM grid_resident WHERE source_job_id = {pk}", lambda n: n == 0)
    assert stack.sql("SELECT count(*) FROM grid_resident") == residents
    assert stack.sql("SELECT count(*) FROM grid_household") == households
