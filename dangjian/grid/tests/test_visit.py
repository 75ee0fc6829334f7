"""The visit ledger: one tap appends a row; rows are never edited or deleted; changes ride along."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.grid import services
from dangjian.grid.models import Visit
from dangjian.grid.progress import campaign_progress

pytestmark = pytest.mark.django_db


def test_it_appends_a_visit_with_one_tap(g, client_for):
    client = client_for(g.worker1)
    response = client.post(reverse("visit_record", args=[g.household1.pk]), {"campaign": g.campaign.pk, "result": "已摸排"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已完成" in response.content.decode()
    visit = Visit.objects.get()
    assert (visit.household, visit.worker, visit.result) == (g.household1, g.worker1, "已摸排")


def test_it_refuses_to_edit_a_visit(g):
    visit = services.visit_record(campaign=g.campaign, household=g.household1, result="无人在家", user=g.worker1)
    visit.result = "已摸排"
    with pytest.raises(ValueError):
        visit.save()


def test_it_refuses_to_delete_a_visit(g):
    visit = services.visit_record(campaign=g.campaign, household=g.household1, result="无人在家", user=g.worker1)
    with pytest.raises(ValueError):
        visit.delete()


def test_it_records_what_changed_since_the_last_visit(g):
    services.resident_update(resident=g.r1, user=g.worker1, reason="更正联系电话", phone="13900001234")
    visit = services.visit_record(campaign=g.campaign, household=g.household1, result="已摸排", user=g.worker1)
    assert visit.changes == [{"kind": "corrected", "text": "张大山 更正联系电话：138****2222 → 139****1234"}]
    assert visit.changes_count == 1


def test_it_records_an_added_and_a_moved_out_resident(g):
    from datetime import date

    from .conftest import rid

    services.resident_add(household=g.household1, name="张小山", id_number=rid(date(2015, 2, 2), "男", 9), relation="孙子女")
    services.resident_move_out(resident=g.r1b, on=g.campaign.starts_on, moved_to="上海市", user=g.worker1)
    visit = services.visit_record(campaign=g.campaign, household=g.household1, result="已摸排", user=g.worker1)
    assert [c["kind"] for c in visit.changes] == ["added", "moved_out"]
    assert "迁往上海市" in visit.changes[1]["text"]


def test_it_does_not_count_a_change_twice(g):
    services.resident_update(resident=g.r1, user=g.worker1, phone="13900001234")
    services.visit_record(campaign=g.campaign, household=g.household1, result="无人在家", user=g.worker1)
    second = services.visit_record(campaign=g.campaign, household=g.household1, result="已摸排", user=g.worker1)
    assert second.changes == []


def test_it_refuses_a_household_outside_the_campaign(g):
    with pytest.raises(ValidationError):
        services.visit_record(campaign=g.campaign, household=g.household3, result="已摸排", user=g.worker1)


def test_it_moves_the_grids_progress(g):
    before = campaign_progress(g.campaign, [g.grid1]).overall
    services.visit_record(campaign=g.campaign, household=g.household1, result="已摸排", user=g.worker1)
    after = campaign_progress(g.campaign, [g.grid1]).overall
    assert (before.done, after.done, after.total, after.residents) == (0, 1, 1, 2)


def test_it_counts_nobody_home_as_a_revisit_not_done(g):
    services.visit_record(campaign=g.campaign, household=g.household1, result="无人在家", user=g.worker1)
    overall = campaign_progress(g.campaign).overall
    assert (overall.done, overall.revisit) == (0, 1)


def test_it_rejects_an_unknown_result(g, client_for):
    response = client_for(g.worker1).post(reverse("visit_record", args=[g.household1.pk]),
                                          {"campaign": g.campaign.pk, "result": "随便"})
    assert response.status_code == 400
