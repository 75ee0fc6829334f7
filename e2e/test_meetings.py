"""Record a 支部委员会 with two members on leave, submit it, and watch the branch's month turn green."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.meetings.choices import Mark
from dangjian.meetings.tests.helpers import held
from dangjian.testing.factories import MemberFactory
from e2e.conftest import login, shot

COMMITTEE = ["周书记", "吴委员", "郑委员", "王委员", "冯委员"]


@pytest.fixture
def last_month(e2e_world):
    """Branch B has a committee of five and held its 主题党日 last month, but no 支部委员会."""
    month = Period.of(timezone.localdate().replace(day=1) - timedelta(days=1), "month")  # the server's today
    for name in COMMITTEE:
        MemberFactory(org=e2e_world.branch_b, name=name, is_committee=True)
    held(e2e_world.branch_b, "theme_day", month.first_day + timedelta(days=14), marks={e2e_world.member_b: Mark.PRESENT})
    return month


def _cell(page, world, month: Period):
    page.goto(f"{page.base_url}/?org={world.branch_b.pk}&period={month}")
    # A month view has one column: the month itself.
    return page.locator("#panel-meetings tr[data-branch='第二党支部'] [data-testid=period-state] [data-state]")


def test_it_turns_the_branch_month_green_after_recording_a_committee_meeting(page, e2e_world, last_month):
    world, month = e2e_world, last_month
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "zhibu_b")
    cell = _cell(page, world, month)
    assert cell.get_attribute("data-state") == "red"
    assert "支部委员会会议" in page.locator("#panel-meetings tr[data-branch='第二党支部']").inner_text()
    shot(page, "meetings-dashboard-red")

    page.goto(page.base_url + "/meetings/new/")
    page.select_option("#id_org", label="第二党支部")
    page.select_option("#id_type", label="支部委员会")
    page.fill("#id_topic", "研究发展党员工作")
    page.fill("#id_held_on", (month.first_day + timedelta(days=9)).isoformat())
    page.fill("#id_start_time", "09:00")
    page.fill("#id_end_time", "10:30")
    page.fill("#id_place", "社区党员活动室")
    page.fill("#id_host", "周书记")
    page.fill("#id_recorder", "吴委员")
    page.fill("#id_minutes", "会议研究了本季度发展党员工作，确定了入党积极分子培养联系人。")
    page.get_by_role("button", name="保存").click()
    assert page.locator("[data-testid=status]").inner_text() == "草稿"

    for name in ("周书记", "吴委员", "郑委员"):
        page.get_by_label(f"{name} 签到").select_option("到会")
    page.get_by_label("王委员 签到").select_option("病假")
    page.get_by_label("王委员 原因").fill("住院")
    page.get_by_label("冯委员 签到").select_option("事假")
    page.get_by_label("冯委员 原因").fill("外出探亲")
    page.get_by_role("button", name="保存签到").click()
    turnout = page.locator("[data-testid=turnout]").inner_text()
    assert "应到 5" in turnout and "实到 3" in turnout and "请假 2" in turnout
    assert page.locator("[data-testid=rate]").inner_text() == "60.0%"
    assert "已达到" in page.locator("#quorum").inner_text()
    shot(page, "meetings-committee-marked")

    page.get_by_role("button", name="提交").click()
    assert page.locator("[data-testid=status]").inner_text() == "已提交"

    cell = _cell(page, world, month)
    assert cell.get_attribute("data-state") == "green"
    shot(page, "meetings-dashboard-green")


def test_it_fits_the_meeting_pages_on_a_phone(phone_page, e2e_world, last_month):
    page = phone_page
    login(page, "zhibu_b")
    for path in ("/meetings/", f"/meetings/compliance/?period={last_month}", "/meetings/calendar/", "/meetings/reach/"):
        page.goto(page.base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
    shot(page, "meetings-phone")
