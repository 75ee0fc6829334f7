"""The organisation tree, accounts' roles on it, and the personal-data access log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("区委")
    STREET = "street", _("街道党工委")
    COMMUNITY_COMMITTEE = "community_committee", _("社区党委")
    GENERAL_BRANCH = "general_branch", _("社区党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


COMMUNITY_KINDS = (OrgKind.COMMUNITY_COMMITTEE, OrgKind.GENERAL_BRANCH)
# The levels above communities: a district (区委) over streets, a street (街道党工委) over communities.
ABOVE_COMMUNITY_KINDS = (OrgKind.DISTRICT, OrgKind.STREET)

PATH_STEP = 5  # digits per level in Org.path: "00001.00003." — subtree = path prefix


class OrgQuerySet(models.QuerySet):
    def subtree_of(self, org: Org) -> OrgQuerySet:
        return self.filter(path__startswith=org.path)

    def communities(self) -> OrgQuerySet:
        return self.filter(kind__in=COMMUNITY_KINDS)

    def branches(self) -> OrgQuerySet:
        return self.filter(kind=OrgKind.BRANCH)

    def active_on(self, day) -> OrgQuerySet:
        return self.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day)).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )


class Org(models.Model):
    """A node of the party organisation tree: (区委 →) 街道党工委 → 社区党委/党总支 → 党支部 → 党小组."""

    kind = models.CharField(_("组织类型"), max_length=24, choices=OrgKind.choices)
    name = models.CharField(_("组织名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True, help_text=_("如“和平社区”，用于报告标题"))
    code = models.CharField(_("组织代码"), max_length=40, unique=True)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级组织"))
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    secretary = models.CharField(_("书记"), max_length=50, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    term_started_on = models.DateField(_("本届任期开始"), null=True, blank=True)
    term_ends_on = models.DateField(_("换届日期"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords(excluded_fields=["path", "depth"])

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_in_parent",
                                               violation_error_message=_("同一上级组织下已有同名组织"))]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # path is derived from the parent; set it once the row has an id.
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "") + f"{self.pk:0{PATH_STEP}d}."
        if path != self.path:
            self.path, self.depth = path, path.count(".") - 1
            type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def unit_label(self) -> str:
        """A member's unit as people say it: 党支部, or 党支部/党小组 (小组 names repeat)."""
        return f"{self.parent.name}/{self.name}" if self.kind == OrgKind.GROUP and self.parent_id else self.name

    @property
    def is_community(self) -> bool:
        return self.kind in COMMUNITY_KINDS

    def ancestors(self) -> OrgQuerySet:
        ids = [int(p) for p in self.path.strip(".").split(".")]
        return Org.objects.filter(pk__in=ids).order_by("depth")

    def ancestor_of_kind(self, *kinds: str) -> Org | None:
        return next((o for o in reversed(list(self.ancestors())) if o.kind in kinds), None)

    def community(self) -> Org | None:
        return self.ancestor_of_kind(*COMMUNITY_KINDS)

    def is_within(self, other: Org) -> bool:
        return self.path.startswith(other.path)

    @classmethod
    def resolve(cls, text: str, within: Org | None = None) -> Org:
        """Find an org by code or name (the CLI's --org); raise ValueError in Chinese."""
        qs = cls.objects.subtree_of(within) if within else cls.objects.all()
        found = list(qs.filter(Q(code=text) | Q(name=text) | Q(short_name=text))[:2])
        if not found:
            raise ValueError(f"找不到组织“{text}”")
        if len(found) > 1:
            raise ValueError(f"组织“{text}”不唯一，请用组织代码")
        return found[0]


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    STREET_ADMIN = "street_admin", _("街道管理员")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    PARTY_WORKER = "party_worker", _("党务工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    MEMBER = "member", _("党员")


# The administrators of a level above communities (区委, 街道党工委): they act in its whole subtree.
ADMIN_ROLES = (Role.DISTRICT_ADMIN, Role.STREET_ADMIN)
# Roles that see and keep the party records of their org's subtree.
RECORD_ROLES = (*ADMIN_ROLES, Role.COMMUNITY_SECRETARY, Role.PARTY_WORKER)
# Roles that may view a full ID number / phone (each view is logged).
PII_ROLES = (*ADMIN_ROLES, Role.COMMUNITY_SECRETARY, Role.PARTY_WORKER)
# Roles that sign off (send back records, close problems, finalise reports).
SIGN_ROLES = (*ADMIN_ROLES, Role.COMMUNITY_SECRETARY)


class RoleAssignment(models.Model):
    """An account's role, bound to an org node: it acts within that node's subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="roles", verbose_name=_("账号"))
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    org = models.ForeignKey(Org, models.CASCADE, related_name="role_assignments", verbose_name=_("所属组织"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["user", "role", "org"], name="role_unique",
                                               violation_error_message=_("该账号已有此角色"))]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"


class AccessLog(models.Model):
    """Every full view or export of personal data (个人信息保护法: log access)."""

    class Action(models.TextChoices):
        VIEW_ID = "view_id", _("查看完整身份证号")
        VIEW_PHONE = "view_phone", _("查看完整电话")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, verbose_name=_("账号"))
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    target = models.CharField(_("对象"), max_length=200)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.target}"


class AccountLog(models.Model):
    """Every change made to an account in the app: who did what to which account, and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建账号")
        RENAME = "rename", _("修改姓名")
        ROLE_ADD = "role_add", _("授予角色")
        ROLE_REMOVE = "role_remove", _("撤销角色")
        RESET_PASSWORD = "reset_password", _("重置密码")
        DISABLE = "disable", _("停用账号")
        ENABLE = "enable", _("启用账号")
        CHANGE_PASSWORD = "change_password", _("本人修改密码")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                              verbose_name=_("操作人"))
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="account_logs",
                                verbose_name=_("账号"))
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    detail = models.CharField(_("内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("账号操作记录")
        verbose_name_plural = _("账号操作记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.account} {self.detail}"
