"""The calendar page and the .ics feed a phone calendar subscribes to."""

from datetime import date, time

import pytest
from django.urls import reverse

from dangjian.meetings import ics
from dangjian.meetings.choices import Mark, Status
from dangjian.meetings.models import Activity, CalendarFeed

from .helpers import held

pytestmark = pytest.mark.django_db


def test_it_shows_held_and_planned_activities_on_their_days(world, client_for):
    done = held(world.branch_a, "theme_day", date(2023, 7, 14), marks={world.member_a: Mark.PRESENT})
    plan = held(world.branch_a, "committee", date(2023, 7, 28), status=Status.DRAFT, planned=True)
    response = client_for(world.worker_a).get(reverse("meeting_calendar"), {"month": "2023-07"})
    cells = {c["day"]: [a.pk for a in c["acts"]] for week in response.context["weeks"] for c in week}
    assert cells[date(2023, 7, 14)] == [done.pk] and cells[date(2023, 7, 28)] == [plan.pk]


def test_it_lists_the_month_for_phones(world, client_for):
    held(world.branch_a, "theme_day", date(2023, 7, 14))
    held(world.branch_a, "theme_day", date(2023, 8, 14))
    response = client_for(world.worker_a).get(reverse("meeting_calendar"), {"month": "2023-07"})
    assert [a.day for a in response.context["agenda"]] == [date(2023, 7, 14)]


def test_it_folds_long_lines_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "组织生活" * 30
    folded = ics.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_it_escapes_commas_semicolons_and_newlines():
    assert ics.escape("地点,二楼;会议室\n记录") == "地点\\,二楼\\;会议室\\n记录"


def test_it_writes_times_in_utc_and_marks_plans_tentative(world):
    a = held(world.branch_a, "theme_day", date(2023, 7, 14))
    a.start_time, a.end_time = time(9, 0), time(10, 30)
    a.save()
    plan = held(world.branch_a, "committee", date(2023, 7, 28), status=Status.DRAFT, planned=True)
    text = ics.build(Activity.objects.select_related("org", "type").order_by("pk"), name="日历",
                     base_url="https://dj.example", now=a.created_at)
    assert "DTSTART:20230714T010000Z" in text and "DTEND:20230714T023000Z" in text
    assert "DTSTART;VALUE=DATE:20230728" in text and "STATUS:TENTATIVE" in text
    assert f"UID:activity-{plan.pk}@dj.example" in text and text.endswith("END:VCALENDAR\r\n")


def test_it_shows_a_new_address_once_and_revokes_the_old_one(world, client_for):
    client = client_for(world.worker_a)
    first = client.post(reverse("meeting_feeds"), {"org": world.branch_a.pk}).context["new_url"]
    second = client.post(reverse("meeting_feeds"), {"org": world.branch_a.pk}).context["new_url"]
    assert first != second and client.get(reverse("meeting_feeds")).context["new_url"] is None
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_it_stops_an_address_when_revoked(world, client_for):
    feed, token = CalendarFeed.issue(user=world.worker_a, org=world.branch_a)
    client = client_for(world.worker_a)
    client.post(reverse("meeting_feeds"), {"revoke": feed.pk})
    assert client.get(reverse("meeting_ics", args=[world.branch_a.pk, token])).status_code == 404


def test_it_stores_only_a_hash_of_the_token(world):
    feed, token = CalendarFeed.issue(user=world.worker_a, org=world.branch_a)
    assert token not in feed.digest and len(feed.digest) == 64
