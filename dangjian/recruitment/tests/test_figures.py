"""Figures per stage, admitted and converted in a period, overdue steps — unchanged for a past
period when later steps are recorded; the command and the reminders read the same."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from dangjian.lib.periods import Period
from dangjian.plans.models import Notification
from dangjian.plans.reminders import run
from dangjian.recruitment import figures, services

from .conftest import WALK, walk

pytestmark = pytest.mark.django_db
Q3_2022 = Period.parse("2022Q3")
Q4_2022 = Period.parse("2022Q4")
TODAY = date(2026, 11, 30)


def stages(f):
    return [x.value for x in f.by_stage]


def test_it_counts_the_person_at_the_stage_they_were_in_at_the_end_of_the_period(world, applicant):
    walk(applicant, "approval")  # branch meeting 2022-09-01, approval not yet
    assert stages(figures.for_period(world.community, Q3_2022, TODAY)) == [0, 0, 0, 1, 0]


def test_it_keeps_a_past_periods_figures_when_later_steps_are_recorded(world, applicant):
    walk(applicant, "approval")
    before = figures.for_period(world.community, Q3_2022, TODAY).as_json()
    walk(applicant, "conversion_application")
    assert figures.for_period(world.community, Q3_2022, TODAY).as_json() == before


def test_it_counts_the_admission_in_the_period_of_the_approval(world, applicant):
    walk(applicant, "approval_filing")  # approval 2022-10-10
    f = figures.for_period(world.community, Q4_2022, TODAY)
    assert (f.admitted.value, f.people["admitted"]) == (1, ["周小红"])
    assert figures.for_period(world.community, Q3_2022, TODAY).admitted.value == 0


def test_it_counts_the_conversion_in_its_period(world, applicant):
    walk(applicant, "archive")  # conversion approval 2023-10-10
    assert figures.for_period(world.community, Period.parse("2023Q4"), TODAY).converted.value == 1


def test_it_counts_an_overdue_talk_as_of_the_period_end(world, applicant):
    f = figures.for_period(world.community, Period.parse("2021Q2"), TODAY)  # applied 2021-03-01, no talk
    assert (f.overdue.value, f.people["overdue"]) == (1, ["周小红：谈话"])
    walk(applicant, "activist")  # talk 2021-03-15
    assert figures.for_period(world.community, Period.parse("2021Q2"), TODAY).overdue.value == 0


def test_it_shows_nothing_of_another_community(world, applicant):
    assert sum(stages(figures.for_period(world.other_community, Q3_2022, TODAY))) == 0


def test_it_links_each_figure_to_the_board_as_of_its_day(world, applicant):
    f = figures.for_period(world.community, Q3_2022, TODAY)
    assert "on=2022-09-30" in f.by_stage[0].link and "list=approval" in f.admitted.link


def test_it_lists_each_person_with_the_next_step_on_the_command_line(world, applicant):
    out = StringIO()
    call_command("recruits", "--org", world.community.name, "--json", stdout=out)
    people = json.loads(out.getvalue())["people"]
    assert [(p["name"], p["next_step"], p["due"]) for p in people] == [("周小红", "2. 党组织派人谈话", "谈话")]
    assert people[0]["overdue"] is True


def test_it_reminds_the_branch_worker_of_an_overdue_talk(world, applicant):
    run(today=TODAY)
    texts = list(Notification.objects.filter(user=world.worker_a).values_list("text", flat=True))
    assert any("周小红" in t and "谈话" in t for t in texts)


def test_it_stops_reminding_once_the_talk_is_recorded(world, applicant):
    run(today=TODAY)
    services.step_record(applicant=applicant, code="talk", done_on=WALK["talk"][0], reason="补登")
    run(today=TODAY)
    assert not Notification.objects.filter(user=world.worker_a, text__contains="谈话", resolved_at__isnull=True).exists()
