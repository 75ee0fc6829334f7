from django.db import models
from django.utils.translation import gettext_lazy as _


class Mark(models.TextChoices):
    """The marks written on a paper sign-in sheet (签到表)."""

    PRESENT = "到会", _("到会")
    LATE = "迟到", _("迟到")
    SICK = "病假", _("病假")
    PERSONAL = "事假", _("事假")
    OFFICIAL = "公假", _("公假")
    ABSENT = "缺席", _("缺席")


# 实到 = 到会 + 迟到. 请假 (病假/事假/公假) stay in 应到 but are not 实到 — the common practice on
# 党支部 sign-in sheets; 列席 guests are outside both.
PRESENT_MARKS = (Mark.PRESENT, Mark.LATE)
LEAVE_MARKS = (Mark.SICK, Mark.PERSONAL, Mark.OFFICIAL)
# A month with one of these is not "without good reason" for the 党章第九条 warning.
EXCUSED_MARKS = (*PRESENT_MARKS, *LEAVE_MARKS)
RATE_NOTE = _("实到 = 到会 + 迟到；请假（病假、事假、公假）和缺席计入应到、不计入实到；列席人员不计入应到和实到。参会率 = 实到 ÷ 应到。")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")


EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class Audience(models.TextChoices):
    """Who is 应到 by default for a type."""

    BRANCH = "branch", _("支部全体党员（含各党小组）")
    COMMITTEE = "committee", _("支部委员会成员")
    GROUP = "group", _("本党小组党员")
    CHOSEN = "chosen", _("逐个选择")


class OrgLevel(models.TextChoices):
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class Per(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class Channel(models.TextChoices):
    """How 寄学 material reached a 流动党员."""

    WECHAT = "微信", _("微信")
    POST = "邮寄", _("邮寄")
    SMS = "短信", _("短信")
    EMAIL = "电子邮件", _("电子邮件")
    PHONE = "电话", _("电话")
    OTHER = "其他", _("其他")


class StudySource(models.TextChoices):
    XUEXI = "学习强国", _("学习强国")
    BOOK = "书籍原著", _("书籍原著")
    ONLINE = "网络课程", _("网络课程")
    NEWSPAPER = "报刊", _("报刊")
    OTHER = "其他", _("其他")


# The built-in activity types (DOMAIN.md §1): code, name, level, default 应到, needs a lecturer, may vote.
BUILTIN_TYPES = [
    ("congress", "支部党员大会", OrgLevel.BRANCH, Audience.BRANCH, False, True),
    ("committee", "支部委员会", OrgLevel.BRANCH, Audience.COMMITTEE, False, False),
    ("group", "党小组会", OrgLevel.GROUP, Audience.GROUP, False, False),
    ("lecture", "党课", OrgLevel.BRANCH, Audience.BRANCH, True, False),
    ("theme_day", "主题党日", OrgLevel.BRANCH, Audience.BRANCH, False, False),
    ("life_meeting", "组织生活会", OrgLevel.BRANCH, Audience.BRANCH, False, False),
    ("appraisal", "民主评议党员", OrgLevel.BRANCH, Audience.BRANCH, False, False),
    ("talk", "谈心谈话", OrgLevel.BRANCH, Audience.CHOSEN, False, False),
    ("study", "集中学习", OrgLevel.BRANCH, Audience.BRANCH, False, False),
    ("discipline", "纪律教育", OrgLevel.BRANCH, Audience.BRANCH, False, False),
]


def ensure_builtin_types(model) -> None:
    """Create the built-in types that are missing (the data migration; also after a test flush)."""
    have = set(model.objects.values_list("code", flat=True))
    model.objects.bulk_create([
        model(code=code, name=name, level=level, audience=audience, needs_lecturer=lecturer, may_vote=vote,
              sort=sort * 10, builtin=True)
        for sort, (code, name, level, audience, lecturer, vote) in enumerate(BUILTIN_TYPES, start=1) if code not in have
    ])


class AppraisalResult(models.TextChoices):
    """民主评议党员的评定等次."""

    EXCELLENT = "优秀", _("优秀")
    QUALIFIED = "合格", _("合格")
    BASIC = "基本合格", _("基本合格")
    UNQUALIFIED = "不合格", _("不合格")
