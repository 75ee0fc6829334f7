from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "男", _("男")
    FEMALE = "女", _("女")


class HousingStatus(models.TextChoices):
    OWNER = "自住", _("自住")
    RENTED = "出租", _("出租")
    VACANT = "空置", _("空置")


class HukouType(models.TextChoices):
    """户籍类型 as the quarterly 户籍摸排 registers it (DOMAIN.md §7)."""

    LOCAL = "本地户籍", _("本地户籍")
    MIGRANT = "外来人口", _("外来人口")
    SEPARATED = "人户分离", _("人户分离")
    ABSENT = "户在人不在", _("户在人不在")


class Relation(models.TextChoices):
    """与户主关系."""

    HEAD = "户主", _("户主")
    SPOUSE = "配偶", _("配偶")
    SON = "子", _("子")
    DAUGHTER = "女", _("女")
    PARENT = "父母", _("父母")
    GRANDCHILD = "孙子女", _("孙子女")
    SIBLING = "兄弟姐妹", _("兄弟姐妹")
    IN_LAW = "儿媳/女婿", _("儿媳/女婿")
    RELATIVE = "其他亲属", _("其他亲属")
    TENANT = "租户", _("租户")
    OTHER = "其他", _("其他")


class VisitResult(models.TextChoices):
    SURVEYED = "已摸排", _("已摸排")
    NOBODY_HOME = "无人在家", _("无人在家")
    REFUSED = "拒绝", _("拒绝")
    VACANT = "空置", _("空置")


class ArchiveReason(models.TextChoices):
    MOVED_OUT = "迁出", _("迁出")
    DIED = "去世", _("去世")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("等待处理")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
