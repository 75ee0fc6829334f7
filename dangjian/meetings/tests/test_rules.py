"""Rules as data: defaults with their citation, a deployment's overrides, types it adds."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.meetings.models import ActivityType, RuleSetting
from dangjian.meetings.rules import DEFAULTS, effective

pytestmark = pytest.mark.django_db


def test_it_cites_the_article_of_each_default_rule():
    assert DEFAULTS["congress"].source == "《中国共产党支部工作条例（试行）》（2018）第十一条"
    assert DEFAULTS["committee"].requirement == "每月至少1次"


def test_it_says_when_a_default_is_not_verified():
    assert "常见做法" in DEFAULTS["lecture"].source and "常见做法" in DEFAULTS["secretary_lecture"].source


def test_it_applies_an_override_and_cites_the_local_basis(db):
    RuleSetting.objects.create(key="lecture", value=2, per="quarter", local_basis="区委组织部〔2023〕5号")
    rule = effective().get("lecture")
    assert (rule.count, rule.source) == (2, "本地规定：区委组织部〔2023〕5号")


def test_it_can_switch_a_rule_off(db):
    RuleSetting.objects.create(key="talk", enabled=False, local_basis="本地不单独考核")
    assert "talk" not in [r.key for r in effective().frequency]


def test_it_wants_a_basis_for_any_change(db):
    with pytest.raises(ValidationError, match="依据"):
        RuleSetting(key="congress", value=2).full_clean()


def test_it_refuses_a_frequency_on_a_quorum_rule(db):
    with pytest.raises(ValidationError):
        RuleSetting(key="committee_quorum", per="month", local_basis="x").full_clean()


def test_it_adds_the_rule_of_a_type_a_deployment_added(db):
    ActivityType.objects.create(code="volunteer", name="志愿服务", required_per="quarter", required_count=1,
                                required_basis="市委组织部通知第三条")
    rule = effective().get("type:volunteer")
    assert (rule.per, rule.count, rule.source) == ("quarter", 1, "市委组织部通知第三条")


def test_it_wants_a_basis_for_a_local_type_requirement(db):
    with pytest.raises(ValidationError):
        ActivityType(code="x", name="x", required_per="month", required_count=1).full_clean()


def test_it_shows_the_rules_with_their_sources(world, client_for):
    RuleSetting.objects.create(key="theme_day", value=2, local_basis="本地规定")
    text = client_for(world.worker_a).get(reverse("meeting_rules")).content.decode()
    assert "第十二条" in text and "本地调整" in text and "常见做法" in text
