from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    YEAR = "year", _("年度计划")
    HALF = "half", _("半年计划")
    QUARTER = "quarter", _("季度计划")
    CAMPAIGN = "campaign", _("专项计划（如主题教育）")


class ReportPart(models.TextChoices):
    """Where the duty report writes a category's problems besides part 三 (the list of problems)."""

    NONE = "", _("（仅列入“存在问题”）")
    DISCIPLINE = "discipline", _("纪律作风和廉政（“一岗双责”）")
    IDEOLOGY = "ideology", _("意识形态工作")


class ItemStatus(models.TextChoices):
    TODO = "todo", _("未开始")
    DOING = "doing", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class MeasureStatus(models.TextChoices):
    TODO = "todo", _("未开始")
    DOING = "doing", _("整改中")
    DONE = "done", _("已完成")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    CLOSED = "closed", _("已销号")


class ProblemEventKind(models.TextChoices):
    FOUND = "found", _("登记问题")
    CAUSE = "cause", _("补充原因分析")
    MEASURE = "measure", _("制定整改措施")
    MEASURE_CHANGED = "measure_changed", _("调整整改措施")
    MEASURE_DONE = "measure_done", _("整改措施完成")
    CLOSED = "closed", _("销号")
    REOPENED = "reopened", _("重新打开")


class Stage(models.TextChoices):
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")


# The ledger's "show" filter: which problems of the period a list or figure means.
class LedgerShow(models.TextChoices):
    ACTIVE = "active", _("期内在账")
    FOUND = "found", _("期内发现")
    CLOSED = "closed", _("期内销号")
    OPEN = "open", _("期末未销号")


class ItemState(models.TextChoices):
    ALL = "all", _("期内到期")
    ON_TIME = "on_time", _("按时完成")
    LATE = "late", _("逾期完成")
    OVERDUE = "overdue", _("逾期未完成")
    OPEN = "open", _("未完成")
    DONE = "done", _("已完成")


# The categories and sources a new deployment starts with (migration 0002 writes them; the demo
# re-creates any that a flush removed). Deployments add their own in the admin.
DEFAULT_CATEGORIES = ["理论学习", "调查研究", "意识形态", "组织建设", "作风纪律", "党风廉政", "服务群众", "工作落实", "其他"]
# Which default categories the report also writes in part 二 (一岗双责/廉政) or on 意识形态工作.
DEFAULT_REPORT_PARTS = {"作风纪律": ReportPart.DISCIPLINE, "党风廉政": ReportPart.DISCIPLINE, "意识形态": ReportPart.IDEOLOGY}
DEFAULT_SOURCES = ["自查", "上级督导", "述职评议", "群众反映", "巡察", "组织生活会", "主题教育检视", "其他"]
