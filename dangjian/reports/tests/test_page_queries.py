"""The report page reads no figure: its query count is the same for a small draft and for one with
many members, problems and measures (the 自检 against the records comes from its own URL)."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.plans import services as plan_services
from dangjian.plans.models import ProblemCategory, ProblemSource
from dangjian.plans.tests.conftest import make_problem
from dangjian.reports.services import paragraph_save, report_regenerate
from dangjian.testing.factories import MemberFactory


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(world, members: int = 40, problems: int = 5) -> None:
    """More members, and problems with a measure each (each a paragraph of parts 三/四)."""
    MemberFactory.create_batch(members, org=world.branch_a, joined_on=date(2020, 1, 1), confirmed_on=date(2021, 1, 1))
    plan_services.terms_ensure_defaults()
    terms = ProblemCategory.objects.get(name="理论学习"), ProblemSource.objects.get(name="自查")
    for i in range(problems):
        make_problem(world.branch_b, terms, found_on=date(2023, 7, 1 + i), measures=[date(2023, 12, 1)])


def test_it_reads_the_draft_page_in_as_many_queries_whatever_the_data(client_for, world, report):
    client = client_for(world.secretary)
    url = reverse("report_detail", args=[report.pk])
    small = _queries(client, url)
    _grow(world)
    version = report_regenerate(report=report, user=world.worker)
    paragraph_save(paragraph=version.paragraphs.get(key="s2.own"), text="我的修改。", user=world.worker)
    assert version.paragraphs.count() > report.versions.get(number=1).paragraphs.count()
    assert _queries(client, url) == small


def test_it_checks_the_draft_in_as_many_queries_whatever_the_data(client_for, world, report):
    """(From one problem on: with none, the plans figures skip fetching their causes and measures.)"""
    _grow(world, members=1, problems=1)
    report_regenerate(report=report, user=world.worker)
    client = client_for(world.secretary)
    url = reverse("report_check", args=[report.pk])
    small = _queries(client, url)
    _grow(world)
    report_regenerate(report=report, user=world.worker)
    assert _queries(client, url) == small
