"""Every page a user can reach speaks to the user: no research notes, no tracebacks, no field names.

The test walks the site as each named user of the `world` fixture, from the home page through every
link on every page it reaches (GET only, same site), and reads the visible text of each HTML page.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

# Words meant for developers: our research notes, the rounding constant's name, tracebacks.
DEVELOPER_WORDS = ("DOMAIN.md", "DESIGN.md", "未核实", "二手资料", "ROUND_HALF_UP", "Traceback", "系统不替您决定",
                   "dangjian remind", "Exception", "None")
# An identifier of our code (`id_number`, `joined_on`) shown as text.
FIELD_NAME = re.compile(r"(?<![\w./-])[a-z]+_[a-z_]+(?![\w./-])")
SKIP = ("/logout/", "/admin/", "/static/", "/media/")
MAX_PAGES = 80


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def walk(client, usernames: set[str]):
    seen, queue, problems = set(), ["/"], []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
            continue
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        text = " ".join(parts.strip() for parts in parser.parts if parts.strip())
        problems += [f"{url}: “{w}”" for w in DEVELOPER_WORDS if w in text]
        problems += [f"{url}: 字段名“{m}”" for m in FIELD_NAME.findall(text) if m not in usernames]
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith(SKIP):
                continue
            queue.append(href)
    return seen, problems


@pytest.mark.parametrize("who", ["street_admin", "secretary", "worker", "worker_a", "grid_worker", "member_user"])
def test_it_shows_users_no_words_meant_for_developers(world, client_for, who):
    # Account names are the users' own (zhibu_a): not field names, whatever they look like.
    usernames = {u.username for u in type(world.secretary).objects.all()}
    seen, problems = walk(client_for(getattr(world, who)), usernames)
    assert len(seen) > 2
    assert problems == []
