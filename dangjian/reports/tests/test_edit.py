from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.reports.drafting import fill
from dangjian.reports.services import paragraph_save


def _para(report, key):
    return report.current_version().paragraphs.get(key=key)


def test_it_saves_an_edited_paragraph_with_htmx(client_for, world, report):
    p = _para(report, "s2.own")
    response = client_for(world.worker).post(reverse("report_paragraph_edit", args=[p.pk]),
                                             {"text": "本人严守纪律。"}, HTTP_HX_REQUEST="true")
    assert "本人严守纪律。" in response.content.decode() and "已手工修改" in response.content.decode()
    p.refresh_from_db()
    assert p.is_edited and p.edited == "本人严守纪律。"


def test_it_keeps_a_figure_linked_when_the_number_and_its_context_survive(world, report):
    p = _para(report, "s1.work.education.roll")
    figures = p.version.figures["figures"]
    text = "我们核对了党员名册。" + fill(p.generated, figures)
    paragraph_save(paragraph=p, text=text, user=world.worker)
    assert p.is_edited and "⟦members.full⟧" in p.edited and "⟦members.total⟧" in p.edited


def test_it_unlinks_a_number_the_user_changed(world, report):
    p = _para(report, "s1.work.education.roll")
    figures = p.version.figures["figures"]
    full = figures["members.full"]["value"]
    text = fill(p.generated, figures).replace(f"正式党员{full}名", "正式党员999名")
    paragraph_save(paragraph=p, text=text, user=world.worker)
    assert "⟦members.full⟧" not in p.edited and "正式党员999名" in p.edited


def test_it_treats_the_unchanged_text_as_not_edited(world, report):
    p = _para(report, "opening")
    paragraph_save(paragraph=p, text=fill(p.generated, p.version.figures["figures"]), user=world.worker)
    assert not p.is_edited


def test_it_restores_the_system_text(client_for, world, report):
    p = _para(report, "s2.own")
    paragraph_save(paragraph=p, text="改过的", user=world.worker)
    client_for(world.worker).post(reverse("report_paragraph_reset", args=[p.pk]), HTTP_HX_REQUEST="true")
    p.refresh_from_db()
    assert not p.is_edited and p.edited == ""


def test_it_refuses_an_empty_paragraph(world, report):
    p = _para(report, "s2.own")
    try:
        paragraph_save(paragraph=p, text="  ", user=world.worker)
    except ValidationError as exc:
        assert "不能为空" in exc.messages[0]
    else:
        raise AssertionError("an empty paragraph was saved")


def test_it_records_who_changed_a_paragraph(world, report):
    p = _para(report, "s2.own")
    paragraph_save(paragraph=p, text="本人严守纪律。", user=world.worker)
    assert p.edited_by == world.worker and p.history.first().edited == "本人严守纪律。"
