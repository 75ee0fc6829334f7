"""Register a problem with two measures, get reminded, complete both, sign off as the community
secretary, see it closed in the ledger and the reminder gone."""

from django.utils import timezone

from dangjian.plans.reminders import run
from dangjian.plans.services import terms_ensure_defaults
from e2e.conftest import login, shot


def test_it_closes_a_problem_after_both_measures_and_sign_off(page, e2e_world):
    terms_ensure_defaults()  # browser tests flush the database, migration-seeded rows included
    login(page, "shuji")
    page.goto(page.base_url + "/plans/problems/new/")
    page.select_option("#id_org", label="和平社区党总支")
    page.fill("#id_title", "意识形态阵地管理不到位")
    page.select_option("#id_category", label="意识形态")
    page.select_option("#id_source", label="自查")
    page.fill("#id_causes", "对意识形态工作重视不够\n阵地管理责任不明确")
    page.get_by_role("button", name="保存").click()
    assert page.locator("#causes li").count() == 2

    for title in ("明确宣传栏专人管理", "每季度专题研究意识形态工作"):
        page.fill("#m-title", title)
        page.fill("#m-owner", "社区党总支书记")
        page.fill("#m-days", "2")
        page.get_by_role("button", name="添加措施").click()
    assert page.locator("[data-testid=measure]").count() == 2
    assert page.get_by_role("button", name="签字销号").is_disabled()

    run(today=timezone.localdate())  # the daily `dangjian remind`
    page.reload()
    assert page.locator("[data-testid=notification-badge] .badge").inner_text() == "2"
    page.locator("[data-testid=notification-badge]").click()
    assert page.locator("[data-testid=notification]").count() == 2
    shot(page, "plans-notifications")
    page.go_back()

    for result in ("已明确专人，建立巡查记录", "党总支会议已专题研究"):
        form = page.locator("[data-testid=measure-complete]").first
        form.locator("input[name=result]").fill(result)
        form.get_by_role("button", name="完成整改").click()
        page.wait_for_load_state()
    assert page.locator("[data-testid=measure-complete]").count() == 0

    page.check("#sign-confirm")
    page.get_by_role("button", name="签字销号").click()
    assert page.locator("h1 [data-testid=problem-status]").inner_text() == "已销号"
    shot(page, "plans-problem-closed")

    page.goto(page.base_url + f"/plans/problems/?period={timezone.localdate().year}")
    row = page.locator("#ledger tr", has_text="意识形态阵地管理不到位")
    assert row.locator("[data-testid=problem-status]").inner_text() == "已销号"
    shot(page, "plans-ledger")

    page.goto(page.base_url + "/plans/notifications/")
    assert page.locator("[data-testid=notification]").count() == 0
    assert page.locator("[data-testid=notification-badge] .badge").count() == 0


def test_it_shows_the_due_list_on_a_phone(phone_page, e2e_world):
    login(phone_page, "zhibu_a")
    phone_page.goto(phone_page.base_url + "/plans/due/")
    assert phone_page.get_by_role("heading", name="到期与逾期").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    shot(phone_page, "plans-due-phone")
