"""Work plans: created per org and period, items with milestones, progress and completion."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.plans import services
from dangjian.plans.choices import ItemStatus
from dangjian.plans.models import PlanItem, WorkPlan

pytestmark = pytest.mark.django_db


def test_it_sets_a_quarter_plans_dates_from_its_period(world, client_for):
    client_for(world.worker_a).post(reverse("plan_create"), {
        "org": world.branch_a.pk, "title": "三季度计划", "kind": "quarter", "period": "2023Q3"})
    plan = WorkPlan.objects.get(title="三季度计划")
    assert (plan.period, plan.start_on, plan.end_on) == ("2023Q3", date(2023, 7, 1), date(2023, 9, 30))


def test_it_refuses_a_period_of_the_wrong_kind(world, client_for):
    response = client_for(world.worker_a).post(reverse("plan_create"), {
        "org": world.branch_a.pk, "title": "错配", "kind": "year", "period": "2023Q3"})
    assert "不一致" in response.content.decode() and not WorkPlan.objects.exists()


def test_it_requires_dates_for_a_campaign(world, client_for):
    response = client_for(world.worker_a).post(reverse("plan_create"), {
        "org": world.branch_a.pk, "title": "主题教育", "kind": "campaign"})
    assert "专项计划须填写开始和结束日期" in response.content.decode()


def test_it_creates_a_campaign_plan(world, client_for):
    client_for(world.worker).post(reverse("plan_create"), {
        "org": world.community.pk, "title": "主题教育", "kind": "campaign", "start_on": "2023-09-01", "end_on": "2024-01-31"})
    assert WorkPlan.objects.get(title="主题教育").end_on == date(2024, 1, 31)


def test_it_adds_an_item_through_the_page(world, client_for, plan_a):
    client_for(world.worker_a).post(reverse("plan_item_create", args=[plan_a.pk]), {
        "title": "新事项", "owner": "支部书记", "deadline": "2023-12-01"})
    assert plan_a.items.filter(title="新事项").exists()


def test_it_refuses_completing_an_item_with_open_milestones(plan_a):
    with pytest.raises(ValidationError, match="2个时间节点未完成"):
        services.plan_item_complete(item=plan_a.items.get(), done_on=date(2023, 10, 31))


def test_it_completes_an_item_once_its_milestones_are_done(world, client_for, plan_a):
    item = plan_a.items.get()
    for m in item.milestones.all():
        client_for(world.worker_a).post(reverse("milestone_complete", args=[m.pk]), {"done_on": "2023-10-20"})
    client_for(world.worker_a).post(reverse("plan_item_action", args=[item.pk, "complete"]), {"done_on": "2023-10-25"})
    item.refresh_from_db()
    assert (item.status, item.done_on) == (ItemStatus.DONE, date(2023, 10, 25))


def test_it_starts_an_item_when_progress_is_recorded(world, client_for, plan_a):
    item = plan_a.items.get()
    client_for(world.worker_a).post(reverse("plan_item_action", args=[item.pk, "progress"]), {"on": "2023-10-01", "text": "已制定方案"})
    item.refresh_from_db()
    assert item.status == ItemStatus.DOING and item.notes.get().text == "已制定方案"


def test_it_cancels_an_item_with_a_reason(world, client_for, plan_a):
    item = plan_a.items.get()
    client_for(world.worker_a).post(reverse("plan_item_action", args=[item.pk, "cancel"]), {"reason": "上级调整部署"})
    item.refresh_from_db()
    assert item.status == ItemStatus.CANCELLED and "上级调整部署" in item.notes.get().text


def test_it_keeps_the_deadline_change_in_history(world, plan_a):
    item = plan_a.items.get()
    item.deadline = date(2023, 11, 15)
    item.save()
    assert [h.deadline for h in item.history.order_by("history_id")][-2:] == [date(2023, 10, 31), date(2023, 11, 15)]


def test_it_refuses_a_done_item_without_a_date(plan_a):
    item = plan_a.items.get()
    item.status = ItemStatus.DONE
    with pytest.raises(ValidationError):
        item.full_clean()


def test_it_shows_the_plan_with_its_items(world, client_for, plan_a):
    response = client_for(world.worker_a).get(reverse("plan_detail", args=[plan_a.pk]))
    assert "开展主题党日" in response.content.decode()


def test_it_lists_items_done_late(world, client_for, plan_a):
    item = plan_a.items.get()
    item.milestones.update(done_on=date(2023, 11, 3))
    services.plan_item_complete(item=item, done_on=date(2023, 11, 3))
    page = client_for(world.worker_a).get(reverse("plan_item_list"), {"period": "2023Q4", "state": "late"}).context["page"]
    assert [i.title for i in page] == ["开展主题党日"]


def test_it_changes_a_measures_deadline_and_records_it(world, client_for, problem_a):
    measure = problem_a.measures.get()
    client_for(world.worker_a).post(reverse("measure_edit", args=[measure.pk]), {
        "title": measure.title, "owner": measure.owner, "deadline": "2023-08-31"})
    assert "2023-06-30 → 2023-08-31" in problem_a.events.last().note


def test_it_registers_a_problem_with_causes(world, client_for, terms):
    category, source = terms
    client_for(world.worker_a).post(reverse("problem_create"), {
        "org": world.branch_a.pk, "title": "新问题", "category": category.pk, "source": source.pk,
        "found_on": "2023-05-01", "causes": "原因甲\n\n原因乙"})
    problem = world.branch_a.problems.get(title="新问题")
    assert [c.text for c in problem.causes.all()] == ["原因甲", "原因乙"]


def test_it_lists_deployment_added_categories(world, client_for):
    from dangjian.plans.models import ProblemCategory

    ProblemCategory.objects.create(name="基层治理", sort=999)
    response = client_for(world.worker_a).get(reverse("problem_create"))
    assert "基层治理" in response.content.decode()


def test_it_counts_only_uncancelled_items_as_counted(plan_a):
    assert PlanItem.objects.counted().count() == 1
