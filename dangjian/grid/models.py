"""The community grid register (社区 → 网格 → 小区/楼栋 → 单元 → 户 → 居民) and the 户籍摸排 campaigns.

Who sees what: record keepers (街道管理员/社区书记/党务工作者) see the grids of the communities in
their subtree; a 网格员 sees only the grids they are currently assigned to (GridAssignment). Every
queryset here is a `GridScopedQuerySet` naming each row's community and grid, and the views turn
ids into rows only through `orgs.scoping.get_visible_or_404`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

import dangjian.lib.lookups  # noqa: F401 — any_of, for the grid-scoped querysets
from dangjian.lib.crypto import blind_index
from dangjian.lib.idnumbers import mask_id, mask_phone, phone_tail
from dangjian.lib.pinyin import search_keys
from dangjian.lib.search import person_q
from dangjian.lib.staging import HiddenUntilImported, visible
from dangjian.orgs.models import COMMUNITY_KINDS, Org
from dangjian.orgs.scoping import OrgScopedQuerySet, path_q

from .choices import ArchiveReason, HousingStatus, HukouType, JobStatus, Relation, Sex, VisitResult
from .register import format_address
from .rules import GridRules, in_force
from .sealing import SealedTextField

# ---------------------------------------------------------------------------------------------
# Scope


def assigned_grid_ids(user, on: date | None = None) -> list[int]:
    """Grids the user works as 网格员 today (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_dangjian_grid_ids", None)
    if cached is not None and on is None:
        return cached
    day = on or timezone.localdate()
    ids = list(
        GridAssignment.objects.filter(user=user, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .values_list("grid_id", flat=True)
        .distinct()
    )
    if on is None:
        user._dangjian_grid_ids = ids
    return ids


class GridScopedQuerySet(OrgScopedQuerySet):
    """Rows of a grid: record keepers see their communities' rows (`scope_field`), a 网格员 the
    rows of the grids they work today (`grid_field`, the path to the grid; "" for a grid)."""

    grid_field = ""

    def _through_grid(self) -> bool:
        return bool(self.grid_field) and self.scope_field == f"{self.grid_field}__community"

    # A subtree named by its grids' ids (read first, one query), not by `community.path LIKE 'x%'`
    # three joins away: PostgreSQL cannot tell from an org path how many residents a community or
    # street holds (most orgs under a street are branches without residents), guesses a third of
    # the city, and reads whole tables; a list of grid ids it estimates from the household table.
    def subtree_q(self, user) -> Q:
        if not self._through_grid():
            return super().subtree_q(user)
        return self._grids_q(Grid.objects.filter(path_q(user, "community")))

    def org_q(self, org: Org) -> Q:
        if not self._through_grid():
            return super().org_q(org)
        return self._grids_q(Grid.objects.filter(community__path__startswith=org.path))

    def _grids_q(self, grids) -> Q:
        return Q(**{f"{self.grid_field}__any_of": list(grids.values_list("pk", flat=True))})

    def also_visible(self, user) -> Q:
        ids = assigned_grid_ids(user)
        return Q(**{f"{self.grid_field}__any_of" if self.grid_field else "pk__any_of": ids}) if ids else Q(pk__in=[])


class ResidentTag(models.Model):
    """The list of resident tags (独居老人, 高龄, 残疾人 …): a deployment adds its own in the admin."""

    name = models.CharField(_("标签"), max_length=20, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("居民标签")
        verbose_name_plural = _("居民标签")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if "|" in self.name or "、" in self.name or "," in self.name:
            raise ValidationError({"name": _("标签名不能包含“|”“、”或逗号")})


class GridSettingsQuerySet(models.QuerySet):
    def rules(self) -> GridRules:
        """The one way to the grid rules in force (one query)."""
        return in_force(self.order_by("pk").first())


class GridSettings(models.Model):
    """Per-deployment overrides of grid rules (see rules.py); one row."""

    elderly_age = models.PositiveSmallIntegerField(_("高龄年龄线"), null=True, blank=True,
                                                   help_text=_("留空用默认值 80 岁（地方高龄津贴惯例）"))
    worker_may_view_pii = models.BooleanField(_("网格员可查看完整身份证号/电话"), null=True, blank=True,
                                              help_text=_("留空用默认值：可以（每次查看均记录）"))
    worker_may_export = models.BooleanField(_("网格员可导出本网格名册"), null=True, blank=True,
                                            help_text=_("留空用默认值：可以（每次导出均记录）"))
    done_results = models.JSONField(_("算作已完成的走访结果"), null=True, blank=True,
                                    help_text=_("留空用默认值：[\"已摸排\", \"空置\"]"))
    local_basis = models.CharField(_("本地规定依据"), max_length=200, blank=True,
                                   help_text=_("改动默认值时写明本地文件或会议决定"))
    history = HistoricalRecords()

    objects = GridSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格规则设置")
        verbose_name_plural = _("网格规则设置")

    def __str__(self) -> str:
        return str(_("网格规则设置"))


# ---------------------------------------------------------------------------------------------
# The register


class ImportedManager(HiddenUntilImported):
    """Hides the grids, buildings, units, households and residents a residents import is still
    writing, or that a failed import or a dry run left until they are purged (lib/staging.py)."""

    marker = "pending_import"
    committed = {"status": JobStatus.DONE, "dry_run": False}


def shown(path: str) -> Q:
    """The related rows at `path` ("households__residents") that ImportedManager would show: a
    count over a join needs it, since managers do not filter joins."""
    return visible(f"{path}__pending_import", **ImportedManager.committed)


def pending_import_field():
    """The marker of a row written by a residents import not yet committed (see ImportedManager)."""
    return models.ForeignKey("ImportJob", models.PROTECT, null=True, blank=True, editable=False, related_name="+")


class GridQuerySet(GridScopedQuerySet):
    scope_field = "community"


class Grid(models.Model):
    """A 网格 of a community."""

    community = models.ForeignKey(Org, models.PROTECT, related_name="grids", verbose_name=_("社区"),
                                  limit_choices_to={"kind__in": COMMUNITY_KINDS})
    name = models.CharField(_("网格名称"), max_length=50)
    code = models.CharField(_("网格编码"), max_length=40, blank=True)
    area = models.CharField(_("网格范围"), max_length=200, blank=True, help_text=_("如“和平路以东、建设街以北”"))
    sort = models.PositiveIntegerField(_("排序"), default=0)
    pending_import = pending_import_field()
    history = HistoricalRecords(excluded_fields=["pending_import"])

    objects = ImportedManager.from_queryset(GridQuerySet)()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["community__path", "sort", "pk"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name",
                                               violation_error_message=_("该社区已有同名网格"))]

    def __str__(self) -> str:
        return self.name

    def current_workers(self, on: date | None = None):
        day = on or timezone.localdate()
        return self.assignments.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)).select_related("user")


