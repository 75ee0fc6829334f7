"""民主评议党员: each member's 等次 for a year, recorded from the meeting that decided it, in the figures."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.lib.periods import Period
from dangjian.meetings.choices import Mark
from dangjian.meetings.figures import appraisal_for_period
from dangjian.meetings.models import Appraisal
from dangjian.meetings.services import appraisal_record
from dangjian.testing.factories import MemberFactory

from .helpers import held

pytestmark = pytest.mark.django_db


def meeting(world, code="appraisal", also=()):
    other = MemberFactory(name="赵六", org=world.branch_b)
    return held(world.branch_b, code, date(2023, 12, 20), also=also,
                marks={world.member_b: Mark.PRESENT, other: Mark.PRESENT}), other


def test_it_records_each_members_result_from_the_page(world, client_for):
    a, other = meeting(world)
    client_for(world.worker_b).post(reverse("meeting_appraisal", args=[a.pk]), {
        f"result-{world.member_b.pk}": "优秀", f"result-{other.pk}": "合格", f"note-{other.pk}": "按时参加组织生活"})
    got = {(x.member.name, x.year, x.result, x.note) for x in Appraisal.objects.all()}
    assert got == {("李四", 2023, "优秀", ""), ("赵六", 2023, "合格", "按时参加组织生活")}


def test_it_accepts_a_life_meeting_held_with_the_appraisal(world):
    a, _ = meeting(world, code="life_meeting", also=("appraisal",))
    assert appraisal_record(activity=a, results={world.member_b.pk: ("合格", "")}) == 1


def test_it_refuses_a_meeting_that_is_no_appraisal(world):
    a, _ = meeting(world, code="theme_day")
    with pytest.raises(ValidationError):
        appraisal_record(activity=a, results={world.member_b.pk: ("合格", "")})


def test_it_refuses_a_member_not_on_the_meetings_list(world):
    a, _ = meeting(world)
    with pytest.raises(ValidationError):
        appraisal_record(activity=a, results={world.member_a.pk: ("合格", "")})


def test_it_keeps_the_old_result_in_history_when_corrected_and_writes_nothing_unchanged(world):
    a, _ = meeting(world)
    appraisal_record(activity=a, results={world.member_b.pk: ("合格", "")})
    assert appraisal_record(activity=a, results={world.member_b.pk: ("合格", "")}) == 0
    appraisal_record(activity=a, results={world.member_b.pk: ("基本合格", "")})
    row = Appraisal.objects.get()
    assert [h.result for h in row.history.order_by("history_date")] == ["合格", "基本合格"]


def test_it_counts_results_in_the_figures_for_the_year(world):
    a, other = meeting(world)
    appraisal_record(activity=a, results={world.member_b.pk: ("优秀", ""), other.pk: ("合格", "")})
    f = appraisal_for_period(world.community, Period.parse("2023Q4"))
    assert f.appraised.value == 2 and [x.value for x in f.by_result] == [1, 1, 0, 0]
    assert appraisal_for_period(world.community, Period.parse("2024Q1")).appraised.value == 0


def test_it_lists_as_many_people_as_the_figure_counts(world, client_for):
    a, other = meeting(world)
    appraisal_record(activity=a, results={world.member_b.pk: ("优秀", ""), other.pk: ("合格", "")})
    f = appraisal_for_period(world.community, Period.parse("2023"))
    page = client_for(world.secretary).get(f.by_result[0].link).content.decode()
    assert page.count('data-testid="appraisal"') == f.by_result[0].value == 1


@pytest.mark.parametrize("who", ["outsider", "worker_a", "member_user"])
def test_it_hides_the_appraisal_of_another_organisation(world, client_for, who):
    a, _ = meeting(world)
    response = client_for(getattr(world, who)).post(reverse("meeting_appraisal", args=[a.pk]),
                                                    {f"result-{world.member_b.pk}": "不合格"})
    assert response.status_code in (403, 404) and not Appraisal.objects.exists()


def test_it_reports_the_appraisal_only_for_a_period_that_held_one(world):
    from dangjian.reports.drafting import fill
    from dangjian.reports.services import compose

    a, other = meeting(world)
    appraisal_record(activity=a, results={world.member_b.pk: ("优秀", ""), other.pk: ("合格", "")})

    def paragraphs(period):
        draft = compose(world.community, Period.parse(period))
        return {p.key: fill(p.text, draft.snapshot["figures"]) for p in draft.paragraphs}

    q4, q3 = paragraphs("2023Q4"), paragraphs("2023Q3")
    assert "2名党员参加评议，评定优秀1名、合格1名、基本合格0名、不合格0名" in q4["s1.work.education.appraisal"]
    assert "s1.work.education.appraisal" not in q3
