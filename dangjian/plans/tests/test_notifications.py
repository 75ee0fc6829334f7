"""The user's notifications page, the navbar badge, and marking read."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.plans.models import Notification
from dangjian.plans.reminders import run

from .conftest import make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(world, terms):
    make_problem(world.community, terms, measures=[date(2023, 10, 9), date(2023, 10, 8)])
    run(today=date(2023, 9, 28))
    return Notification.objects.filter(user=world.secretary)


def test_it_shows_the_unread_count_in_the_navbar(world, client_for, notices):
    response = client_for(world.secretary).get(reverse("plan_list"))
    assert response.context["unread_notifications"] == 2
    assert 'data-testid="notification-badge"' in response.content.decode()


def test_it_lists_only_the_users_own_notifications(world, client_for, notices):
    page = client_for(world.secretary).get(reverse("notification_list")).context["page"]
    assert {n.user_id for n in page} == {world.secretary.pk} and len(page) == 2


def test_it_marks_one_read(world, client_for, notices):
    notice = notices.first()
    client_for(world.secretary).post(reverse("notification_read", args=[notice.pk]))
    assert Notification.objects.filter(user=world.secretary).unread().count() == 1


def test_it_marks_all_read(world, client_for, notices):
    client_for(world.secretary).post(reverse("notification_read_all"))
    assert Notification.objects.filter(user=world.secretary).unread().count() == 0
    assert Notification.objects.filter(user=world.worker).unread().count() == 2


def test_it_opens_the_record_and_marks_read(world, client_for, notices):
    notice = notices.first()
    response = client_for(world.secretary).get(reverse("notification_open", args=[notice.pk]))
    notice.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == notice.url and notice.read_at is not None


def test_it_gives_404_for_someone_elses_notification(world, client_for, notices):
    notice = notices.first()
    assert client_for(world.worker).post(reverse("notification_read", args=[notice.pk])).status_code == 404
    assert client_for(world.worker).get(reverse("notification_open", args=[notice.pk])).status_code == 404


def test_it_lets_a_member_account_open_the_page(world, client_for):
    assert client_for(world.member_user).get(reverse("notification_list")).status_code == 200
