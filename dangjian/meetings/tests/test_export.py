"""The 组织生活台账 export and the `dangjian compliance` command."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.meetings.choices import Mark, Status
from dangjian.orgs.models import AccessLog

from .helpers import held, visit

pytestmark = pytest.mark.django_db


def _workbook(response):
    from io import BytesIO

    return load_workbook(BytesIO(response.content))


def test_it_exports_the_ledger_with_attendance_and_education(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 14), marks={world.member_b: Mark.SICK}, guests=1)
    a.attendance.update(reason="住院")
    held(world.branch_b, "theme_day", date(2023, 7, 20), status=Status.DRAFT)
    visit(world.member_b, date(2023, 8, 1))
    response = client_for(world.worker_b).get(reverse("meeting_export"), {"org": world.branch_b.pk, "period": "2023Q3"})
    wb = _workbook(response)
    assert wb.sheetnames == ["组织生活台账", "出席明细", "达标情况", "送学上门", "寄学", "自学"]
    ledger = [[c.value for c in row] for row in wb["组织生活台账"].iter_rows(min_row=3)]
    assert len(ledger) == 1 and ledger[0][11:16] == [1, 0, 0, "李四（病假：住院）", None]
    assert wb["送学上门"]["B3"].value == "李四"
    assert AccessLog.objects.filter(action="export", user=world.worker_b).exists()


def test_it_prints_the_compliance_of_a_period(world):
    held(world.branch_b, "congress", date(2023, 8, 25))
    out = StringIO()
    call_command("compliance", org="和平社区", period="2023Q3", as_of="2023-10-08", stdout=out)
    text = out.getvalue()
    assert "和平社区党总支 2023年第三季度 组织生活达标情况（截至 2023-10-08）：未达标" in text
    assert "主题党日：7月、8月、9月未达到每月至少1次" in text


def test_it_prints_json_for_machines(world):
    held(world.branch_b, "congress", date(2023, 8, 25))
    out = StringIO()
    call_command("compliance", org="HP-2", period="2023Q3", as_of="2023-10-08", json=True, stdout=out)
    data = json.loads(out.getvalue())
    congress = next(t for t in data["by_type"] if t["key"] == "congress")
    assert (data["state"], congress["required"], congress["held"]) == ("red", 1, 1)


def test_it_explains_an_unknown_org(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="找不到组织"):
        call_command("compliance", org="不存在", period="2023Q3")


def test_it_titles_the_compliance_sheet_with_what_it_holds(world, client_for):
    held(world.branch_b, "congress", date(2023, 8, 25))
    response = client_for(world.worker_b).get(reverse("meeting_export"), {"org": world.branch_b.pk, "period": "2023Q3"})
    sheet = _workbook(response)["达标情况"]
    states = [row[6].value for row in sheet.iter_rows(min_row=3)]
    heading = sheet["A1"].value
    assert heading.startswith("第二党支部") and "全部考核项" in heading
    for state in set(states):
        assert f"{state}{states.count(state)}项" in heading
