"""`dangjian demo --streets S --communities N`: a district over S streets of N communities each,
whose figures pass `dangjian verify`, with the sizes the options ask for."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from dangjian.demo import build
from dangjian.grid.models import GridAssignment
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org, OrgKind, Role, RoleAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """Two streets of two communities, every app, built once for this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = build(seed=2023, streets=2, communities=2, residents_per_community=120, log=lambda *_: None)
        yield ctx
        transaction.set_rollback(True)


def test_the_district_holds_its_streets_and_their_communities(district):
    top = Org.objects.get(parent__isnull=True)
    assert (top.kind, top.name) == (OrgKind.DISTRICT, "历下区委")
    streets = list(Org.objects.filter(parent=top).order_by("sort"))
    assert [s.kind for s in streets] == [OrgKind.STREET] * 2 and streets[0].name == "新华街道党工委"
    for street in streets:
        assert Org.objects.subtree_of(street).communities().count() == 2
    names = list(Org.objects.communities().values_list("name", flat=True))
    assert len(set(names)) == 4 and "和平社区党总支" in names  # no two communities share a name


def test_it_prints_a_district_login_and_gives_each_community_its_accounts(district):
    logins = {username for username, _, _ in district.logins}
    assert {"quwei", "jiedao", "shuji", "wangge1"} <= logins
    assert RoleAssignment.objects.get(user__username="quwei").role == Role.DISTRICT_ADMIN
    for community in Org.objects.communities().exclude(name="和平社区党总支"):
        for prefix in ("shuji", "dangwu", "wangge"):
            assert get_user_model().objects.filter(username=f"{prefix}-{community.code}").exists()
        worker = get_user_model().objects.get(username=f"wangge-{community.code}")
        assert GridAssignment.objects.filter(user=worker, grid__community=community).exists()
    assert get_user_model().objects.get(username="jiedao-JF").check_password("dangjian2023")


def _verify(capsys, *args) -> dict:
    try:
        call_command("verify", *args, "--json")
    except SystemExit:
        pass
    return json.loads(capsys.readouterr().out)


def test_its_figures_pass_verify_for_the_district_and_a_street(district, capsys):
    last_full = Period.of(timezone.localdate(), "quarter").previous()
    for org, period in (("LX", "2023Q3"), ("LX", str(last_full)), ("JF", str(last_full))):
        data = _verify(capsys, "--org", org, "--period", period)
        assert (data["ok"], data["violations"]) == (True, []), (org, period)
    assert _verify(capsys, "--org", "LX", "--period", str(last_full))["orgs_checked"] == Org.objects.count()
