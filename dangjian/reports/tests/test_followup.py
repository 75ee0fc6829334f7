"""The next period's report states how the previous report's measures were carried out."""

from datetime import date

import pytest

from dangjian.lib.periods import Period
from dangjian.reports.drafting import fill
from dangjian.reports.services import report_draft, report_finalise

from .conftest import write_placeholders

Q2 = Period.parse("2023Q2")
Q3 = Period.parse("2023Q3")


@pytest.fixture
def measures(world):
    from dangjian.plans.models import Measure, Problem, ProblemCategory, ProblemSource

    category = ProblemCategory.objects.get_or_create(name="学习教育")[0]
    source = ProblemSource.objects.get_or_create(name="自查")[0]
    problem = Problem.objects.create(org=world.community, title="学习不够深入", category=category, source=source,
                                     found_on=date(2023, 5, 10))
    done = Measure.objects.create(problem=problem, title="每周集中学习一次", owner="各支部书记",
                                  deadline=date(2023, 8, 31), created_on=date(2023, 5, 12))
    late = Measure.objects.create(problem=problem, title="建立学习台账", owner="党务工作者",
                                  deadline=date(2023, 7, 31), created_on=date(2023, 5, 12))
    return done, late


def _q3_text(world) -> str:
    report = report_draft(org=world.community, period=Q3, reporter_name="刘书记", user=world.worker)
    v = report.current_version()
    return fill(v.paragraphs.get(key="s1.followup.body").source, v.figures["figures"])


def test_it_lists_the_previous_reports_measures_as_the_next_reports_follow_up(world, measures):
    done, late = measures
    q2 = report_draft(org=world.community, period=Q2, reporter_name="刘书记", user=world.worker)
    write_placeholders(q2, world.secretary)
    assert [m["title"] for m in report_finalise(report=q2, user=world.secretary).figures["measures"]] == [
        "建立学习台账", "每周集中学习一次"]
    done.done_on, done.status = date(2023, 8, 20), "done"
    done.save()
    text = _q3_text(world)
    assert "2023年第二季度述职报告提出整改措施2条" in text
    assert "已完成1条，仍在推进1条（其中1条已超过完成时限）" in text
    assert "“建立学习台账”" in text and "每周集中学习一次" not in text


def test_it_says_when_there_was_no_previous_report(world, measures):
    assert "上期述职报告未在本系统中形成" in _q3_text(world)
