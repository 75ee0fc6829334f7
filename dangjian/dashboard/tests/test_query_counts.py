"""The dashboard, compliance, reach and plans pages take as many queries for a street of two
communities as after it grows by more communities, branches, members and records (not timed)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.meetings.choices import Mark
from dangjian.meetings.tests.helpers import held, send, visit
from dangjian.orgs.models import Org, OrgKind
from dangjian.plans import services as plan_services
from dangjian.plans.choices import PlanKind
from dangjian.testing.dashboard import drawn_panels
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def plan(org, title: str):
    made = plan_services.plan_create(org=org, title=title, kind=PlanKind.YEAR, period="2023",
                                     start_on=date(2023, 1, 1), end_on=date(2023, 12, 31))
    item = plan_services.plan_item_add(plan=made, title=f"{title}事项", owner="书记", deadline=date(2023, 8, 1))
    plan_services.milestone_add(item=item, title="节点", deadline=date(2023, 7, 1))
    return made


def community(street: Org, n: int) -> None:
    """One more community: two branches (one with a 党小组), members, meetings, visits, sends, a plan."""
    c = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name=f"增加{n}社区党总支", code=f"ADD{n}", parent=street)
    for b in range(2):
        branch = Org.objects.create(kind=OrgKind.BRANCH, name=f"增加{n}第{b}支部", code=f"ADD{n}-{b}", parent=c)
        group = Org.objects.create(kind=OrgKind.GROUP, name=f"增加{n}第{b}小组", code=f"ADD{n}-{b}-1", parent=branch)
        members = [MemberFactory(org=branch, since=date(2023, 1, 1), is_committee=i < 3) for i in range(4)]
        members.append(MemberFactory(org=group, since=date(2023, 5, 1)))
        for month in (7, 8, 9):
            held(branch, "theme_day", date(2023, month, 10), marks={m: Mark.PRESENT for m in members[:3]})
        held(branch, "committee", date(2023, 8, 1), marks={members[0]: Mark.SICK}, also=("study",))
        visit(members[3], date(2023, 8, 20))
        send(members[4], date(2023, 9, 2), confirmed=date(2023, 9, 3))
    plan(c, f"增加{n}计划")


def pages(w, first_plan) -> list[tuple]:
    street, comm = {"org": w.street.pk}, {"org": w.community.pk}
    return [
        (w.street_admin, reverse("dashboard"), {**street, "period": "2023Q3"}),
        (w.secretary, reverse("dashboard"), {**comm, "period": "2023Q3"}),
        (w.street_admin, reverse("meeting_compliance"), {**street, "period": "2023"}),
        (w.secretary, reverse("meeting_compliance"), {**comm, "period": "2023"}),
        (w.street_admin, reverse("meeting_reach"), {**street, "period": "2023Q3"}),
        (w.secretary, reverse("meeting_reach"), {**comm, "period": "2023Q3"}),
        (w.street_admin, reverse("plan_list"), street),
        (w.secretary, reverse("plan_list"), comm),
        (w.street_admin, reverse("plan_detail", args=[first_plan.pk]), {}),
    ]


def counts(client_for, w, first_plan) -> list[int]:
    out = []
    for user, url, params in pages(w, first_plan):
        client = client_for(user)
        assert client.get(url, params).status_code == 200, url  # warm-up
        with CaptureQueriesContext(connection) as q:
            client.get(url, params)
        out.append(len(q))
    return out


def test_its_pages_take_as_many_queries_for_a_bigger_street(world, client_for):
    community(world.street, 0)
    first_plan = plan(world.community, "和平计划")
    held(world.branch_b, "theme_day", date(2023, 7, 5), marks={world.member_b: Mark.PRESENT})
    before = counts(client_for, world, first_plan)
    for n in range(1, 4):
        community(world.street, n)
    for i in range(3):
        held(world.branch_a, "theme_day", date(2023, 7 + i, 12),
             marks={MemberFactory(org=world.group_a1, since=date(2023, 1, 1)): Mark.LATE, world.member_a: Mark.PRESENT})
        plan_services.plan_item_add(plan=first_plan, title=f"又一事项{i}", owner="书记", deadline=date(2023, 9, 1))
    assert counts(client_for, world, first_plan) == before


def test_the_street_dashboard_shows_a_row_per_community(world, client_for):
    community(world.street, 0)
    panel = next(p for p in drawn_panels(client_for(world.street_admin).get(
        reverse("dashboard"), {"org": world.street.pk, "period": "2023Q3"}))
        if p["template"] == "meetings/_dashboard.html")
    rows = {r["org"].name: r for r in panel["child_rows"]}
    assert set(rows) == {"和平社区党总支", "光明社区党总支", "增加0社区党总支"}
    assert rows["增加0社区党总支"]["branches"] == 2
    assert sum(r["branches"] for r in rows.values()) == len(panel["c"].branches)


def test_the_street_dashboard_charts_members_per_community(world, client_for):
    community(world.street, 0)
    panel = drawn_panels(client_for(world.street_admin).get(reverse("dashboard"), {"org": world.street.pk, "period": "2023Q3"}
                                               ))[0]
    names = panel["branch_chart"]["xAxis"]["data"]
    full, probationary = (s["data"] for s in panel["branch_chart"]["series"])
    assert names == ["和平社区", "光明社区", "增加0社区党总支"]
    assert sum(full) + sum(probationary) == panel["f"].total.value and full[2] + probationary[2] == 10


def test_the_street_compliance_page_shows_a_row_per_community(world, client_for):
    community(world.street, 0)
    context = client_for(world.street_admin).get(reverse("meeting_compliance"),
                                                 {"org": world.street.pk, "period": "2023"}).context
    rows = {r["org"].name: r for r in context["child_rows"]}
    assert rows["增加0社区党总支"]["branches"] == 2 and context["rows"] == []
    assert sum(r["green"] + r["amber"] + r["red"] + r["grey"] for r in rows.values()) == len(context["c"].branches)
