"""Editing a member never loses data and never sends a full ID number or phone to the browser."""

import pytest
from django.urls import reverse

from dangjian.members.forms import MemberForm
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db


def unchanged(form) -> dict:
    """What a browser posts back for a form the user did not touch."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    return data


def form_for(world, member):
    return MemberForm(instance=member, user=world.worker)


def history(member) -> int:
    return Member.history.filter(id=member.pk).count()


def test_the_edit_page_carries_no_full_id_or_phones(world, client_for):
    member = world.member_a
    member.landline = "0531-88886666"
    member.save()
    page = client_for(world.worker).get(reverse("member_edit", args=[member.pk])).content.decode()
    assert member.id_number not in page and "13812345678" not in page and "0531-88886666" not in page
    assert "138****5678（不修改请留空）" in page


def test_an_unchanged_edit_changes_nothing_and_writes_no_history(world, client_for):
    member, before = world.member_a, history(world.member_a)
    response = client_for(world.worker).post(reverse("member_edit", args=[member.pk]), unchanged(form_for(world, member)),
                                             follow=True)
    again = Member.objects.get(pk=member.pk)
    assert (again.id_number, again.phone, history(again)) == (member.id_number, "13812345678", before)
    assert "没有修改" in response.content.decode()


def test_an_edit_of_one_field_keeps_the_masked_ones(world, client_for):
    member = world.member_a
    client_for(world.worker).post(reverse("member_edit", args=[member.pk]),
                                  unchanged(form_for(world, member)) | {"address": "和平路9号"})
    again = Member.objects.get(pk=member.pk)
    assert (again.address, again.phone, again.id_number) == ("和平路9号", "13812345678", member.id_number)


def test_ticking_clear_empties_the_phone_and_records_it(world, client_for):
    member, before = world.member_a, history(world.member_a)
    client_for(world.worker).post(reverse("member_edit", args=[member.pk]),
                                  unchanged(form_for(world, member)) | {"clear_phone": "on"})
    again = Member.objects.get(pk=member.pk)
    assert (again.phone, history(again)) == ("", before + 1)
    assert again.history.latest().prev_record.phone == "13812345678"


def test_there_is_no_clear_box_for_an_empty_phone(world):
    member = world.member_a
    assert "clear_phone" in form_for(world, member).fields and "clear_landline" not in form_for(world, member).fields


def test_a_new_landline_is_kept_beside_the_phone(world, client_for):
    member = world.member_a
    client_for(world.worker).post(reverse("member_edit", args=[member.pk]),
                                  unchanged(form_for(world, member)) | {"landline": "0531-88886666"})
    again = Member.objects.get(pk=member.pk)
    assert (again.phone, again.landline) == ("13812345678", "0531-88886666")
