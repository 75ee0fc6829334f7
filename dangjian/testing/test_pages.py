"""Every page and command bench/scale.py times (dangjian/testing/pages.py, the one list) takes the
same number of queries on a small and a larger demo district, and no more than BOUND: 2 streets of
1 community against 3 streets of 2 (so a district's, a street's and a community's pages each see
their data grow), with a small grid register per generated community.

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

# The demo's size: streets (more than one puts a district over them) × communities per street.
SIZES = ((2, 1), (3, 2))
RESIDENTS_PER_COMMUNITY = 20
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
        for streets, communities in SIZES:
            n = (streets, communities)
            with transaction.atomic():
                # Rows the data migrations seed are gone if a browser test flushed this database.
                ensure_builtin_types(ActivityType)
                terms_ensure_defaults()
                build(streets=streets, communities=communities, residents_per_community=RESIDENTS_PER_COMMUNITY,
                      log=lambda *_: None)
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
    assert small is not None and large is not None, f"{key}: not measured ({small}, {large})"
    assert small == large, (f"{key}: {small} queries with {SIZES[0][0]} streets × {SIZES[0][1]}, "
                            f"{large} with {SIZES[1][0]} × {SIZES[1][1]}")
    assert large <= BOUND, f"{key}: {large} queries (bound {BOUND})"


def test_every_level_has_pages():
    """The list covers the community, the street and the district, and its keys are unique."""
    assert {p.level for p in PAGES} == {"community", "street", "district"}
    assert len({p.key for p in PAGES}) == len(PAGES)
