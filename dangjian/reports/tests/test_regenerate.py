from datetime import date

from dangjian.members.models import Member
from dangjian.reports.drafting import fill
from dangjian.reports.models import ReportVersion
from dangjian.reports.services import paragraph_save, report_regenerate
from dangjian.testing.factories import MemberFactory


def _add_member(world):
    MemberFactory(name="新党员", org=world.branch_b, joined_on=date(2023, 1, 1), confirmed_on=date(2023, 2, 1))


def test_it_refreshes_figures_into_a_new_version(world, report):
    _add_member(world)
    v2 = report_regenerate(report=report, user=world.worker)
    total = Member.objects.filter(org__path__startswith=world.community.path).count()
    assert v2.number == 2 and v2.figures["figures"]["members.total"]["value"] == total
    assert report.versions.get(number=1).status == ReportVersion.Status.SUPERSEDED


def test_it_keeps_the_users_edited_paragraphs(world, report):
    p = report.current_version().paragraphs.get(key="s2.own")
    paragraph_save(paragraph=p, text="我的修改。", user=world.worker)
    _add_member(world)
    v2 = report_regenerate(report=report, user=world.worker)
    kept = v2.paragraphs.get(key="s2.own")
    assert kept.is_edited and kept.edited == "我的修改。"


def test_it_updates_linked_figures_inside_an_edited_paragraph_and_says_so(client_for, world, report):
    p = report.current_version().paragraphs.get(key="s1.work.education.roll")
    text = "我们核对了党员名册。" + fill(p.generated, p.version.figures["figures"])
    paragraph_save(paragraph=p, text=text, user=world.worker)
    _add_member(world)
    v2 = report_regenerate(report=report, user=world.worker)
    kept = v2.paragraphs.get(key="s1.work.education.roll")
    assert kept.is_edited and "⟦members.total⟧" in kept.edited
    html = client_for(world.worker).get(f"/reports/{report.pk}/").content.decode()
    assert "数字已随记录更新，请核对" in html and "党员总数 2→3" in html


def test_it_keeps_an_edited_paragraph_whose_source_is_gone(world, report):
    v1 = report.current_version()
    p = v1.paragraphs.get(key="s2.own")
    paragraph_save(paragraph=p, text="我的修改。", user=world.worker)
    v1.paragraphs.filter(key="s2.own").update(key="s2.gone")
    v2 = report_regenerate(report=report, user=world.worker)
    orphan = v2.paragraphs.get(key="s2.gone")
    keys = list(v2.paragraphs.values_list("key", flat=True))
    assert orphan.orphaned and keys.index("s2.gone") == keys.index("s2") + 1


def test_it_tells_the_draft_when_records_changed_since_it_was_read(client_for, world, report):
    url = f"/reports/{report.pk}/stale/"
    assert "本版数字与当前记录一致" in client_for(world.worker).get(url).content.decode()
    _add_member(world)
    html = client_for(world.worker).get(url).content.decode()
    assert "记录已有变化" in html and "党员总数：2 → 3" in html
