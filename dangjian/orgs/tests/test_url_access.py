"""Every URL that takes an id turns it into a row through `orgs.scoping.get_visible_or_404`.

The walk requests each such URL with an id no row has, while recording the ids the helper is
asked for: a view that fetched its row some other way (an unscoped `.get(pk=…)`) would answer
404 too, but the helper would not have seen the id, and the test names the view.
"""

import importlib
from functools import wraps
from unittest import mock

import pytest
from django.urls import URLResolver, get_resolver, reverse

from dangjian.orgs import scoping
from dangjian.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

MISSING = 987654

# Views that take an id but are reached without a session, so the helper does not apply.
ALLOWED = {
    # The .ics feed is fetched by a calendar app: its secret token names the feed, and the view
    # checks that the feed's own user still keeps records in the org (meetings/views.py).
    "meeting_ics",
}

# A value for each non-id URL argument, so the request gets past routing to the fetch.
SAMPLE_ARGS = {"action": {"plan_item_action": "start", "problem_action": "cause", "measure_action": "complete",
                          "account_action": "rename"},
               "field": {"member_reveal": "id_number", "resident_reveal": "id_number", "resident_field": "phone"},
               "fmt": {"report_download": "docx"}}


def _patterns(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        else:
            yield p


def _id_patterns():
    return sorted({p.name for p in _patterns(get_resolver().url_patterns)
                   if any(type(c).__name__ == "IntConverter" for c in p.pattern.converters.values())})


def _kwargs(name: str) -> dict:
    pattern = next(p for p in _patterns(get_resolver().url_patterns) if p.name == name)
    return {key: MISSING if type(conv).__name__ == "IntConverter" else SAMPLE_ARGS[key][name]
            for key, conv in pattern.pattern.converters.items()}


@pytest.fixture
def asked():
    """The pks `get_visible_or_404` is asked for, wherever it is called from."""
    seen: list[str] = []
    real = scoping.get_visible_or_404

    @wraps(real)
    def recording(queryset, request, pk, **kwargs):
        seen.append(str(pk))
        return real(queryset, request, pk, **kwargs)

    modules = {scoping} | {importlib.import_module(p.callback.__module__) for p in _patterns(get_resolver().url_patterns)
                           if p.callback.__module__.startswith("dangjian.")}
    patches = [mock.patch.object(m, "get_visible_or_404", recording) for m in modules
               if hasattr(m, "get_visible_or_404")]
    for p in patches:
        p.start()
    yield seen
    for p in patches:
        p.stop()


def test_it_finds_the_urls_that_take_an_id():
    assert {"member_detail", "meeting_attachment", "resident_reveal", "report_paragraph", "org_edit"} <= set(_id_patterns())


@pytest.mark.parametrize("name", [n for n in _id_patterns() if n not in ALLOWED])
def test_it_fetches_the_id_through_the_scoping_helper(client, asked, name):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    url = reverse(name, kwargs=_kwargs(name))
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    assert response.status_code == 404
    assert str(MISSING) in asked, f"{name} answered without asking get_visible_or_404 for its id"
