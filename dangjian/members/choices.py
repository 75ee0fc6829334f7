from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "男", _("男")
    FEMALE = "女", _("女")


class Category(models.TextChoices):
    """人员类别 — also drives the dues rule (dues app)."""

    EMPLOYED = "在职", _("在职")
    RETIRED = "离退休", _("离退休")
    FARMER = "农民", _("农民")
    STUDENT = "学生", _("学生")
    NO_FIXED_INCOME = "无固定收入", _("无固定收入")
    UNEMPLOYED = "下岗失业", _("下岗失业")
    LOW_INCOME = "低保", _("低保")
    SELF_EMPLOYED = "个体", _("个体经营")
    ANNUAL_SALARY = "年薪制", _("年薪制")


class Status(models.TextChoices):
    PROBATIONARY = "预备", _("预备党员")
    FULL = "正式", _("正式党员")


class Education(models.TextChoices):
    PRIMARY = "小学", _("小学")
    JUNIOR = "初中", _("初中")
    SENIOR = "高中", _("高中")
    VOCATIONAL = "中专", _("中专")
    COLLEGE = "大专", _("大专")
    BACHELOR = "本科", _("本科")
    MASTER = "硕士", _("硕士研究生")
    DOCTOR = "博士", _("博士研究生")


class EventKind(models.TextChoices):
    CONFIRM = "转正", _("转正")
    TRANSFER_IN = "转入", _("组织关系转入")
    TRANSFER_OUT = "转出", _("组织关系转出")
    SUSPEND = "停止党籍", _("停止党籍")
    EXPEL = "出党", _("出党")
    DEATH = "去世", _("去世")
    CANCELLED = "取消预备资格", _("取消预备资格")
    MOVE_OUT = "外出", _("外出流动")
    RETURN = "返回", _("流动返回")


# Events after which the member is archived (历史党员), never deleted.
ARCHIVING_EVENTS = (EventKind.TRANSFER_OUT, EventKind.SUSPEND, EventKind.EXPEL, EventKind.DEATH)


class Flag(models.TextChoices):
    """Flags that figures count as of a day (流动党员, 年老体弱/行动不便)."""

    MOBILE = "mobile", _("流动党员")
    INFIRM = "infirm", _("年老体弱/行动不便")


class Since(models.TextChoices):
    """Why a membership of an organisation began or ended (the interval's reasons)."""

    JOINED = "入党", _("入党（支部大会接收）")
    TRANSFER_IN = "转入", _("组织关系转入")
    RECORDED = "建档", _("建档（录入名册）")
    MOVED = "调整", _("组织内调整")
    TRANSFER_OUT = "转出", _("组织关系转出")
    SUSPEND = "停止党籍", _("停止党籍")
    EXPEL = "出党", _("出党")
    DEATH = "去世", _("去世")
    CANCELLED = "取消预备资格", _("取消预备资格")
