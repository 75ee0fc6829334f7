"""The base calculator counts what the document counts, excludes what it excludes, and never guesses."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.dues.calculator import EXCLUDED_ITEMS, calculate
from dangjian.dues.rules import DEFAULT_RULES, apply_overrides

D = Decimal
money = st.decimals(min_value=0, max_value=50000, places=2, allow_nan=False, allow_infinity=False)


def test_it_takes_counted_items_minus_tax():
    calc = calculate("在职", rules=DEFAULT_RULES, items={"basic": D("4000"), "performance": D("1500")}, tax=D("100"))
    assert calc.base == D("5400.00") and calc.dues.amount == D("81.00")


def test_it_leaves_out_the_allowances_the_document_excludes():
    items = {"basic": D("4000"), "remote": D("800"), "transport": D("300"), "housing_fund": D("600")}
    calc = calculate("在职", rules=DEFAULT_RULES, items=items)
    assert calc.base == D("4000.00") and len(calc.excluded) == 3


@given(basic=money, excluded=st.lists(money, min_size=len(EXCLUDED_ITEMS), max_size=len(EXCLUDED_ITEMS)))
def test_it_never_lets_an_excluded_item_change_the_base(basic, excluded):
    if basic == 0:
        basic = D("1")
    items = {"basic": basic} | {key: amount for (key, _), amount in zip(EXCLUDED_ITEMS, excluded, strict=True)}
    assert calculate("在职", rules=DEFAULT_RULES, items=items).base == basic


def test_it_refuses_to_guess_whether_personal_insurance_is_deducted():
    with pytest.raises(ValueError, match="文件未明确"):
        calculate("在职", rules=DEFAULT_RULES, items={"basic": D("5000")}, insurance=D("500"))


def test_it_deducts_personal_insurance_when_the_user_chooses_so_and_says_it_was_their_choice():
    calc = calculate("在职", rules=DEFAULT_RULES, items={"basic": D("5500")}, insurance=D("400"),
                     housing_contribution=D("200"), deduct_insurance=True)
    assert calc.base == D("4900.00") and calc.dues.amount == D("49.00")
    assert any("使用者选择" in n for n in calc.notes) and any("未明确是否扣除" in n for n in calc.notes)


def test_it_keeps_personal_insurance_when_the_user_chooses_not_to_deduct():
    calc = calculate("在职", rules=DEFAULT_RULES, items={"basic": D("5500")}, insurance=D("400"), deduct_insurance=False)
    assert calc.base == D("5500.00")


def test_it_follows_the_deployments_rule_on_insurance_over_the_users_choice():
    class Row:
        org_id, org, local_basis = None, None, "本地文件"
        base_mode = employed_brackets = retired_brackets = ""
        farmer_min = farmer_max = fixed_amount = remit_threshold = warn_months = alarm_months = None
        max_back_pay_months = max_prepay_months = ledger_start = None
        insurance_deduction = "deduct"

    rules = apply_overrides(DEFAULT_RULES, [Row()])
    calc = calculate("在职", rules=rules, items={"basic": D("5500")}, insurance=D("500"), deduct_insurance=False)
    assert calc.base == D("5000.00") and any("本地文件" in n for n in calc.notes)


def test_it_asks_the_user_whether_an_unlisted_item_counts():
    calc = calculate("在职", rules=DEFAULT_RULES, items={"basic": D("3000")}, custom=[("加班费", D("500"), False),
                                                                                    ("岗位补贴", D("200"), True)])
    assert calc.base == D("3200.00")


def test_it_averages_last_quarter_for_the_self_employed():
    calc = calculate("个体", rules=DEFAULT_RULES, incomes=[D("3000"), D("4000"), D("5000.01")])
    assert calc.base == D("4000.00") and calc.dues.amount == D("40.00")


def test_it_takes_the_pension_total_for_retirees():
    assert calculate("离退休", rules=DEFAULT_RULES, amount=D("5000.01")).dues.amount == D("50.00")


def test_it_refuses_a_negative_base():
    with pytest.raises(ValueError, match="负数"):
        calculate("在职", rules=DEFAULT_RULES, items={"basic": D("100")}, tax=D("200"))
