"""The time rules of recruitment, as data with their source (《中国共产党发展党员工作细则》, 党章).

Every number is a default: a deployment overrides it in the admin (RuleSetting) naming its local
basis, and code reads only `RuleSetting.objects.ruleset()`. Where the rule is common practice rather than a
number the document sets, the rule says so (`verified=False`) and the UI shows that with the
citation. An article number is cited only where it was read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

RULES_DOC = "《中国共产党发展党员工作细则》（2014）"
CONSTITUTION = "《中国共产党章程》（2022）"


@dataclass(frozen=True)
class Rule:
    """A limit: at least / within `value` `unit`; `limit`, when set, is the furthest a recorded
    reason can stretch it (approval: 3 months, at most 6)."""

    key: str
    label: str
    citation: str
    note: str
    value: int
    unit: str
    limit: int | None = None
    verified: bool = True
    caveat: str = "常见做法，作为默认值"
    overridden: bool = False
    local_basis: str = ""

    @property
    def source(self) -> str:
        if self.overridden:
            return f"本地规定：{self.local_basis}"
        return self.citation + ("" if self.verified else f"（{self.caveat}）")

    @property
    def requirement(self) -> str:
        text = f"{self.value}{self.unit}"
        return text + (f"（有特殊原因的最长{self.limit}{self.unit}）" if self.limit else "")

    def explain(self) -> str:
        """The rule as a user reads it: what, the number, its source."""
        return f"{self.label}：{self.note}（{self.source}）"

    def with_setting(self, setting) -> Rule:
        changes: dict = {"local_basis": setting.local_basis, "overridden": setting.value is not None or setting.limit is not None}
        if setting.value is not None:
            changes["value"] = setting.value
        if setting.limit is not None:
            changes["limit"] = setting.limit
        return dataclasses.replace(self, **changes)


RULES: tuple[Rule, ...] = (
    Rule("min_age", "申请入党年龄", f"{RULES_DOC}第五条", "年满十八岁方可申请入党（以递交入党申请书之日计）", 18, "周岁"),
    Rule("talk_months", "谈话时限", f"{RULES_DOC}第七条", "党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话",
         1, "个月"),
    Rule("report_months", "思想汇报", RULES_DOC, "入党积极分子、发展对象和预备党员每季度向党组织书面汇报思想一次",
         3, "个月", verified=False, caveat="细则未规定次数，每季度一次是常见做法"),
    Rule("review_months", "党支部考察", f"{RULES_DOC}第十一条", "党支部每半年对入党积极分子进行一次考察", 6, "个月"),
    Rule("activist_years", "培养期", RULES_DOC,
         "经过一年以上培养教育和考察、基本具备党员条件的入党积极分子，方可列为发展对象", 1, "年"),
    Rule("contacts_max", "培养联系人", RULES_DOC, "党组织应当指定一至两名正式党员作入党积极分子的培养联系人", 2, "名"),
    Rule("introducers", "入党介绍人", f"{CONSTITUTION}第五条", "申请入党的人要有两名正式党员作介绍人", 2, "名"),
    Rule("training_days", "集中培训（天数）", f"{RULES_DOC}第十七条", "发展对象集中培训时间一般不少于三天（或不少于二十四个学时）",
         3, "天"),
    Rule("training_hours", "集中培训（学时）", f"{RULES_DOC}第十七条", "发展对象集中培训时间一般不少于三天（或不少于二十四个学时）",
         24, "学时"),
    Rule("publicity_days", "发展对象公示", RULES_DOC, "支部委员会审查发展对象后在一定范围内公示，公示期按工作日计算",
         5, "个工作日", verified=False, caveat="细则要求公示，未规定天数；5个工作日是常见做法"),
    Rule("approval_months", "上级党委审批时限", RULES_DOC,
         "上级党委应当在支部大会通过后三个月内审批；遇有特殊情况可适当延长，但不得超过六个月", 3, "个月", limit=6),
    Rule("probation_years", "预备期", f"{CONSTITUTION}第七条", "预备党员的预备期为一年，从支部大会通过之日算起", 1, "年"),
    Rule("extension_months", "延长预备期", f"{RULES_DOC}第三十二条",
         "需要继续教育和考察的，可以延长一次预备期，延长时间不能少于半年，最长不超过一年", 6, "个月", limit=12),
    Rule("conversion_months", "转正审批时限", RULES_DOC, "预备期满，党支部应当及时讨论；上级党委应当在三个月内审批",
         3, "个月", verified=False, caveat="常见工作指引的期限，作为默认值"),
    Rule("receipt_days", "组织关系介绍信回执", "本系统设置", "转出后应在此期限内收到接收方党组织寄回的回执，逾期提醒",
         20, "个工作日", verified=False, caveat="文件未作明确规定，各地可按本地要求调整"),
)
DEFAULTS: dict[str, Rule] = {r.key: r for r in RULES}


@dataclass(frozen=True)
class Ruleset:
    rules: dict[str, Rule]

    def __getitem__(self, key: str) -> Rule:
        return self.rules[key]

    def __iter__(self):
        return iter(self.rules.values())


DEFAULT_RULESET = Ruleset(dict(DEFAULTS))


def in_force(settings) -> Ruleset:
    """The defaults with a deployment's overrides (RuleSetting rows, or anything with key/value/
    limit/local_basis); read them with `RuleSetting.objects.ruleset()`."""
    by_key = {s.key: s for s in settings}
    return Ruleset({k: r.with_setting(by_key[k]) if k in by_key else r for k, r in DEFAULTS.items()})


RULE_NOTE = _("时限默认值来自《中国共产党发展党员工作细则》和党章，注明“常见做法”的是各地通行的默认值；"
              "各地可按本地规定调整（须写明依据）。")
