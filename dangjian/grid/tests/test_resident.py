"""Residents: added, corrected in place, archived (never deleted), personal data masked and logged."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.grid import services
from dangjian.grid.models import Resident
from dangjian.orgs.models import AccessLog

from .conftest import rid

pytestmark = pytest.mark.django_db


def test_it_stores_the_id_number_encrypted(g):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM grid_resident WHERE id = %s", [g.r1.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert g.r1.id_number not in stored_id and "13811112222" not in stored_phone


def test_it_links_a_resident_who_is_a_party_member(g):
    member = g.world.member_a
    resident = services.resident_add(household=g.household1, name=member.name, id_number=member.id_number)
    assert resident.member == member


def test_it_refuses_a_second_live_record_of_one_id(g):
    with pytest.raises(ValidationError, match="已登记为在住居民"):
        services.resident_add(household=g.household2, name="张大山", id_number=g.r1.id_number)


def test_it_archives_a_resident_who_moves_out(g):
    services.resident_move_out(resident=g.r1, on=date(2024, 3, 1), moved_to="北京市", user=g.worker1)
    r = Resident.objects.get(pk=g.r1.pk)
    assert (r.archived_on, r.archive_reason, r.moved_to) == (date(2024, 3, 1), "迁出", "北京市")


def test_it_archives_a_resident_who_died(g):
    services.resident_record_death(resident=g.r1, on=date(2024, 3, 1))
    assert Resident.objects.get(pk=g.r1.pk).archive_reason == "去世"


def test_it_refuses_to_edit_an_archived_resident(g, client_for):
    services.resident_record_death(resident=g.r1, on=date(2024, 3, 1))
    assert client_for(g.worker1).get(reverse("resident_edit", args=[g.r1.pk])).status_code == 403


def test_it_lets_the_id_of_someone_moved_out_be_registered_again(g):
    services.resident_move_out(resident=g.r1, on=date(2024, 3, 1))
    again = services.resident_add(household=g.household2, name="张大山", id_number=g.r1.id_number)
    assert again.pk != g.r1.pk


def test_it_corrects_a_phone_in_place(g, client_for):
    response = client_for(g.worker1).post(reverse("resident_field", args=[g.r1.pk, "phone"]), {"value": "139 0000 1234"},
                                          HTTP_HX_REQUEST="true")
    assert "139****1234" in response.content.decode()
    assert Resident.objects.get(pk=g.r1.pk).phone == "13900001234"


def test_it_says_in_chinese_what_is_wrong_with_a_phone(g, client_for):
    response = client_for(g.worker1).post(reverse("resident_field", args=[g.r1.pk, "phone"]), {"value": "12345"},
                                          HTTP_HX_REQUEST="true")
    assert "电话号码无效" in response.content.decode()


def test_it_does_not_prefill_the_full_phone_in_the_correction_box(g, client_for):
    response = client_for(g.worker1).get(reverse("resident_field", args=[g.r1.pk, "phone"]), HTTP_HX_REQUEST="true")
    assert "13811112222" not in response.content.decode()


def test_it_shows_who_changed_what_with_the_phone_masked(g, client_for):
    services.resident_update(resident=g.r1, user=g.worker1, phone="13900001234")
    history = client_for(g.world.secretary).get(reverse("resident_detail", args=[g.r1.pk])).context["history"]
    change = history[0]["changes"][0]
    assert (history[0]["record"].history_user, change["old"], change["new"]) == (g.worker1, "138****2222", "139****1234")


def test_it_never_shows_the_full_id_on_the_page(g, client_for):
    content = client_for(g.world.secretary).get(reverse("resident_detail", args=[g.r1.pk])).content.decode()
    assert g.r1.id_number not in content and g.r1.masked_id in content


def test_it_logs_a_full_view_of_an_id(g, client_for):
    response = client_for(g.worker1).post(reverse("resident_reveal", args=[g.r1.pk, "id_number"]))
    assert g.r1.id_number in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.object_id) == (g.worker1, AccessLog.Action.VIEW_ID, str(g.r1.pk))


def test_it_follows_the_deployment_rule_on_workers_viewing_ids(g, client_for):
    from dangjian.grid.models import GridSettings

    GridSettings.objects.create(worker_may_view_pii=False)
    assert client_for(g.worker1).post(reverse("resident_reveal", args=[g.r1.pk, "phone"])).status_code == 403


def test_it_adds_a_resident_from_the_phone_form(g, client_for):
    data = {"name": "王小明", "id_number": rid(date(1990, 4, 4), "男", 11), "relation": "子", "hukou_type": "本地户籍",
            "phone": "13512345678", "tags": ["退役军人"]}
    response = client_for(g.worker1).post(reverse("resident_add", args=[g.household1.pk]), data)
    assert response.status_code == 302
    r = Resident.objects.get(name="王小明")
    assert (r.household, r.tag_list, r.current_address) == (g.household1, ["退役军人"], "和平小区1号楼1单元101室")


def test_it_keeps_the_typed_values_when_the_id_is_wrong(g, client_for):
    data = {"name": "王小明", "id_number": "370102199004041234", "hukou_type": "本地户籍", "phone": "13512345678"}
    response = client_for(g.worker1).post(reverse("resident_add", args=[g.household1.pk]), data, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "校验码错误" in content and 'value="13512345678"' in content


def test_it_refuses_an_unknown_tag(g):
    with pytest.raises(ValidationError, match="未知标签"):
        services.resident_update(resident=g.r1, tags=["不存在的标签"])


def test_it_filters_residents_by_tag(g, client_for):
    page = client_for(g.world.secretary).get(reverse("grid_residents"), {"tag": "独居老人"}).context["page"]
    assert [r.name for r in page] == ["张大山"]


def test_renaming_a_tag_in_the_admin_renames_it_on_every_resident_with_history(g, client_for):
    from dangjian.grid.models import ResidentTag
    from dangjian.testing.factories import UserFactory

    services.resident_update(resident=Resident.objects.get(pk=g.r1b.pk), tags=["独居老人", "高龄"])
    services.resident_move_out(resident=Resident.objects.get(pk=g.r1b.pk), on=date(2024, 3, 1), moved_to="北京市")
    tag = ResidentTag.objects.get(name="独居老人")
    admin = client_for(UserFactory(is_staff=True, is_superuser=True))
    response = admin.post(reverse("admin:grid_residenttag_change", args=[tag.pk]), {
        "name": "独居", "description": "", "sort": tag.sort, "is_active": "on"}, follow=True)
    assert "已将2位居民的标签“独居老人”改为“独居”" in response.content.decode()
    assert Resident.objects.get(pk=g.r1.pk).tag_list == ["独居"]
    assert Resident.objects.get(pk=g.r1b.pk).tag_list == ["独居", "高龄"]  # archived, renamed all the same
    latest = Resident.objects.get(pk=g.r1.pk).history.latest("history_id")
    assert latest.history_change_reason == "标签改名：独居老人→独居" and latest.prev_record.tags == "|独居老人|"
    assert not Resident.objects.filter(tags__contains="|独居老人|").exists()
