from django.urls import reverse

from dangjian.members.models import Member
from dangjian.reports.drafting import fill
from dangjian.reports.models import Report

from .conftest import Q3


def _text(report) -> str:
    v = report.current_version()
    return "\n".join(fill(p.source, v.figures["figures"]) for p in v.paragraphs.all())


def test_it_drafts_the_report_in_the_example_structure(report):
    keys = [p.key for p in report.current_version().paragraphs.all()]
    for key in ("opening", "s1", "s1.study", "s1.work", "s1.work.education", "s1.work.team", "s1.work.key", "s2", "s3", "s4"):
        assert key in keys
    assert keys.index("s1") < keys.index("s2") < keys.index("s3") < keys.index("s4")


def test_it_counts_members_from_the_roll(report, world):
    on_roll = Member.objects.filter(org__path__startswith=world.community.path, archived_on__isnull=True).count()
    assert f"共有党员{on_roll}名" in _text(report)


def test_it_marks_each_figure_with_a_link_to_its_records(report):
    v = report.current_version()
    roll = v.paragraphs.get(key="s1.work.education.roll")
    assert "⟦members.full⟧" in roll.generated
    assert v.figures["figures"]["members.full"]["link"].startswith(reverse("member_list"))


def test_it_shows_each_figure_as_a_link_on_screen(client_for, world, report):
    html = client_for(world.secretary).get(reverse("report_detail", args=[report.pk])).content.decode()
    assert 'class="dj-fig" href="/members/?org=' in html


def test_it_opens_the_existing_report_instead_of_drafting_twice(client_for, world, report):
    response = client_for(world.worker).post(reverse("report_create"), {
        "org": world.community.pk, "period": str(Q3), "reporter_name": "刘书记"})
    assert response.url == reverse("report_detail", args=[report.pk])
    assert Report.objects.filter(org=world.community).count() == 1


def test_it_drafts_from_the_list_page(client_for, world):
    response = client_for(world.worker).post(reverse("report_create"), {
        "org": world.community.pk, "period": "2023Q3", "reporter_name": "刘书记"})
    report = Report.objects.get(org=world.community, period="2023Q3")
    assert response.url == reverse("report_detail", args=[report.pk])
    assert report.reporter_title == "和平社区党总支书记"


def test_it_refuses_a_month_as_the_period(client_for, world):
    client_for(world.worker).post(reverse("report_create"), {
        "org": world.community.pk, "period": "2023-07", "reporter_name": "刘书记"})
    assert not Report.objects.exists()
