"""Draft → submitted → (community secretary) returned with a reason, through the pages."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.meetings.choices import Mark, Status
from dangjian.meetings.models import Activity

from .helpers import activity_type, committee, held

pytestmark = pytest.mark.django_db


def _create(client, world, **extra):
    data = {"org": world.branch_b.pk, "type": activity_type("committee").pk, "topic": "研究发展党员工作",
            "held_on": "2023-07-05", "start_time": "09:00", "end_time": "10:30", "host": "书记", "recorder": "组织委员",
            "minutes": "会议研究了发展党员工作。", "tags_text": "主题教育，七一"} | extra
    return client.post(reverse("meeting_create"), data)


def test_it_records_a_committee_meeting_with_its_committee_expected(world, client_for):
    members = committee(world.branch_b)
    response = _create(client_for(world.worker_b), world)
    a = Activity.objects.get()
    assert response.status_code == 302 and a.status == Status.DRAFT
    assert {r.member_id for r in a.attendance.all()} == {m.pk for m in members}
    assert sorted(t.name for t in a.tags.all()) == ["七一", "主题教育"]


def test_it_refuses_a_date_in_the_future(world, client_for):
    response = _create(client_for(world.worker_b), world, held_on="2099-01-01")
    assert response.status_code == 200 and "不能晚于今天" in response.content.decode()


def test_it_saves_the_marks_from_the_sign_in_sheet(world, client_for):
    members = committee(world.branch_b)
    client = client_for(world.worker_b)
    _create(client, world)
    a = Activity.objects.get()
    rows = list(a.attendance.order_by("pk"))
    data = {f"mark_{rows[0].pk}": Mark.PRESENT, f"reason_{rows[0].pk}": "",
            f"mark_{rows[1].pk}": Mark.SICK, f"reason_{rows[1].pk}": "住院",
            f"mark_{rows[2].pk}": Mark.PERSONAL, f"reason_{rows[2].pk}": "外出", "action": "save"}
    client.post(reverse("meeting_attendance", args=[a.pk]), data)
    assert [(r.mark, r.reason) for r in a.attendance.order_by("pk")] == [
        ("到会", ""), ("病假", "住院"), ("事假", "外出")]
    assert len(members) == 3


def test_it_marks_the_rest_present_in_one_click(world, client_for):
    committee(world.branch_b)
    client = client_for(world.worker_b)
    _create(client, world)
    a = Activity.objects.get()
    client.post(reverse("meeting_attendance", args=[a.pk]), {"action": "rest_present"})
    assert set(a.attendance.values_list("mark", flat=True)) == {"到会"}


def test_it_will_not_submit_with_members_unmarked(world, client_for):
    committee(world.branch_b)
    client = client_for(world.worker_b)
    _create(client, world)
    a = Activity.objects.get()
    response = client.post(reverse("meeting_submit", args=[a.pk]), follow=True)
    a.refresh_from_db()
    assert a.status == Status.DRAFT and "还没有登记签到情况" in response.content.decode()


def test_it_wants_a_reason_for_an_absence(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT, marks={world.member_b: Mark.ABSENT})
    a.attendance.update(reason="")
    client_for(world.worker_b).post(reverse("meeting_submit", args=[a.pk]))
    a.refresh_from_db()
    assert a.status == Status.DRAFT


def test_it_wants_a_lecturer_for_a_lecture(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT, marks={world.member_b: Mark.PRESENT},
             also=("lecture",))
    a.lecturer = ""
    a.save()
    from dangjian.meetings.services import submission_problems

    assert submission_problems(a) == ["党课须填写授课人"]


def test_it_submits_a_complete_record_and_then_locks_it(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT, marks={world.member_b: Mark.PRESENT})
    client = client_for(world.worker_b)
    client.post(reverse("meeting_submit", args=[a.pk]))
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.submitted_by == world.worker_b
    response = client.post(reverse("meeting_attendance", args=[a.pk]), {"action": "rest_present"}, follow=True)
    assert "已提交的记录不能修改" in response.content.decode()


def test_it_lets_the_community_secretary_send_a_record_back_with_a_reason(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), marks={world.member_b: Mark.PRESENT})
    client_for(world.secretary).post(reverse("meeting_return", args=[a.pk]), {"reason": "请补充会议记录"})
    a.refresh_from_db()
    assert (a.status, a.return_reason, a.returned_by) == (Status.RETURNED, "请补充会议记录", world.secretary)


def test_it_will_not_send_back_without_a_reason(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), marks={world.member_b: Mark.PRESENT})
    client_for(world.secretary).post(reverse("meeting_return", args=[a.pk]), {"reason": " "})
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED


def test_it_does_not_let_a_branch_worker_send_a_record_back(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), marks={world.member_b: Mark.PRESENT})
    response = client_for(world.worker_b).post(reverse("meeting_return", args=[a.pk]), {"reason": "x"})
    assert response.status_code == 403


def test_it_lets_a_returned_record_be_corrected_and_resubmitted(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.RETURNED, marks={world.member_b: Mark.PRESENT})
    client = client_for(world.worker_b)
    client.post(reverse("meeting_edit", args=[a.pk]), {
        "org": world.branch_b.pk, "type": a.type_id, "topic": "补充后的议题", "held_on": "2023-07-01", "host": "书记",
        "recorder": "记录人", "minutes": "补充了讨论内容"})
    client.post(reverse("meeting_submit", args=[a.pk]))
    a.refresh_from_db()
    assert (a.topic, a.status) == ("补充后的议题", Status.SUBMITTED)


def test_it_keeps_who_changed_what_in_the_history(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT, marks={world.member_b: Mark.PRESENT})
    client_for(world.worker_b).post(reverse("meeting_submit", args=[a.pk]))
    record = a.history.order_by("-history_date").first()
    assert (record.status, record.history_user, record.history_change_reason) == ("submitted", world.worker_b, "提交")
