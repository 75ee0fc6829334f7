"""销号: only when every measure is done, and only the community secretary (or the street) signs."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.plans import services
from dangjian.plans.choices import ProblemStatus

from .conftest import make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(world, terms):
    return make_problem(world.community, terms, measures=[date(2023, 6, 30), date(2023, 9, 30)])


def _finish(problem, n=None):
    for measure in list(problem.measures.all())[:n]:
        services.measure_complete(measure=measure, done_on=date(2023, 9, 1), result="已完成")


def test_it_refuses_to_close_with_an_open_measure(world, problem):
    _finish(problem, 1)
    with pytest.raises(ValidationError, match="措施2"):
        services.problem_close(problem=problem, user=world.secretary)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


def test_it_refuses_to_close_without_any_measure(world, terms):
    problem = make_problem(world.community, terms)
    with pytest.raises(ValidationError, match="尚未制定整改措施"):
        services.problem_close(problem=problem, user=world.secretary)


def test_it_lets_the_secretary_close_when_all_measures_are_done(world, problem):
    _finish(problem)
    services.problem_close(problem=problem, user=world.secretary, on=date(2023, 10, 8), note="同意")
    problem.refresh_from_db()
    assert (problem.status, problem.closed_on, problem.closed_by) == (ProblemStatus.CLOSED, date(2023, 10, 8), world.secretary)


def test_it_refuses_a_party_worker_signing(world, problem):
    _finish(problem)
    with pytest.raises(PermissionDenied):
        services.problem_close(problem=problem, user=world.worker)


def test_it_refuses_another_communitys_secretary(world, problem):
    _finish(problem)
    with pytest.raises(PermissionDenied):
        services.problem_close(problem=problem, user=world.outsider)


def test_it_lets_the_street_admin_sign(world, problem):
    _finish(problem)
    services.problem_close(problem=problem, user=world.street_admin)
    problem.refresh_from_db()
    assert problem.is_closed


def test_it_refuses_a_close_date_before_the_last_measure(world, problem):
    _finish(problem)
    with pytest.raises(ValidationError, match="不能早于"):
        services.problem_close(problem=problem, user=world.secretary, on=date(2023, 8, 1))


def test_it_keeps_the_problem_open_when_a_worker_posts_sign_off(world, client_for, problem):
    _finish(problem)
    client_for(world.worker).post(reverse("problem_action", args=[problem.pk, "close"]), {"confirm": "on"})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


def test_it_closes_when_the_secretary_posts_sign_off(world, client_for, problem):
    _finish(problem)
    client_for(world.secretary).post(reverse("problem_action", args=[problem.pk, "close"]), {"confirm": "on"})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED


def test_it_requires_the_confirmation_box(world, client_for, problem):
    _finish(problem)
    client_for(world.secretary).post(reverse("problem_action", args=[problem.pk, "close"]), {})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


def test_it_refuses_new_measures_on_a_closed_problem(world, problem):
    _finish(problem)
    services.problem_close(problem=problem, user=world.secretary)
    with pytest.raises(ValidationError, match="已销号"):
        services.measure_add(problem=problem, title="再加一条", owner="书记", deadline=date(2023, 12, 1))


def test_it_requires_a_result_to_complete_a_measure(problem):
    with pytest.raises(ValidationError, match="完成情况"):
        services.measure_complete(measure=problem.measures.first(), done_on=date(2023, 9, 1), result=" ")
