"""What each paragraph rests on: figures and records (computed), the secretary's text, or a
placeholder — in the JSON of `dangjian report --format json` and of the download."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.meetings.models import Activity, ActivityType, Attendance
from dangjian.reports.drafting import fill
from dangjian.reports.services import paragraph_save, report_draft

from .conftest import Q3

BANNED = ("已督促限期补齐", "均建立了联系台账", "已逐一谈话提醒", "带头参加集中学习", "已逐一提醒补交")


def _json(**opts) -> dict:
    buf = io.StringIO()
    call_command("report", org="HP", period="2023Q3", format="json", stdout=buf, **opts)
    return json.loads(buf.getvalue())


def test_it_gives_every_paragraph_its_sources_or_says_it_is_a_placeholder(world):
    paragraphs = _json()["paragraphs"]
    assert {p["kind"] for p in paragraphs} <= {"computed", "placeholder", "heading"}
    for p in paragraphs:
        assert p["kind"] != "computed" or p["figures"] or p["records"], p["key"]
        assert p["kind"] != "placeholder" or p["placeholders"], p["key"]


def test_it_links_each_figure_of_a_paragraph(world):
    roll = next(p for p in _json()["paragraphs"] if p["key"] == "s1.work.education.roll")
    total = next(f for f in roll["figures"] if f["key"] == "members.total")
    assert total["link"].startswith(reverse("member_list")) and str(total["value"]) in roll["text"]


def test_it_calls_an_edited_paragraph_the_secretarys_text(world, report):
    p = report.current_version().paragraphs.get(key="s2.own")
    paragraph_save(paragraph=p, text="本人严守纪律。", user=world.secretary)
    saved = {p["key"]: p for p in _json(saved=True)["paragraphs"]}
    assert saved["s2.own"]["kind"] == "secretary" and saved["s2.own"]["text"] == "本人严守纪律。"


def test_it_downloads_the_same_paragraphs_as_json(client_for, world, report):
    response = client_for(world.secretary).get(reverse("report_download", args=[report.pk, "json"]))
    data = json.loads(response.content)
    assert [p["key"] for p in data["paragraphs"]] == [p.key for p in report.current_version().paragraphs.all()]


def test_it_writes_no_sentence_that_asserts_what_no_record_says(world, report):
    v = report.current_version()
    text = "".join(fill(p.source, v.figures["figures"]) for p in v.paragraphs.all())
    assert not [b for b in BANNED if b in text]


@pytest.fixture
def study_session(world):
    """张三, named as the community's secretary, signed in at a 集中学习 in 2023Q3."""
    world.community.secretary = "张三"
    world.community.save()
    activity = Activity.objects.create(org=world.branch_a, type=ActivityType.objects.get(code="study"), status="submitted",
                                       held_on=date(2023, 8, 10), topic="集中学习党章")
    Attendance.objects.create(activity=activity, member=world.member_a, mark="到会")
    return activity


def test_it_writes_the_secretarys_study_from_her_sign_ins(client_for, world, study_session):
    report = report_draft(org=world.community, period=Q3, reporter_name="张三", user=world.worker)
    v = report.current_version()
    own = v.paragraphs.get(key="s1.study.own")
    assert "本人本季度参加集中学习1次" in fill(own.source, v.figures["figures"])
    link = v.figures["figures"]["meetings.secretary_attended_study"]["link"]
    assert client_for(world.secretary).get(link).context["total"] == 1


def test_it_asks_for_the_secretarys_study_without_a_sign_in(world, report):
    own = report.current_version().paragraphs.get(key="s1.study.own")
    assert own.source.startswith("【请补充：本人参加上级组织的学习")


def test_a_report_takes_the_same_queries_whether_or_not_its_secretary_is_on_the_roll(world, study_session):
    """The street/city benches compare query counts page by page: a community whose record names
    someone on its roll must not take one more query than one whose record does not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.reports.services import compose

    compose(world.community, Q3)
    with CaptureQueriesContext(connection) as named:
        compose(world.community, Q3)
    world.community.secretary = "无此人"
    world.community.save()
    compose(world.community, Q3)
    with CaptureQueriesContext(connection) as unnamed:
        compose(world.community, Q3)
    assert len(named) == len(unnamed)
