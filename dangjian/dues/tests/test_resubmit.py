"""A payment form books once: submitted twice, or twenty times at the same moment, one entry."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.dues.book import add_months, month_of
from dangjian.dues.forms import PaymentForm
from dangjian.dues.models import DuesEntry
from dangjian.dues.services import base_set
from dangjian.testing.concurrency import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def owing(world):
    today = timezone.localdate()
    base_set(member=world.member_a, effective_month=add_months(month_of(today), -6), category="在职", base=Decimal("4000"))
    return world


def _form(world) -> dict:
    """What the member page's pay form posts, token included (automatic months)."""
    return {"form_token": PaymentForm().initial["form_token"], "paid_on": timezone.localdate().isoformat(),
            "amount": "40", "extra": "0", "mode": "auto", "method": "现金", "receipt_no": "R-7"}


def test_it_issues_a_new_token_with_every_form():
    assert PaymentForm().initial["form_token"] != PaymentForm().initial["form_token"]


def test_it_books_a_form_submitted_twice_once(owing, client_for):
    client, data = client_for(owing.worker_a), _form(owing)
    client.post(reverse("dues_pay", args=[owing.member_a.pk]), data)
    response = client.post(reverse("dues_pay", args=[owing.member_a.pk]), data, follow=True)
    assert DuesEntry.objects.filter(member=owing.member_a).count() == 1
    assert "这张表单已经提交过" in response.content.decode()


def test_it_refuses_a_form_without_its_token(owing, client_for):
    data = _form(owing)
    del data["form_token"]
    response = client_for(owing.worker_a).post(reverse("dues_pay", args=[owing.member_a.pk]), data, follow=True)
    assert not DuesEntry.objects.exists() and "表单已过期" in response.content.decode()


def test_it_books_twenty_concurrent_identical_payments_once(owing, concurrent_db):
    data, url = _form(owing), reverse("dues_pay", args=[owing.member_a.pk])

    def pay(_):
        client = Client()
        client.force_login(owing.worker_a)
        return client.post(url, data).status_code

    statuses = run_together(20, pay)
    assert statuses == [302] * 20
    assert DuesEntry.objects.filter(member=owing.member_a).count() == 1
