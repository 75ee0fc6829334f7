from __future__ import annotations

import re
import secrets
from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.lib.forms import BootstrapMixin, within_years
from dangjian.lib.money import CENT
from dangjian.orgs.models import ABOVE_COMMUNITY_KINDS, Org
from dangjian.orgs.scoping import visible_orgs

from .calculator import COUNTED_ITEMS, EXCLUDED_ITEMS
from .choices import BASE_CATEGORIES, DuesCategory, InsuranceDeduction, Method, PaySchedule, ReliefKind
from .models import DuesSettings


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MonthField(forms.CharField):
    """`<input type="month">`: "2023-07" (also 2023/7, 2023年7月) → date(2023, 7, 1)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2023-07"})
    default_validators = [within_years]

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*", value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("月份格式应为 2023-07"))
        return date(int(match.group(1)), int(match.group(2)), 1)

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value


def money_field(label, *, required=False, min_value=Decimal("0"), **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, min_value=min_value, max_digits=12, decimal_places=2,
                              widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **kwargs)


class PaymentForm(BootstrapMixin, forms.Form):
    MODE_AUTO, MODE_MONTHS = "auto", "months"
    paid_on = forms.DateField(label=_("交纳日期"), widget=DateInput())
    amount = money_field(_("交纳金额（元）"), required=True, min_value=CENT)
    extra = money_field(_("其中自愿多交（元）"), initial=Decimal("0"),
                        help_text=_("自愿多交不计入应交和欠交"))
    mode = forms.ChoiceField(label=_("冲抵月份"), initial=MODE_AUTO, widget=forms.RadioSelect, choices=[
        (MODE_AUTO, _("自动：从最早欠交的月份起依次冲抵（补交、本月、预交）")),
        (MODE_MONTHS, _("指定月份（按季度交纳、预交、补交指定月份）")),
    ])
    from_month = MonthField(label=_("自"), required=False)
    to_month = MonthField(label=_("至"), required=False)
    method = forms.ChoiceField(label=_("交纳方式"), choices=Method.choices)
    receipt_no = forms.CharField(label=_("收据号"), max_length=40, required=False)
    collected_by = forms.CharField(label=_("收款人"), max_length=50, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    # One-time: issued with the form, stored on the entry it books (dues_entry_form_token_once).
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64, error_messages={
        "required": _("表单已过期，请刷新页面后重新填写")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.MODE_MONTHS:
            first, last = data.get("from_month"), data.get("to_month") or data.get("from_month")
            if not first:
                self.add_error("from_month", _("请选择起始月份"))
            elif last < first:
                self.add_error("to_month", _("截止月份不能早于起始月份"))
            else:
                data["to_month"] = last
        if data.get("extra") and data.get("amount") and data["extra"] > data["amount"]:
            self.add_error("extra", _("自愿多交不能大于交纳金额"))
        if data.get("paid_on") and data["paid_on"] > timezone.localdate():
            self.add_error("paid_on", _("交纳日期不能晚于今天"))
        return data


class ReverseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=200)


class BaseForm(BootstrapMixin, forms.Form):
    effective_month = MonthField(label=_("起始月份"))
    category = forms.ChoiceField(label=_("党费类别"), choices=DuesCategory.choices)
    base = money_field(_("月交纳基数（元）"), help_text=_("在职：税后工资收入；离退休：离退休费总额；年薪制：当月实际领取；个体：上季度月平均纯收入"))
    fixed_amount = money_field(_("月交纳金额（元）"), help_text=_("农民党员0.2—1元，或“其他”类别由支部确定"))
    document = forms.CharField(label=_("核定依据"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if category in BASE_CATEGORIES and data.get("base") is None:
            self.add_error("base", _("该类别须填写交纳基数"))
        if category in (DuesCategory.FARMER, DuesCategory.OTHER) and data.get("fixed_amount") is None:
            self.add_error("fixed_amount", _("该类别须填写每月交纳金额"))
        return data


class ReliefForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ReliefKind.choices)
    monthly_amount = money_field(_("减交后每月交纳（元）"))
    from_month = MonthField(label=_("起始月份"))
    to_month = MonthField(label=_("截止月份"), required=False, help_text=_("留空＝直至取消"))
    reason = forms.CharField(label=_("原因"), max_length=200)
    branch_decided_on = forms.DateField(label=_("支部决定日期"), widget=DateInput())
    approved_by = forms.CharField(label=_("批准的上级党组织"), max_length=100)
    approval_document = forms.CharField(label=_("批准文件/文号"), max_length=100)
    approved_on = forms.DateField(label=_("批准日期"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("kind") == ReliefKind.REDUCE and data.get("monthly_amount") is None:
            self.add_error("monthly_amount", _("减交须填写每月金额"))
        if data.get("approved_on") and data.get("branch_decided_on") and data["approved_on"] < data["branch_decided_on"]:
            self.add_error("approved_on", _("批准日期不能早于支部决定日期"))
        return data


class ReliefEndForm(BootstrapMixin, forms.Form):
    to_month = MonthField(label=_("截止月份"))


class ProfileForm(BootstrapMixin, forms.Form):
    pay_schedule = forms.ChoiceField(label=_("交纳方式"), choices=PaySchedule.choices)
    voluntary_extra = money_field(_("每月自愿多交（元）"), required=True, initial=Decimal("0"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


CALC_CATEGORIES = [(c.value, c.label) for c in DuesCategory if c in BASE_CATEGORIES]


class CalculatorForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(label=_("党费类别"), choices=CALC_CATEGORIES, initial=DuesCategory.EMPLOYED)
    tax = money_field(_("个人所得税（按工资条实扣）"))
    insurance = money_field(_("个人缴纳的社会保险费"))
    housing_contribution = money_field(_("个人缴存的住房公积金"))
    deduct_insurance = forms.ChoiceField(label=_("是否扣除个人缴纳的社保、公积金"), required=False,
                                         widget=forms.RadioSelect,
                                         choices=[("deduct", _("扣除")), ("keep", _("不扣除"))])
    amount = money_field(_("金额（元）"), help_text=_("离退休：每月离退休费（养老金）总额；年薪制：当月实际领取的薪酬"))
    income1 = money_field(_("上季度第1个月纯收入"), min_value=None)
    income2 = money_field(_("上季度第2个月纯收入"), min_value=None)
    income3 = money_field(_("上季度第3个月纯收入"), min_value=None)
    effective_month = MonthField(label=_("核定起始月份"), required=False)
    CUSTOM_ROWS = 3

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in (*COUNTED_ITEMS, *EXCLUDED_ITEMS):
            self.fields[f"item_{key}"] = money_field(label)
        for i in range(1, self.CUSTOM_ROWS + 1):
            self.fields[f"custom{i}_name"] = forms.CharField(label=_("其他项目名称"), max_length=50, required=False)
            self.fields[f"custom{i}_amount"] = money_field(_("金额"))
            self.fields[f"custom{i}_counts"] = forms.ChoiceField(
                label=_("是否计入"), required=False, choices=[("", "—"), ("yes", _("计入")), ("no", _("不计入"))])
        setting = rules.value("insurance_deduction") if rules else InsuranceDeduction.UNDECIDED
        self.insurance_setting = setting
        if setting:
            self.fields["deduct_insurance"].disabled = True
            self.fields["deduct_insurance"].initial = setting
        # BootstrapMixin styled the declared fields; these were added after it ran.
        for name, field in self.fields.items():
            if name.startswith(("item_", "custom")):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css

    def counted_fields(self):
        return [self[f"item_{k}"] for k, _ in COUNTED_ITEMS]

    def excluded_fields(self):
        return [self[f"item_{k}"] for k, _ in EXCLUDED_ITEMS]

    def custom_rows(self):
        return [(self[f"custom{i}_name"], self[f"custom{i}_amount"], self[f"custom{i}_counts"])
                for i in range(1, self.CUSTOM_ROWS + 1)]

    def clean(self):
        data = super().clean()
        for i in range(1, self.CUSTOM_ROWS + 1):
            name, amount, counts = (data.get(f"custom{i}_{k}") for k in ("name", "amount", "counts"))
            if amount and not counts:
                self.add_error(f"custom{i}_counts", _("请选择该项目是否计入基数（文件未列明的项目由您判断）"))
            if amount and not name:
                self.add_error(f"custom{i}_name", _("请填写项目名称"))
        return data

    def calculator_kwargs(self) -> dict:
        d = self.cleaned_data
        choice = d.get("deduct_insurance") or self.insurance_setting
        return {
            "items": {k: d.get(f"item_{k}") for k, _ in (*COUNTED_ITEMS, *EXCLUDED_ITEMS)},
            "custom": [(d[f"custom{i}_name"], d[f"custom{i}_amount"], d[f"custom{i}_counts"] == "yes")
                       for i in range(1, self.CUSTOM_ROWS + 1) if d.get(f"custom{i}_amount")],
            "tax": d.get("tax"), "insurance": d.get("insurance"),
            "housing_contribution": d.get("housing_contribution"),
            "deduct_insurance": {"deduct": True, "keep": False}.get(choice),
            "amount": d.get("amount"),
            "incomes": [d.get("income1"), d.get("income2"), d.get("income3")],
        }


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("交费名单（微信/支付宝/银行导出，或自制表格：.xlsx / .xls / .csv）"))
    org = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("匹配范围（组织）"))
    method = forms.ChoiceField(label=_("默认交纳方式"), choices=Method.choices, initial=Method.WECHAT,
                               help_text=_("文件中没有“交纳方式”列时使用"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = visible_orgs(user).exclude(kind__in=ABOVE_COMMUNITY_KINDS)
        # The top of the clerk's own subtree (most clerks keep one branch's or one community's books).
        self.fields["org"].initial = self.fields["org"].queryset.order_by("path").first()

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError(_("只支持 .xlsx、.xls、.csv 文件"))
        if f.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("文件超过 10 MB"))
        return f


class DuesSettingsForm(BootstrapMixin, forms.ModelForm):
    """An organisation's own dues rules. A blank field follows the level above (the street, then the
    system default); the rate tables of 中组发〔2008〕3号 are not changed here."""

    class Meta:
        model = DuesSettings
        fields = ["base_mode", "insurance_deduction", "farmer_min", "farmer_max", "fixed_amount", "remit_threshold",
                  "warn_months", "alarm_months", "max_back_pay_months", "max_prepay_months", "ledger_start",
                  "local_basis", "note"]
        widgets = {"ledger_start": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}
