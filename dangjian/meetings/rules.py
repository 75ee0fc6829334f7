"""The rules of organisational life, as data with their source (DOMAIN.md §1 and §3).

Every number here is a default: a deployment overrides it in the admin (RuleSetting), and code
reads only `effective()`. Rules we could not verify in the text of the regulation say so
(`verified=False`) and the UI shows that.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.members.choices import Status as MemberStatus
from dangjian.members.models import Member

from .choices import PRESENT_MARKS, Per

BRANCH_RULES = "《中国共产党支部工作条例（试行）》（2018）"
CONSTITUTION = "《中国共产党章程》（2022）"
PER_LABEL = {Per.MONTH: "每月", Per.QUARTER: "每季度", Per.YEAR: "每年"}


@dataclass(frozen=True)
class BaseRule:
    key: str
    label: str
    citation: str  # document and article
    note: str = ""  # what the text says, or why the default is what it is
    verified: bool = True
    caveat: str = "常见做法，作为默认值"  # shown with the citation when the text sets no number
    enabled: bool = True
    overridden: bool = False
    local_basis: str = ""

    @property
    def source(self) -> str:
        if self.overridden:
            return f"本地规定：{self.local_basis}"
        return self.citation + ("" if self.verified else f"（{self.caveat}）")

    def with_setting(self, setting) -> BaseRule:
        changes: dict = {"enabled": setting.enabled, "local_basis": setting.local_basis}
        changes["overridden"] = setting.value is not None or bool(getattr(setting, "per", "")) or setting.enabled != self.enabled
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class FrequencyRule(BaseRule):
    """At least `count` activities of `type_code` in every `per` (month/quarter/year) a branch owes."""

    type_code: str = ""
    per: str = Per.MONTH
    count: int = 1
    level: str = "branch"  # "group": owed by each 党小组, not the 党支部
    secretary_only: bool = False  # only lectures flagged as given by the branch secretary count
    needs_committee: bool = False  # only branches that have a 支部委员会 owe it
    custom: bool = False  # a deployment's own type (ActivityType.required_per)

    @property
    def requirement(self) -> str:
        return f"{PER_LABEL[self.per]}至少{self.count}次"

    def with_setting(self, setting) -> FrequencyRule:
        rule = super().with_setting(setting)
        return dataclasses.replace(rule, count=setting.value if setting.value is not None else self.count,
                                   per=setting.per or self.per)


@dataclass(frozen=True)
class QuorumRule(BaseRule):
    """More than `percent`% of the base must be present (到会 or 迟到)."""

    type_code: str = ""
    percent: int = 50
    vote_only: bool = False  # only when the activity has a vote (支部党员大会)
    base: str = "voting"  # "voting": 正式党员 on the 应到 list; "committee": 支委 on it

    @property
    def requirement(self) -> str:
        return "半数以上" if self.percent == 50 else f"超过{self.percent}%"

    def with_setting(self, setting) -> QuorumRule:
        rule = super().with_setting(setting)
        return dataclasses.replace(rule, percent=setting.value if setting.value is not None else self.percent)


@dataclass(frozen=True)
class MonthsRule(BaseRule):
    """A number of consecutive months (the 自行脱党 warning and flag)."""

    months: int = 3

    @property
    def requirement(self) -> str:
        return f"连续{self.months}个月"

    def with_setting(self, setting) -> MonthsRule:
        rule = super().with_setting(setting)
        return dataclasses.replace(rule, months=setting.value if setting.value is not None else self.months)


@dataclass(frozen=True)
class SwitchRule(BaseRule):
    """A yes/no choice of this deployment (no regulation behind it)."""

    @property
    def requirement(self) -> str:
        return "是" if self.enabled else "否"


RULES: tuple[BaseRule, ...] = (
    FrequencyRule("congress", "支部党员大会", f"{BRANCH_RULES}第十一条", "一般每季度召开1次", type_code="congress",
                  per=Per.QUARTER),
    FrequencyRule("committee", "支部委员会会议", f"{BRANCH_RULES}第十二条", "一般每月召开1次；不足7名正式党员、只设书记的支部不要求",
                  type_code="committee", per=Per.MONTH, needs_committee=True),
    FrequencyRule("group", "党小组会", f"{BRANCH_RULES}第十三条", "一般每月召开1次，由各党小组分别召开",
                  type_code="group", per=Per.MONTH, level="group"),
    FrequencyRule("lecture", "党课", f"{BRANCH_RULES}第十六条",
                  "条例只要求“按期上党课”，未规定支部的次数；每季度1次是常见的本地规定", verified=False,
                  type_code="lecture", per=Per.QUARTER),
    FrequencyRule("secretary_lecture", "支部书记讲党课", f"{BRANCH_RULES}第十六条",
                  "条例规定“每年至少1次”的是党委书记；支部书记每年至少讲1次是常见的本地规定", verified=False,
                  type_code="lecture", per=Per.YEAR, secretary_only=True),
    FrequencyRule("theme_day", "主题党日", f"{BRANCH_RULES}第十六条", "每月相对固定1天开展", type_code="theme_day",
                  per=Per.MONTH),
    FrequencyRule("life_meeting", "组织生活会", f"{BRANCH_RULES}第十七条", "每年至少召开1次，一般安排在第四季度",
                  type_code="life_meeting", per=Per.YEAR),
    FrequencyRule("appraisal", "民主评议党员", BRANCH_RULES, "每年开展1次，可与组织生活会结合进行",
                  verified=False, type_code="appraisal", per=Per.YEAR),
    FrequencyRule("talk", "谈心谈话", f"{BRANCH_RULES}第十九条", "支委之间、支委和党员之间每年至少谈心谈话1次",
                  type_code="talk", per=Per.YEAR),
    QuorumRule("congress_quorum", "支部党员大会法定人数", f"{BRANCH_RULES}第十一条",
               "进行表决时，须有半数以上有表决权的党员到会（预备党员无表决权）", type_code="congress", vote_only=True),
    QuorumRule("committee_quorum", "支部委员会法定人数", f"{BRANCH_RULES}第十二条", "须有半数以上委员到会",
               type_code="committee", base="committee"),
    MonthsRule("lapse_warn", "未参加组织生活预警", f"{CONSTITUTION}第九条第三款",
               "党章以连续6个月为界；提前在3个月时预警是本系统的默认设置", verified=False,
               caveat="3个月预警为本系统默认设置", months=3),
    MonthsRule("lapse_flag", "连续6个月未参加组织生活", f"{CONSTITUTION}第九条第三款",
               "没有正当理由连续6个月不参加党的组织生活，被认为是自行脱党；由支部大会决定，系统只提示、不作处理", months=6),
    SwitchRule("send_needs_confirmation", "寄学须对方确认才算覆盖", "本系统设置",
               "默认寄出即算覆盖；开启后只有登记了确认日期的寄学才计入“不落一人”", enabled=False),
)
DEFAULTS: dict[str, BaseRule] = {r.key: r for r in RULES}


@dataclass(frozen=True)
class Ruleset:
    """The rules in force for this deployment: defaults with the admin's overrides applied."""

    rules: tuple[BaseRule, ...]
    frequency: tuple[FrequencyRule, ...] = field(default=())
    quorum: dict[str, QuorumRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frequency", tuple(r for r in self.rules if isinstance(r, FrequencyRule) and r.enabled))
        object.__setattr__(self, "quorum", {r.type_code: r for r in self.rules if isinstance(r, QuorumRule) and r.enabled})

    def get(self, key: str) -> BaseRule:
        return next(r for r in self.rules if r.key == key)

    @property
    def lapse_warn(self) -> MonthsRule:
        return self.get("lapse_warn")  # type: ignore[return-value]

    @property
    def lapse_flag(self) -> MonthsRule:
        return self.get("lapse_flag")  # type: ignore[return-value]

    @property
    def send_needs_confirmation(self) -> bool:
        return self.get("send_needs_confirmation").enabled


def effective() -> Ruleset:
    """Defaults, the admin's RuleSetting overrides, then rules of deployment-added types (2 queries)."""
    from .models import ActivityType, RuleSetting

    settings = {s.key: s for s in RuleSetting.objects.all()}
    rules: list[BaseRule] = [r.with_setting(settings[r.key]) if r.key in settings else r for r in RULES]
    for t in ActivityType.objects.filter(is_active=True, required_count__isnull=False).exclude(required_per=""):
        rules.append(FrequencyRule(f"type:{t.code}", t.name, t.required_basis, "本地增加的活动类型", type_code=t.code,
                                   per=t.required_per, count=t.required_count, level=t.level, custom=True))
    return Ruleset(tuple(rules))


@dataclass(frozen=True)
class QuorumCheck:
    rule: QuorumRule
    base: int  # members the rule counts (正式党员, or 支委)
    present: int
    recorded: bool = True  # the meeting's day has come and someone's attendance is marked

    UNRECORDED, MET, SHORT = "unrecorded", "met", "short"

    @property
    def needed(self) -> int:
        """The smallest number present that is *more than* percent% of the base."""
        return self.base * self.rule.percent // 100 + 1

    @property
    def ok(self) -> bool:
        return self.present >= self.needed

    @property
    def state(self) -> str:
        """No alarm before the meeting's day or before attendance is entered: "unrecorded" (未登记出席)."""
        if not self.recorded:
            return self.UNRECORDED
        return self.MET if self.ok else self.SHORT

    @property
    def message(self) -> str:
        who = "有表决权的正式党员" if self.rule.base == "voting" else "支委"
        if not self.recorded:
            return (f"{self.rule.label}：{who}应到{self.base}人，须{self.rule.requirement}（至少{self.needed}人）到会"
                    f"（{self.rule.source}）")
        state = "已达到" if self.ok else "未达到"
        return (f"{self.rule.label}：{who}应到{self.base}人、实到{self.present}人，须{self.rule.requirement}"
                f"（至少{self.needed}人）到会，{state}（{self.rule.source}）")


def quorum_check(activity, ruleset: Ruleset) -> QuorumCheck | None:
    """The quorum this activity is held to, or None when no rule applies (other types, no vote)."""
    rule = ruleset.quorum.get(activity.type.code)
    if rule is None or (rule.vote_only and not activity.has_vote):
        return None
    rows = list(activity.attendance.all())
    today = timezone.localdate()
    day = activity.held_on or activity.planned_on or today
    recorded = day <= today and any(a.mark for a in rows)
    if rule.base == "voting":
        # Who had a vote on the day: a member confirmed (转正) since then was still 预备 at the time.
        full = set(Member.objects.filter(pk__in=[a.member_id for a in rows]).status_on(day, MemberStatus.FULL)
                   .values_list("pk", flat=True))
        counted = [a for a in rows if a.member_id in full]
    else:
        # The 支委 on the list; a list without anyone flagged 支委 is taken as all 支委.
        counted = [a for a in rows if a.member.is_committee] or rows
    return QuorumCheck(rule, len(counted), sum(1 for a in counted if a.mark in PRESENT_MARKS), recorded)


RULE_NOTE = _("规则默认值来自《中国共产党支部工作条例（试行）》和党章，标注“常见做法”的是文件未规定具体次数、"
              "按各地常见做法设定的默认值；本组织可按本地规定调整，并写明依据。")
