"""Browser tests: Playwright (Python) driving Debian's /usr/bin/chromium against live_server.

They skip with a reason when Chromium is not installed, except under CI (CI=true), where a
missing browser is a failure: .ci/run installs it.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures
# here are ordinary synchronous code, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "test-pass-123"  # dangjian.testing.factories.UserFactory
SCREENSHOTS = os.environ.get("DANGJIAN_SCREENSHOTS")  # a folder: save a screenshot per step


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run should install it")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    yield page
    context.close()


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit], form button.btn-danger")
    page.wait_for_url(lambda url: "/login/" not in url)
    # the next step often clicks something scripted (the phone menu): wait for the scripts
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def e2e_world(world):
    """The shared `world` (conftest.py), for browser tests."""
    return world


@pytest.fixture
def worker(live_server):
    """Runs each task as soon as the request that queued it commits, in a thread of this process.

    A polling worker cannot share the test database (SQLite in memory, shared cache: its
    table locks fail other threads at once instead of making them wait), so here each task gets
    its own thread, run by the same Worker.run_task the `dangjian worker` processes use
    (dangjian/jobs/tests/test_live.py runs those for real)."""
    import threading

    from django.db import connection, transaction
    from django_tasks.signals import task_enqueued
    from django_tasks_db.models import DBTaskResult

    from dangjian.jobs.worker import Worker

    runner = Worker(beat=False)

    def run(task_id) -> None:
        try:
            result = DBTaskResult.objects.get(pk=task_id)
            result.claim(runner.worker_id)
            runner.run_task(result)
        finally:
            connection.close()

    def soon(sender, task_result, **kwargs) -> None:
        transaction.on_commit(lambda: threading.Thread(target=run, args=(task_result.id,), daemon=True).start())

    task_enqueued.connect(soon)
    yield runner
    task_enqueued.disconnect(soon)
