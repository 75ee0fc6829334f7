"""The party-member roster (党员名册) and its life events."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.lib.crypto import EncryptedTextField, blind_index
from dangjian.lib.idnumbers import mask_id, mask_phone, phone_tail
from dangjian.lib.pinyin import search_keys
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import OrgScopedQuerySet

from .choices import Category, Education, EventKind, Sex, Status


class MemberQuerySet(OrgScopedQuerySet):
    own_field = "user"

    def current(self) -> MemberQuerySet:
        return self.filter(archived_on__isnull=True)

    def on_roll_on(self, day: date) -> MemberQuerySet:
        """Members on the roll on a day: joined by then and not archived before it."""
        return self.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day)).filter(
            Q(archived_on__isnull=True) | Q(archived_on__gt=day)
        )

    def search(self, text: str) -> MemberQuerySet:
        """Name, pinyin initials (zs → 张三), full pinyin, or phone tail."""
        text = (text or "").strip()
        if not text:
            return self
        q = Q(name__contains=text)
        if text.isascii() and text.isalpha():
            q |= Q(name_initials__startswith=text.lower()) | Q(name_pinyin__startswith=text.lower())
        if text.isdigit() and len(text) <= 4:
            q |= Q(phone_tail__endswith=text)
        if len(text) == 18:  # a whole ID number: exact match through the keyed hash
            q |= Q(id_hash=blind_index(text.upper()))
        return self.filter(q)


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
    history = HistoricalRecords(excluded_fields=["name_initials", "name_pinyin", "id_hash", "phone_tail",
                                                 "created_at", "updated_at"])

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["org__path", "name_pinyin", "pk"]
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

    def full_member_on(self, day: date) -> bool:
        """Whether the member was a 正式党员 on that day: full now and confirmed (转正) by then. A
        full member with no 转正 date on record has been full as long as our records go."""
        return self.status == Status.FULL and (self.confirmed_on is None or self.confirmed_on <= day)

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
