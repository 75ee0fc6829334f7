"""The amounts of 中组发〔2008〕3号: whole base at its bracket's rate, retirees, fixed categories."""

from decimal import Decimal

import pytest

from dangjian.dues.rules import DEFAULT_RULES, DOCUMENT, monthly_dues, parse_brackets

D = Decimal

EMPLOYED = [
    ("0.00", "0.00"), ("2000.00", "10.00"), ("3000.00", "15.00"), ("3000.01", "30.00"),
    ("4900.00", "49.00"), ("5000.00", "50.00"), ("5000.01", "75.00"), ("5100.00", "76.50"),
    ("10000.00", "150.00"), ("10000.01", "200.00"), ("12345.67", "246.91"),
]
RETIRED = [("3000.00", "15.00"), ("5000.00", "25.00"), ("5000.01", "50.00"), ("6000.00", "60.00")]
FIXED = ["学生", "下岗失业", "抚恤救济", "低保"]


@pytest.mark.parametrize(("base", "dues"), EMPLOYED)
def test_it_charges_employed_members_the_whole_base_at_its_bracket_rate(base, dues):
    assert monthly_dues("在职", base=D(base)).amount == D(dues)


@pytest.mark.parametrize("category", ["年薪制", "个体"])
def test_it_uses_the_employed_brackets_for_annual_salary_and_self_employed(category):
    assert monthly_dues(category, base=D("5000.01")).amount == D("75.00")


@pytest.mark.parametrize(("base", "dues"), RETIRED)
def test_it_charges_retirees_half_a_percent_up_to_5000_and_one_percent_above(base, dues):
    assert monthly_dues("离退休", base=D(base)).amount == D(dues)


@pytest.mark.parametrize("category", FIXED)
def test_it_charges_the_fixed_categories_twenty_fen(category):
    assert monthly_dues(category).amount == D("0.20")


@pytest.mark.parametrize(("amount", "ok"), [("0.20", True), ("0.50", True), ("1.00", True), ("0.19", False), ("1.01", False)])
def test_it_keeps_farmers_between_twenty_fen_and_one_yuan(amount, ok):
    if ok:
        assert monthly_dues("农民", fixed_amount=D(amount)).amount == D(amount)
    else:
        with pytest.raises(ValueError, match="0.20元至1.00元"):
            monthly_dues("农民", fixed_amount=D(amount))


def test_it_asks_the_branch_for_a_farmers_amount_instead_of_guessing():
    with pytest.raises(ValueError, match="由支部确定"):
        monthly_dues("农民")


def test_it_rounds_half_up_to_the_fen():
    # 3333.30 × 1% = 33.333 → 33.33; 3333.50 × 1% = 33.335 → 33.34 (half up, not to even)
    assert monthly_dues("在职", base=D("3333.30")).amount == D("33.33")
    assert monthly_dues("在职", base=D("3333.50")).amount == D("33.34")


def test_it_cites_the_document_not_an_article():
    cited = monthly_dues("在职", base=D("4900")).citation
    assert cited == DOCUMENT and "第" not in cited


def test_it_requires_a_base_for_bracket_categories():
    with pytest.raises(ValueError, match="交纳基数"):
        monthly_dues("在职")


def test_it_marks_the_insurance_deduction_as_unverified():
    assert not DEFAULT_RULES["insurance_deduction"].verified
    assert "文件未作明确规定" in DEFAULT_RULES["insurance_deduction"].source


def test_it_reads_brackets_from_a_deployment_override():
    brackets = parse_brackets([["4000", "0.005"], [None, "0.01"]])
    assert [b.upto for b in brackets] == [D("4000"), None]


@pytest.mark.parametrize(("raw", "message"), [
    ([["3000", "0.005"], ["5000", "0.01"]], "最后一档"),
    ([["5000", "0.005"], ["3000", "0.01"], [None, "0.02"]], "大于上一档"),
    ([["3000", "5"], [None, "0.01"]], "0到1之间"),
    ([], "列表"),
])
def test_it_rejects_malformed_brackets_in_chinese(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_brackets(raw)
