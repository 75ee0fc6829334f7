from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.lib.periods import Period
from dangjian.orgs.models import OrgKind
from dangjian.orgs.scoping import visible_orgs

REPORT_ORG_KINDS = (OrgKind.COMMUNITY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)


class PeriodField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            period = Period.parse(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if period.kind == "month":
            raise forms.ValidationError("述职报告按季度、半年或年度起草，请写成 2023Q3、2023H1 或 2023")
        return period


class DraftForm(forms.Form):
    org = forms.ModelChoiceField(label=_("党组织"), queryset=None, widget=forms.Select(attrs={"class": "form-select"}))
    period = PeriodField(label=_("期间"), help_text=_("如 2023Q3（季度）、2023H1（半年）、2023（年度）"),
                         widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "2023Q3"}))
    reporter_name = forms.CharField(label=_("述职人"), max_length=50, widget=forms.TextInput(attrs={"class": "form-control"}))
    reporter_title = forms.CharField(label=_("述职人职务（署名用）"), max_length=60, required=False,
                                     help_text=_("留空则为“组织名称+书记”"),
                                     widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = visible_orgs(user).filter(kind__in=REPORT_ORG_KINDS).order_by("path")


class ParagraphForm(forms.Form):
    text = forms.CharField(label=_("段落内容"), widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}))


class MetaForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    dated_on = forms.DateField(label=_("成文日期"), widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}))


class ProtectForm(forms.Form):
    password = forms.CharField(
        label=_("限制编辑密码（可不填）"), required=False, max_length=15, strip=False,
        help_text=_("Word 只使用密码的前 15 个字符；密码不会保存在系统中，请自行牢记"),
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))


class BatchForm(forms.Form):
    with_pdf = forms.BooleanField(label=_("同时生成 PDF"), required=False,
                                  widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
