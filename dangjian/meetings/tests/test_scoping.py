"""Every meeting view keeps a user inside their subtree: branch A's worker gets 404 on branch B."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.meetings.choices import Mark, Status
from dangjian.meetings.models import Attachment, CalendarFeed, SelfStudy
from dangjian.meetings.services import attachment_add

from .helpers import activity_type, held, send, visit

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

GET_VIEWS = ["meeting_detail", "meeting_edit", "meeting_signin"]
POST_VIEWS = ["meeting_attendance", "meeting_guest", "meeting_submit", "meeting_return", "meeting_attachment_add"]
ORG_PAGES = ["meeting_export", "meeting_calendar", "meeting_compliance", "meeting_reach"]


@pytest.fixture
def b_draft(world):
    return held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT, marks={world.member_b: Mark.PRESENT})


@pytest.fixture
def a_done(world):
    return held(world.branch_a, "theme_day", date(2023, 7, 2), marks={world.member_a: Mark.PRESENT})


@pytest.mark.parametrize("view", GET_VIEWS)
def test_it_gives_branch_a_worker_404_for_branch_b_activity(world, client_for, b_draft, view):
    assert client_for(world.worker_a).get(reverse(view, args=[b_draft.pk])).status_code == 404


@pytest.mark.parametrize("view", GET_VIEWS)
def test_it_lets_branch_b_worker_open_its_own_activity(world, client_for, b_draft, view):
    assert client_for(world.worker_b).get(reverse(view, args=[b_draft.pk])).status_code == 200


@pytest.mark.parametrize("view", POST_VIEWS)
def test_it_gives_branch_a_worker_404_when_writing_to_branch_b_activity(world, client_for, b_draft, view):
    response = client_for(world.worker_a).post(reverse(view, args=[b_draft.pk]), {"action": "rest_present", "reason": "x"})
    assert response.status_code == 404
    assert b_draft.attendance.get().mark == Mark.PRESENT and b_draft.status == Status.DRAFT


def test_it_gives_404_for_an_attachment_of_another_branch(world, client_for, b_draft):
    attachment = attachment_add(activity=b_draft, upload=SimpleUploadedFile("照片.png", PNG, "image/png"))
    assert client_for(world.worker_a).get(reverse("meeting_attachment", args=[attachment.pk])).status_code == 404
    assert client_for(world.worker_b).get(reverse("meeting_attachment", args=[attachment.pk])).status_code == 200
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("view", ORG_PAGES)
def test_it_gives_404_for_a_page_about_another_branch(world, client_for, view):
    response = client_for(world.worker_a).get(reverse(view), {"org": world.branch_b.pk, "period": "2023Q3"})
    assert response.status_code == 404


@pytest.mark.parametrize("view", ORG_PAGES)
def test_it_opens_the_page_about_the_own_branch(world, client_for, view):
    response = client_for(world.worker_a).get(reverse(view), {"org": world.branch_a.pk, "period": "2023Q3"})
    assert response.status_code == 200


def test_it_lists_only_the_branch_activities(world, client_for, b_draft, a_done):
    page = client_for(world.worker_a).get(reverse("meeting_list")).context["page"]
    assert [a.pk for a in page] == [a_done.pk]


def test_it_exports_only_the_subtree_by_default(world, client_for, a_done):
    held(world.branch_b, "theme_day", date(2023, 7, 3), marks={world.member_b: Mark.PRESENT})
    from dangjian.lib.tabular import Column, read_table

    response = client_for(world.worker_a).get(reverse("meeting_export"), {"period": "2023Q3"})
    rows = list(read_table(response.content, (Column("org", "组织"), Column("topic", "议题/主题")), filename="x.xlsx"))
    assert [r.values["org"] for r in rows] == ["第一党支部"]


def test_it_refuses_to_record_for_another_branch(world, client_for):
    response = client_for(world.worker_a).post(reverse("meeting_create"), {
        "org": world.branch_b.pk, "type": activity_type("theme_day").pk, "topic": "x", "held_on": "2023-07-01"})
    assert response.status_code == 200 and "org" in response.context["form"].errors


def test_it_refuses_to_add_a_member_of_another_community_to_the_list(world, client_for):
    a = held(world.branch_a, "theme_day", date(2023, 7, 1), status=Status.DRAFT)
    response = client_for(world.worker_a).post(reverse("meeting_attendance", args=[a.pk]),
                                                {"action": "add", "member": world.member_c.pk})
    assert response.status_code == 404 and not a.attendance.exists()


def test_it_gives_404_for_another_branchs_visit_photo_and_send(world, client_for):
    v = visit(world.member_b, date(2023, 7, 1))
    v.photo.save("x.png", SimpleUploadedFile("x.png", PNG))
    s = send(world.member_b, date(2023, 7, 1))
    client = client_for(world.worker_a)
    assert client.get(reverse("visit_photo", args=[v.pk])).status_code == 404
    assert client.post(reverse("send_confirm", args=[s.pk]), {"confirmed_on": "2023-07-02"}).status_code == 404
    assert client_for(world.worker_b).get(reverse("visit_photo", args=[v.pk])).status_code == 200


@pytest.mark.parametrize(("view", "make"), [
    ("visit_list", lambda w: visit(w.member_b, date(2023, 7, 1))),
    ("send_list", lambda w: send(w.member_b, date(2023, 7, 1))),
    ("study_list", lambda w: SelfStudy.objects.create(org=w.branch_b, member=w.member_b, studied_on=date(2023, 7, 1),
                                                      points=10)),
])
def test_it_lists_education_only_within_the_subtree(world, client_for, view, make):
    make(world)
    assert list(client_for(world.worker_a).get(reverse(view)).context["page"]) == []
    assert len(client_for(world.worker_b).get(reverse(view)).context["page"]) == 1


def test_it_shows_a_member_account_only_submitted_records_of_its_branch(world, client_for, a_done):
    draft = held(world.branch_a, "theme_day", date(2023, 8, 2), status=Status.DRAFT)
    b_done = held(world.branch_b, "theme_day", date(2023, 7, 2))
    client = client_for(world.member_user)
    assert [a.pk for a in client.get(reverse("meeting_list")).context["page"]] == [a_done.pk]
    assert client.get(reverse("meeting_detail", args=[a_done.pk])).status_code == 200
    assert client.get(reverse("meeting_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("meeting_detail", args=[b_done.pk])).status_code == 404


def test_it_forbids_a_member_account_to_write_print_or_export(world, client_for, a_done):
    client = client_for(world.member_user)
    assert client.get(reverse("meeting_signin", args=[a_done.pk])).status_code == 403
    assert client.post(reverse("meeting_return", args=[a_done.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("meeting_export")).status_code == 403
    assert client.get(reverse("meeting_create")).status_code == 403
    assert client.get(reverse("meeting_compliance")).status_code == 403


def test_it_shows_a_grid_worker_no_meetings(world, client_for, a_done):
    client = client_for(world.grid_worker)
    assert list(client.get(reverse("meeting_list")).context["page"]) == []
    assert client.get(reverse("meeting_detail", args=[a_done.pk])).status_code == 404


def test_it_keeps_the_outsider_out_of_another_community(world, client_for, a_done):
    assert client_for(world.outsider).get(reverse("meeting_detail", args=[a_done.pk])).status_code == 404


def test_it_lets_the_community_secretary_see_both_branches(world, client_for, a_done, b_draft):
    page = client_for(world.secretary).get(reverse("meeting_list")).context["page"]
    assert {a.pk for a in page} == {a_done.pk, b_draft.pk}


def test_it_redirects_anonymous_users_to_login(client, world, a_done):
    response = client.get(reverse("meeting_detail", args=[a_done.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_reads_a_calendar_feed_without_a_session(world, client, a_done):
    feed, token = CalendarFeed.issue(user=world.worker_a, org=world.branch_a)
    response = client.get(reverse("meeting_ics", args=[world.branch_a.pk, token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")


def test_it_will_not_let_a_token_read_another_org(world, client):
    _, token = CalendarFeed.issue(user=world.worker_a, org=world.branch_a)
    assert client.get(reverse("meeting_ics", args=[world.branch_b.pk, token])).status_code == 404
    assert client.get(reverse("meeting_ics", args=[world.community.pk, token])).status_code == 404


def test_it_will_not_serve_a_feed_for_an_org_the_user_cannot_see(world, client):
    # Such a feed cannot be made in the page; if one exists (a role was removed), it serves nothing.
    _, token = CalendarFeed.issue(user=world.worker_a, org=world.branch_b)
    assert client.get(reverse("meeting_ics", args=[world.branch_b.pk, token])).status_code == 404


def test_it_stops_a_feed_when_the_user_loses_the_role(world, client):
    _, token = CalendarFeed.issue(user=world.worker_a, org=world.branch_a)
    world.worker_a.roles.all().delete()
    assert client.get(reverse("meeting_ics", args=[world.branch_a.pk, token])).status_code == 404


def test_it_will_not_make_a_feed_for_another_branch(world, client_for):
    response = client_for(world.worker_a).post(reverse("meeting_feeds"), {"org": world.branch_b.pk})
    assert response.status_code == 200 and not CalendarFeed.objects.exists()


def test_it_will_not_revoke_another_users_feed(world, client_for):
    feed, _ = CalendarFeed.issue(user=world.worker_b, org=world.branch_b)
    assert client_for(world.worker_a).post(reverse("meeting_feeds"), {"revoke": feed.pk}).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
