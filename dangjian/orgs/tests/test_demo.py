"""The demo street: 和平社区 with 123 正式党员, the same data for the same seed."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from dangjian.demo import build
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.testing.dashboard import drawn_panels

pytestmark = pytest.mark.django_db


def test_it_builds_hepings_tree_and_its_123_full_members(client_for):
    ctx = build(seed=2023, communities=1, apps=["orgs", "members"], today=date(2026, 11, 27), log=lambda *_: None)
    community = Org.objects.get(name="和平社区党总支")
    assert [b.name for b in community.children.order_by("sort")] == ["第一党支部", "第二党支部", "第三党支部", "第四党支部"]
    panel = drawn_panels(client_for(ctx.users["shuji"]).get(reverse("dashboard")))[0]
    assert (panel["f"].full.value, panel["f"].probationary.value) == (123, 6)
    assert Member.objects.filter(is_mobile=True).exists() and Member.objects.filter(is_infirm=True).exists()


class _Rollback(Exception):
    pass


def _roster_for_seed(seed: int) -> list[tuple]:
    try:
        with transaction.atomic():
            build(seed=seed, communities=1, apps=["orgs", "members"], today=date(2026, 11, 27), log=lambda *_: None)
            roster = list(Member.objects.order_by("pk").values_list("name", "birth_date", "phone_tail", "org__name"))
            raise _Rollback
    except _Rollback:
        return roster


def test_it_is_deterministic_for_a_seed():
    assert _roster_for_seed(7) == _roster_for_seed(7) != _roster_for_seed(8)


def test_it_scales_to_more_communities():
    build(seed=1, communities=3, apps=["orgs", "members"], log=lambda *_: None)
    assert Org.objects.communities().count() == 3
    assert Member.objects.current().count() > 3 * 120


def test_the_demo_command_loads_every_app_and_skips_a_second_time(capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "shuji" in out and "dangjian2023" in out
    call_command("demo", "--no-serve")
    assert "跳过演示数据生成" in capsys.readouterr().out


def test_it_names_secretaries_who_are_on_their_orgs_roll():
    ctx = build(seed=2023, communities=2, apps=["orgs", "members"], today=date(2026, 11, 27), log=lambda *_: None)
    for org in Org.objects.exclude(kind__in=["street", "group"]):
        roll = set(Member.objects.in_org(org).current().values_list("name", flat=True))
        assert org.secretary in roll, org.name
    shuji = ctx.users["shuji"]
    assert str(shuji) == shuji.member.name == Org.objects.get(name="和平社区党总支").secretary


def test_it_dates_the_committee_term_from_the_day_it_is_built():
    build(seed=2023, communities=1, apps=["orgs"], today=date(2030, 3, 1), log=lambda *_: None)
    community = Org.objects.get(name="和平社区党总支")
    assert community.term_started_on < date(2030, 3, 1) < community.term_ends_on
