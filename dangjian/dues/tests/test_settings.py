"""A deployment (and any org below it) overrides the rules; the deepest org wins, and the page cites the local document."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from dangjian.dues.models import DuesSettings
from dangjian.dues.rules import monthly_dues
from dangjian.dues.services import base_set

pytestmark = pytest.mark.django_db


def test_it_uses_the_documents_defaults_without_settings(world):
    assert DuesSettings.objects.rulebook().for_org(world.branch_a).value("warn_months") == 3


def test_it_lets_a_deployment_override_a_rule_and_cites_the_local_document(world):
    DuesSettings.objects.create(warn_months=2, local_basis="新华街党工〔2023〕1号")
    rule = DuesSettings.objects.rulebook().for_org(world.branch_a)["warn_months"]
    assert rule.value == 2 and rule.overridden and "新华街党工〔2023〕1号" in rule.source


def test_it_lets_a_community_override_the_deployment(world):
    DuesSettings.objects.create(warn_months=2, local_basis="街道文件")
    DuesSettings.objects.create(org=world.community, warn_months=4, local_basis="社区文件")
    book = DuesSettings.objects.rulebook()
    assert book.for_org(world.branch_a).value("warn_months") == 4
    assert book.for_org(world.branch_c).value("warn_months") == 2


def test_it_computes_with_overridden_brackets(world):
    DuesSettings.objects.create(employed_brackets=[["4000", "0.005"], [None, "0.01"]], local_basis="试点")
    rules = DuesSettings.objects.rulebook().for_org(world.branch_a)
    assert monthly_dues("在职", base=Decimal("4000"), rules=rules).amount == Decimal("20.00")


def test_it_allows_only_one_deployment_row(world):
    DuesSettings.objects.create(warn_months=2, local_basis="x")
    with pytest.raises(IntegrityError):
        DuesSettings.objects.create(alarm_months=7, local_basis="y")


def test_it_requires_the_local_basis_for_an_override(world):
    with pytest.raises(ValidationError) as exc:
        DuesSettings(warn_months=2).full_clean()
    assert "local_basis" in exc.value.message_dict


def test_it_refuses_a_warning_later_than_the_alarm(world):
    with pytest.raises(ValidationError) as exc:
        DuesSettings(warn_months=6, alarm_months=6, local_basis="x").full_clean()
    assert "warn_months" in exc.value.message_dict


def test_it_refuses_a_mid_year_base_change_where_the_base_is_fixed_once_a_year(world):
    DuesSettings.objects.create(org=world.community, base_mode="annual", local_basis="年初核定通知")
    base_set(member=world.member_a, effective_month=date(2023, 1, 1), category="在职", base=Decimal("4000"))
    with pytest.raises(ValidationError, match="年初核定"):
        base_set(member=world.member_a, effective_month=date(2023, 7, 1), category="在职", base=Decimal("5000"))


def test_it_accepts_the_next_january_where_the_base_is_fixed_once_a_year(world):
    DuesSettings.objects.create(org=world.community, base_mode="annual", local_basis="年初核定通知")
    base_set(member=world.member_a, effective_month=date(2023, 1, 1), category="在职", base=Decimal("4000"))
    assert base_set(member=world.member_a, effective_month=date(2024, 1, 1), category="在职", base=Decimal("5000")).pk


def test_it_accepts_a_mid_year_change_from_the_month_the_new_salary_is_paid_by_default(world):
    base_set(member=world.member_a, effective_month=date(2023, 1, 1), category="在职", base=Decimal("4000"))
    assert base_set(member=world.member_a, effective_month=date(2023, 7, 1), category="在职", base=Decimal("5000")).pk
