"""Reopening a signed-off problem keeps the sign-off in its history, and figures read it as of a day."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.plans import services
from dangjian.plans.choices import ProblemEventKind, ProblemStatus
from dangjian.plans.models import Problem

from .conftest import make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(world, terms):
    problem = make_problem(world.community, terms, measures=[date(2023, 6, 30)])
    services.measure_complete(measure=problem.measures.get(), done_on=date(2023, 6, 20), result="完成")
    return services.problem_close(problem=problem, user=world.secretary, on=date(2023, 7, 1))


def test_it_reopens_with_a_reason(world, closed):
    services.problem_reopen(problem=closed, user=world.street_admin, reason="督导发现反弹", on=date(2023, 9, 1))
    closed.refresh_from_db()
    assert (closed.status, closed.closed_on, closed.closed_by) == (ProblemStatus.OPEN, None, None)


def test_it_keeps_the_earlier_sign_off_in_the_events(world, closed):
    services.problem_reopen(problem=closed, user=world.secretary, reason="督导发现反弹", on=date(2023, 9, 1))
    events = [(e.kind, e.on, e.user) for e in closed.events.filter(kind__in=(ProblemEventKind.CLOSED, ProblemEventKind.REOPENED))]
    assert events == [(ProblemEventKind.CLOSED, date(2023, 7, 1), world.secretary),
                      (ProblemEventKind.REOPENED, date(2023, 9, 1), world.secretary)]


def test_it_keeps_the_closed_state_in_the_model_history(world, closed):
    services.problem_reopen(problem=closed, user=world.secretary, reason="反弹", on=date(2023, 9, 1))
    states = list(closed.history.order_by("history_id").values_list("status", "closed_on"))
    assert (ProblemStatus.CLOSED, date(2023, 7, 1)) in states and states[-1] == (ProblemStatus.OPEN, None)


def test_it_requires_a_reason(world, closed):
    with pytest.raises(ValidationError, match="原因"):
        services.problem_reopen(problem=closed, user=world.secretary, reason="")


def test_it_refuses_a_party_worker_reopening(world, closed):
    with pytest.raises(PermissionDenied):
        services.problem_reopen(problem=closed, user=world.worker, reason="反弹")


def test_it_reads_open_or_closed_as_of_a_day(world, closed):
    services.problem_reopen(problem=closed, user=world.secretary, reason="反弹", on=date(2023, 9, 1))
    open_on = lambda day: Problem.objects.open_on(day).filter(pk=closed.pk).exists()  # noqa: E731
    assert (open_on(date(2023, 6, 30)), open_on(date(2023, 7, 31)), open_on(date(2023, 9, 30))) == (True, False, True)


def test_it_closes_again_after_new_measures_are_done(world, closed):
    services.problem_reopen(problem=closed, user=world.secretary, reason="反弹", on=date(2023, 9, 1))
    measure = services.measure_add(problem=closed, title="回访", owner="书记", deadline=date(2023, 10, 31), created_on=date(2023, 9, 1))
    services.measure_complete(measure=measure, done_on=date(2023, 10, 20), result="已回访")
    services.problem_close(problem=closed, user=world.secretary, on=date(2023, 10, 25))
    assert closed.events.filter(kind=ProblemEventKind.CLOSED).count() == 2
