"""The report page's 自检 panel: it lists what only the secretary can write; finalising refuses
until she has written it, then succeeds; and a figure's link opens a list of as many records."""

import re

from e2e.conftest import login, shot

ASK = re.compile(r"【请补充：[^】]*】")


def _draft(world):
    from dangjian.lib.periods import Period
    from dangjian.reports.services import report_draft

    return report_draft(org=world.community, period=Period.parse("2023Q3"), reporter_name="刘书记",
                        reporter_title="和平社区党总支书记", reporter=world.secretary, user=world.worker)


def write_each_placeholder(page, words: str = "本人按要求落实，情况良好") -> int:
    """Follow the 自检 panel's links one by one and write each placeholder; returns how many."""
    written = 0
    while page.locator("[data-testid=selfcheck-placeholder]").count():
        link = page.locator("[data-testid=selfcheck-placeholder]").first
        anchor = link.get_attribute("href")
        link.click()
        para = page.locator(anchor)
        para.get_by_role("button", name="修改").click()
        box = page.locator(f"{anchor} [data-testid=para-text]")
        box.fill(ASK.sub(words, box.input_value()))
        page.locator(f"{anchor} [data-testid=para-save]").click()
        page.locator(f"{anchor} .dj-para-text").wait_for()
        written += 1
        page.reload()
        page.locator("[data-testid=selfcheck]").wait_for()
    return written


def test_it_has_the_secretary_write_the_placeholders_before_finalising(page, e2e_world):
    page.on("dialog", lambda dialog: dialog.accept())
    report = _draft(e2e_world)
    login(page, "shuji")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(page.base_url + f"/reports/{report.pk}/")
    panel = page.locator("[data-testid=selfcheck]")
    page.locator("[data-testid=selfcheck-live]").wait_for()  # the relations, checked against the records by htmx
    assert panel.locator("[data-testid=selfcheck-placeholder]").count() > 0
    assert page.locator("[data-testid=draft] mark.dj-ask").count() == panel.locator("[data-testid=selfcheck-placeholder]").count()
    shot(page, "report-selfcheck-1366")

    page.click("[data-testid=finalise]")
    page.get_by_text("请在“自检”中逐项补充后再定稿").wait_for()
    assert "草稿" in page.inner_text("[data-testid=status]")

    assert write_each_placeholder(page) > 0
    page.locator("[data-testid=selfcheck-ok]").wait_for()
    assert page.locator("[data-testid=draft] mark.dj-ask").count() == 0
    page.click("[data-testid=finalise]")
    page.get_by_text("已定稿：数字已冻结").wait_for()
    assert "已定稿" in page.inner_text("[data-testid=status]")


def test_it_opens_a_list_as_long_as_the_figure(page, e2e_world):
    report = _draft(e2e_world)
    login(page, "shuji")
    page.goto(page.base_url + f"/reports/{report.pk}/")
    figure = page.locator("[data-testid=draft] a.dj-fig[data-key='members.total']")
    shown = figure.inner_text()
    figure.click()
    page.wait_for_url(re.compile(r"/members/"))
    assert f"共 {shown} 人" in page.inner_text("h1")


def test_it_shows_the_selfcheck_on_a_phone(phone_page, e2e_world):
    report = _draft(e2e_world)
    login(phone_page, "shuji")
    phone_page.goto(phone_page.base_url + f"/reports/{report.pk}/")
    phone_page.locator("[data-testid=selfcheck-live]").wait_for()
    assert phone_page.locator("[data-testid=selfcheck-summary]").count() == 1
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone_page, "report-selfcheck-360")
