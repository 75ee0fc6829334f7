"""No page answers 500 to hostile input: every list view's query parameters and every form.

The pages are found by walking the URL patterns (each app's, not a list kept here); a pattern
with a number in it is tried with the numbers of the records the grid world (this folder's `g`
fixture, on top of the shared `world`) and a work plan hold. The forms are read from the pages
themselves as each of the world's users sees them, and posted back with hostile values.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.grid.choices import VisitResult
from dangjian.grid.models import Visit
from dangjian.lib.web import MAX_QUERY
from dangjian.plans.tests.conftest import make_plan

pytestmark = pytest.mark.django_db

# Not pages: leaving the session, files served as they are, the admin (Django's own).
SKIP = re.compile(r"^/(admin/|logout/|favicon|static/|media/)")
PARAMS = ("year", "period", "q", "org", "page", "status", "state", "kind", "show", "month", "grid", "campaign", "tag",
          "from", "to", "date", "category", "building", "member", "sort", "fmt", "community", "deadline", "on")
HOSTILE = st.one_of(
    st.sampled_from([
        "", "0", "-1", "0001", "9999", "10000", "2023", "2023Q5", "2023-13", "2023H3", "9999-12-31", "0001-01-01",
        "1899-12-31", "2101-01-01", '=HYPERLINK("http://x","y")', "<script>alert(1)</script>", "%", "_", "'", '"',
        "NaN", "Infinity", "1e308", "-0", "99999999999999999999999", "１２３", "a\x00b", "../../etc/passwd", "on",
        "a" * 5000, "张" * 300, "1" * 60_000, " ", "\u202e", "None", "true", "2023-02-30", "24:61",
    ]),
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)


class _Forms(HTMLParser):
    """Each POST form of a page: (action, {field name: one of its offered values or ""})."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self._current = page_url, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = (a.get("action") or a.get("hx-post") or self.page_url, {})
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "option") and self._current is not None:
            if tag == "option":
                return
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken" and a.get("type") != "file":
                self._current[1].setdefault(name, a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield p


def _urls(numbers: list[int]) -> list[str]:
    urls = []
    for p in _patterns():
        converters = list(p.pattern.converters.values())
        if any(type(c).__name__ != "IntConverter" for c in converters):
            continue  # actions and fields named in the path are reached through the pages' own forms
        names = list(p.pattern.converters)
        candidates = [{}] if not names else [dict.fromkeys(names, n) for n in numbers]
        for kwargs in candidates:
            try:
                url = reverse(p.name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            if not SKIP.match(url):
                urls.append(url)
    return urls


@pytest.fixture
def hostile(g):
    """The grid world and a plan; a visit nobody recorded (imported); pages and forms found once."""
    world = g.world
    make_plan(world.branch_a)
    Visit.objects.create(campaign=g.campaign, household=g.household1, worker=None,
                               visited_on=timezone.localdate() - timedelta(days=1), result=VisitResult.values[0])
    users = [world.secretary, world.worker_a, world.grid_worker, world.member_user, world.street_admin]
    numbers = sorted({1, 2, 3, world.member_a.pk, g.household1.pk, g.grid1.pk, g.campaign.pk, g.r1.pk})
    pages: dict[int, list[str]] = {}
    forms: dict[int, list[tuple[str, dict]]] = {}
    for user in users:
        client = Client()
        client.force_login(user)
        pages[user.pk], forms[user.pk] = [], []
        for url in _urls(numbers):
            response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                pages[user.pk].append(url)
                parser = _Forms(url)
                parser.feed(response.content.decode())
                forms[user.pk].extend((a, f) for a, f in parser.forms if not SKIP.match(a) and f)
    return {"users": users, "pages": pages, "forms": forms, "g": g}


FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(data=st.data())
def test_it_answers_no_500_to_hostile_query_parameters(hostile, data):
    user = data.draw(st.sampled_from(hostile["users"]))
    url = data.draw(st.sampled_from(hostile["pages"][user.pk]))
    params = data.draw(st.dictionaries(st.sampled_from(PARAMS), HOSTILE, min_size=1, max_size=4))
    client = Client()
    client.force_login(user)
    assert client.get(url, params).status_code < 500


@FUZZ
@given(data=st.data())
def test_it_answers_no_500_to_hostile_forms(hostile, data):
    user = data.draw(st.sampled_from([u for u in hostile["users"] if hostile["forms"][u.pk]]))
    action, fields = data.draw(st.sampled_from(hostile["forms"][user.pk]))
    posted = {name: data.draw(st.one_of(st.just(value), HOSTILE)) for name, value in fields.items()}
    client = Client()
    client.force_login(user)
    assert client.post(action, posted).status_code < 500


def test_it_walks_every_list_view_and_many_forms(hostile):
    secretary = hostile["users"][0]
    assert {"/members/", "/grid/", "/plans/", "/dues/arrears/", "/meetings/"} <= set(hostile["pages"][secretary.pk])
    assert len(hostile["forms"][secretary.pk]) >= 10


def test_it_shows_a_household_whose_visit_has_no_worker(hostile, client_for):
    g = hostile["g"]
    response = client_for(g.world.secretary).get(reverse("household_detail", args=[g.household1.pk]))
    assert response.status_code == 200 and VisitResult.values[0] in response.content.decode()


@pytest.mark.parametrize("params", [{"year": "0"}, {"year": "10000"}, {"period": "9999"}, {"period": "0001"}])
def test_it_refuses_a_year_outside_the_calendar_with_a_chinese_400(world, client_for, params):
    response = client_for(world.secretary).get(reverse("plan_list"), params)
    assert response.status_code == 400 and "1900" in response.content.decode()


def test_it_cuts_a_very_long_search(world, client_for):
    response = client_for(world.secretary).get(reverse("member_list"), {"q": "张" * 60_000})
    assert response.status_code == 200 and len(response.wsgi_request.GET["q"]) == MAX_QUERY
