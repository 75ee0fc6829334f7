"""Kept drawings, by the dashboard's: read by every visit, marked out of date by the changes that concern it,
redrawn by the worker (or by the visit when no worker is alive), never showing a number it did
not compute."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dangjian.dashboard.panels import panels
from dangjian.jobs.models import WorkerProcess
from dangjian.jobs.worker import run_pending
from dangjian.kept import keeping
from dangjian.kept.models import Drawing
from dangjian.lib.changes import records_changed
from dangjian.lib.periods import Period
from dangjian.meetings.choices import Mark, Status
from dangjian.meetings.tests.helpers import held
from dangjian.testing.dashboard import drawn_panels
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def show(client, org, period="2023Q3"):
    return client.get(reverse("dashboard"), {"org": org.pk, "period": period})


def rows(*orgs) -> dict:
    return {o.name: r for o in orgs for r in Drawing.objects.filter(kind="dashboard", org=o, period="2023Q3")}


def stale(*orgs) -> dict[str, bool]:
    return {name: r.is_out_of_date() for name, r in rows(*orgs).items()}


@pytest.fixture
def drawn(world, client_for):
    """Drawings of the street, both communities and a branch of 和平社区, all up to date."""
    admin = client_for(world.street_admin)
    for org in (world.street, world.community, world.other_community, world.branch_a):
        drawn_panels(show(admin, org))
    assert not any(stale(world.street, world.community, world.other_community, world.branch_a).values())
    return admin


@pytest.fixture
def worker_alive(db):
    return WorkerProcess.objects.create(worker_id="test-worker", host="elsewhere", pid=1, beat_at=timezone.now())


def test_a_second_visit_reads_the_drawing_and_says_when_it_was_drawn(world, drawn):
    response = show(drawn, world.community)
    with pytest.raises(AssertionError, match="drew no panel"):
        drawn_panels(response)
    html = response.content.decode()
    built = timezone.localtime(Drawing.objects.get(org=world.community, period="2023Q3").built_at)
    assert f"数据截至 {built:%Y-%m-%d %H:%M}" in html and 'id="panel-members"' in html
    assert "正在重新汇总" not in html


def test_a_clerks_write_marks_their_community_its_branches_and_the_street_not_the_other_community(
        world, drawn, client_for):
    meeting = held(world.branch_b, "committee", date(2023, 7, 5), status=Status.DRAFT,
                   marks={world.member_b: Mark.PRESENT})
    Drawing.objects.update(changed_at=None)  # the helper wrote outside a request: it marked all
    response = client_for(world.worker).post(reverse("meeting_submit", args=[meeting.pk]))
    assert response.status_code < 400
    assert stale(world.street, world.community, world.other_community, world.branch_a) == {
        "新华街道党工委": True, "和平社区党总支": True, "光明社区党总支": False, "第一党支部": True}


def test_a_write_outside_a_request_marks_every_drawing(world, drawn):
    MemberFactory(org=world.branch_c)
    assert all(stale(world.street, world.community, world.other_community, world.branch_a).values())


def test_reading_signing_in_and_failed_writes_mark_nothing(world, drawn, client_for):
    from django.test import Client

    from dangjian.demo import DEMO_PASSWORD

    world.worker.set_password(DEMO_PASSWORD)
    world.worker.save()
    Drawing.objects.update(changed_at=None)
    fresh = Client()
    assert fresh.post(reverse("login"), {"username": world.worker.username, "password": DEMO_PASSWORD}).status_code == 302
    client = client_for(world.worker)
    client.get(reverse("member_list"))
    client.post(reverse("meeting_submit", args=[999999]))  # 404
    assert not any(stale(world.street, world.community, world.other_community, world.branch_a).values())


def test_an_imports_commit_marks_its_community_subtree_and_ancestors(world, drawn):
    records_changed.send(__name__, org=world.other_community)
    assert stale(world.street, world.community, world.other_community, world.branch_a) == {
        "新华街道党工委": True, "和平社区党总支": False, "光明社区党总支": True, "第一党支部": False}


def test_without_a_worker_the_visit_after_a_change_redraws_with_the_change(world, drawn, client_for):
    client = client_for(world.secretary)
    before = panels(world.community, Period.parse("2023Q3"))[0]["f"]
    MemberFactory(org=world.branch_b, status="预备", confirmed_on=None)
    after = drawn_panels(show(client, world.community))[0]["f"]
    assert after.probationary.value == before.probationary.value + 1
    assert not stale(world.community)["和平社区党总支"]


def test_with_a_worker_the_visit_shows_the_old_drawing_queues_one_redraw_and_the_page_reloads_when_done(
        world, drawn, client_for, worker_alive):
    client = client_for(world.secretary)
    Drawing.objects.filter(org=world.community).update(build_ms=0)  # redrawn as soon as asked
    old = Drawing.objects.get(org=world.community, period="2023Q3")
    MemberFactory(org=world.branch_b)
    first, second = show(client, world.community), show(client, world.community)
    for response in (first, second):
        html = response.content.decode()
        assert old.html in html and "正在重新汇总" in html and 'hx-trigger="every 3s"' in html
    assert DBTaskResult.objects.filter(task_path="dangjian.kept.tasks.redraw").count() == 1
    status = {"kind": "dashboard", "org": world.community.pk, "period": "2023Q3", "built": f"{old.built_at.timestamp():.6f}"}
    assert "HX-Refresh" not in client.get(reverse("kept_status"), status)

    assert run_pending() == 1
    new = Drawing.objects.get(pk=old.pk)
    assert not new.is_out_of_date() and new.queued_at is None and new.built_at > old.built_at
    assert client.get(reverse("kept_status"), status)["HX-Refresh"] == "true"
    html = show(client, world.community).content.decode()
    assert "正在重新汇总" not in html and new.html in html


def test_a_redraw_is_not_queued_again_before_its_spacing_unless_its_worker_was_lost(world, drawn, worker_alive):
    row = Drawing.objects.get(org=world.street, period="2023Q3")
    row.build_ms, row.built_at = 20_000, timezone.now()  # a district's: redrawn at most every 200 s
    row.save()
    assert keeping.queue(row)
    task = DBTaskResult.objects.get(task_path="dangjian.kept.tasks.redraw")
    assert task.run_after >= row.built_at + timedelta(seconds=199)
    assert not keeping.queue(Drawing.objects.get(pk=row.pk))
    Drawing.objects.filter(pk=row.pk).update(queued_at=timezone.now() - timedelta(hours=1),
                                                   built_at=timezone.now() - timedelta(hours=1))
    assert keeping.queue(Drawing.objects.get(pk=row.pk))


def test_a_change_while_drawing_leaves_the_drawing_out_of_date(world, drawn, monkeypatch):
    real = keeping.DRAWERS["dashboard"]

    def draw_with_a_change_meanwhile(org, period):
        html = real(org, period)
        keeping.mark_changed([world.branch_b])  # another process's change, marked while this one drew
        return html

    monkeypatch.setitem(keeping.DRAWERS, "dashboard", draw_with_a_change_meanwhile)
    row = keeping.build("dashboard", world.community, Period.parse("2023Q3"), "zh-hans")
    assert Drawing.objects.get(pk=row.pk).is_out_of_date()
    monkeypatch.undo()
    assert not keeping.build("dashboard", world.community, Period.parse("2023Q3"), "zh-hans").is_out_of_date()


def test_a_drawing_from_yesterday_is_out_of_date(world, drawn):
    row = Drawing.objects.get(org=world.community, period="2023Q3")
    assert not row.is_out_of_date()
    row.built_at -= timedelta(days=1)
    assert row.is_out_of_date()


def test_the_drawing_of_another_community_is_not_reachable(world, drawn, client_for):
    client = client_for(world.secretary)
    assert show(client, world.other_community).status_code == 404
    assert client.get(reverse("kept_status"), {"kind": "dashboard", "org": world.other_community.pk, "period": "2023Q3"}).status_code == 404
    assert client_for(world.member_user).get(reverse("kept_status")).status_code == 403


@pytest.mark.parametrize("url, period", [("dashboard", "2023Q3"), ("meeting_compliance", "2023"),
                                          ("meeting_reach", "2023Q3")])
def test_each_kept_page_draws_once_reads_after_and_redraws_after_a_write(world, client_for, url, period):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.street_admin)
    params = {"org": world.street.pk, "period": period}
    first = client.get(reverse(url), params)
    with CaptureQueriesContext(connection) as reading:
        second = client.get(reverse(url), params)
    assert first.content.decode().count("数据截至") == second.content.decode().count("数据截至") == 1
    assert len(reading) < 12  # the page frame, its org picker and the kept row: no figures computed
    meeting = held(world.branch_c, "theme_day", date(2023, 7, 10), status=Status.DRAFT,
                   marks={world.member_c: Mark.PRESENT})
    Drawing.objects.update(changed_at=None)
    client_for(world.outsider).post(reverse("meeting_submit", args=[meeting.pk]))
    [row] = Drawing.objects.filter(org=world.street, period=period)
    assert row.is_out_of_date()
    with CaptureQueriesContext(connection) as redrawing:
        client.get(reverse(url), params)
    assert len(redrawing) > len(reading) and not Drawing.objects.get(pk=row.pk).is_out_of_date()


def test_a_drawing_made_by_other_code_is_out_of_date(world, drawn):
    row = Drawing.objects.get(org=world.community, kind="dashboard", period="2023Q3")
    assert not row.is_out_of_date()
    row.code = "before-upgrade"
    assert row.is_out_of_date()
