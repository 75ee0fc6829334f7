"""An application to 入党积极分子, a refused step (发展对象 too early, with its rule), then the
board shows the person in the 积极分子 column with the day the next step opens."""

import os
from datetime import timedelta

from django.utils import timezone

from e2e.conftest import login

SHOTS = os.environ.get("DANGJIAN_SCREENSHOTS", "/tmp/shots-recruit")


def snap(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def record(page, code: str, on, **fields) -> None:
    page.select_option("#id_code", code)
    page.fill("#id_done_on", on.isoformat())
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state()


def walk_to_activist(page, today):
    page.goto(page.base_url + "/recruitment/")
    page.get_by_role("link", name="登记入党申请").click()
    page.fill("#id_name", "林晓燕")
    page.select_option("#id_sex", "女")
    page.fill("#id_birth_date", "1996-04-12")
    page.fill("#id_applied_on", (today - timedelta(days=300)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/recruitment/*/")
    record(page, "talk", today - timedelta(days=290), by="支部书记 王明")
    record(page, "activist", today - timedelta(days=200), by="支部委员会")
    record(page, "activist_filing", today - timedelta(days=190))
    record(page, "contacts", today - timedelta(days=190), people="李华、赵敏")
    assert page.locator("#stage").inner_text() == "入党积极分子"


def test_it_refuses_a_candidate_too_early_and_shows_the_activist_on_the_board(browser, live_server, e2e_world):
    today = timezone.localdate()
    for width, height, mobile in ((1366, 900, False), (360, 740, True)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=mobile,
                                      has_touch=mobile)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.base_url = live_server.url
        login(page, "zhibu_a")
        if width == 1366:
            walk_to_activist(page, today)
        else:
            page.goto(page.base_url + "/recruitment/")
            page.get_by_role("link", name="林晓燕").click()
        record(page, "candidate", today, by="支部委员会")
        refusal = page.locator(".refusal").first
        assert "未满1年" in refusal.inner_text() and "发展党员工作细则" in refusal.inner_text()
        assert page.locator("#stage").inner_text() == "入党积极分子"
        snap(page, f"refused-{width}")

        page.get_by_role("link", name="返回工作台").click()
        card = page.locator("[data-stage='2'] [data-applicant]")
        assert card.count() == 1 and "林晓燕" in card.inner_text()
        earliest = today - timedelta(days=200)
        assert "7. 确定发展对象" in card.inner_text() and str(earliest.year + 1) in card.inner_text()
        snap(page, f"board-{width}")
        context.close()
