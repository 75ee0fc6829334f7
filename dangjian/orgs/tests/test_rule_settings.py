"""Rules a secretary or the street may change have pages of our own (no Django admin), scoped, with history."""

import pytest
from django.urls import reverse

from dangjian.dues.models import DuesSettings
from dangjian.dues.rules import RuleBook
from dangjian.grid.models import GridSettings
from dangjian.grid.rules import effective as grid_rules
from dangjian.meetings.models import RuleSetting
from dangjian.meetings.rules import effective as meeting_rules

pytestmark = pytest.mark.django_db


def test_it_lets_a_secretary_set_the_communitys_dues_warning(world, client_for):
    client = client_for(world.secretary)
    client.post(reverse("dues_rules_edit") + f"?org={world.community.pk}",
                {"warn_months": "2", "local_basis": "和平社区党总支〔2024〕1号"})
    assert RuleBook().for_org(world.branch_a).value("warn_months") == 2
    assert RuleBook().for_org(world.branch_c).value("warn_months") == 3
    assert DuesSettings.objects.get(org=world.community).history.get().history_user == world.secretary


def test_it_wants_the_local_basis_for_a_change(world, client_for):
    page = client_for(world.secretary).post(reverse("dues_rules_edit") + f"?org={world.community.pk}",
                                            {"warn_months": "2"}).content.decode()
    assert "本地规定依据" in page and not DuesSettings.objects.exists()


@pytest.mark.parametrize("who, org", [("worker", "community"), ("outsider", "community"), ("secretary", "other_community")])
def test_it_refuses_dues_rules_to_those_who_do_not_sign_for_the_org(world, client_for, who, org):
    response = client_for(getattr(world, who)).post(reverse("dues_rules_edit") + f"?org={getattr(world, org).pk}",
                                                    {"warn_months": "2", "local_basis": "x"})
    assert response.status_code in (403, 404) and not DuesSettings.objects.exists()


def test_it_lets_the_street_change_a_meeting_rule(world, client_for):
    client_for(world.street_admin).post(reverse("meeting_rule_edit", args=["theme_day"]),
                                        {"enabled": "on", "value": "2", "local_basis": "新华街道党工委〔2024〕3号"})
    assert meeting_rules().get("theme_day").count == 2 and RuleSetting.objects.get().history.count() == 1


@pytest.mark.parametrize("who", ["secretary", "worker", "grid_worker"])
def test_it_keeps_meeting_and_grid_rules_to_the_street(world, client_for, who):
    client = client_for(getattr(world, who))
    assert client.post(reverse("meeting_rule_edit", args=["theme_day"]), {"value": "2", "local_basis": "x"}).status_code == 403
    assert client.post(reverse("grid_settings"), {"worker_may_view_pii": "false", "local_basis": "x"}).status_code == 403
    assert not RuleSetting.objects.exists() and not GridSettings.objects.exists()


def test_it_lets_the_street_stop_grid_workers_seeing_full_ids(world, client_for):
    client_for(world.street_admin).post(reverse("grid_settings"), {"worker_may_view_pii": "false",
                                                                   "local_basis": "街道个人信息保护规定"})
    assert grid_rules().worker_may_view_pii is False
    assert GridSettings.objects.get().history.get().history_user == world.street_admin
