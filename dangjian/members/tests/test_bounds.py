"""A date typed outside 1900–2100 is refused by every form; a long Latin name still saves."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse

from dangjian.members.choices import EventKind
from dangjian.members.forms import MemberForm
from dangjian.testing.factories import MemberFactory


@pytest.mark.parametrize("typed", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_it_refuses_a_date_outside_the_calendar_in_any_form(typed):
    with pytest.raises(forms.ValidationError, match="1900"):
        forms.DateField().clean(typed)


def test_it_bounds_the_date_fields_of_forms_defined_before_start_up():
    field = MemberForm.base_fields["birth_date"]
    with pytest.raises(forms.ValidationError, match="1900"):
        field.clean("9999-12-31")


def test_it_saves_a_member_with_a_long_latin_name_and_records_an_event(world, client_for):
    member = MemberFactory(org=world.branch_a, name="Maximilian Alexander Montgomery")
    member.full_clean()
    client_for(world.secretary).post(reverse("member_event_add", args=[member.pk]), {
        "kind": EventKind.MOVE_OUT, "on": date.today().isoformat(), "note": "外出务工"})
    assert member.events.count() == 1 and member.name_initials.startswith("maximilian")
