"""Every plans view and export keeps a user inside their subtree (worker_a: branch A only)."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.lib.tabular import Column, read_table
from dangjian.plans import services
from dangjian.plans.models import Measure, Milestone, PlanItem, Problem, WorkPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_records(world, plan_b, problem_b):
    item = plan_b.items.get()
    measure = problem_b.measures.get()
    evidence = services.evidence_add(owner=item, label="外部链接", url="https://www.12371.cn/")
    return {"plan": plan_b, "item": item, "milestone": item.milestones.get(), "problem": problem_b,
            "measure": measure, "evidence": evidence}


GET_VIEWS = [
    ("plan_detail", "plan"), ("plan_edit", "plan"), ("plan_item_create", "plan"), ("plan_item_detail", "item"),
    ("plan_item_edit", "item"), ("problem_detail", "problem"), ("problem_edit", "problem"), ("measure_edit", "measure"),
]
POST_VIEWS = [
    ("plan_item_action", "item", "start"), ("plan_item_action", "item", "complete"), ("plan_item_action", "item", "cancel"),
    ("plan_item_action", "item", "milestone"), ("plan_item_action", "item", "progress"),
    ("plan_item_action", "item", "evidence"), ("milestone_complete", "milestone", None),
    ("evidence_remove", "evidence", None), ("problem_action", "problem", "cause"), ("problem_action", "problem", "measure"),
    ("problem_action", "problem", "close"), ("problem_action", "problem", "reopen"),
    ("measure_action", "measure", "complete"), ("measure_action", "measure", "evidence"),
]
LISTS = ["plan_list", "plan_item_list", "due_list", "problem_list", "problem_export"]


@pytest.mark.parametrize(("view", "key"), GET_VIEWS)
def test_it_gives_404_for_another_branchs_record(world, client_for, b_records, view, key):
    assert client_for(world.worker_a).get(reverse(view, args=[b_records[key].pk])).status_code == 404


@pytest.mark.parametrize(("view", "key"), GET_VIEWS)
def test_it_opens_the_record_for_its_own_branch(world, client_for, b_records, view, key):
    assert client_for(world.worker_b).get(reverse(view, args=[b_records[key].pk])).status_code == 200


@pytest.mark.parametrize(("view", "key", "action"), POST_VIEWS)
def test_it_gives_404_when_posting_to_another_branchs_record(world, client_for, b_records, view, key, action):
    args = [b_records[key].pk] + ([action] if action else [])
    data = {"done_on": "2023-12-01", "reason": "x", "title": "x", "deadline": "2023-12-01", "on": "2023-12-01",
            "text": "x", "label": "x", "url": "https://example.org/", "owner": "x", "result": "x", "confirm": "on"}
    assert client_for(world.worker_a).post(reverse(view, args=args), data).status_code == 404


def test_it_changes_nothing_when_posting_outside_the_subtree(world, client_for, b_records):
    client_for(world.worker_a).post(reverse("measure_action", args=[b_records["measure"].pk, "complete"]),
                                    {"done_on": "2023-06-01", "result": "x"})
    assert not Measure.objects.get(pk=b_records["measure"].pk).is_done


@pytest.mark.parametrize("view", LISTS)
def test_it_refuses_an_org_filter_outside_the_subtree(world, client_for, b_records, view):
    assert client_for(world.worker_a).get(reverse(view), {"org": world.branch_b.pk, "period": "2023"}).status_code == 404


def test_it_lists_only_the_branchs_plans(world, client_for, plan_a, plan_b):
    page = client_for(world.worker_a).get(reverse("plan_list")).context["page"]
    assert [p.title for p in page] == ["第一党支部2023年计划"]


def test_it_lets_the_secretary_see_every_branchs_plans(world, client_for, plan_a, plan_b):
    page = client_for(world.secretary).get(reverse("plan_list")).context["page"]
    assert sorted(p.title for p in page) == ["第一党支部2023年计划", "第二党支部2023年计划"]


def test_it_keeps_the_outsider_out_of_hepings_plans(world, client_for, plan_a, plan_b):
    assert list(client_for(world.outsider).get(reverse("plan_list")).context["page"]) == []


def test_it_lists_only_the_branchs_problems_in_the_ledger(world, client_for, problem_a, problem_b):
    page = client_for(world.worker_a).get(reverse("problem_list"), {"period": "2023"}).context["page"]
    assert [p.title for p in page] == ["支部学习不够深入"]


def test_it_lists_only_the_branchs_items(world, client_for, plan_a, plan_b):
    page = client_for(world.worker_a).get(reverse("plan_item_list"), {"period": "2023"}).context["page"]
    assert [i.title for i in page] == ["开展主题党日"]


def test_it_lists_only_the_branchs_due_items(world, client_for, plan_a, plan_b):
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=date(2024, 1, 5)):
        response = client_for(world.worker_a).get(reverse("due_list"))
    assert {r["parent"] for r in response.context["overdue"]} <= {"开展主题党日", "第一党支部2023年计划"}
    assert len(response.context["overdue"]) == 3


def test_it_exports_only_the_branchs_problems(world, client_for, problem_a, problem_b):
    response = client_for(world.worker_a).get(reverse("problem_export"), {"period": "2023"})
    rows = list(read_table(response.content, [Column("title", "问题", required=True)], filename="x.xlsx"))
    assert [r.values["title"] for r in rows] == ["支部学习不够深入"]


def test_it_refuses_creating_a_plan_for_an_org_outside_the_subtree(world, client_for):
    client_for(world.worker_a).post(reverse("plan_create"), {"org": world.branch_b.pk, "title": "越权计划", "kind": "year", "period": "2023"})
    assert not WorkPlan.objects.filter(title="越权计划").exists()


def test_it_refuses_creating_a_problem_for_an_org_outside_the_subtree(world, client_for, terms):
    category, source = terms
    client_for(world.worker_a).post(reverse("problem_create"), {
        "org": world.branch_b.pk, "title": "越权问题", "category": category.pk, "source": source.pk, "found_on": "2023-05-01"})
    assert not Problem.objects.filter(title="越权问题").exists()


@pytest.mark.parametrize("view", ["plan_list", "plan_item_list", "due_list", "problem_list", "problem_export", "plan_create", "problem_create"])
def test_it_forbids_member_accounts(world, client_for, view):
    assert client_for(world.member_user).get(reverse(view)).status_code == 403


@pytest.mark.parametrize("view", ["plan_list", "problem_list"])
def test_it_forbids_grid_workers(world, client_for, view):
    assert client_for(world.grid_worker).get(reverse(view)).status_code == 403


def test_it_hides_plans_from_the_member_navbar(world, client_for):
    items = client_for(world.member_user).get(reverse("notification_list")).context["nav_items"]
    assert reverse("plan_list") not in [i["url"] for i in items]


def test_it_keeps_other_branches_out_of_counts(world, client_for, plan_a, plan_b):
    assert PlanItem.objects.visible_to(world.worker_a).count() == 1
    assert Milestone.objects.visible_to(world.worker_a).count() == 2
