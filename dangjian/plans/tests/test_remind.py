"""`dangjian remind`: what is due within N working days or overdue, per user, once per day."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from dangjian.meetings.choices import Status
from dangjian.meetings.tests.helpers import held
from dangjian.plans import reminders, services
from dangjian.plans.choices import Stage
from dangjian.plans.models import Notification
from dangjian.plans.reminders import Due

from .conftest import make_problem

pytestmark = pytest.mark.django_db

THU_BEFORE_NATIONAL_DAY = date(2023, 9, 28)


@pytest.fixture
def measure(world, terms):
    """A community measure due on Mon Oct 9 2023: 3 working days after Thu Sep 28 (Oct 7, 8, 9)."""
    return make_problem(world.community, terms, measures=[date(2023, 10, 9)]).measures.get()


def _remind(today, **opts) -> dict:
    out = StringIO()
    call_command("remind", date=today.isoformat(), json=True, stdout=out, **opts)
    return json.loads(out.getvalue())


def test_it_tells_the_communitys_party_workers(world, measure):
    _remind(THU_BEFORE_NATIONAL_DAY)
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"shuji", "dangwu"}


def test_it_creates_nothing_new_when_run_twice_the_same_day(world, measure):
    first = _remind(THU_BEFORE_NATIONAL_DAY)
    second = _remind(THU_BEFORE_NATIONAL_DAY)
    assert (first["created"], second["created"], Notification.objects.count()) == (2, 0, 2)


def test_it_creates_nothing_new_the_next_day_while_still_due_soon(world, measure):
    _remind(THU_BEFORE_NATIONAL_DAY)
    assert _remind(date(2023, 10, 7))["created"] == 0


def test_it_waits_until_the_deadline_is_within_n_working_days(world, measure):
    assert _remind(THU_BEFORE_NATIONAL_DAY, days=2)["created"] == 0


def test_it_sends_one_overdue_notice_when_the_deadline_passes(world, measure):
    _remind(THU_BEFORE_NATIONAL_DAY)
    result = _remind(date(2023, 10, 10))
    pending = Notification.objects.pending()
    assert result["created"] == 2 and set(pending.values_list("stage", flat=True)) == {Stage.OVERDUE}


def test_it_resolves_the_notification_when_the_measure_is_done(world, measure):
    _remind(THU_BEFORE_NATIONAL_DAY)
    services.measure_complete(measure=measure, done_on=date(2023, 9, 29), result="完成")
    assert Notification.objects.pending().count() == 0


def test_it_does_not_remind_again_after_the_measure_is_done(world, measure):
    _remind(THU_BEFORE_NATIONAL_DAY)
    services.measure_complete(measure=measure, done_on=date(2023, 9, 29), result="完成")
    assert _remind(date(2023, 10, 7))["created"] == 0


def test_it_sends_to_the_named_owner_only(world, terms):
    problem = make_problem(world.community, terms)
    services.measure_add(problem=problem, title="有责任人", owner="党务", owner_user=world.worker, deadline=date(2023, 10, 9))
    _remind(THU_BEFORE_NATIONAL_DAY)
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["dangwu"]


def test_it_sends_a_branchs_items_to_the_branch(world, plan_a):
    _remind(date(2023, 10, 30))
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"zhibu_a"}


def test_it_reminds_of_milestones_and_items(world, plan_a):
    _remind(date(2023, 10, 30))
    assert sorted(Notification.objects.values_list("kind", "stage")) == [
        ("milestone", "due_soon"), ("milestone", "overdue"), ("plan_item", "due_soon")]


def test_it_resolves_milestone_notices_when_the_milestone_is_done(world, plan_a):
    _remind(date(2023, 10, 30))
    for m in plan_a.items.get().milestones.all():
        services.milestone_complete(milestone=m, done_on=date(2023, 10, 30))
    assert list(Notification.objects.pending().values_list("kind", flat=True)) == ["plan_item"]


def test_it_reminds_the_branch_of_a_meeting_it_planned(world):
    held(world.branch_b, "congress", date(2023, 10, 8), planned=True, status=Status.DRAFT)
    _remind(THU_BEFORE_NATIONAL_DAY)
    assert Notification.objects.get(kind="meeting").user == world.worker_b


def test_it_prints_a_summary_without_json(world, measure):
    out = StringIO()
    call_command("remind", date="2023-09-28", stdout=out)
    assert "新增提醒 2 条" in out.getvalue()


def test_it_tells_named_users_and_the_org_when_asked(world):
    due = Due("survey", "摸排任务", world.community, date(2023, 10, 9), "摸排", org=world.community,
              users=(world.grid_worker.pk,), notify_org=True)
    assert reminders.Recipients().for_due(due) == {world.grid_worker.pk, world.secretary.pk, world.worker.pk}
