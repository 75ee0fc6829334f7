"""送学上门, 寄学 and 自学 recorded through the pages."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.meetings.models import SelfStudy, Send, Visit

from .helpers import send

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_it_records_a_home_visit_with_a_photo(world, client_for):
    client = client_for(world.worker_a)
    response = client.post(reverse("visit_create"), {
        "member": world.member_a.pk, "visited_on": "2023-07-03", "visitor": "书记、党务工作者", "material": "党章",
        "notes": "老人身体尚可", "photo": SimpleUploadedFile("上门.png", PNG)})
    v = Visit.objects.get()
    assert response.status_code == 302 and (v.member, v.org) == (world.member_a, world.group_a1) and v.photo


def test_it_refuses_a_visit_photo_that_is_not_an_image(world, client_for):
    response = client_for(world.worker_a).post(reverse("visit_create"), {
        "member": world.member_a.pk, "visited_on": "2023-07-03", "visitor": "书记", "material": "党章",
        "photo": SimpleUploadedFile("上门.pdf", b"%PDF-1.4")})
    assert response.status_code == 200 and not Visit.objects.exists()


def test_it_records_material_sent_and_its_confirmation(world, client_for):
    client = client_for(world.worker_a)
    client.post(reverse("send_create"), {"member": world.member_a.pk, "material": "学习材料", "channel": "微信",
                                         "sent_on": "2023-07-08"})
    s = Send.objects.get()
    client.post(reverse("send_confirm", args=[s.pk]), {"confirmed_on": "2023-07-09", "confirmation": "微信回复已学习"})
    s.refresh_from_db()
    assert (s.confirmed_on, s.confirmation) == (date(2023, 7, 9), "微信回复已学习")


def test_it_refuses_a_confirmation_before_the_send(world, client_for):
    s = send(world.member_a, date(2023, 7, 8))
    client_for(world.worker_a).post(reverse("send_confirm", args=[s.pk]), {"confirmed_on": "2023-07-01"})
    s.refresh_from_db()
    assert s.confirmed_on is None


def test_it_records_self_study_typed_in(world, client_for):
    client_for(world.worker_a).post(reverse("study_create"), {
        "member": world.member_a.pk, "studied_on": "2023-07-08", "source": "学习强国", "hours": "2.5", "points": "60"})
    assert SelfStudy.objects.get().points == 60


def test_it_wants_something_in_a_self_study_entry(world, client_for):
    response = client_for(world.worker_a).post(reverse("study_create"), {
        "member": world.member_a.pk, "studied_on": "2023-07-08", "source": "学习强国"})
    assert "至少填写一项" in response.content.decode() and not SelfStudy.objects.exists()


def test_it_offers_infirm_members_first_for_a_visit(world, client_for):
    world.member_b.is_infirm = True
    world.member_b.save()
    form = client_for(world.secretary).get(reverse("visit_create")).context["form"]
    assert list(form.fields["member"].queryset)[0] == world.member_b
