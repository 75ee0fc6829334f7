"""Every page and command bench/scale.py times (dangjian/testing/pages.py, the one list) takes the
same number of queries on a demo of 1 community and of 3, and no more than BOUND.

Not timed. The demo is built once per size for the whole module, inside a transaction rolled back
afterwards. A page whose count grows today is an xfail(strict=True) naming its owner: it starts
to fail ("XPASS") the moment the fix lands, and the entry below is then removed.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.testing.pages import PAGES, resolve_targets, runner, statements

pytestmark = pytest.mark.django_db

SIZES = (1, 3)  # communities in the demo street
BOUND = 100  # queries per page at most

# key → why it is expected to fail today (its owner is fixing it).
GROWS: dict[str, str] = {}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker) -> dict:
    from dangjian.demo import build
    from dangjian.meetings.choices import ensure_builtin_types
    from dangjian.meetings.models import ActivityType
    from dangjian.plans.services import terms_ensure_defaults

    found: dict = {}
    with django_db_blocker.unblock():
        for n in SIZES:
            with transaction.atomic():
                # Rows the data migrations seed are gone if a browser test flushed this database.
                ensure_builtin_types(ActivityType)
                terms_ensure_defaults()
                build(communities=n, log=lambda *_: None)
                targets = resolve_targets()
                for page in PAGES:
                    fn = runner(page, targets, _client)
                    if fn is None:
                        found[page.key, n] = None
                        continue
                    fn()  # warm-up: per-process caches fill on a first call, never again
                    with CaptureQueriesContext(connection) as captured:
                        fn()
                    found[page.key, n] = len(statements(captured))
                transaction.set_rollback(True)
    return found


def _params():
    for page in PAGES:
        marks = [pytest.mark.xfail(strict=True, reason=GROWS[page.key])] if page.key in GROWS else []
        yield pytest.param(page.key, id=page.key, marks=marks)


@pytest.mark.parametrize("key", _params())
def test_query_count_does_not_grow(counts, key):
    small, large = (counts[key, n] for n in SIZES)
    if small is None and large is None:
        pytest.skip("no such level in the demo (a district comes with the city-size demo)")
    assert small is not None and large is not None, (small, large)
    assert small == large, f"{key}: {small} queries at {SIZES[0]} community, {large} at {SIZES[1]}"
    assert large <= BOUND, f"{key}: {large} queries (bound {BOUND})"


def test_every_level_has_pages():
    """The list covers the community, the street and the district, and its keys are unique."""
    assert {p.level for p in PAGES} == {"community", "street", "district"}
    assert len({p.key for p in PAGES}) == len(PAGES)
