"""The ledger is append-only: corrections are reversal entries; nothing is edited or deleted."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from dangjian.dues.book import member_book
from dangjian.dues.models import DuesAllocation, DuesEntry, LedgerError
from dangjian.dues.services import entry_reverse

pytestmark = pytest.mark.django_db
D = Decimal


def test_it_refuses_to_edit_a_saved_entry(world, assess, pay):
    assess(world.member_a, 4000)
    entry = pay(world.member_a, 40).entry
    entry.amount = D("4.00")
    with pytest.raises(LedgerError):
        entry.save()


@pytest.mark.parametrize("model", [DuesEntry, DuesAllocation])
def test_it_refuses_bulk_updates_and_deletes(world, assess, pay, model):
    assess(world.member_a, 4000)
    pay(world.member_a, 40)
    with pytest.raises(LedgerError):
        model.objects.all().update(amount=D("1.00"))
    with pytest.raises(LedgerError):
        model.objects.all().delete()
    with pytest.raises(LedgerError):
        model.objects.first().delete()


def test_it_reverses_an_entry_with_a_reason_and_keeps_the_original(world, assess, pay):
    assess(world.member_a, 4000)
    entry = pay(world.member_a, 80).entry
    reversal = entry_reverse(entry=entry, reason="金额记错", on=date(2023, 2, 1))
    assert (reversal.amount, reversal.reverses, reversal.seq) == (D("-80.00"), entry, 2)
    assert DuesEntry.objects.filter(pk=entry.pk, amount=D("80.00")).exists()
    assert sum(a.amount for a in DuesAllocation.objects.filter(member=world.member_a)) == 0


def test_it_makes_the_reversed_months_owed_again(world, assess, pay):
    assess(world.member_a, 4000)
    entry = pay(world.member_a, 80).entry
    entry_reverse(entry=entry, reason="重复登记")
    assert [ln.outstanding for ln in member_book(world.member_a, asof=date(2023, 2, 28)).lines] == [D("40.00")] * 2


def test_it_refuses_a_reversal_without_a_reason(world, assess, pay):
    assess(world.member_a, 4000)
    with pytest.raises(ValidationError, match="原因"):
        entry_reverse(entry=pay(world.member_a, 40).entry, reason="  ")


def test_it_refuses_to_reverse_an_entry_twice(world, assess, pay):
    assess(world.member_a, 4000)
    entry = pay(world.member_a, 40).entry
    entry_reverse(entry=entry, reason="错")
    with pytest.raises(ValidationError, match="已冲正"):
        entry_reverse(entry=entry, reason="又错")


def test_it_refuses_to_reverse_a_reversal(world, assess, pay):
    assess(world.member_a, 4000)
    reversal = entry_reverse(entry=pay(world.member_a, 40).entry, reason="错")
    with pytest.raises(ValidationError, match="不能再冲正"):
        entry_reverse(entry=reversal, reason="再冲")


def test_it_numbers_each_members_entries_once_in_the_database(world, assess, pay):
    assess(world.member_a, 4000)
    entry = pay(world.member_a, 40).entry
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesEntry.objects.create(member=world.member_a, seq=entry.seq, org=world.group_a1, paid_on=date(2023, 1, 2),
                                 amount=D("1.00"), method="现金")


def test_it_checks_in_the_database_that_a_reversal_has_a_reason(world, assess, pay):
    assess(world.member_a, 4000)
    entry = pay(world.member_a, 40).entry
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesEntry.objects.create(member=world.member_a, seq=9, org=world.group_a1, paid_on=date(2023, 1, 2),
                                 amount=D("-40.00"), kind="reversal", reverses=entry)


def test_it_redoes_a_booking_when_another_took_the_members_next_number(world, assess, pay, monkeypatch):
    from dangjian.dues import services

    assess(world.member_a, 4000)
    pay(world.member_a, 40, months=[date(2023, 1, 1)])
    stale = iter([1])  # the first attempt reads a stale "last number"
    real = services._next_seqs
    monkeypatch.setattr(services, "_next_seqs", lambda ids: {pk: next(stale, None) or n for pk, n in real(ids).items()})
    booked = pay(world.member_a, 40, months=[date(2023, 2, 1)])
    assert booked.entry.seq == 2 and DuesEntry.objects.filter(member=world.member_a).count() == 2


@pytest.mark.parametrize("model", [DuesEntry, DuesAllocation])
def test_it_offers_no_add_change_or_delete_in_the_admin(world, model):
    request = RequestFactory().get("/admin/")
    request.user = world.street_admin
    world.street_admin.is_superuser = True
    admin = site._registry[model]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)
