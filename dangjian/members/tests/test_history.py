"""Every change to a member or an org is kept: who, when, old → new; leaving archives."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.members.models import Member
from dangjian.members.services import member_event_record

pytestmark = pytest.mark.django_db


def edit(client, member, **changes):
    form = client.get(reverse("member_edit", args=[member.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(changes)
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if v is not False}
    return client.post(reverse("member_edit", args=[member.pk]), data)


def test_it_records_who_changed_which_field_from_what_to_what(world, client_for):
    client = client_for(world.worker_a)
    response = edit(client, world.member_a, address="和平路99号")
    assert response.status_code == 302
    page = client.get(reverse("member_detail", args=[world.member_a.pk]))
    latest = page.context["history"][0]
    assert latest["record"].history_user == world.worker_a
    assert latest["changes"] == [{"field": "居住地址", "old": "和平社区1号楼", "new": "和平路99号"}]


def test_it_masks_phones_in_the_history(world, client_for):
    client = client_for(world.worker_a)
    edit(client, world.member_a, phone="13987654321")
    [change] = client.get(reverse("member_detail", args=[world.member_a.pk])).context["history"][0]["changes"]
    assert (change["old"], change["new"]) == ("138****5678", "139****4321")


def test_it_archives_a_member_who_dies_and_keeps_the_record(world):
    member_event_record(member=world.member_b, kind="去世", on=date(2023, 8, 1), note="病故")
    member = Member.objects.get(pk=world.member_b.pk)
    assert (member.archived_on, member.archive_reason) == (date(2023, 8, 1), "去世")
    assert member not in Member.objects.current()
    assert member.history.first().history_change_reason == "去世（2023-08-01）"


def test_it_confirms_a_probationary_member(world):
    world.member_b.status, world.member_b.confirmed_on = "预备", None
    world.member_b.save()
    member_event_record(member=world.member_b, kind="转正", on=date(2023, 7, 1))
    member = Member.objects.get(pk=world.member_b.pk)
    assert (member.status, member.confirmed_on) == ("正式", date(2023, 7, 1))


def test_it_refuses_events_on_an_archived_member(world):
    member_event_record(member=world.member_b, kind="转出", on=date(2023, 8, 1), to_org="外省")
    with pytest.raises(ValidationError, match="已归档"):
        member_event_record(member=world.member_b, kind="去世", on=date(2023, 9, 1))


def test_it_keeps_org_history(world):
    world.branch_a.secretary = "赵书记"
    world.branch_a.save()
    assert world.branch_a.history.first().secretary == "赵书记"
    assert world.branch_a.history.count() == 2


def test_it_counts_party_age_from_confirmation(world):
    assert world.member_a.party_age(date(2023, 6, 30)) == 31
    assert world.member_a.party_age(date(2023, 7, 1)) == 32


def test_it_names_the_missing_required_fields(world):
    world.member_a.address, world.member_a.education = "", ""
    assert world.member_a.missing_fields() == ["学历", "居住地址"]
