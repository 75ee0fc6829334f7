"""A payment prints as a 党费收据 with the amount in capitals; only those who may see it can print it."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.dues.services import entry_reverse

pytestmark = pytest.mark.django_db


def test_it_prints_a_receipt_with_the_months_and_the_amount_in_capitals(world, client_for, assess, pay):
    assess(world.member_b, 4000)
    booked = pay(world.member_b, 120, on=date(2023, 9, 20), months=[date(2023, 7, 1), date(2023, 8, 1), date(2023, 9, 1)],
                 receipt_no="DF-2023-031", collected_by="王会计")
    page = client_for(world.worker_b).get(reverse("dues_receipt", args=[booked.entry.pk])).content.decode()
    assert "党费收据" in page and "DF-2023-031" in page and "王会计" in page
    assert "2023年7月 40.00元；2023年8月 40.00元；2023年9月 40.00元" in page
    assert "¥120.00" in page and "壹佰贰拾元整" in page


def test_it_marks_the_receipt_of_a_reversed_payment_void(world, client_for, assess, pay):
    assess(world.member_b, 4000)
    booked = pay(world.member_b, 40, on=date(2023, 9, 20))
    entry_reverse(entry=booked.entry, reason="金额记错", on=date(2023, 9, 21))
    page = client_for(world.worker_b).get(reverse("dues_receipt", args=[booked.entry.pk])).content.decode()
    assert "收据作废" in page and "金额记错" in page


@pytest.mark.parametrize("who", ["outsider", "worker_a", "grid_worker"])
def test_it_hides_receipts_of_other_organisations(world, client_for, assess, pay, who):
    assess(world.member_b, 4000)
    booked = pay(world.member_b, 40, on=date(2023, 9, 20))
    assert client_for(getattr(world, who)).get(reverse("dues_receipt", args=[booked.entry.pk])).status_code == 404
