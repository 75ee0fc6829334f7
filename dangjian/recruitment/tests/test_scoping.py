"""Every recruitment view and export keeps a user inside their subtree (worker_a: branch A only),
and a 党员 account sees none of it."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.members.choices import Status
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant, Step
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_records(world):
    applicant = services.applicant_create(org=world.branch_b, name="吴小北", birth_date=date(1995, 1, 1),
                                          applied_on=date(2024, 3, 1))
    probationer = MemberFactory(org=world.branch_b, status=Status.PROBATIONARY, joined_on=date(2024, 5, 1), confirmed_on=None)
    return {"applicant": applicant, "member": probationer}


GET_VIEWS = [("recruit_detail", "applicant")]
POST_VIEWS = [("recruit_step", "applicant"), ("recruit_adopt", "member")]
LISTS = ["recruit_board", "recruit_export", "recruit_create"]
STEP = {"code": "talk", "done_on": "2024-03-10", "by": "x"}


@pytest.mark.parametrize(("view", "key"), GET_VIEWS)
def test_it_gives_404_for_another_branchs_record(world, client_for, b_records, view, key):
    assert client_for(world.worker_a).get(reverse(view, args=[b_records[key].pk])).status_code == 404


@pytest.mark.parametrize(("view", "key"), GET_VIEWS)
def test_it_opens_the_record_for_its_own_branch(world, client_for, b_records, view, key):
    assert client_for(world.worker_b).get(reverse(view, args=[b_records[key].pk])).status_code == 200


@pytest.mark.parametrize(("view", "key"), POST_VIEWS)
def test_it_gives_404_when_posting_to_another_branchs_record(world, client_for, b_records, view, key):
    assert client_for(world.worker_a).post(reverse(view, args=[b_records[key].pk]), STEP).status_code == 404


def test_it_changes_nothing_when_posting_outside_the_subtree(world, client_for, b_records):
    client_for(world.worker_a).post(reverse("recruit_step", args=[b_records["applicant"].pk]), STEP)
    client_for(world.worker_a).post(reverse("recruit_adopt", args=[b_records["member"].pk]))
    assert not Step.objects.filter(code="talk").exists() and Applicant.objects.count() == 1


@pytest.mark.parametrize("view", LISTS)
def test_it_refuses_an_org_filter_outside_the_subtree(world, client_for, b_records, view):
    assert client_for(world.worker_a).get(reverse(view), {"org": world.branch_b.pk}).status_code == 404


@pytest.mark.parametrize("view", LISTS)
@pytest.mark.parametrize("who", ["member_user", "grid_worker"])
def test_it_shows_nothing_to_a_party_member_or_grid_worker(world, client_for, b_records, view, who):
    assert client_for(getattr(world, who)).get(reverse(view)).status_code == 403


@pytest.mark.parametrize(("view", "key"), GET_VIEWS + POST_VIEWS)
def test_it_shows_no_record_to_a_party_member(world, client_for, b_records, view, key):
    client = client_for(world.member_user)
    url = reverse(view, args=[b_records[key].pk])
    assert (client.post(url, STEP) if (view, key) in POST_VIEWS else client.get(url)).status_code == 403


def test_it_keeps_the_outsider_off_hepings_board(world, client_for, b_records):
    page = client_for(world.outsider).get(reverse("recruit_board"))
    assert "吴小北" not in page.content.decode()


def test_it_shows_the_branch_its_own_people(world, client_for, b_records):
    page = client_for(world.worker_b).get(reverse("recruit_board"))
    assert "吴小北" in page.content.decode() and b_records["member"].name in page.content.decode()


def test_it_lets_a_branch_worker_record_a_step(world, client_for, b_records):
    response = client_for(world.worker_b).post(reverse("recruit_step", args=[b_records["applicant"].pk]), STEP)
    assert response.status_code == 302 and Step.objects.filter(code="talk").exists()


def test_it_shows_a_refusal_with_its_rule_and_source(world, client_for, b_records):
    late = {**STEP, "done_on": "2024-05-01"}
    page = client_for(world.worker_b).post(reverse("recruit_step", args=[b_records["applicant"].pk]), late)
    assert page.status_code == 422 and "第七条" in page.content.decode()
