"""The rules are edited in the admin; the ledger there is read-only."""

import pytest
from django.urls import reverse

from dangjian.dues.models import DuesSettings
from dangjian.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for):
    return client_for(UserFactory(is_staff=True, is_superuser=True))


def test_it_saves_a_deployment_override_with_its_local_basis(world, admin_client):
    response = admin_client.post(reverse("admin:dues_duessettings_add"), {
        "warn_months": "2", "local_basis": "新华街党工〔2024〕3号", "employed_brackets": "null", "retired_brackets": "null"})
    assert response.status_code == 302
    assert DuesSettings.objects.get().warn_months == 2


def test_it_refuses_an_override_without_its_basis_in_the_admin(world, admin_client):
    response = admin_client.post(reverse("admin:dues_duessettings_add"), {
        "warn_months": "2", "employed_brackets": "null", "retired_brackets": "null"})
    assert response.status_code == 200 and not DuesSettings.objects.exists()
    assert "本地规定依据" in response.content.decode()


def test_it_shows_the_ledger_without_add_or_delete_buttons(world, admin_client):
    page = admin_client.get(reverse("admin:dues_duesentry_changelist"))
    assert page.status_code == 200 and reverse("admin:dues_duesentry_add") not in page.content.decode()
