import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def login(client, password):
    return client.post(reverse("login"), {"username": "shuji", "password": password})


def test_it_logs_in_with_the_right_password(world, client):
    assert login(client, "test-pass-123")["Location"] == reverse("dashboard")


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_it_locks_an_account_after_repeated_failures(world, client):
    for _ in range(3):
        login(client, "wrong-password")
    response = login(client, "test-pass-123")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
