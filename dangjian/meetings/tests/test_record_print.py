"""A held meeting prints as a 会议记录 page; only those who may read the meeting can print it."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.meetings.choices import Mark

from .helpers import held

pytestmark = pytest.mark.django_db


def test_it_prints_a_meeting_as_a_record_book_page(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 14), marks={world.member_b: Mark.SICK}, guests=1)
    a.attendance.update(reason="住院")
    page = client_for(world.worker_b).get(reverse("meeting_record", args=[a.pk])).content.decode()
    assert "会议记录" in page and "2023年7月14日" in page
    assert "应到 1 人，实到 0 人，请假 1 人，缺席 0 人" in page and "李四（病假：住院）" in page and "列席0" in page


@pytest.mark.parametrize("who", ["outsider", "worker_a"])
def test_it_hides_the_record_of_another_organisation(world, client_for, who):
    a = held(world.branch_b, "theme_day", date(2023, 7, 14))
    assert client_for(getattr(world, who)).get(reverse("meeting_record", args=[a.pk])).status_code == 404


def test_it_tells_two_members_of_one_name_apart_on_the_sign_in_sheet(world, client_for):
    from dangjian.testing.factories import MemberFactory

    one = MemberFactory(name="王楠", org=world.branch_b, birth_date=date(1985, 3, 1))
    two = MemberFactory(name="王楠", org=world.branch_b, birth_date=date(1992, 6, 1))
    a = held(world.branch_b, "theme_day", date(2023, 7, 14), marks={one: Mark.PRESENT, two: Mark.ABSENT})
    client = client_for(world.worker_b)
    for url in ("meeting_signin", "meeting_detail"):
        page = client.get(reverse(url, args=[a.pk])).content.decode()
        assert "王楠（1985年生）" in page and "王楠（1992年生）" in page
    assert "王楠（1992年生）（缺席" in client.get(reverse("meeting_record", args=[a.pk])).content.decode()
