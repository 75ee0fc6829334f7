"""What the pages show: the detail with its turnout and quorum, the printable sign-in sheet."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import services
from dangjian.meetings.choices import Mark, Status

from .helpers import activity_type, committee, held

pytestmark = pytest.mark.django_db


def test_it_states_which_marks_count_as_attended(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), marks={world.member_b: Mark.LATE})
    text = client_for(world.worker_b).get(reverse("meeting_detail", args=[a.pk])).content.decode()
    assert "实到 = 到会 + 迟到" in text and "请假（病假、事假、公假）和缺席计入应到" in text


def test_it_warns_when_a_committee_meeting_is_short_of_its_quorum(world, client_for):
    members = committee(world.branch_b)
    marks = {members[0]: Mark.PRESENT, members[1]: Mark.SICK, members[2]: Mark.PERSONAL}
    a = held(world.branch_b, "committee", date(2023, 7, 1), marks=marks)
    response = client_for(world.worker_b).get(reverse("meeting_detail", args=[a.pk]))
    assert not response.context["quorum"].ok and "不足法定人数" in response.content.decode()


def test_it_raises_no_quorum_alarm_for_a_meeting_planned_for_next_week(world, client_for):
    members = committee(world.branch_b)
    a = held(world.branch_b, "committee", timezone.localdate() + timedelta(days=7), status=Status.DRAFT, planned=True,
             marks=dict.fromkeys(members, ""))
    response = client_for(world.worker_b).get(reverse("meeting_detail", args=[a.pk]))
    text = response.content.decode()
    assert response.context["quorum"].state == "unrecorded"
    assert "未登记出席" in text and "不足法定人数" not in text and "实到0人" not in text


def test_it_raises_no_quorum_alarm_before_attendance_is_entered(world, client_for):
    members = committee(world.branch_b)
    a = held(world.branch_b, "committee", date(2023, 7, 1), status=Status.DRAFT, marks=dict.fromkeys(members, ""))
    response = client_for(world.worker_b).get(reverse("meeting_detail", args=[a.pk]))
    quorum = response.context["quorum"]
    text = response.content.decode()
    assert quorum.state == "unrecorded" and "未登记出席" in text and "不足法定人数" not in text
    assert f"至少{quorum.needed}人" in text  # the rule it will be held to, from the rules module


def test_it_prints_a_sign_in_sheet_with_the_roster_of_a_planned_meeting(world, client_for):
    a = services.activity_create(org=world.branch_a, type=activity_type("congress"), topic="讨论接收预备党员",
                                 planned_on=date(2099, 7, 1), place="党员活动室")
    response = client_for(world.worker_a).get(reverse("meeting_signin", args=[a.pk]))
    text = response.content.decode()
    assert "第一党支部支部党员大会签到表" in text and "张三" in text and "本人签名" in text
    assert [r.member.name for r in response.context["rows"]] == ["张三"]
    assert a.status == Status.DRAFT


def test_it_lists_an_activity_with_its_rate(world, client_for):
    extra = committee(world.branch_b, 1)[0]
    held(world.branch_b, "theme_day", date(2023, 7, 1), marks={world.member_b: Mark.PRESENT, extra: Mark.SICK})
    page = client_for(world.worker_b).get(reverse("meeting_list")).context["page"]
    assert [(a.n_expected, a.n_attended, a.rate) for a in page] == [(2, 1, 50.0)]


def test_it_filters_the_list_by_type_including_combined_ones(world, client_for):
    combined = held(world.branch_b, "theme_day", date(2023, 7, 1), also=("lecture",))
    held(world.branch_b, "theme_day", date(2023, 8, 1))
    page = client_for(world.worker_b).get(reverse("meeting_list"), {"type": "lecture"}).context["page"]
    assert [a.pk for a in page] == [combined.pk]


def test_it_orders_the_list_newest_first_with_plans_by_their_date(world, client_for):
    old = held(world.branch_b, "theme_day", date(2023, 7, 1))
    plan = held(world.branch_b, "theme_day", date(2023, 9, 1), status=Status.DRAFT, planned=True)
    mid = held(world.branch_b, "theme_day", date(2023, 8, 1))
    page = client_for(world.worker_b).get(reverse("meeting_list")).context["page"]
    assert [a.pk for a in page] == [plan.pk, mid.pk, old.pk]


def test_it_shows_the_compliance_page_with_reasons(world, client_for):
    response = client_for(world.worker_b).get(reverse("meeting_compliance"), {"period": "2023-07"})
    assert "主题党日：7月未达到每月至少1次" in response.content.decode()
