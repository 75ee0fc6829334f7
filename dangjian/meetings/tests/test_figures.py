"""The figures the dashboard, the duty report and `--json` read, and the dashboard panel."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.lib.periods import Period
from dangjian.meetings import figures
from dangjian.meetings.choices import Mark, Status
from dangjian.testing.dashboard import drawn_panels
from dangjian.testing.factories import MemberFactory

from .helpers import committee, held, send, visit

pytestmark = pytest.mark.django_db
Q3 = Period.parse("2023Q3")


def test_it_counts_held_activities_attendance_and_reach(world):
    extra = MemberFactory(org=world.branch_b)
    held(world.branch_b, "theme_day", date(2023, 7, 14), marks={world.member_b: Mark.PRESENT, extra: Mark.SICK})
    held(world.branch_b, "theme_day", date(2023, 8, 14), status=Status.DRAFT, marks={extra: Mark.PRESENT})
    visit(extra, date(2023, 9, 1))
    send(world.member_a, date(2023, 9, 2), confirmed=date(2023, 9, 3))
    f = figures.for_period(world.community, Q3, as_of=date(2024, 1, 1))
    assert (f.held.value, f.attendance_rate.value) == (1, 50.0)
    assert (f.reached.value, f.not_reached.value, f.visits.value, f.sends_confirmed.value) == (3, 0, 1, 1)


def test_it_links_each_figure_to_the_records_behind_it(world):
    f = figures.for_period(world.branch_b, Q3)
    assert f.held.link == reverse("meeting_list") + f"?org={world.branch_b.pk}&period=2023Q3&status=submitted"
    assert f.as_json()["reached"]["link"].startswith(reverse("meeting_reach"))


def test_it_reports_required_and_held_per_type(world):
    held(world.branch_b, "congress", date(2023, 8, 25))
    row = next(t for t in figures.for_period(world.branch_b, Q3).by_type if t["type_code"] == "congress")
    assert (row["required"], row["held"]) == (1, 1)


def test_it_keeps_the_query_count_constant_in_the_data(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            figures.for_period(world.community, Q3, as_of=date(2024, 1, 1))
        return len(ctx.captured_queries)

    held(world.branch_b, "theme_day", date(2023, 7, 1), marks={world.member_b: Mark.PRESENT})
    before = queries()
    for day in range(1, 20):
        m = MemberFactory(org=world.branch_a)
        held(world.branch_a, "theme_day", date(2023, 7, day), marks={m: Mark.PRESENT, world.member_a: Mark.LATE})
        visit(m, date(2023, 8, day))
    assert queries() == before


def _cell(client, world, month: str) -> str:
    response = client.get(reverse("dashboard"), {"org": world.branch_b.pk, "period": month})
    panel = next(p for p in drawn_panels(response) if p["template"] == "meetings/_dashboard.html")
    row = next(r for r in panel["rows"] if r["b"].branch == world.branch_b)
    return row["months"][0]["state"]


def test_it_turns_the_branch_month_green_on_the_dashboard_once_the_meeting_is_submitted(world, client_for):
    members = committee(world.branch_b)
    held(world.branch_b, "theme_day", date(2023, 7, 14), marks={world.member_b: Mark.PRESENT})
    client = client_for(world.worker_b)
    assert _cell(client, world, "2023-07") == "red"
    a = held(world.branch_b, "committee", date(2023, 7, 5), status=Status.DRAFT,
             marks={members[0]: Mark.PRESENT, members[1]: Mark.SICK, members[2]: Mark.PERSONAL})
    assert _cell(client, world, "2023-07") == "red"
    client.post(reverse("meeting_submit", args=[a.pk]))
    assert _cell(client, world, "2023-07") == "green"


def test_a_member_account_sees_no_panel(world, client_for):
    response = client_for(world.member_user).get(reverse("dashboard"))
    assert b"panel-meetings" not in response.content and b"kept-at" not in response.content
