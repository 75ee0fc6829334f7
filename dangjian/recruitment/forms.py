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
