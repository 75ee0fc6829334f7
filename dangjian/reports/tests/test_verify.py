"""`dangjian verify`: every relation between the figures, for an org and all below it, over quarters;
exit status 1 with each relation that does not hold. The demo street passes for every quarter it holds."""

import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from dangjian.demo import build
from dangjian.lib.figures import sums_to
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org, OrgKind
from dangjian.plans import figures as plan_figures
from dangjian.reports import invariants

pytestmark = pytest.mark.django_db
FIRST = Period.parse("2023Q1")  # the demo's records start in January 2023


def _verify(capsys, *args: str) -> tuple[int, str]:
    try:
        call_command("verify", *args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().out


@pytest.fixture
def broken(monkeypatch):
    """Plans' figures made to claim a relation that does not hold (查摆 2 = 销号 1 + 未销号 0)."""
    relation = sums_to("plans.problems_out", ("期内在账问题", 2), {"期内整改销号": 1, "期末未销号问题": 0})
    monkeypatch.setattr(plan_figures.PlanFigures, "relations", lambda self: [relation])


def test_it_exits_0_and_says_so_when_every_relation_holds(world, capsys):
    code, out = _verify(capsys, "--org", "和平社区党总支", "--period", "2023Q3")
    assert code == 0 and "全部成立" in out


def test_it_prints_each_violation_with_its_org_period_and_numbers_and_exits_1(world, broken, capsys):
    code, out = _verify(capsys, "--org", "和平社区党总支", "--period", "2023Q3")
    below = Org.objects.subtree_of(world.community)
    assert code == 1
    for org in below:
        assert f"{org.name} 2023年第三季度（2023Q3）不成立：期内在账问题 = 期内整改销号 + 期末未销号问题" in out
    assert "期内在账问题 2，期内整改销号 1，期末未销号问题 0" in out


def test_it_checks_a_range_of_quarters_as_json(world, broken, capsys):
    code, out = _verify(capsys, "--org", "第一党支部", "--from", "2023Q1", "--to", "2023Q4", "--json")
    data = json.loads(out)
    assert code == 1 and data["periods"] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"] and not data["ok"]
    assert {(v["org"], v["period"]) for v in data["violations"]} == {
        (o.name, p) for o in Org.objects.subtree_of(world.branch_a) for p in data["periods"]}
    assert data["violations"][0]["numbers"] == {"期内在账问题": 2, "期内整改销号": 1, "期末未销号问题": 0}


def test_it_refuses_an_unknown_org_or_an_empty_range(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="找不到组织"):
        call_command("verify", "--org", "不存在的党委", "--period", "2023Q3")
    with pytest.raises(CommandError, match="早于"):
        call_command("verify", "--org", "和平社区党总支", "--from", "2023Q4", "--to", "2023Q1")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo street with the detailed community and one generated one, built once for this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        build(seed=2023, communities=2, log=lambda *_: None)
        yield
        transaction.set_rollback(True)


def test_the_demo_holds_every_relation_in_every_community_and_quarter(demo):
    street = Org.objects.get(kind=OrgKind.STREET)
    communities = list(Org.objects.subtree_of(street).communities())
    current = Period.of(timezone.localdate(), "quarter")
    quarters = invariants.quarters(FIRST, current)
    assert len(communities) == 2 and len(quarters) > 4
    found = [v for q in quarters for org in [street, *communities] for v in invariants.check(org, q)]
    assert found == [], "\n".join(map(str, found))


def test_the_demo_holds_every_relation_in_every_org_below_the_street(demo, capsys):
    last_full = Period.of(timezone.localdate(), "quarter").previous()
    code, out = _verify(capsys, "--org", "新华街道党工委", "--period", str(last_full), "--json")
    data = json.loads(out)
    assert (code, data["ok"], data["violations"]) == (0, True, [])
    assert data["orgs_checked"] == Org.objects.count()
