"""The party-member roster (党员名册) and its life events."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, FilteredRelation, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.lib.crypto import EncryptedTextField, blind_index
from dangjian.lib.idnumbers import mask_id, mask_phone, phone_tail
from dangjian.lib.pinyin import search_keys
from dangjian.lib.search import person_q
from dangjian.lib.staging import HiddenUntilImported
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import OrgScopedQuerySet

from .choices import Category, Education, EventKind, Flag, Sex, Since, Status


def roll_day(first_day: date, last_day: date, today: date) -> date:
    """The day a period's roll is read on: its last day, or today while the period is running
    (never before its first day). Every figure and every list behind a figure uses this day."""
    return min(last_day, max(today, first_day))


def _covering(relation: str, day: date) -> Q:
    """`relation`'s intervals that include `day` (IntervalQuerySet.covering, seen from the member)."""
    return (Q(**{f"{relation}__started_on__isnull": True}) | Q(**{f"{relation}__started_on__lte": day})) & (
        Q(**{f"{relation}__ended_on__isnull": True}) | Q(**{f"{relation}__ended_on__gt": day}))


class MemberQuerySet(OrgScopedQuerySet):
    own_field = "user"

    def current(self) -> MemberQuerySet:
        return self.filter(archived_on__isnull=True)

    # --- As of a day: the one place that answers "who belonged to org X on day D in status S".
    # Every figure for a past period goes through these (never through the current fields).

    def in_org_on(self, org: Org, day: date) -> MemberQuerySet:
        """Members who belonged to org's subtree on `day` (a Membership covers the day), each
        annotated with `org_on` — the id of the 党支部/党小组 they belonged to that day."""
        # A join, not a subquery per member: the subtree's orgs lead to their memberships, so the
        # cost follows the subtree's size, not the deployment's. A member has at most one membership
        # covering a day (membership_no_overlap), so the join yields one row per member.
        return self.filter(_covering("memberships", day), memberships__org__path__startswith=org.path).annotate(org_on=F("memberships__org_id"))

    def on_roll_during(self, org: Org, period) -> MemberQuerySet:
        """Members who belonged to org's subtree on at least one day of `period` (a lib.periods.Period,
        or anything with first_day and last_day)."""
        spans = (Membership.objects.overlapping(period.first_day, period.last_day)
                 .filter(member=OuterRef("pk"), org__path__startswith=org.path))
        return self.filter(Exists(spans))

    def on_roll_on(self, day: date) -> MemberQuerySet:
        """Members who belonged to some organisation of the deployment on `day`."""
        return self.filter(Exists(Membership.objects.covering(day).filter(member=OuterRef("pk"))))

    def status_on(self, day: date, status: str | None = None) -> MemberQuerySet:
        """Annotate `status_on_day` (预备/正式 on `day`, None when no record covers it); with `status`,
        keep only members in that status on that day."""
        # A LEFT JOIN on the interval covering the day (at most one: status_interval_no_overlap),
        # which the database can hash over the whole roll, rather than a subquery per member.
        alias = f"_status_{day:%Y%m%d}"
        qs = self.annotate(**{alias: FilteredRelation("status_intervals", condition=_covering("status_intervals", day))})
        qs = qs.annotate(status_on_day=F(f"{alias}__status"))
        return qs.filter(status_on_day=status) if status else qs

    def flagged_on(self, day: date, flag: str) -> MemberQuerySet:
        """Members carrying `flag` (Flag.MOBILE, Flag.INFIRM) on `day`."""
        return self.filter(Exists(FlagInterval.objects.covering(day).filter(member=OuterRef("pk"), flag=flag)))

    def with_flags_on(self, day: date) -> MemberQuerySet:
        """Annotate `mobile_on_day` and `infirm_on_day` (booleans) for `day`."""
        # As status_on: one LEFT JOIN per flag (flag_interval_no_overlap: at most one row each).
        qs = self
        for flag in Flag.values:
            alias = f"_{flag}_{day:%Y%m%d}"
            condition = _covering("flag_intervals", day) & Q(flag_intervals__flag=flag)
            qs = qs.annotate(**{alias: FilteredRelation("flag_intervals", condition=condition)}).annotate(**{
                f"{flag}_on_day": Case(When(**{f"{alias}__id__isnull": False}, then=Value(True)), default=Value(False),
                                       output_field=models.BooleanField())})
        return qs

    def search(self, text: str) -> MemberQuerySet:
        """Name, pinyin initials (zs → 张三), full pinyin, phone tail, or a whole ID number
        (lib.search: each kind asks its own indexed column)."""
        q = person_q(text, initials_length=self.model._meta.get_field("name_initials").max_length,
                     pinyin_length=self.model._meta.get_field("name_pinyin").max_length)
        return self if q is None else self.filter(q)


