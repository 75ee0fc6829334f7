"""The rules of party dues, as data with their source (DOMAIN.md §2 and §3).

Every value here is a default. A deployment (or a 社区/党支部 below it) overrides any of them in
the admin (`DuesSettings`), naming the local document that sets the override; code reads only
`RuleBook.for_org(org)`. Article numbers differ between reproductions of 中组发〔2008〕3号, so
the citation names the document, not an article.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dangjian.lib.money import CENT, ROUNDING_NOTE

from .choices import BASE_CATEGORIES, FIXED_CATEGORIES, BaseMode, DuesCategory, InsuranceDeduction

DOCUMENT = "中组发〔2008〕3号《关于中国共产党党费收缴、使用和管理的规定》"
CONSTITUTION = "《中国共产党章程》（2022）第九条"
SECONDARY = "地方通行做法（中央文件未作规定）"
LOCAL_DEFAULT = "本系统默认值（无中央规定）"

ROUNDING = ROUNDING_NOTE


@dataclass(frozen=True)
class Bracket:
    """Bases up to `upto` (inclusive; None = no upper bound) pay `rate` of the whole base."""

    upto: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    value: Any
    citation: str
    note: str = ""
    verified: bool = True
    overridden: bool = False
    local_basis: str = ""

    @property
    def source(self) -> str:
        if self.overridden:
            return f"本地规定：{self.local_basis or '（未注明依据）'}"
        return self.citation + ("" if self.verified else "（文件未作明确规定）")

    @property
    def display(self) -> str:
        value = self.value
        if self.key.endswith("_brackets"):
            return brackets_label(value)
        if self.key == "farmer_range":
            return f"每月{value[0]:.2f}元至{value[1]:.2f}元"
        if self.key == "fixed_amount":
            return f"每月{value:.2f}元"
        if self.key == "remit_threshold":
            return f"单笔{value:,.2f}元及以上"
        if self.key.endswith("_months"):
            return f"{value}个月"
        if self.key == "base_mode":
            return str(BaseMode(value).label)
        if self.key == "insurance_deduction":
            return str(InsuranceDeduction(value).label)
        if self.key == "ledger_start":
            return f"{value:%Y年%-m月}起" if value else "不设（自党员首次核定的月份起）"
        return str(value)


def brackets_label(brackets: Sequence[Bracket]) -> str:
    parts, lower = [], None
    for b in brackets:
        percent = f"{(b.rate * 100).normalize():f}%"
        if b.upto is None:
            parts.append(f"{lower:,.0f}元以上 {percent}")
        elif lower is None:
            parts.append(f"{b.upto:,.0f}元及以下 {percent}")
        else:
            parts.append(f"{lower:,.0f}—{b.upto:,.0f}元 {percent}")
        lower = b.upto
    return "；".join(parts)


def _brackets(*pairs: tuple[str | None, str]) -> tuple[Bracket, ...]:
    return tuple(Bracket(Decimal(u) if u is not None else None, Decimal(r)) for u, r in pairs)


DEFAULTS: tuple[Rule, ...] = (
    Rule("employed_brackets", "在职党员（含年薪制、个体经营者）交纳比例",
         _brackets(("3000", "0.005"), ("5000", "0.01"), ("10000", "0.015"), (None, "0.02")), DOCUMENT,
         "按月工资收入（税后）全额所在档次的比例计算，不是超额累进：4900元交49.00元，5100元交76.50元。"
         "年薪制党员以当月实际领取的薪酬为基数；个体经营者以上季度月平均纯收入为基数"),
    Rule("retired_brackets", "离退休党员交纳比例", _brackets(("5000", "0.005"), (None, "0.01")), DOCUMENT,
         "以每月离退休费（养老金）总额为基数，全额所在档次的比例计算"),
    Rule("farmer_range", "农民党员交纳标准", (Decimal("0.20"), Decimal("1.00")), DOCUMENT,
         "每月0.2元至1元，具体金额由支部确定"),
    Rule("fixed_amount", "学生、下岗失业、依靠抚恤或救济生活、领取最低生活保障金的党员", Decimal("0.20"), DOCUMENT,
         "每月0.2元"),
    Rule("base_mode", "交纳基数的调整方式", BaseMode.PAID_MONTH, DOCUMENT,
         "文件：工资调整后自发放新工资的当月起按新基数交纳。很多单位每年年初核定一次基数（年初核定），"
         "两种方式都支持，由本组织选择"),
    Rule("insurance_deduction", "计算基数时是否扣除个人缴纳的社保、公积金", InsuranceDeduction.UNDECIDED, DOCUMENT,
         "文件只写“税后”工资收入，未明确是否扣除个人缴纳的社会保险费和住房公积金："
         "由本组织规定，或每次计算时选择", verified=False),
    Rule("remit_threshold", "一次性交纳大额党费", Decimal("1000"), DOCUMENT,
         "自愿多交党费不限；一次性交纳1000元以上的，全额上缴（系统只做提示）"),
    Rule("warn_months", "连续未交党费预警", 3, LOCAL_DEFAULT,
         "党章规定连续6个月不交纳党费视为自行脱党；系统提前在连续3个月时预警，仅提示，不作任何处理"),
    Rule("alarm_months", "连续未交党费告警（自行脱党情形）", 6, f"{CONSTITUTION}；{DOCUMENT}",
         "没有正当理由，连续6个月不交纳党费的，按自行脱党处理，由支部大会决定除名并报上级批准。"
         "系统只标记，不会自动处理任何人"),
    Rule("max_back_pay_months", "补交党费的月数", 6, SECONDARY,
         "补交一般不超过6个月；超过时系统提示，仍可登记", verified=False),
    Rule("max_prepay_months", "预交党费的月数", 6, SECONDARY,
         "预交是地方做法，一般不超过6个月，期间基数上调须补交差额（系统自动按新基数计算差额）；超过时系统提示",
         verified=False),
    Rule("ledger_start", "党费台账起始月份", None, LOCAL_DEFAULT,
         "此月之前的月份不计应交（用于系统上线前已在纸质台账结清的月份）"),
)
RULE_KEYS = tuple(r.key for r in DEFAULTS)


@dataclass(frozen=True)
class DuesRules:
    """The rules in force for one org."""

    rules: dict[str, Rule]

    def __getitem__(self, key: str) -> Rule:
        return self.rules[key]

    def value(self, key: str) -> Any:
        return self.rules[key].value

    def __iter__(self):
        return iter(self.rules[k] for k in RULE_KEYS)


DEFAULT_RULES = DuesRules({r.key: r for r in DEFAULTS})


# ---------------------------------------------------------------------------------------------
# Overrides: each DuesSettings row changes the fields it fills in; deeper orgs win.


def parse_brackets(raw: Any) -> tuple[Bracket, ...]:
    """`[["3000", "0.005"], …, [null, "0.02"]]` → brackets; ValueError (Chinese) when malformed."""
    if not isinstance(raw, list | tuple) or not raw:
        raise ValueError("比例表应为列表，如 [[\"3000\", \"0.005\"], [null, \"0.01\"]]")
    result: list[Bracket] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError(f"第{i}档应为 [上限, 比例]")
        upto, rate = item
        try:
            rate_d = Decimal(str(rate))
            upto_d = None if upto is None else Decimal(str(upto))
        except ArithmeticError:
            raise ValueError(f"第{i}档的上限或比例不是数字") from None
        if not Decimal(0) <= rate_d <= Decimal(1):
            raise ValueError(f"第{i}档比例应在0到1之间（0.01表示1%）")
        if upto_d is not None and result and result[-1].upto is not None and upto_d <= result[-1].upto:
            raise ValueError(f"第{i}档上限应大于上一档")
        if upto_d is None and i != len(raw):
            raise ValueError("只有最后一档可以不设上限")
        result.append(Bracket(upto_d, rate_d))
    if result[-1].upto is not None:
        raise ValueError("最后一档应不设上限（null）")
    return tuple(result)


def override_values(row) -> dict[str, Any]:
    """The rule values a DuesSettings row sets (blank fields set nothing)."""
    values: dict[str, Any] = {}
    if row.base_mode:
        values["base_mode"] = row.base_mode
    if row.employed_brackets:
        values["employed_brackets"] = parse_brackets(row.employed_brackets)
    if row.retired_brackets:
        values["retired_brackets"] = parse_brackets(row.retired_brackets)
    if row.farmer_min is not None or row.farmer_max is not None:
        low, high = DEFAULT_RULES.value("farmer_range")
        values["farmer_range"] = (row.farmer_min if row.farmer_min is not None else low,
                                  row.farmer_max if row.farmer_max is not None else high)
    for key in ("fixed_amount", "remit_threshold", "warn_months", "alarm_months", "max_back_pay_months",
                "max_prepay_months", "ledger_start"):
        if getattr(row, key) is not None:
            values[key] = getattr(row, key)
    if row.insurance_deduction:
        values["insurance_deduction"] = row.insurance_deduction
    return values


def apply_overrides(base: DuesRules, rows: Iterable) -> DuesRules:
    rules = dict(base.rules)
    for row in rows:
        basis = row.local_basis + (f"（{row.org.name}）" if row.org_id else "")
        for key, value in override_values(row).items():
            rules[key] = dataclasses.replace(rules[key], value=value, overridden=True, local_basis=basis)
    return DuesRules(rules)


class RuleBook:
    """The override rows (read once, by `DuesSettings.objects.rulebook()`); `for_org` resolves
    (and caches) the rules of any org."""

    def __init__(self, rows: Iterable):
        self.rows = sorted(rows, key=lambda r: (r.org.depth if r.org_id else -1, r.org.path if r.org_id else ""))
        self._cache: dict[str, DuesRules] = {}

    def for_org(self, org) -> DuesRules:
        path = org.path if org is not None else ""
        if path not in self._cache:
            applicable = [r for r in self.rows if not r.org_id or path.startswith(r.org.path)]
            self._cache[path] = apply_overrides(DEFAULT_RULES, applicable)
        return self._cache[path]


# ---------------------------------------------------------------------------------------------
# The amount.


def to_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def bracket_for(base: Decimal, brackets: Sequence[Bracket]) -> Bracket:
    for bracket in brackets:
        if bracket.upto is None or base <= bracket.upto:
            return bracket
    raise ValueError("比例表没有覆盖该基数")  # parse_brackets guarantees an open last bracket


class Assessed:
    """One month's amount and how it was found (the explanation is written when first read: a
    street's figures assess thousands of bases and show few of the texts)."""

    __slots__ = ("_explanation", "amount", "citation")

    def __init__(self, amount: Decimal, explanation: str | Callable[[], str], citation: str):
        self.amount, self._explanation, self.citation = amount, explanation, citation

    @property
    def explanation(self) -> str:
        if not isinstance(self._explanation, str):
            self._explanation = self._explanation()
        return self._explanation

    def __eq__(self, other) -> bool:
        if not isinstance(other, Assessed):
            return NotImplemented
        return (self.amount, self.explanation, self.citation) == (other.amount, other.explanation, other.citation)

    def __hash__(self) -> int:
        return hash((self.amount, self.citation))

    def __repr__(self) -> str:
        return f"Assessed(amount={self.amount!r}, explanation={self.explanation!r}, citation={self.citation!r})"


