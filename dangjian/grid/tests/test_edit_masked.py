"""Editing a resident never loses data and never sends a full ID number or phone to the browser:
an untouched masked field keeps the stored value, clearing takes its own confirmed action, and
an unchanged submit writes nothing — not even a history row."""

import pytest
from django.urls import reverse

from dangjian.grid.forms import ResidentForm
from dangjian.grid.models import GridSettings, Resident
from dangjian.orgs.models import AccessLog

pytestmark = pytest.mark.django_db


def unchanged(form) -> dict:
    """What a browser posts back for a form the user did not touch."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = value
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    return data


def history(resident) -> int:
    return Resident.history.filter(id=resident.pk).count()


@pytest.mark.parametrize("who", ["grid_worker", "secretary"])
def test_the_edit_page_carries_no_full_id_or_phone_and_logs_nothing(g, client_for, who):
    page = client_for(getattr(g.world, who)).get(reverse("resident_edit", args=[g.r1.pk])).content.decode()
    assert g.r1.id_number not in page and g.r1.phone not in page
    assert g.r1.masked_phone in page and g.r1.masked_id in page
    assert not AccessLog.objects.exists()


def test_the_edit_page_carries_no_full_values_when_workers_may_not_view_them(g, client_for):
    GridSettings.objects.create(worker_may_view_pii=False)
    page = client_for(g.worker1).get(reverse("resident_edit", args=[g.r1.pk])).content.decode()
    assert g.r1.id_number not in page and g.r1.phone not in page


def test_an_unchanged_edit_changes_nothing_and_writes_no_history(g, client_for):
    before = history(g.r1)
    data = unchanged(ResidentForm(resident=g.r1))
    response = client_for(g.worker1).post(reverse("resident_edit", args=[g.r1.pk]), data, follow=True)
    r1 = Resident.objects.get(pk=g.r1.pk)
    assert (r1.id_number, r1.phone, history(r1)) == (g.r1.id_number, "13811112222", before)
    assert "没有修改" in response.content.decode()


def test_an_edit_of_one_field_keeps_the_masked_ones(g, client_for):
    data = unchanged(ResidentForm(resident=g.r1)) | {"note": "腿脚不便"}
    client_for(g.worker1).post(reverse("resident_edit", args=[g.r1.pk]), data)
    r1 = Resident.objects.get(pk=g.r1.pk)
    assert (r1.note, r1.phone, r1.id_number) == ("腿脚不便", "13811112222", g.r1.id_number)


def test_ticking_clear_empties_the_phone_and_records_it(g, client_for):
    before = history(g.r1)
    data = unchanged(ResidentForm(resident=g.r1)) | {"clear_phone": "on"}
    client_for(g.worker1).post(reverse("resident_edit", args=[g.r1.pk]), data)
    r1 = Resident.objects.get(pk=g.r1.pk)
    assert (r1.phone, history(r1)) == ("", before + 1)
    assert r1.history.latest().prev_record.phone == "13811112222"


def test_the_clear_box_asks_for_confirmation(g):
    form = ResidentForm(resident=g.r1)
    assert form.fields["clear_phone"].widget.attrs["data-confirm"].startswith("确定清除已登记的联系电话（138****2222）")


def test_the_inline_phone_box_is_empty_with_the_masked_number_as_placeholder(g, client_for):
    page = client_for(g.worker1).get(reverse("resident_field", args=[g.r1.pk, "phone"])).content.decode()
    assert 'placeholder="138****2222"' in page and "13811112222" not in page


def test_saving_the_inline_phone_box_empty_keeps_the_number(g, client_for):
    before = history(g.r1)
    response = client_for(g.worker1).post(reverse("resident_field", args=[g.r1.pk, "phone"]), {"value": ""},
                                          HTTP_HX_REQUEST="true")
    r1 = Resident.objects.get(pk=g.r1.pk)
    assert (r1.phone, history(r1)) == ("13811112222", before)
    assert "138****2222" in response.content.decode()


def test_the_inline_clear_button_empties_the_phone_with_a_history_row(g, client_for):
    client_for(g.worker1).post(reverse("resident_field", args=[g.r1.pk, "phone"]), {"value": "", "clear": "1"},
                               HTTP_HX_REQUEST="true")
    r1 = Resident.objects.get(pk=g.r1.pk)
    assert (r1.phone, r1.history.latest().history_change_reason) == ("", "清除联系电话")


def test_the_inline_phone_box_offers_a_confirmed_clear_button(g, client_for):
    page = client_for(g.worker1).get(reverse("resident_field", args=[g.r1.pk, "phone"])).content.decode()
    assert 'name="clear" value="1" data-confirm="确定清除联系电话吗？清除会记入修改历史。"' in page


def test_a_new_number_typed_inline_replaces_the_old_one(g, client_for):
    client_for(g.worker1).post(reverse("resident_field", args=[g.r1.pk, "phone"]), {"value": "13900001234"},
                               HTTP_HX_REQUEST="true")
    assert Resident.objects.get(pk=g.r1.pk).phone == "13900001234"