class MemberManager(HiddenUntilImported.from_queryset(MemberQuerySet)):
    """The members a background roster import is still writing (or that a failed one left) are
    hidden until its job is done (lib/staging.py, members/importing.py)."""


REQUIRED_FIELDS = (
    "name", "sex", "ethnicity", "birth_date", "id_number", "education", "category",
    "joined_on", "status", "org", "phone", "address",
)


class Member(models.Model):
    """A party member on the roll of one 党支部 (or 党小组). Archived, never deleted."""

    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(max_length=20, db_index=True, editable=False)
    name_pinyin = models.CharField(max_length=100, db_index=True, editable=False)
    sex = models.CharField(_("性别"), max_length=2, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True, default="汉族")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedTextField(_("公民身份号码"), blank=True)
    id_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    native_place = models.CharField(_("籍贯"), max_length=50, blank=True)
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices, blank=True)
    category = models.CharField(_("人员类别"), max_length=10, choices=Category.choices, blank=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    status = models.CharField(_("党员状态"), max_length=4, choices=Status.choices, default=Status.FULL)
    org = models.ForeignKey(Org, models.PROTECT, related_name="members", verbose_name=_("所在党支部/党小组"))
    party_post = models.CharField(_("党内职务"), max_length=30, blank=True)
    is_committee = models.BooleanField(_("支委会成员"), default=False)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_tail = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    # Rosters keep a 手机 and a 电话/固定电话 column side by side; both are kept, encrypted alike.
    landline = EncryptedTextField(_("固定电话"), blank=True, default="")
    address = models.CharField(_("居住地址"), max_length=200, blank=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    introducers = models.CharField(_("入党介绍人"), max_length=100, blank=True)
    is_mobile = models.BooleanField(_("流动党员"), default=False)
    mobile_place = models.CharField(_("外出地点"), max_length=100, blank=True)
    mobile_since = models.DateField(_("外出日期"), null=True, blank=True)
    mobile_reason = models.CharField(_("外出原因"), max_length=100, blank=True)
    has_mobile_card = models.BooleanField(_("持《流动党员活动证》"), default=False)
    mobile_contact = models.CharField(_("外出联系方式"), max_length=100, blank=True)
    is_infirm = models.BooleanField(_("年老体弱/行动不便"), default=False)
    in_hardship = models.BooleanField(_("生活困难"), default=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                related_name="member", verbose_name=_("登录账号"))
    archived_on = models.DateField(_("归档日期"), null=True, blank=True)
    archive_reason = models.CharField(_("归档原因"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The background roster import that created the member; shown only once that job is done.
    import_job = models.ForeignKey("jobs.Job", models.PROTECT, null=True, blank=True, editable=False,
                                   related_name="+")
    history = HistoricalRecords(excluded_fields=["name_initials", "name_pinyin", "id_hash", "phone_tail",
                                                 "created_at", "updated_at", "import_job"])

    objects = MemberManager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["org__path", "name_pinyin", "pk"]
        # Search by the start of a name (lib.search) is `name LIKE '张%'`: on PostgreSQL only a
        # pattern_ops index answers that (SQLite makes it a plain index).
        indexes = [models.Index(fields=["name"], opclasses=["varchar_pattern_ops"], name="member_name")]
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], condition=Q(id_hash__isnull=False), name="member_unique_id",
                                    violation_error_message=_("该身份证号已在名册中")),
            models.CheckConstraint(condition=Q(confirmed_on__isnull=True) | Q(joined_on__isnull=True)
                                   | Q(confirmed_on__gte=models.F("joined_on")),
                                   name="member_confirmed_after_joined",
                                   violation_error_message=_("转正日期不能早于入党日期")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def prepare(self) -> None:
        """Derived look-up columns: pinyin for search, keyed hash for the ID, tail for phone search."""
        # Cut to the columns: a long Latin name passes through whole and must not make the
        # member unsaveable (search by a prefix still finds it).
        initials, pinyin = search_keys(self.name)
        self.name_initials = initials[: self._meta.get_field("name_initials").max_length]
        self.name_pinyin = pinyin[: self._meta.get_field("name_pinyin").max_length]
        self.id_hash = blind_index(self.id_number) if self.id_number else None
        self.phone_tail = phone_tail(self.phone)

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number) if self.id_number else ""

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def masked_landline(self) -> str:
        return mask_phone(self.landline) if self.landline else ""

    def status_at(self, day: date) -> str | None:
        """预备/正式 on that day, read from the status intervals (prefetch `status_intervals` for lists)."""
        return next((s.status for s in self.status_intervals.all() if s.covers(day)), None)

    def full_member_on(self, day: date) -> bool:
        """Whether the member was a 正式党员 on that day (per the status intervals). A full member
        with no 转正 date on record has been full as long as our records go."""
        return self.status_at(day) == Status.FULL

    def party_age(self, on: date | None = None) -> int | None:
        """党龄 in whole years, counted from 转正."""
        if not self.confirmed_on:
            return None
        on = on or date.today()
        years = on.year - self.confirmed_on.year - ((on.month, on.day) < (self.confirmed_on.month, self.confirmed_on.day))
        return max(years, 0)

    def age(self, on: date | None = None) -> int | None:
        if not self.birth_date:
            return None
        on = on or date.today()
        return on.year - self.birth_date.year - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def branch(self) -> Org:
        """The 党支部 the member belongs to (the org itself, or the parent of their 党小组)."""
        return self.org.parent if self.org.kind == "group" and self.org.parent_id else self.org

    def missing_fields(self) -> list[str]:
        missing = [str(self._meta.get_field(f).verbose_name) for f in REQUIRED_FIELDS if not getattr(self, f if f != "org" else "org_id")]
        if self.status == Status.FULL and not self.confirmed_on:
            missing.append(str(self._meta.get_field("confirmed_on").verbose_name))
        if self.is_mobile and not self.mobile_place:
            missing.append(str(self._meta.get_field("mobile_place").verbose_name))
        return missing

    @property
    def completeness(self) -> int:
        total = len(REQUIRED_FIELDS) + 1
        return round(100 * (total - len(self.missing_fields())) / total)

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None


def label_namesakes(members) -> list:
    """Give people who share a name on one list something that tells them apart — the birth year,
    else the phone's last four digits — as `shown_name` on every member of the list (two 王楠 in
    one branch on an attendance list or a 签到表)."""
    members = list(members)
    by_name: dict[str, list] = {}
    for m in members:
        by_name.setdefault(m.name, []).append(m)
    for same in by_name.values():
        years = [m.birth_date.year if m.birth_date else None for m in same]
        for m, year in zip(same, years, strict=True):
            if len(same) == 1:
                m.shown_name = m.name
            elif year is not None and years.count(year) == 1:
                m.shown_name = f"{m.name}（{year}年生）"
            elif m.phone_tail:
                m.shown_name = f"{m.name}（手机尾号{m.phone_tail}）"
            else:
                m.shown_name = f"{m.name}（{m.pk}号）"
    return members


class MemberEvent(models.Model):
    """A dated life event: 转正, 组织关系转入/转出, 停止党籍, 出党, 去世, 外出流动, 返回."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="events", verbose_name=_("党员"))
    kind = models.CharField(_("事项"), max_length=10, choices=EventKind.choices)
    on = models.DateField(_("日期"))
    from_org = models.CharField(_("转出/原组织"), max_length=100, blank=True)
    to_org = models.CharField(_("转入/去向"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党员事项")
        verbose_name_plural = _("党员事项")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.member} {self.get_kind_display()}"


# ---------------------------------------------------------------------------------------------
# Dated intervals. A day D is inside [started_on, ended_on): started_on None means "as long as
# our records go", ended_on None "still open". A transfer on day D ends one interval on D and
# starts the next on D, so two intervals of one member never share a day. The services in
# services.py are the only writers; the member's current fields (org, status, archived_on,
# is_mobile, is_infirm) are what the open intervals say.


def belonging_since(org: Org, day: date, members) -> dict[int, date | None]:
    """member id → the first day of the unbroken stretch during which the member has belonged to
    org's subtree, up to `day` (None: as long as records go). Moves between organisations inside
    the subtree do not break the stretch; a 转出 and a later 转入 does. One query for any number
    of `members` (a queryset or ids) on the roll that day."""
    rows = (Membership.objects.filter(member__in=members, org__path__startswith=org.path)
            .filter(Q(started_on__isnull=True) | Q(started_on__lte=day))
            .order_by("member_id", models.F("started_on").asc(nulls_first=True))
            .values_list("member_id", "started_on", "ended_on"))
    since: dict[int, date | None] = {}
    previous_end: dict[int, date | None] = {}
    for member_id, start, end in rows:
        if member_id not in since or start is None or previous_end.get(member_id) != start:
            since[member_id] = start  # a new stretch (the first one, or after a break)
        previous_end[member_id] = end
    return since


class IntervalQuerySet(models.QuerySet):
    def covering(self, day: date) -> IntervalQuerySet:
        """Intervals that include `day`."""
        return self.filter(Q(started_on__isnull=True) | Q(started_on__lte=day)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day))

    def overlapping(self, first: date, last: date) -> IntervalQuerySet:
        """Intervals that include at least one day from `first` to `last` (both inclusive)."""
        return self.filter(Q(started_on__isnull=True) | Q(started_on__lte=last)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=first))

    def open(self) -> IntervalQuerySet:
        return self.filter(ended_on__isnull=True)


class Interval(models.Model):
    started_on = models.DateField(_("起始日期"), null=True, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IntervalQuerySet.as_manager()

    class Meta:
        abstract = True

    def covers(self, day: date) -> bool:
        return (self.started_on is None or self.started_on <= day) and (self.ended_on is None or self.ended_on > day)

    def overlaps(self, other: Interval) -> bool:
        return ((self.started_on is None or other.ended_on is None or self.started_on < other.ended_on)
                and (other.started_on is None or self.ended_on is None or other.started_on < self.ended_on))


def _ordered(name: str, message) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(started_on__isnull=True) | Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
        name=name, violation_error_message=message)


class Membership(Interval):
    """The member belonged to this 党支部/党小组 from `started_on` (入党/转入/建档) until `ended_on`
    (转出/停止党籍/出党/去世, or a move to another organisation of the deployment), exclusive."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="memberships", verbose_name=_("党员"))
    org = models.ForeignKey(Org, models.PROTECT, related_name="memberships", verbose_name=_("所在党支部/党小组"))
    start_reason = models.CharField(_("起始原因"), max_length=10, choices=Since.choices, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=10, choices=Since.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("组织关系")
        verbose_name_plural = _("组织关系")
        ordering = ["member", "started_on", "pk"]
        indexes = [models.Index(fields=["member", "started_on"], name="membership_member_start")]
        constraints = [
            _ordered("membership_ordered", _("组织关系的终止日期应晚于起始日期")),
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True), name="membership_one_open",
                                    violation_error_message=_("该党员已有一段未终止的组织关系")),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.org} {self.started_on or '…'}–{self.ended_on or ''}"


class StatusInterval(Interval):
    """The member was a 预备党员 (from the branch meeting that admitted them) or a 正式党员 (from 转正)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="status_intervals", verbose_name=_("党员"))
    status = models.CharField(_("党员状态"), max_length=4, choices=Status.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党员状态期间")
        verbose_name_plural = _("党员状态期间")
        ordering = ["member", "started_on", "pk"]
        indexes = [models.Index(fields=["member", "started_on"], name="status_member_start")]
        constraints = [
            _ordered("status_interval_ordered", _("党员状态的终止日期应晚于起始日期")),
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True), name="status_interval_one_open",
                                    violation_error_message=_("该党员已有一段未终止的党员状态")),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.status} {self.started_on or '…'}–{self.ended_on or ''}"


class FlagInterval(Interval):
    """A flag figures count as of a day: 流动党员 (外出 → 返回), 年老体弱/行动不便."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="flag_intervals", verbose_name=_("党员"))
    flag = models.CharField(_("标记"), max_length=10, choices=Flag.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党员标记期间")
        verbose_name_plural = _("党员标记期间")
        ordering = ["member", "flag", "started_on", "pk"]
        indexes = [models.Index(fields=["member", "flag", "started_on"], name="flag_member_start")]
        constraints = [
            _ordered("flag_interval_ordered", _("标记的终止日期应晚于起始日期")),
            models.UniqueConstraint(fields=["member", "flag"], condition=Q(ended_on__isnull=True),
                                    name="flag_interval_one_open",
                                    violation_error_message=_("该党员已有一段未终止的同类标记")),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.flag} {self.started_on or '…'}–{self.ended_on or ''}"


class TransferQuerySet(OrgScopedQuerySet):
    """Record keepers of the organisation on this side of the letter (scope_field "org")."""

    def awaiting_receipt(self) -> TransferQuerySet:
        """转出 letters to an organisation outside the deployment whose 回执 has not come back."""
        return self.filter(direction=Transfer.Direction.OUT, receipt_on__isnull=True, other_org__isnull=True)


class Transfer(models.Model):
    """组织关系转接 with its 介绍信: a 转出 (where to, letter, 党费交至, 回执) or a 转入 (from where,
    letter, the day it was received — the membership starts that day). A transfer between two
    organisations of the deployment is one row on each side, linked."""

    class Direction(models.TextChoices):
        OUT = "转出", _("转出")
        IN = "转入", _("转入")

    member = models.ForeignKey(Member, models.PROTECT, related_name="transfers", verbose_name=_("党员"))
    direction = models.CharField(_("方向"), max_length=2, choices=Direction.choices)
    org = models.ForeignKey(Org, models.PROTECT, related_name="transfers", verbose_name=_("本方党组织"))
    other_org = models.ForeignKey(Org, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("对方党组织（本系统内）"))
    place = models.CharField(_("转往/来自"), max_length=100)
    letter_number = models.CharField(_("介绍信编号"), max_length=60)
    letter_date = models.DateField(_("介绍信日期"))
    on = models.DateField(_("转出/转入日期"), help_text=_("转入为收到介绍信之日，组织关系自当日起计"))
    dues_paid_to = models.DateField(_("党费交至"), null=True, blank=True, help_text=_("交至哪个月（该月1日）"))
    receipt_on = models.DateField(_("回执收到日期"), null=True, blank=True)
    counterpart = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="counterpart_of",
                                       verbose_name=_("对方记录"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(receipt_on__isnull=True) | Q(direction="转出"), name="transfer_receipt_out_only",
                                   violation_error_message=_("只有转出才有回执")),
            models.CheckConstraint(condition=Q(receipt_on__isnull=True) | Q(receipt_on__gte=models.F("letter_date")),
                                   name="transfer_receipt_after_letter",
                                   violation_error_message=_("回执日期不能早于介绍信日期")),
            models.CheckConstraint(condition=Q(on__gte=models.F("letter_date")) | Q(direction="转出"),
                                   name="transfer_in_after_letter",
                                   violation_error_message=_("收到介绍信的日期不能早于介绍信日期")),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.member} {self.get_direction_display()} {self.place}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("transfer_list") + f"?org={self.org_id}#transfer-{self.pk}"

    @property
    def dues_paid_up(self) -> bool | None:
        """Whether 党费 was paid up to the month of leaving (None: not recorded)."""
        if self.dues_paid_to is None:
            return None
        return (self.dues_paid_to.year, self.dues_paid_to.month) >= (self.on.year, self.on.month)
