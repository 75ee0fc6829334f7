"""Placeholders (【请补充：…】) are what only the secretary can write: the page marks them, the
自检 panel lists them with anchors, and finalising refuses while one is left."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.reports.drafting import PLACEHOLDER
from dangjian.reports.models import ReportVersion
from dangjian.reports.services import placeholders_left, report_finalise

from .conftest import write_placeholders


def test_it_asks_the_secretary_for_what_no_record_says(report):
    asked = [item["what"] for item in placeholders_left(report.current_version())]
    assert any(w.startswith("本人遵守政治纪律") for w in asked)


def test_it_refuses_to_finalise_while_a_placeholder_is_left(world, report):
    with pytest.raises(ValidationError, match="请补充"):
        report_finalise(report=report, user=world.secretary)
    assert report.current_version().is_draft


def test_it_finalises_once_every_placeholder_is_written(world, report):
    write_placeholders(report, world.secretary)
    assert report_finalise(report=report, user=world.secretary).status == ReportVersion.Status.FINAL


def test_it_says_why_finalising_failed_on_the_page(client_for, world, report):
    response = client_for(world.secretary).post(reverse("report_finalise", args=[report.pk]), follow=True)
    assert "请补充" in response.content.decode() and report.current_version().is_draft


def test_it_lists_each_placeholder_in_the_selfcheck_panel_with_an_anchor(client_for, world, report):
    html = client_for(world.secretary).get(reverse("report_detail", args=[report.pk])).content.decode()
    left = placeholders_left(report.current_version())
    assert 'data-testid="selfcheck"' in html
    assert all(f'href="#p{item["paragraph"].pk}"' in html for item in left)
    assert html.count('data-testid="selfcheck-placeholder"') == len(left)


def test_it_highlights_placeholders_in_the_text(client_for, world, report):
    html = client_for(world.secretary).get(reverse("report_detail", args=[report.pk])).content.decode()
    assert html.count('<mark class="dj-ask"') == len(placeholders_left(report.current_version()))


def test_it_says_all_is_well_when_nothing_is_left(client_for, world, report):
    write_placeholders(report, world.secretary)
    client = client_for(world.secretary)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    check = client.get(reverse("report_check", args=[report.pk])).content.decode()
    assert not PLACEHOLDER.search(page) and 'data-testid="selfcheck-ok"' in check


def test_it_does_not_say_all_is_well_while_a_placeholder_is_left(client_for, world, report):
    check = client_for(world.secretary).get(reverse("report_check", args=[report.pk])).content.decode()
    assert 'data-testid="selfcheck-ok"' not in check and 'data-testid="selfcheck-summary"' in check


def test_it_lists_a_relation_between_figures_that_does_not_hold(client_for, world, report):
    version = report.current_version()
    version.figures["figures"]["plans.problems_listed"]["value"] += 1
    version.save(update_fields=["figures"])
    html = client_for(world.secretary).get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "期内在账问题 = 第三部分列出的问题" in html and 'data-testid="selfcheck-own-failures"' in html


def _break_plans_relation(monkeypatch):
    from dangjian.lib.figures import sums_to
    from dangjian.plans import figures as plan_figures

    broken = sums_to("plans.test", ("期内在账问题", 2), {"期内整改销号": 1, "期末未销号问题": 0})
    monkeypatch.setattr(plan_figures.PlanFigures, "relations", lambda self: [broken])


def test_it_lists_a_relation_the_records_break_from_its_own_url(client_for, world, report, monkeypatch):
    _break_plans_relation(monkeypatch)
    client = client_for(world.secretary)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    check = client.get(reverse("report_check", args=[report.pk])).content.decode()
    assert "期末未销号问题 0" not in page and 'data-testid="selfcheck-failures"' in check and "期内整改销号 1" in check


def test_it_names_a_failing_relation_of_the_checker_with_its_numbers_and_list(world, report):
    from dangjian.reports.invariants import Violation
    from dangjian.reports.selfcheck import violation_failure

    v = Violation(world.community, report.period_obj, "覆盖 + 未覆盖 = 党员数", "meetings.reach", {"党员数": 3, "未覆盖党员": 1})
    failure = violation_failure(v, report.current_version().figures["figures"])
    assert failure.numbers == "党员数 3，未覆盖党员 1" and failure.link.startswith(reverse("meeting_list"))


def test_it_runs_the_shared_checker_for_the_period(world, report, monkeypatch):
    from dangjian.reports.invariants import check
    from dangjian.reports.selfcheck import live, selfcheck

    _break_plans_relation(monkeypatch)
    found = [v.relation for v in check(world.community, report.period_obj)]
    version = report.current_version()
    assert found and [f.relation for f in selfcheck(version)["failures"]] == found == [f.relation for f in live(version)["failures"]]


def test_it_tells_which_figures_changed_in_the_same_answer(client_for, world, report):
    from datetime import date

    from dangjian.testing.factories import MemberFactory

    MemberFactory(name="新党员", org=world.branch_b, joined_on=date(2023, 1, 1), confirmed_on=date(2023, 2, 1))
    check = client_for(world.secretary).get(reverse("report_check", args=[report.pk])).content.decode()
    assert 'id="report-stale"' in check and 'data-testid="stale"' in check and "党员总数：2 → 3" in check


def test_it_checks_only_a_draft(client_for, world, report):
    write_placeholders(report, world.secretary)
    report_finalise(report=report, user=world.secretary)
    assert client_for(world.secretary).get(reverse("report_check", args=[report.pk])).status_code == 404
