from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.lib.forms import BootstrapMixin

from .choices import STEP_CHOICES
from .models import Applicant, Step

DATE = forms.DateInput(attrs={"type": "date"})


class ApplicantForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Applicant
        fields = ["name", "sex", "birth_date", "applied_on", "education", "employer", "phone"]
        widgets = {"birth_date": DATE, "applied_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].required = True
        self.fields["applied_on"].required = True


class StepForm(BootstrapMixin, forms.ModelForm):
    code = forms.ChoiceField(label=_("步骤"), choices=[c for c in STEP_CHOICES if c[0] != "apply"])

    class Meta:
        model = Step
        fields = ["code", "done_on", "by", "people", "document", "doc_number", "doc_date", "starts_on", "ends_on",
                  "hours", "months", "votes_for", "votes_against", "reason", "note"]
        widgets = {"done_on": DATE, "doc_date": DATE, "starts_on": DATE, "ends_on": DATE}
        help_texts = {
            "starts_on": _("集中培训、公示的起始日期"), "ends_on": _("集中培训、公示的截止日期"),
            "months": _("延长预备期的月数"), "reason": _("超过时限时写明特殊情况"),
        }


class TransferOutForm(BootstrapMixin, forms.Form):
    member = forms.ModelChoiceField(label=_("党员"), queryset=None)
    on = forms.DateField(label=_("转出日期"), widget=DATE)
    letter_number = forms.CharField(label=_("介绍信编号"), max_length=60)
    letter_date = forms.DateField(label=_("介绍信日期"), widget=DATE)
    to_org = forms.ModelChoiceField(label=_("转往本系统内的党组织"), queryset=None, required=False,
                                    help_text=_("转往本街道其他党支部时选择；转往外单位时留空并填写下一项"))
    to_place = forms.CharField(label=_("转往外单位党组织"), max_length=100, required=False)
    dues_paid_to = forms.DateField(label=_("党费交至"), required=False, widget=forms.DateInput(attrs={"type": "month"}),
                                   input_formats=["%Y-%m", "%Y-%m-%d"], help_text=_("应交至转出当月"))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, members=None, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["to_org"].queryset = orgs


class TransferInForm(BootstrapMixin, forms.Form):
    org = forms.ModelChoiceField(label=_("转入党支部/党小组"), queryset=None)
    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=[("", "—"), ("男", "男"), ("女", "女")], required=False)
    birth_date = forms.DateField(label=_("出生日期"), widget=DATE, required=False)
    status = forms.ChoiceField(label=_("党员状态"), choices=[("正式", "正式党员"), ("预备", "预备党员")])
    joined_on = forms.DateField(label=_("入党日期"), widget=DATE)
    confirmed_on = forms.DateField(label=_("转正日期"), widget=DATE, required=False)
    from_place = forms.CharField(label=_("原所在党组织"), max_length=100)
    letter_number = forms.CharField(label=_("介绍信编号"), max_length=60)
    letter_date = forms.DateField(label=_("介绍信日期"), widget=DATE)
    on = forms.DateField(label=_("收到介绍信日期"), widget=DATE, help_text=_("组织关系自这一天起计入本支部"))

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class ReceiptForm(forms.Form):
    on = forms.DateField(label=_("回执收到日期"))
