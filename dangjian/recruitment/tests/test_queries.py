"""The board and the dashboard panel cost the same number of queries for 2 people or 20."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.lib.changes import records_changed
from dangjian.recruitment import services

pytestmark = pytest.mark.django_db


def add_people(world, n):
    for i in range(n):
        a = services.applicant_create(org=world.branch_a if i % 2 else world.branch_b, name=f"测试{i}",
                                      birth_date=date(1990, 1, 1), applied_on=date(2024, 1, 1 + i % 28))
        services.step_record(applicant=a, code="talk", done_on=date(2024, 1, 29), reason="" if i % 28 < 28 else "x")


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [reverse("recruit_board"), reverse("dashboard")])
def test_it_keeps_the_query_count_constant_in_the_number_of_people(world, client_for, url):
    client = client_for(world.secretary)
    add_people(world, 2)
    client.get(url)
    records_changed.send(__name__)  # the dashboard: redrawn on both counted visits (kept.py)
    small = count(client, url)
    add_people(world, 18)
    assert count(client, url) == small