class GridAssignmentQuerySet(OrgScopedQuerySet):
    scope_through = "grid"


class GridAssignment(models.Model):
    """A 网格员 bound to a grid for a span of time; ended assignments stay as the grid's history."""

    grid = models.ForeignKey(Grid, models.PROTECT, related_name="assignments", verbose_name=_("网格"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="grid_assignments",
                             verbose_name=_("网格员"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=100, blank=True)
    history = HistoricalRecords()

    objects = GridAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格员任职")
        verbose_name_plural = _("网格员任职")
        ordering = ["grid", "-started_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                              name="grid_assignment_dates",
                                              violation_error_message=_("结束日期不能早于开始日期"))]

    def __str__(self) -> str:
        return f"{self.grid} · {self.user}"

    @property
    def worker_name(self) -> str:
        return self.user.get_full_name() or self.user.username

    def is_current(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class BuildingQuerySet(GridScopedQuerySet):
    scope_field, grid_field = "grid__community", "grid"


class Building(models.Model):
    """A 楼栋 in a 小区 (estate); the estate may be empty for a street-side building."""

    grid = models.ForeignKey(Grid, models.PROTECT, related_name="buildings", verbose_name=_("网格"))
    estate = models.CharField(_("小区"), max_length=50, blank=True)
    name = models.CharField(_("楼栋"), max_length=50)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    pending_import = pending_import_field()
    history = HistoricalRecords(excluded_fields=["pending_import"])

    objects = ImportedManager.from_queryset(BuildingQuerySet)()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["grid", "estate", "sort", "pk"]
        constraints = [models.UniqueConstraint(fields=["grid", "estate", "name"], name="building_unique_name",
                                               violation_error_message=_("该网格内已有同名楼栋"))]

    def __str__(self) -> str:
        return f"{self.estate}{self.name}"


class Unit(models.Model):
    """A 单元 of a building; a building without units has one unit with an empty name."""

    building = models.ForeignKey(Building, models.PROTECT, related_name="units", verbose_name=_("楼栋"))
    name = models.CharField(_("单元"), max_length=20, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    pending_import = pending_import_field()

    objects = ImportedManager()

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building", "sort", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_unique_name",
                                               violation_error_message=_("该楼栋已有同名单元"))]

    def __str__(self) -> str:
        return self.name or str(_("不分单元"))


class HouseholdQuerySet(GridScopedQuerySet):
    scope_field, grid_field = "grid__community", "grid"


class Household(models.Model):
    """A 户: one door of a unit. `grid` repeats unit.building.grid so scoping needs one join."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="households", verbose_name=_("单元"))
    grid = models.ForeignKey(Grid, models.PROTECT, related_name="households", editable=False, verbose_name=_("网格"))
    door = models.CharField(_("门牌号/房号"), max_length=20)
    housing_status = models.CharField(_("住房状况"), max_length=4, choices=HousingStatus.choices,
                                      default=HousingStatus.OWNER)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    pending_import = pending_import_field()
    history = HistoricalRecords(excluded_fields=["created_at", "pending_import"])

    objects = ImportedManager.from_queryset(HouseholdQuerySet)()

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["unit__building__sort", "unit__building_id", "unit__sort", "unit_id", "door"]
        constraints = [models.UniqueConstraint(fields=["unit", "door"], name="household_unique_door",
                                               violation_error_message=_("该单元已有这个门牌号"))]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        b = self.unit.building
        return format_address(b.estate, b.name, self.unit.name, self.door)


class ResidentQuerySet(GridScopedQuerySet):
    scope_field, grid_field = "household__grid__community", "household__grid"

    def current(self) -> ResidentQuerySet:
        return self.filter(archived_on__isnull=True)

    def on_register_on(self, day: date) -> ResidentQuerySet:
        """Residents registered by that day and not yet moved out or dead."""
        return self.filter(Q(moved_in_on__isnull=True) | Q(moved_in_on__lte=day)).filter(
            Q(archived_on__isnull=True) | Q(archived_on__gt=day))

    def with_tag(self, tag: str) -> ResidentQuerySet:
        return self.filter(tags__contains=f"|{tag}|")

    def search(self, text: str) -> ResidentQuerySet:
        """Name, pinyin initials (zs → 张三), full pinyin, phone tail, or a whole ID number
        (lib.search: each kind asks its own indexed column)."""
        q = person_q(text, initials_length=self.model._meta.get_field("name_initials").max_length,
                     pinyin_length=self.model._meta.get_field("name_pinyin").max_length)
        return self if q is None else self.filter(q)


class Resident(models.Model):
    """A person registered in a household. Moving out or dying archives the record; nothing is deleted."""

    household = models.ForeignKey(Household, models.PROTECT, related_name="residents", verbose_name=_("住户"))
    name = models.CharField(_("姓名"), max_length=50)
    # Search asks each of these alone, by a range (lib.search), so a plain B-tree answers it (Meta).
    name_initials = models.CharField(max_length=20, editable=False)
    name_pinyin = models.CharField(max_length=100, editable=False)
    id_number = SealedTextField(_("公民身份号码"), blank=True)
    # Indexed twice, by halves: live residents (unique) and archived ones (see Meta).
    id_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    sex = models.CharField(_("性别"), max_length=2, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    relation = models.CharField(_("与户主关系"), max_length=10, choices=Relation.choices, blank=True)
    hukou_type = models.CharField(_("户籍类型"), max_length=6, choices=HukouType.choices, default=HukouType.LOCAL)
    hukou_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    current_address = models.CharField(_("现住址"), max_length=200, blank=True)
    phone = SealedTextField(_("联系电话"), blank=True)
    phone_tail = models.CharField(max_length=4, blank=True, editable=False)
    # A register's 固定电话 beside its 手机 column, sealed like the phone.
    landline = SealedTextField(_("固定电话"), blank=True, default="")
    moved_in_on = models.DateField(_("迁入日期"), null=True, blank=True)
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)
    moved_to = models.CharField(_("迁往"), max_length=200, blank=True)
    died_on = models.DateField(_("去世日期"), null=True, blank=True)
    archived_on = models.DateField(_("归档日期"), null=True, blank=True)
    archive_reason = models.CharField(_("归档原因"), max_length=4, choices=ArchiveReason.choices, blank=True)
    tags = models.CharField(_("标签"), max_length=300, blank=True)
    member = models.OneToOneField("members.Member", models.SET_NULL, null=True, blank=True, related_name="resident",
                                  verbose_name=_("党员档案"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    source_job = models.ForeignKey("ImportJob", models.SET_NULL, null=True, blank=True, editable=False,
                                   related_name="+", db_index=False)  # the (source_job, source_row) index covers it
    source_row = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    pending_import = pending_import_field()
    history = HistoricalRecords(excluded_fields=["name_initials", "name_pinyin", "id_hash", "phone_tail",
                                                 "source_job", "source_row", "created_at", "updated_at",
                                                 "pending_import"])

    objects = ImportedManager.from_queryset(ResidentQuerySet)()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household_id", "pk"]
        indexes = [models.Index(fields=["source_job", "source_row"], name="resident_source"),
                   models.Index(fields=["id_hash"], condition=Q(archived_on__isnull=False), name="resident_archived_id"),
                   models.Index(fields=["name"], opclasses=["varchar_pattern_ops"], name="resident_name"),
                   models.Index(fields=["name_initials"], name="resident_initials"),
                   models.Index(fields=["name_pinyin"], name="resident_pinyin"),
                   models.Index(fields=["phone_tail"], name="resident_phone_tail")]
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], condition=Q(id_hash__isnull=False, archived_on__isnull=True),
                                    name="resident_unique_live_id",
                                    violation_error_message=_("该身份证号已登记为在住居民")),
            models.CheckConstraint(condition=Q(archived_on__isnull=True) | ~Q(archive_reason=""),
                                   name="resident_archive_has_reason",
                                   violation_error_message=_("归档必须注明原因（迁出或去世）")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def prepare(self) -> None:
        """Derived look-up columns: pinyin for search, keyed hash for the ID, tail for phone search."""
        name_initials, name_pinyin = search_keys(self.name)
        self.name_initials, self.name_pinyin = name_initials[:20], name_pinyin[:100]
        self.id_hash = blind_index(self.id_number) if self.id_number else None
        self.phone_tail = phone_tail(self.phone)

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split("|") if t]

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number) if self.id_number else ""

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def masked_landline(self) -> str:
        return mask_phone(self.landline) if self.landline else ""

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None

    def age(self, on: date | None = None) -> int | None:
        if not self.birth_date:
            return None
        on = on or timezone.localdate()
        return on.year - self.birth_date.year - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))


# ---------------------------------------------------------------------------------------------
# Survey campaigns (户籍摸排)


class CampaignQuerySet(GridScopedQuerySet):
    scope_field, grid_field = "community", "grids"
    scope_crosses_many = True

    def overlapping(self, first: date, last: date) -> CampaignQuerySet:
        return self.filter(starts_on__lte=last, deadline__gte=first)


class Campaign(models.Model):
    """A 户籍摸排 over chosen grids of one community, with a deadline."""

    community = models.ForeignKey(Org, models.PROTECT, related_name="survey_campaigns", verbose_name=_("社区"),
                                  limit_choices_to={"kind__in": COMMUNITY_KINDS})
    name = models.CharField(_("名称"), max_length=60, help_text=_("如“2023年三季度户籍摸排”"))
    grids = models.ManyToManyField(Grid, related_name="campaigns", verbose_name=_("摸排网格"))
    starts_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    note = models.CharField(_("工作要求"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("摸排任务")
        verbose_name_plural = _("摸排任务")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="campaign_unique_name",
                                    violation_error_message=_("该社区已有同名摸排任务")),
            models.CheckConstraint(condition=Q(deadline__gte=models.F("starts_on")), name="campaign_dates",
                                   violation_error_message=_("截止日期不能早于开始日期")),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.starts_on <= day <= self.deadline


class AppendOnly(models.Model):
    """A ledger row: written once; a correction is a new row, never an edit or a delete."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("走访记录只能追加，不能修改；如需更正请再登记一次")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("走访记录只能追加，不能删除")


class Visit(AppendOnly):
    """One visit to a household within a campaign (append-only ledger)."""

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="visits", verbose_name=_("摸排任务"))
    household = models.ForeignKey(Household, models.PROTECT, related_name="visits", verbose_name=_("住户"))
    visited_on = models.DateField(_("走访日期"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                               verbose_name=_("走访人"))
    result = models.CharField(_("结果"), max_length=6, choices=VisitResult.choices)
    changes = models.JSONField(_("变更"), default=list, blank=True)
    changes_count = models.PositiveSmallIntegerField(_("变更数"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["campaign", "household"], name="visit_campaign_household")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.household} {self.result}"


# ---------------------------------------------------------------------------------------------
# Imports


class ImportJobQuerySet(OrgScopedQuerySet):
    scope_field = "community"


class ImportJob(models.Model):
    """One import of a residents register: its file, progress and outcome (rejects capped)."""

    community = models.ForeignKey(Org, models.PROTECT, related_name="+", verbose_name=_("社区"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("导入人"))
    filename = models.CharField(_("文件名"), max_length=200)
    path = models.CharField(max_length=500, blank=True)
    dry_run = models.BooleanField(_("仅检查"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    total_estimate = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    households_created = models.PositiveIntegerField(default=0)
    buildings_created = models.PositiveIntegerField(default=0)
    members_linked = models.PositiveIntegerField(default=0)
    rejects = models.JSONField(default=list, blank=True)
    # What the import changed on the way, for the user to check (a 15-digit ID upgraded, an
    # address split into building and room): [{"row", "sheet", "note"}], capped like rejects.
    notes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The background job that runs it (progress and liveness live there); none for the CLI.
    job = models.ForeignKey("jobs.Job", models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民导入")
        verbose_name_plural = _("居民导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} → {self.community}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class StagedChange(models.Model):
    """What a residents import changes of a household or resident that existed before it, kept
    here until the import commits and then applied a batch at a time (grid.importing): so an
    import that fails changes nothing, while it never holds the database for more than a batch.
    A resident the import found unchanged is staged too, with no changes: applying it records the
    job and row on the resident, and a later batch of the file finds the ID here (a repeat).

    A roster import (members.importing) stages its changes to members already on file the same
    way, under its background `job` instead of a residents `import_job`."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("居民")
        HOUSEHOLD = "household", _("住户")
        MEMBER = "member", _("党员")

    import_job = models.ForeignKey(ImportJob, models.CASCADE, null=True, blank=True, related_name="+")
    job = models.ForeignKey("jobs.Job", models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    row = models.PositiveIntegerField(null=True, blank=True)
    id_hash = models.CharField(max_length=64, blank=True)
    # attname → new value as JSON text (phones sealed, dates ISO); empty: nothing changes.
    changes = models.TextField(blank=True)

    class Meta:
        verbose_name = _("待应用的导入更改")
        verbose_name_plural = _("待应用的导入更改")
        indexes = [models.Index(fields=["import_job", "id_hash"], name="staged_change_hash")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
