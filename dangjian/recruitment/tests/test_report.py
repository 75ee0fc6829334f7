"""The duty report's 发展党员 paragraph reads the recruitment figures, each linked."""

from datetime import date

import pytest

from dangjian.lib.periods import Period
from dangjian.recruitment import services
from dangjian.reports.drafting import fill
from dangjian.reports.services import report_draft

from .conftest import walk

pytestmark = pytest.mark.django_db
Q4_2022 = Period.parse("2022Q4")


def paragraph(world, period):
    report = report_draft(org=world.community, period=period, reporter_name="刘书记", user=world.worker)
    v = report.current_version()
    p = v.paragraphs.get(key="s1.work.team.recruitment")
    return p, fill(p.source, v.figures["figures"]), v.figures["figures"]


def test_it_reports_admissions_and_stages_with_links(world, applicant):
    walk(applicant, "approval_filing")  # approved 2022-10-10
    services.applicant_create(org=world.branch_b, name="郑小东", birth_date=date(1999, 1, 1), applied_on=date(2022, 11, 1))
    p, text, figures = paragraph(world, Q4_2022)
    assert "批准接收预备党员1名" in text and "入党申请人1名" in text and "预备党员1名" in text
    assert "⟦recruitment.admitted⟧" in p.generated and "list=approval" in figures["recruitment.admitted"]["link"]
    # 郑小东's talk (due 2022-12-01) and 周小红's quarterly 思想汇报 were overdue at the quarter's end.
    assert text.endswith("有2项工作逾期未办。")


def test_it_says_when_there_is_no_record(world):
    _, text, _ = paragraph(world, Q4_2022)
    assert text == "本季度系统中没有发展党员工作的记录。"
