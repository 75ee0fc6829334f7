"""Find a member by pinyin initials, open them, change the phone, see the change in history."""

import re

from e2e.conftest import login, shot


def test_it_finds_a_member_by_pinyin_and_records_a_phone_change(page, e2e_world):
    login(page, "zhibu_a")
    page.goto(page.base_url + "/members/")
    page.fill("input[name=q]", "zs")
    page.wait_for_url(re.compile(r"[?&]q=zs"))  # htmx has swapped in the filtered list and pushed its URL
    page.get_by_role("link", name="张三").click()
    assert page.locator("[data-testid=phone]").inner_text() == "138****5678"
    shot(page, "member-detail")
    page.get_by_role("link", name="修改", exact=True).click()
    page.fill("#id_phone", "13987654321")
    page.get_by_role("button", name="保存").click()
    assert page.locator("[data-testid=phone]").inner_text() == "139****4321"
    history = page.locator("#history").inner_text()
    assert "联系电话" in history and "138****5678" in history and "139****4321" in history
    assert "zhibu_a" in history
    shot(page, "member-history")
