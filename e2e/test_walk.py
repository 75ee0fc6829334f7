"""Every page in the navigation, and the pages one click from it, as every demo role, on a desktop
(1366 px) and a phone (360 px): no page wider than the screen (tables scroll inside their own box),
no error in the console, no 4xx/5xx answer for the page or anything it loads."""

import os
from datetime import date
from urllib.parse import urlsplit

import pytest

from dangjian.demo import DEMO_PASSWORD, build
from e2e.conftest import login, shot

ROLES = ["jiedao", "shuji", "dangwu", "zhibu1", "wangge1", "dangyuan"]
WIDTHS = {"desktop": 1366, "phone": 360}
PER_SECTION = 2  # pages followed from each navigation entry (a list's first rows, its tabs)
SKIP = ("/logout/", "/admin/", "/static/", "/media/", "export", "download", ".ics", ".docx", ".xlsx", ".pdf",
        "/reveal", "feed")


# What a page looks like does not depend on the database: CI walks once, on SQLite.
pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="页面走查只在 SQLite 上运行一次")


@pytest.fixture
def demo(db):
    return build(seed=2023, communities=1, today=date.today(), log=lambda *_: None)


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    return [h.split("#")[0] for h in hrefs if not any(s in h for s in SKIP)]


def _check(page, url: str, problems: list[str], errors: list[str], tag: str) -> None:
    errors.clear()
    response = page.goto(page.base_url + url)
    if response is None or response.status >= 400:
        problems.append(f"{tag} {url}: HTTP {response.status if response else '—'}")
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if wide > 0:
        problems.append(f"{tag} {url}: {wide}px wider than the screen")
        shot(page, f"walk-wide-{tag}-{url.strip('/').replace('/', '_').replace('?', '_') or 'home'}")
    problems += [f"{tag} {url}: {e}" for e in errors]


def _walk(browser, base_url: str, username: str, width: str, problems: list[str]) -> int:
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="zh-CN",
                                  is_mobile=width == "phone", has_touch=width == "phone")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = base_url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {urlsplit(r.url).path}") if r.status >= 400 else None)
    login(page, username, DEMO_PASSWORD)
    nav = page.eval_on_selector_all("#mainnav a.nav-link[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    tag = f"{username}@{width}"
    seen: set[str] = set()
    for entry in ["/", *nav]:
        if entry in seen:
            continue
        seen.add(entry)
        _check(page, entry, problems, errors, tag)
        links = [link for link in _links(page) if link not in seen][:PER_SECTION]
        for link in links:
            seen.add(link)
            _check(page, link, problems, errors, tag)
    shot(page, f"walk-{tag}")
    context.close()
    return len(seen)


def test_it_fits_every_page_on_the_screen_without_errors(browser, live_server, demo):
    problems: list[str] = []
    for username in ROLES:
        for width in WIDTHS:
            assert _walk(browser, live_server.url, username, width, problems) > 3, f"{username}@{width}"
    assert problems == []
