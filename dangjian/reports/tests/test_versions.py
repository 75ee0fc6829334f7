from django.urls import reverse

from dangjian.reports.services import paragraph_save, report_regenerate
from dangjian.reports.views import diff_rows


def test_it_lists_changed_paragraphs_between_versions(client_for, world, report):
    p = report.current_version().paragraphs.get(key="s2.own")
    paragraph_save(paragraph=p, text="本人严守纪律，带头廉洁。", user=world.worker)
    report_regenerate(report=report, user=world.worker)
    report.current_version().paragraphs.filter(key="s2.own").update(edited="本人严守纪律，带头廉洁自律。")
    html = client_for(world.worker).get(reverse("report_diff", args=[report.pk]) + "?a=1&b=2").content.decode()
    assert "<ins>自律</ins>" in html and "1 处不同" in html


def test_it_marks_inserted_and_deleted_paragraphs():
    rows = diff_rows(["甲", "乙"], ["甲", "丙", "丁"])
    assert [r["op"] for r in rows][0] == "equal"
    assert any(r["op"] in ("insert", "replace") for r in rows)
