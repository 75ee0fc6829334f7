from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.members.choices import Category


class DuesCategory(models.TextChoices):
    """Who pays by which rule of 中组发〔2008〕3号 (a dues category, not the roster's 人员类别)."""

    EMPLOYED = "在职", _("在职（工资收入）")
    ANNUAL_SALARY = "年薪制", _("年薪制")
    SELF_EMPLOYED = "个体", _("个体经营者")
    RETIRED = "离退休", _("离退休")
    FARMER = "农民", _("农民")
    STUDENT = "学生", _("学生")
    UNEMPLOYED = "下岗失业", _("下岗失业")
    RELIEF = "抚恤救济", _("依靠抚恤或救济生活")
    LOW_INCOME = "低保", _("领取最低生活保障金")
    OTHER = "其他", _("其他（支部确定金额）")


# Categories whose dues are a share of a monthly base (the brackets).
BASE_CATEGORIES = (DuesCategory.EMPLOYED, DuesCategory.ANNUAL_SALARY, DuesCategory.SELF_EMPLOYED, DuesCategory.RETIRED)
# Categories paying the document's fixed amount.
FIXED_CATEGORIES = (DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.RELIEF, DuesCategory.LOW_INCOME)

# The roster's 人员类别 → the dues category it suggests. 无固定收入 has no rule in the document,
# so it maps to OTHER: the branch sets the amount and the page says so.
FROM_MEMBER_CATEGORY = {
    Category.EMPLOYED: DuesCategory.EMPLOYED,
    Category.RETIRED: DuesCategory.RETIRED,
    Category.FARMER: DuesCategory.FARMER,
    Category.STUDENT: DuesCategory.STUDENT,
    Category.NO_FIXED_INCOME: DuesCategory.OTHER,
    Category.UNEMPLOYED: DuesCategory.UNEMPLOYED,
    Category.LOW_INCOME: DuesCategory.LOW_INCOME,
    Category.SELF_EMPLOYED: DuesCategory.SELF_EMPLOYED,
    Category.ANNUAL_SALARY: DuesCategory.ANNUAL_SALARY,
}


class BaseMode(models.TextChoices):
    PAID_MONTH = "paid_month", _("随工资调整：自发放新工资当月起按新基数")
    ANNUAL = "annual", _("年初核定：每年1月核定一次，全年不变")


class PaySchedule(models.TextChoices):
    MONTHLY = "monthly", _("按月交纳")
    QUARTERLY = "quarterly", _("按季度交纳（经支部同意）")


class Method(models.TextChoices):
    CASH = "现金", _("现金")
    WECHAT = "微信", _("微信")
    ALIPAY = "支付宝", _("支付宝")
    BANK = "银行转账", _("银行转账")


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("交纳")
    REVERSAL = "reversal", _("冲正")


class AllocationKind(models.TextChoices):
    DUES = "dues", _("党费")
    EXTRA = "extra", _("自愿多交")


class ReliefKind(models.TextChoices):
    REDUCE = "reduce", _("减交")
    EXEMPT = "exempt", _("免交")


class EntrySource(models.TextChoices):
    MANUAL = "manual", _("手工登记")
    IMPORT = "import", _("导入")
    DEMO = "demo", _("演示数据")


class InsuranceDeduction(models.TextChoices):
    UNDECIDED = "", _("未规定（每次计算时选择）")
    DEDUCT = "deduct", _("扣除个人缴纳的社保和公积金")
    KEEP = "keep", _("不扣除")