def monthly_dues(category: str, *, base: Decimal | None = None, fixed_amount: Decimal | None = None,
                 rules: DuesRules = DEFAULT_RULES) -> Assessed:
    """The monthly dues for a category: the whole base at its bracket's rate, or a fixed amount.

    Raises ValueError (Chinese) when the inputs the category needs are missing or out of range.
    """
    if category in BASE_CATEGORIES:
        if base is None:
            raise ValueError("该类别需要填写交纳基数")
        if base < 0:
            raise ValueError("交纳基数不能为负数")
        key = "retired_brackets" if category == DuesCategory.RETIRED else "employed_brackets"
        rule = rules[key]
        bracket = bracket_for(base, rule.value)
        amount = to_cent(base * bracket.rate)

        def explanation() -> str:
            percent = f"{(bracket.rate * 100).normalize():f}%"
            return f"基数{base:,.2f}元 × {percent}（全额按所在档次）= {amount:,.2f}元"

        return Assessed(amount, explanation, rule.source)
    if category == DuesCategory.FARMER:
        rule = rules["farmer_range"]
        low, high = rule.value
        if fixed_amount is None:
            raise ValueError(f"农民党员需要填写每月交纳金额（{low:.2f}—{high:.2f}元，由支部确定）")
        if not low <= fixed_amount <= high:
            raise ValueError(f"农民党员每月交纳{low:.2f}元至{high:.2f}元，{fixed_amount:.2f}元超出范围")
        amount = to_cent(fixed_amount)
        return Assessed(amount, f"农民党员，支部确定每月{amount:.2f}元", rule.source)
    if category in FIXED_CATEGORIES:
        rule = rules["fixed_amount"]
        amount = to_cent(rule.value)
        return Assessed(amount, lambda: f"{DuesCategory(category).label}，每月{amount:.2f}元", rule.source)
    if category == DuesCategory.OTHER:
        if fixed_amount is None or fixed_amount < 0:
            raise ValueError("“其他”类别需要由支部确定每月交纳金额")
        amount = to_cent(fixed_amount)
        return Assessed(amount, f"支部确定每月{amount:.2f}元", "文件未列明该类别，由支部确定（请在备注中写明依据）")
    raise ValueError(f"无法识别的党费类别“{category}”")


def month_start(day: date) -> date:
    return day.replace(day=1)
