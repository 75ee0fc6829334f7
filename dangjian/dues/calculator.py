"""Turning a payslip into the monthly dues base — only what 中组发〔2008〕3号 says, nothing guessed.

Counted: 相对固定的、经常性的工资收入, after tax. Excluded by the document: 艰苦边远地区津贴,
特殊岗位津贴, 改革性补贴 (住房公积金, 提租, 通讯, 交通), 社保类补贴, 伤残抚恤金. Whether the
member's own social-insurance and housing-fund contributions are deducted is not something we
could verify in the text: the deployment decides (rule `insurance_deduction`), or the person
using the calculator chooses, and the page says so. Items the lists do not name are the user's
call: each custom item is marked counted or not by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .choices import DuesCategory, InsuranceDeduction
from .rules import DOCUMENT, Assessed, DuesRules, monthly_dues, to_cent

ZERO = Decimal("0.00")

COUNTED_ITEMS: tuple[tuple[str, str], ...] = (
    ("basic", "基本工资（岗位工资、薪级工资等）"),
    ("performance", "按月发放的绩效工资"),
    ("allowance", "其他按月固定发放的津贴补贴（不含下列不计入项目）"),
)
EXCLUDED_ITEMS: tuple[tuple[str, str], ...] = (
    ("remote", "艰苦边远地区津贴"),
    ("special_post", "特殊岗位津贴"),
    ("housing_fund", "住房公积金（改革性补贴）"),
    ("rent", "提租补贴（改革性补贴）"),
    ("phone", "通讯补贴（改革性补贴）"),
    ("transport", "交通补贴（改革性补贴）"),
    ("social", "社保类补贴"),
    ("disability", "伤残抚恤金"),
)
UNVERIFIED_NOTE = ("文件规定以“税后”工资收入为基数，未明确是否扣除个人缴纳的社会保险费和住房公积金，"
                   "请按本组织的规定选择。")


@dataclass
class Calculation:
    category: str
    counted: list[tuple[str, Decimal]] = field(default_factory=list)
    excluded: list[tuple[str, Decimal]] = field(default_factory=list)
    deductions: list[tuple[str, Decimal]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    base: Decimal = ZERO
    dues: Assessed | None = None

    @property
    def counted_total(self) -> Decimal:
        return sum((a for _, a in self.counted), ZERO)

    def as_json(self) -> dict:
        def pairs(items):
            return [[label, str(to_cent(amount))] for label, amount in items]

        return {"category": self.category, "counted": pairs(self.counted), "excluded": pairs(self.excluded),
                "deductions": pairs(self.deductions), "notes": self.notes, "base": str(self.base),
                "source": DOCUMENT}


def calculate(category: str, *, rules: DuesRules, items: dict[str, Decimal | None] | None = None,
              custom: list[tuple[str, Decimal, bool]] | None = None, tax: Decimal | None = None,
              insurance: Decimal | None = None, housing_contribution: Decimal | None = None,
              deduct_insurance: bool | None = None, amount: Decimal | None = None,
              incomes: list[Decimal] | None = None) -> Calculation:
    """The base and the dues it gives. Raises ValueError (Chinese) when a needed choice or figure is missing."""
    calc = Calculation(category)
    if category == DuesCategory.RETIRED:
        if amount is None:
            raise ValueError("请填写每月离退休费（养老金）总额")
        calc.counted.append(("离退休费（养老金）总额", amount))
        calc.base = to_cent(amount)
    elif category == DuesCategory.ANNUAL_SALARY:
        if amount is None:
            raise ValueError("请填写当月实际领取的薪酬")
        calc.counted.append(("当月实际领取的薪酬", amount))
        calc.base = to_cent(amount)
    elif category == DuesCategory.SELF_EMPLOYED:
        months = [m for m in (incomes or []) if m is not None]
        if len(months) != 3:
            raise ValueError("请填写上季度三个月各自的纯收入")
        calc.counted.extend((f"上季度第{i}个月纯收入", m) for i, m in enumerate(months, start=1))
        calc.base = to_cent(sum(months, ZERO) / 3)
        calc.notes.append("个体经营者以上季度月平均纯收入为基数（三个月之和 ÷ 3，四舍五入到分）")
    elif category == DuesCategory.EMPLOYED:
        _employed(calc, rules, items or {}, custom or [], tax, insurance, housing_contribution, deduct_insurance)
    else:
        raise ValueError(f"“{DuesCategory(category).label}”不按基数计算，无需使用计算器")
    if calc.base < 0:
        raise ValueError(f"扣除后基数为负数（{calc.base:.2f}元），请检查各项金额")
    calc.dues = monthly_dues(category, base=calc.base, rules=rules)
    return calc


def _employed(calc: Calculation, rules: DuesRules, items: dict[str, Decimal | None],
              custom: list[tuple[str, Decimal, bool]], tax: Decimal | None, insurance: Decimal | None,
              housing_contribution: Decimal | None, deduct_insurance: bool | None) -> None:
    for key, label in COUNTED_ITEMS:
        if items.get(key):
            calc.counted.append((label, items[key]))
    for key, label in EXCLUDED_ITEMS:
        if items.get(key):
            calc.excluded.append((label, items[key]))
    for name, value, counts in custom:
        (calc.counted if counts else calc.excluded).append((f"{name}（自行判断{'计入' if counts else '不计入'}）", value))
    if not calc.counted:
        raise ValueError("请至少填写一项计入基数的工资收入")
    if tax:
        calc.deductions.append(("个人所得税（按工资条实扣）", tax))
    contributions = (insurance or ZERO) + (housing_contribution or ZERO)
    setting = rules.value("insurance_deduction")
    if setting == InsuranceDeduction.DEDUCT:
        deduct_insurance = True
    elif setting == InsuranceDeduction.KEEP:
        deduct_insurance = False
    if contributions:
        if deduct_insurance is None:
            raise ValueError("请选择是否扣除个人缴纳的社保和公积金（文件未明确，需按本组织规定选择）")
        source = rules["insurance_deduction"].source if setting else "使用者选择"
        if deduct_insurance:
            if insurance:
                calc.deductions.append(("个人缴纳的社会保险费", insurance))
            if housing_contribution:
                calc.deductions.append(("个人缴存的住房公积金", housing_contribution))
            calc.notes.append(f"扣除了个人缴纳的社保、公积金（依据：{source}）")
        else:
            calc.notes.append(f"未扣除个人缴纳的社保、公积金（依据：{source}）")
        if not setting:
            calc.notes.append(UNVERIFIED_NOTE)
    calc.base = to_cent(calc.counted_total - sum((a for _, a in calc.deductions), ZERO))
