"""Draft the duty report, edit a paragraph, regenerate (the edit stays), finalise, download."""

import io

from docx import Document

from e2e.conftest import login, shot
from e2e.test_report_selfcheck import write_each_placeholder


def test_it_drafts_edits_regenerates_finalises_and_downloads(page, e2e_world):
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "shuji")
    page.goto(page.base_url + "/reports/")
    page.select_option("#id_org", label="和平社区党总支")
    page.fill("#id_period", "2023Q3")
    page.fill("#id_reporter_name", "刘书记")
    page.click("[data-testid=draft-submit]")
    page.wait_for_selector("[data-testid=draft]")
    assert "和平社区2023年第三季度基层党建述职报告" in page.inner_text("[data-testid=draft]")
    assert page.locator("a.dj-fig").count() > 5  # figures link to their records
    shot(page, "report-draft")

    page.click("[data-testid='edit-s2.own']")
    page.fill("[data-testid=para-text]", "本人严守政治纪律和政治规矩，带头落实中央八项规定精神。")
    page.click("[data-testid=para-save]")
    para = page.locator("[data-testid='para-s2.own']")
    para.get_by_text("已手工修改").wait_for()
    assert "带头落实中央八项规定精神" in para.inner_text()

    page.click("[data-testid=regenerate]")
    page.get_by_text("保留手工修改的段落1段").wait_for()
    assert "第2版" in page.inner_text("[data-testid=status]")
    assert "带头落实中央八项规定精神" in page.inner_text("[data-testid='para-s2.own']")
    shot(page, "report-regenerated")

    write_each_placeholder(page)  # what only the secretary can say (自检)
    page.click("[data-testid=finalise]")
    page.get_by_text("已定稿：数字已冻结").wait_for()
    assert "已定稿" in page.inner_text("[data-testid=status]")
    assert page.locator("[data-testid='edit-s2.own']").count() == 0
    shot(page, "report-final")

    with page.expect_download() as info:
        page.click("[data-testid=download-docx]")
    data = open(info.value.path(), "rb").read()
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "带头落实中央八项规定精神" in text and "2023年9月30日" in text


def test_it_reads_on_a_phone(phone_page, e2e_world):
    login(phone_page, "shuji")
    phone_page.goto(phone_page.base_url + "/reports/")
    assert phone_page.locator("[data-testid=draft-form]").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    shot(phone_page, "report-list-phone")


def test_it_zips_the_streets_finalised_reports_with_progress(page, e2e_world, worker):
    from dangjian.lib.periods import Period
    from dangjian.reports.services import report_draft, report_finalise
    from dangjian.reports.tests.conftest import write_placeholders

    w = e2e_world
    report = report_draft(org=w.community, period=Period.parse("2023Q3"), reporter_name="刘书记", user=w.worker)
    write_placeholders(report, w.secretary)
    report_finalise(report=report, user=w.secretary)
    login(page, "jiedao")
    page.goto(page.base_url + f"/reports/street/?org={w.street.pk}&period=2023Q3")
    assert "已定稿 1 / 2 个社区" in page.inner_text("[data-testid=finalised-count]")
    page.click("[data-testid=batch-start]")
    page.wait_for_selector("[data-testid=batch-download]", timeout=20_000)  # polled every second
    shot(page, "report-batch")
    with page.expect_download() as info:
        page.click("[data-testid=batch-download]")
    import zipfile

    names = zipfile.ZipFile(info.value.path()).namelist()
    assert "和平社区2023年第三季度述职报告.docx" in names and "清单.txt" in names
