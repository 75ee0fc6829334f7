from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.lib.forms import keep_stored_values, mask_stored_fields
from dangjian.lib.idnumbers import validate_id
from dangjian.lib.tabular import clean_phone
from dangjian.orgs.models import Org, Role

from .choices import HousingStatus, HukouType, Relation, VisitResult
from .models import Grid, GridSettings, ResidentTag


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _phone(value: str) -> str:
    if not value:
        return ""
    try:
        return clean_phone(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc


class TagsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})

    def __init__(self, **kwargs):
        super().__init__(choices=(), required=False, label=_("标签"), **kwargs)

    def refresh(self) -> None:
        self.choices = [(t, t) for t in ResidentTag.objects.filter(is_active=True).values_list("name", flat=True)]


MASKED_FIELDS = ("id_number", "phone", "landline")


class ResidentForm(forms.Form):
    """Add a resident (and the full edit page). Phone-first: the fields a worker fills at the door.

    Editing (`resident=`), the ID number and phones are never in the form: they show masked, an
    empty field keeps what is stored, and a phone is cleared only by ticking its 清除 box."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    relation = forms.ChoiceField(label=_("与户主关系"), choices=[("", "—")] + Relation.choices, required=False)
    hukou_type = forms.ChoiceField(label=_("户籍类型"), choices=HukouType.choices, initial=HukouType.LOCAL)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    landline = forms.CharField(label=_("固定电话"), max_length=30, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    hukou_address = forms.CharField(label=_("户籍地址"), max_length=200, required=False)
    current_address = forms.CharField(label=_("现住址"), max_length=200, required=False,
                                      help_text=_("留空则为本户地址"))
    moved_in_on = forms.DateField(label=_("迁入日期"), required=False, widget=DateInput())
    tags = TagsField()
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, resident=None, **kwargs):
        if resident is not None:
            kwargs["initial"] = {f: getattr(resident, f) for f in (
                "name", "relation", "hukou_type", "hukou_address", "current_address", "moved_in_on", "note")
            } | {"tags": resident.tag_list} | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        self.fields["tags"].refresh()
        if resident is not None:
            mask_stored_fields(self, {n: getattr(resident, n) or "" for n in MASKED_FIELDS}, clearable=("phone", "landline"))
        for name, field in self.fields.items():
            if name != "tags" and not name.startswith("clear_"):
                field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control")

    def clean_id_number(self) -> str:
        if not self.cleaned_data.get("id_number") and hasattr(self, "stored_values"):
            return ""  # kept in clean()
        try:
            return validate_id(self.cleaned_data["id_number"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data.get("phone", ""))

    def clean_landline(self) -> str:
        return _phone(self.cleaned_data.get("landline", ""))

    def clean(self):
        data = super().clean()
        keep_stored_values(self, data)
        return data


# Fields a worker may correct inline on the household page, and how each is entered.
INLINE_FIELDS: dict[str, forms.Field] = {
    "phone": forms.CharField(label=_("联系电话"), max_length=30, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "class": "form-control"})),
    "landline": forms.CharField(label=_("固定电话"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "class": "form-control"})),
    "hukou_type": forms.ChoiceField(label=_("户籍类型"), choices=HukouType.choices,
                                    widget=forms.Select(attrs={"class": "form-select"})),
    "relation": forms.ChoiceField(label=_("与户主关系"), choices=[("", "—")] + Relation.choices, required=False,
                                  widget=forms.Select(attrs={"class": "form-select"})),
    "current_address": forms.CharField(label=_("现住址"), max_length=200, required=False,
                                       widget=forms.TextInput(attrs={"class": "form-control"})),
    "hukou_address": forms.CharField(label=_("户籍地址"), max_length=200, required=False,
                                     widget=forms.TextInput(attrs={"class": "form-control"})),
    "name": forms.CharField(label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"class": "form-control"})),
    "note": forms.CharField(label=_("备注"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control"})),
}


class InlineFieldForm(forms.Form):
    def __init__(self, field_name: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_name = field_name
        self.fields["value"] = INLINE_FIELDS[field_name]

    def clean_value(self):
        value = self.cleaned_data["value"]
        return _phone(value) if self.field_name in MASKED_FIELDS else value


class MoveOutForm(forms.Form):
    on = forms.DateField(label=_("迁出日期"), widget=DateInput(attrs={"class": "form-control"}))
    moved_to = forms.CharField(label=_("迁往"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class DeathForm(forms.Form):
    on = forms.DateField(label=_("去世日期"), widget=DateInput(attrs={"class": "form-control"}))


class VisitForm(forms.Form):
    result = forms.ChoiceField(choices=VisitResult.choices)
    note = forms.CharField(max_length=200, required=False)


class HouseholdForm(forms.Form):
    unit = forms.CharField(label=_("单元"), max_length=20, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    door = forms.CharField(label=_("门牌号/房号"), max_length=20, widget=forms.TextInput(attrs={"class": "form-control"}))
    housing_status = forms.ChoiceField(label=_("住房状况"), choices=HousingStatus.choices,
                                       widget=forms.Select(attrs={"class": "form-select"}))
    note = forms.CharField(label=_("备注"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))


class BuildingForm(forms.Form):
    estate = forms.CharField(label=_("小区"), max_length=50, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    name = forms.CharField(label=_("楼栋"), max_length=50, widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "3号楼"}))
    address = forms.CharField(label=_("地址"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    units = forms.CharField(label=_("单元（用逗号分隔，可空）"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "1单元,2单元"}))


class GridForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("社区"), widget=forms.Select(attrs={"class": "form-select"}))
    name = forms.CharField(label=_("网格名称"), max_length=50, widget=forms.TextInput(attrs={"class": "form-control"}))
    code = forms.CharField(label=_("网格编码"), max_length=40, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    area = forms.CharField(label=_("网格范围"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class AssignmentForm(forms.Form):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("网格员"),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    started_on = forms.DateField(label=_("开始日期"), widget=DateInput(attrs={"class": "form-control"}))
    note = forms.CharField(label=_("说明"), max_length=100, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, grid: Grid, **kwargs):
        super().__init__(*args, **kwargs)
        community = grid.community
        ancestors = [int(p) for p in community.path.strip(".").split(".")]
        self.fields["user"].queryset = get_user_model().objects.filter(
            roles__role=Role.GRID_WORKER, roles__org__in=ancestors, is_active=True).distinct().order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.get_full_name() or u.username}（{u.username}）"
        self.fields["started_on"].initial = timezone.localdate()


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60, widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "2023年三季度户籍摸排"}))
    grids = forms.ModelMultipleChoiceField(queryset=Grid.objects.none(), label=_("摸排网格"), widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput(attrs={"class": "form-control"}))
    deadline = forms.DateField(label=_("截止日期"), widget=DateInput(attrs={"class": "form-control"}))
    note = forms.CharField(label=_("工作要求"), max_length=300, required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grids"].queryset = grids
        self.fields["grids"].initial = list(grids)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("deadline") and data["deadline"] < data["starts_on"]:
            self.add_error("deadline", _("截止日期不能早于开始日期"))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("居民登记表（.xlsx / .xls / .csv）"))
    community = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("导入到社区"), empty_label=None,
                                       widget=forms.Select(attrs={"class": "form-select"}))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False, initial=True)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx,.xls,.csv"})

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError(_("只支持 .xlsx、.xls、.csv 文件"))
        if f.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("文件超过 50 MB"))
        return f




class GridSettingsForm(forms.ModelForm):
    """The grid rules every community of this deployment follows (a blank keeps the default)."""

    DEFAULT = (("", _("默认：可以（每次均记录）")), ("true", _("可以（每次均记录）")), ("false", _("不可以")))
    worker_may_view_pii = forms.TypedChoiceField(label=_("网格员可查看完整身份证号/电话"), choices=DEFAULT, required=False,
                                                 coerce=lambda v: v == "true", empty_value=None)
    worker_may_export = forms.TypedChoiceField(label=_("网格员可导出本网格名册"), choices=DEFAULT, required=False,
                                               coerce=lambda v: v == "true", empty_value=None)

    class Meta:
        model = GridSettings
        fields = ["elderly_age", "worker_may_view_pii", "worker_may_export", "local_basis"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("worker_may_view_pii", "worker_may_export"):
            value = getattr(self.instance, name)
            self.initial[name] = "" if value is None else ("true" if value else "false")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def clean(self):
        data = super().clean()
        changed = data.get("elderly_age") is not None or data.get("worker_may_view_pii") is not None \
            or data.get("worker_may_export") is not None
        if changed and not (data.get("local_basis") or "").strip():
            self.add_error("local_basis", _("改动默认规则时请写明本地规定依据"))
        return data
