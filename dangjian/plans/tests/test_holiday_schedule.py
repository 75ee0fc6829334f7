"""Entering the State Council's schedule of a year the calendar package does not know yet."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.lib.workdays import Deadline, WorkCalendar, covers, package_knows
from dangjian.plans.services import holiday_schedule_enter

# Once a chinesecalendar release publishes 2027 there is nothing left to enter for it.
pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(package_knows(2027), reason="chinesecalendar now carries the 2027 schedule")]

NOTICE_2027 = """2027-01-01~2027-01-03 休 元旦
2027-02-05~2027-02-12 休 春节
2027-02-20 班 春节
2027-04-03~2027-04-05 休 清明节
2027-04-25 班 劳动节
2027-05-01~2027-05-05 休 劳动节
2027-06-09 休 端午节
2027-09-15 休 中秋节
2027-09-26 班 国庆节
2027-10-01~2027-10-07 休 国庆节
2027-10-09 班 国庆节
"""


def enter(text=NOTICE_2027, year=2027):
    return holiday_schedule_enter(year=year, document="国务院办公厅关于2027年部分节假日安排的通知",
                                  published_on=date(2026, 11, 12), text=text)


def test_it_turns_2027_deadlines_from_estimated_to_exact():
    assert WorkCalendar().deadline(date(2027, 9, 30), 1) == Deadline(date(2027, 10, 6), estimated=True)
    enter()
    assert covers(date(2027, 10, 8))
    assert WorkCalendar().deadline(date(2027, 9, 30), 1) == Deadline(date(2027, 10, 8), estimated=False)


def test_it_counts_an_entered_makeup_saturday():
    enter()
    assert WorkCalendar().add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 20)


def test_it_names_the_line_of_a_bad_entry():
    with pytest.raises(ValidationError) as exc:
        enter("2027-01-01 休 元旦\n2027-13-01 休 春节")
    assert "第2行" in str(exc.value)


def test_it_refuses_to_schedule_work_on_a_statutory_holiday():
    with pytest.raises(ValidationError, match="法定节假日"):
        enter("2027-10-01 班 国庆节")


def test_it_refuses_a_year_the_package_already_knows():
    with pytest.raises(ValidationError, match="已内置"):
        enter("2026-10-01 休 国庆节", year=2026)


def test_it_replaces_an_earlier_entry_of_the_same_year():
    enter()
    schedule = enter("2027-01-01 休 元旦")
    assert schedule.days.count() == 1


# --- the page ---------------------------------------------------------------------------------

def post(client, text=NOTICE_2027):
    return client.post(reverse("holiday_schedule"), {"year": 2027, "document": "国务院办公厅关于2027年部分节假日安排的通知",
                                                     "published_on": "2026-11-12", "text": text})


def test_it_shows_the_street_admin_next_years_computed_holidays_as_estimated(world, client_for):
    page = client_for(world.street_admin).get(reverse("holiday_schedule")).content.decode()
    assert "预计" in page and "2月6日春节" in page and "9月15日中秋节" in page


def test_it_lets_the_street_admin_enter_the_schedule(world, client_for):
    assert post(client_for(world.street_admin)).status_code == 302
    assert covers(date(2027, 6, 1))


def test_it_shows_the_line_that_is_wrong(world, client_for):
    page = post(client_for(world.street_admin), "2027-01-01 休 元旦\n2027-02-30 休 春节").content.decode()
    assert "第2行" in page and not covers(date(2027, 6, 1))


@pytest.mark.parametrize("who", ["secretary", "worker_a", "member_user", "grid_worker", "outsider"])
def test_it_keeps_everyone_below_the_street_out(world, client_for, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("holiday_schedule")).status_code == 403
    assert post(client).status_code == 403 and not covers(date(2027, 6, 1))
