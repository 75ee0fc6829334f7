"""A clerk imports today's roster, says in the preview when the new members belong from, and the
2023Q3 党员总数 still opens a list as long as the figure."""

import io

import openpyxl
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.members import figures as member_figures
from e2e.conftest import login, shot


def roster() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "入党时间", "转正时间", "支部"])
    ws.append(["赵国强", "370102196503011799", "1990-07-01", "1991-07-01", "第一党支部"])
    ws.append(["钱秀英", "370103197012059705", "1995-07-01", "1996-07-01", "第二党支部"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_asks_when_new_members_belong_from_and_keeps_the_past_quarter(page, e2e_world, tmp_path):
    q3 = Period.parse("2023Q3")
    before = member_figures.for_period(e2e_world.community, q3).total.value
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(roster())
    login(page, "dangwu")
    page.goto(page.base_url + "/members/import/")
    page.set_input_files("input[type=file]", str(path))
    page.select_option("select[name=org]", str(e2e_world.community.pk))
    page.get_by_role("button", name="预览").click()
    since = page.locator("#member-since")
    assert "2名新增党员" in since.inner_text()
    assert since.locator("input[name=since]").input_value() == timezone.localdate().isoformat()
    shot(page, "member-import-since")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("text=导入完成")
    figure = member_figures.for_period(e2e_world.community, q3).total
    assert figure.value == before
    page.goto(page.base_url + figure.link)
    assert page.locator("#as-of").is_visible()
    assert f"共 {figure.value} 人" in page.locator("h1").inner_text()
    shot(page, "member-list-as-of-2023Q3")
