"""Record a payment for a member in arrears and see the arrears list shrink."""

from decimal import Decimal

from django.utils import timezone

from dangjian.dues.book import add_months, month_of
from dangjian.dues.services import base_set
from e2e.conftest import login, shot


def _in_arrears(world):
    start = add_months(month_of(timezone.localdate()), -4)
    for member, base in ((world.member_a, "4000"), (world.member_b, "3000")):
        base_set(member=member, effective_month=start, category="在职", base=Decimal(base))


def test_it_records_a_payment_and_the_arrears_list_shrinks(page, e2e_world):
    _in_arrears(e2e_world)
    login(page, "dangwu")
    page.goto(page.base_url + "/dues/arrears/")
    rows = page.locator("#arrears-list tbody tr[data-member]")
    assert rows.count() == 2 and page.locator("[data-testid=arrears-count]").inner_text() == "2"
    shot(page, "dues-arrears-before")
    page.locator(f"tr[data-member='{e2e_world.member_a.pk}']").get_by_role("link", name="登记交纳").click()
    # What is owed now: the 4 months past their deadline × 40.00 (this month is not due yet).
    assert page.locator("#id_amount").input_value() == "160.00"
    page.select_option("#id_method", "微信")
    page.fill("#id_receipt_no", "2023-0815")
    shot(page, "dues-pay-form")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/dues/arrears/**")
    assert "已登记张三交纳党费160.00元" in page.locator(".alert-success").inner_text()
    assert rows.count() == 1 and page.locator("[data-testid=arrears-count]").inner_text() == "1"
    assert page.locator(f"tr[data-member='{e2e_world.member_a.pk}']").count() == 0
    shot(page, "dues-arrears-after")


def test_it_imports_a_payment_list_giving_an_unmatched_row_to_a_member(page, e2e_world, tmp_path):
    _in_arrears(e2e_world)
    w = e2e_world
    today = timezone.localdate()
    csv = tmp_path / "微信账单.csv"
    csv.write_text(f"姓名,身份证后四位,金额,交纳日期,交易单号\n张三,{w.member_a.id_number[-4:]},40,{today},T1\n"
                   f"李小四,,30,{today},T2\n", encoding="utf-8")
    login(page, "dangwu")
    page.goto(page.base_url + "/dues/import/")
    page.set_input_files("#id_file", str(csv))
    page.select_option("#id_org", str(w.community.pk))
    page.get_by_role("button", name="上传并预览").click()
    assert page.locator("[data-testid=count-matched]").inner_text() == "1"
    assert page.locator("[data-testid=count-unmatched]").inner_text() == "1"
    page.get_by_label("第3行指定党员").select_option(str(w.member_b.pk))
    shot(page, "dues-import-preview")
    page.get_by_role("button", name="确认入账").click()
    booked = page.locator(".card", has_text="已入账 2 笔")
    assert "李小四 → 李四" in booked.inner_text()
    shot(page, "dues-import-done")


def test_it_works_on_a_phone(phone_page, e2e_world):
    _in_arrears(e2e_world)
    login(phone_page, "dangwu")
    phone_page.goto(phone_page.base_url + "/dues/")
    assert phone_page.locator("#dues-table tbody tr[data-member]").count() == 2
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"
    shot(phone_page, "dues-home-phone")
