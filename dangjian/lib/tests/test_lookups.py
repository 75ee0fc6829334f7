"""any_of: the same rows as __in, with the ids bound as one array on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(db):
    street = Org.objects.create(kind=OrgKind.STREET, name="新华街道党工委", code="XH")
    return [street] + [Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name=f"第{i}社区党总支", code=f"C{i}", parent=street)
                       for i in range(5)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(min_value=-1, max_value=8), max_size=12))
def test_it_finds_what_in_finds(orgs, picks):
    ids = [orgs[0].pk + p for p in picks]
    assert sorted(Org.objects.filter(pk__any_of=ids).values_list("pk", flat=True)) == sorted(
        Org.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert sorted(Org.objects.filter(parent__any_of=ids).values_list("pk", flat=True)) == sorted(
        Org.objects.filter(parent__in=ids).values_list("pk", flat=True))


def test_thousands_of_ids_are_one_parameter_on_postgresql(orgs):
    ids = list(range(1, 8001))
    with CaptureQueriesContext(connection) as seen:
        found = Org.objects.filter(pk__any_of=ids).count()
    assert found == len(orgs)
    sql = seen.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
