"""The ledger view and its .xlsx export (问题整改台账) per org and period."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.plans import services

from .conftest import make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(world, terms):
    old = make_problem(world.community, terms, title="去年已销号", found_on=date(2022, 5, 1), measures=[date(2022, 6, 1)])
    services.measure_complete(measure=old.measures.get(), done_on=date(2022, 5, 30), result="完成")
    services.problem_close(problem=old, user=world.secretary, on=date(2022, 6, 5))
    make_problem(world.community, terms, title="去年未销号", found_on=date(2022, 9, 1), measures=[date(2023, 3, 1)])
    make_problem(world.community, terms, title="今年发现", found_on=date(2023, 4, 1), measures=[date(2023, 5, 1), date(2023, 6, 1)])
    return world


def _titles(client, **params):
    return [p.title for p in client.get(reverse("problem_list"), {"org": params.pop("org"), **params}).context["page"]]


def test_it_shows_what_was_on_the_books_in_the_period(ledger, client_for):
    assert _titles(client_for(ledger.secretary), org=ledger.community.pk, period="2023") == ["去年未销号", "今年发现"]


def test_it_shows_problems_found_in_the_period(ledger, client_for):
    assert _titles(client_for(ledger.secretary), org=ledger.community.pk, period="2023", show="found") == ["今年发现"]


def test_it_shows_problems_closed_in_the_period(ledger, client_for):
    assert _titles(client_for(ledger.secretary), org=ledger.community.pk, period="2022", show="closed") == ["去年已销号"]


def test_it_exports_one_row_per_problem_with_numbered_measures(ledger, client_for):
    response = client_for(ledger.secretary).get(reverse("problem_export"), {"org": ledger.community.pk, "period": "2023"})
    ws = load_workbook(io.BytesIO(response.content))["问题整改台账"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[2] for r in rows] == ["去年未销号", "今年发现"] and rows[1][8] == "1. 措施1\n2. 措施2"


def test_it_names_the_export_after_org_and_period(ledger, client_for):
    response = client_for(ledger.secretary).get(reverse("problem_export"), {"org": ledger.community.pk, "period": "2023"})
    ws = load_workbook(io.BytesIO(response.content))["问题整改台账"]
    assert ws["A1"].value.startswith("和平社区党总支2023年问题整改台账")
    assert "%E9%97%AE%E9%A2%98%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6.xlsx" in response["Content-Disposition"]


def test_it_exports_the_process_with_sign_off(ledger, client_for):
    response = client_for(ledger.secretary).get(reverse("problem_export"), {"org": ledger.community.pk, "period": "2022"})
    ws = load_workbook(io.BytesIO(response.content))["整改过程记录"]
    kinds = [r[3] for r in ws.iter_rows(min_row=3, values_only=True) if r[1] == "去年已销号"]
    assert "销号" in kinds


def test_it_filters_by_category(ledger, client_for, terms):
    other = terms[0].__class__.objects.get(name="意识形态")
    assert _titles(client_for(ledger.secretary), org=ledger.community.pk, period="2023", category=other.pk) == []


def test_it_exports_the_ledger_from_the_command_line(ledger, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out, path = StringIO(), tmp_path / "台账.xlsx"
    call_command("export_problems", org="和平社区", period="2023", output=str(path), stdout=out)
    ws = load_workbook(path)["问题整改台账"]
    assert [r[2] for r in ws.iter_rows(min_row=3, values_only=True)] == ["去年未销号", "今年发现"]
    assert "已导出 2 个问题" in out.getvalue()
