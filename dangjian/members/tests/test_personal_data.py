"""ID numbers and phones: validated, encrypted at rest, masked on screen, full views audited."""

import pytest
from django.db import connection
from django.urls import reverse

from dangjian.lib.crypto import blind_index
from dangjian.orgs.models import AccessLog

pytestmark = pytest.mark.django_db


def raw_row(member) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_hash, phone FROM members_member WHERE id = %s", [member.pk])
        id_number, id_hash, phone = cursor.fetchone()
    return {"id_number": id_number, "id_hash": id_hash, "phone": phone}


def test_it_stores_no_plaintext_id_or_phone_in_the_database(world):
    row = raw_row(world.member_a)
    assert world.member_a.id_number not in row["id_number"]
    assert "13812345678" not in row["phone"]
    assert row["id_hash"] == blind_index(world.member_a.id_number)


def test_it_stores_no_plaintext_in_the_history_table_either(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_historicalmember WHERE id = %s", [world.member_a.pk])
        rows = cursor.fetchall()
    assert rows and all(world.member_a.id_number not in r[0] and "13812345678" not in r[1] for r in rows)


def test_it_masks_the_id_and_phone_on_the_detail_page(world, client_for):
    html = client_for(world.worker_a).get(reverse("member_detail", args=[world.member_a.pk])).content.decode()
    masked = world.member_a.id_number[:4] + "*" * 10 + world.member_a.id_number[-4:]
    assert masked in html and world.member_a.id_number not in html
    assert "138****5678" in html and "13812345678" not in html


def test_it_masks_phones_in_the_list(world, client_for):
    html = client_for(world.secretary).get(reverse("member_list")).content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_it_shows_the_full_id_on_request_and_logs_it(world, client_for):
    response = client_for(world.worker_a).post(reverse("member_reveal", args=[world.member_a.pk, "id_number"]))
    assert world.member_a.id_number in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.object_id) == (world.worker_a, "view_id", str(world.member_a.pk))


def test_it_refuses_the_full_id_to_a_get_request(world, client_for):
    response = client_for(world.worker_a).get(reverse("member_reveal", args=[world.member_a.pk, "id_number"]))
    assert response.status_code == 405 and not AccessLog.objects.exists()


def test_it_logs_every_export(world, client_for):
    client_for(world.secretary).get(reverse("member_export"))
    assert AccessLog.objects.get().action == "export"


def test_it_rejects_an_invalid_id_in_the_form(world, client_for):
    data = {"name": "新人", "id_number": "370102196503011798", "org": world.branch_a.pk, "status": "正式", "ethnicity": "汉族"}
    response = client_for(world.worker_a).post(reverse("member_create"), data)
    assert "校验码错误，应为9" in response.content.decode()


def test_it_rejects_a_duplicate_id_in_the_form(world, client_for):
    data = {"name": "重复", "id_number": world.member_b.id_number, "org": world.branch_b.pk, "status": "正式"}
    response = client_for(world.worker).post(reverse("member_create"), data)
    assert "该身份证号已在名册中" in response.content.decode()


def test_it_never_puts_the_full_id_or_phone_in_the_edit_form(world, client_for):
    html = client_for(world.worker_a).get(reverse("member_edit", args=[world.member_a.pk])).content.decode()
    assert world.member_a.id_number not in html and "13812345678" not in html
    assert "138****5678（不修改请留空）" in html


def test_it_keeps_the_stored_id_and_phone_when_the_fields_are_left_blank(world, client_for):
    data = {"name": "张三", "org": world.group_a1.pk, "status": "正式", "id_number": "", "phone": "", "address": "新址"}
    response = client_for(world.worker_a).post(reverse("member_edit", args=[world.member_a.pk]), data)
    assert response.status_code == 302
    world.member_a.refresh_from_db()
    assert (world.member_a.phone, world.member_a.address) == ("13812345678", "新址")
    assert world.member_a.history.first().history_type == "~" and len(world.member_a.id_number) == 18
