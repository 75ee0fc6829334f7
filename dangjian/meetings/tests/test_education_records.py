"""送学上门 and 寄学 rows open their record, which a keeper can correct; the history keeps the old values."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.meetings.models import Send, Visit
from dangjian.meetings.services import send_record, visit_record

pytestmark = pytest.mark.django_db


def _visit(world):
    return visit_record(member=world.member_b, visited_on=date(2023, 8, 1), visitor="王书记", material="党章")


def _post(visit, **changes):
    data = {"member": visit.member_id, "visited_on": "2023-08-01", "visitor": visit.visitor, "material": visit.material,
            "notes": visit.notes}
    return data | changes


def test_it_links_each_visit_row_to_its_record(world, client_for):
    visit = _visit(world)
    page = client_for(world.worker_b).get(reverse("visit_list")).content.decode()
    assert reverse("visit_edit", args=[visit.pk]) in page


def test_it_corrects_a_visit_and_shows_the_old_value(world, client_for):
    visit = _visit(world)
    client = client_for(world.worker_b)
    client.post(reverse("visit_edit", args=[visit.pk]), _post(visit, material="《党章》第一章"))
    assert Visit.objects.get(pk=visit.pk).material == "《党章》第一章"
    page = client.get(reverse("visit_edit", args=[visit.pk])).content.decode()
    assert "党章 → 《党章》第一章" in page


def test_it_writes_no_history_for_an_unchanged_submit(world, client_for):
    visit = _visit(world)
    client_for(world.worker_b).post(reverse("visit_edit", args=[visit.pk]), _post(visit))
    assert visit.history.count() == 1


def test_it_corrects_a_send(world, client_for):
    send = send_record(member=world.member_b, material="学习材料", channel="微信", sent_on=date(2023, 8, 1))
    client_for(world.worker_b).post(reverse("send_edit", args=[send.pk]), {
        "member": world.member_b.pk, "material": "学习材料", "channel": "邮寄", "sent_on": "2023-08-01",
        "confirmed_on": "", "confirmation": ""})
    assert Send.objects.get(pk=send.pk).channel == "邮寄" and send.history.count() == 2


@pytest.mark.parametrize("who", ["outsider", "worker_a"])
def test_it_hides_another_organisations_visit(world, client_for, who):
    visit = _visit(world)
    client = client_for(getattr(world, who))
    assert client.get(reverse("visit_edit", args=[visit.pk])).status_code == 404
    client.post(reverse("visit_edit", args=[visit.pk]), _post(visit, material="改"))
    assert Visit.objects.get(pk=visit.pk).material == "党章"
