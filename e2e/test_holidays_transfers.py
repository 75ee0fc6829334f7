"""The street admin enters next year's published holiday schedule and the year stops being 预计;
a branch worker sees a transfer out waiting for its 回执 and records it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.lib.workdays import package_knows
from dangjian.members.transfers import transfer_out
from e2e.conftest import login
from e2e.test_recruitment import snap

SIZES = ((1366, 900, False), (360, 740, True))


def open_page(browser, live_server, width, height, mobile):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=mobile,
                                  has_touch=mobile)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    return context, page


@pytest.mark.skipif(package_knows(timezone.localdate().year + 1), reason="next year's schedule is already in chinesecalendar")
def test_it_enters_next_years_schedule(browser, live_server, e2e_world):
    year = timezone.localdate().year + 1
    for n, (width, height, mobile) in enumerate(SIZES):
        context, page = open_page(browser, live_server, width, height, mobile)
        login(page, "jiedao")
        page.goto(page.base_url + "/plans/holidays/")
        card = page.locator(f"[data-year='{year}']")
        if n == 0:
            assert "预计" in card.inner_text() and "春节" in card.inner_text()
            page.fill("#id_document", f"国务院办公厅关于{year}年部分节假日安排的通知")
            page.fill("#id_published_on", f"{year - 1}-11-12")
            page.fill("#id_text", f"{year}-10-01~{year}-10-07 休 国庆节\n{year}-10-09 班 国庆节")
            page.get_by_role("button", name="保存").click()
            page.wait_for_load_state()
        assert "已录入" in page.locator(f"[data-year='{year}']").inner_text()
        snap(page, f"holidays-{width}")
        context.close()


def test_it_records_the_receipt_of_a_transfer_out(browser, live_server, e2e_world):
    day = timezone.localdate() - timedelta(days=60)
    transfer_out(member=e2e_world.member_a, on=day, letter_number="和组转〔2026〕7号", letter_date=day,
                 to_place="浙江省杭州市西湖区某街道党工委", dues_paid_to=day.replace(day=1))
    for n, (width, height, mobile) in enumerate(SIZES):
        context, page = open_page(browser, live_server, width, height, mobile)
        login(page, "zhibu_a")
        page.goto(page.base_url + "/recruitment/transfers/")
        row = page.locator("[data-direction='转出']")
        if n == 0:
            assert "回执逾期" in row.inner_text()
            snap(page, f"transfers-late-{width}")
            row.get_by_role("button", name="收到回执").click()
            page.wait_for_load_state()
        assert "回执逾期" not in page.locator("[data-direction='转出']").inner_text()
        snap(page, f"transfers-{width}")
        context.close()
