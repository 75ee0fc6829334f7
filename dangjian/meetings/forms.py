from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.members.models import Member
from dangjian.orgs.models import ABOVE_COMMUNITY_KINDS, COMMUNITY_KINDS, Org, OrgKind
from dangjian.orgs.scoping import visible_orgs

from .models import ATTACHMENT_TYPES, IMAGE_TYPES, Activity, ActivityType, RuleSetting, SelfStudy, Send, Visit

RECORDING_KINDS = (OrgKind.BRANCH, OrgKind.GROUP, *COMMUNITY_KINDS)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _org_label(org: Org) -> str:
    return ("　" * max(org.depth - 1, 0)) + org.name


def _member_label(member: Member) -> str:
    flags = "".join(f"·{t}" for t, on in (("行动不便", member.is_infirm), ("流动", member.is_mobile)) if on)
    return f"{member.name}（{member.org.name}{flags}）"


def member_choices(user, **filters):
    return Member.objects.visible_to(user).current().filter(**filters).select_related("org")


class ActivityForm(forms.ModelForm):
    tags_text = forms.CharField(label=_("标签"), required=False, help_text=_("多个标签用逗号分隔，如：主题教育，七一"))

    class Meta:
        model = Activity
        fields = ["org", "type", "also_types", "planned_on", "planned_time", "held_on", "start_time", "end_time", "place",
                  "topic", "host", "recorder", "lecturer", "is_secretary_lecture", "has_vote", "minutes", "decisions"]
        widgets = {
            "planned_on": DateInput(), "held_on": DateInput(), "planned_time": TimeInput(), "start_time": TimeInput(),
            "end_time": TimeInput(), "also_types": forms.CheckboxSelectMultiple(),
            "minutes": forms.Textarea(attrs={"rows": 6}), "decisions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = visible_orgs(user).filter(kind__in=RECORDING_KINDS)
        self.fields["org"].label_from_instance = _org_label
        types = ActivityType.objects.filter(is_active=True)
        self.fields["type"].queryset = types
        self.fields["also_types"].queryset = types
        if self.instance.pk:
            self.fields["tags_text"].initial = "，".join(t.name for t in self.instance.tags.all())
        _bootstrap(self)

    def clean_held_on(self):
        held_on = self.cleaned_data.get("held_on")
        if held_on and held_on > timezone.localdate():
            raise forms.ValidationError(_("召开日期不能晚于今天；还没开的会请填计划日期"))
        return held_on

    def clean(self):
        data = super().clean()
        org, type_ = data.get("org"), data.get("type")
        if org and type_:
            if type_.level == "group" and org.kind != OrgKind.GROUP:
                self.add_error("org", _("“%(t)s”由党小组召开，请选择一个党小组") % {"t": type_.name})
            elif type_.level == "branch" and org.kind == OrgKind.GROUP:
                self.add_error("org", _("“%(t)s”由党支部开展，请选择党支部") % {"t": type_.name})
            if data.get("has_vote") and not type_.may_vote:
                self.add_error("has_vote", _("“%(t)s”没有表决事项") % {"t": type_.name})
        if not data.get("planned_on") and not data.get("held_on"):
            self.add_error("held_on", _("计划日期和召开日期至少填写一个"))
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("结束时间应晚于开始时间"))
        return data

    def tag_names(self) -> list[str]:
        text = self.cleaned_data.get("tags_text", "")
        for sep in "，、;；":
            text = text.replace(sep, ",")
        return [t.strip() for t in text.split(",") if t.strip()]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("照片或PDF（每个不超过10 MB）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ",".join(ATTACHMENT_TYPES)})


class GuestForm(forms.Form):
    name = forms.CharField(label=_("列席人员"), max_length=50,
                           widget=forms.TextInput(attrs={"placeholder": _("姓名"), "aria-label": _("列席人员姓名")}))
    unit = forms.CharField(label=_("单位/身份"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("单位/身份，如入党积极分子"),
                                                         "aria-label": _("单位/身份")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["member", "visited_on", "visitor", "material", "notes", "photo"]
        widgets = {"visited_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = member_choices(user).order_by("-is_infirm", "org__path", "name_pinyin")
        self.fields["member"].label_from_instance = _member_label
        self.fields["photo"].widget.attrs["accept"] = ",".join(IMAGE_TYPES)
        _bootstrap(self)

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("上门日期不能晚于今天"))
        return day


class SendForm(forms.ModelForm):
    class Meta:
        model = Send
        fields = ["member", "material", "channel", "sent_on", "confirmed_on", "confirmation"]
        widgets = {"sent_on": DateInput(), "confirmed_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = member_choices(user).order_by("-is_mobile", "org__path", "name_pinyin")
        self.fields["member"].label_from_instance = _member_label
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        sent, confirmed = data.get("sent_on"), data.get("confirmed_on")
        if sent and sent > timezone.localdate():
            self.add_error("sent_on", _("寄送日期不能晚于今天"))
        if sent and confirmed and confirmed < sent:
            self.add_error("confirmed_on", _("确认日期不能早于寄送日期"))
        return data


class ConfirmForm(forms.Form):
    confirmed_on = forms.DateField(label=_("确认日期"), widget=DateInput(attrs={"class": "form-control form-control-sm"}))
    confirmation = forms.CharField(label=_("确认情况"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))


class SelfStudyForm(forms.ModelForm):
    class Meta:
        model = SelfStudy
        fields = ["member", "studied_on", "source", "content", "hours", "points"]
        widgets = {"studied_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = member_choices(user).order_by("org__path", "name_pinyin")
        self.fields["member"].label_from_instance = _member_label
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("hours") is None and data.get("points") is None and not data.get("content"):
            raise forms.ValidationError(_("学习内容、时长、积分至少填写一项"))
        return data


class StudyImportForm(forms.Form):
    file = forms.FileField(label=_("自学记录文件（.xlsx / .xls / .csv）"))
    org = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("党员所在组织"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = visible_orgs(user).exclude(kind__in=ABOVE_COMMUNITY_KINDS)
        self.fields["org"].label_from_instance = _org_label
        _bootstrap(self)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError(_("只支持 .xlsx、.xls、.csv 文件"))
        if f.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("文件超过 10 MB"))
        return f


class FeedForm(forms.Form):
    org = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("订阅哪个组织的活动"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = visible_orgs(user)
        self.fields["org"].label_from_instance = _org_label
        _bootstrap(self)


class RuleSettingForm(forms.ModelForm):
    """This deployment's version of one rule of organisational life (a blank value keeps the default)."""

    class Meta:
        model = RuleSetting
        fields = ["enabled", "value", "per", "local_basis"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
