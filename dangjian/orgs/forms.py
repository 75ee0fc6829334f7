from django import forms

from dangjian.lib.forms import BootstrapMixin

from .models import Org


class OrgForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Org
        fields = ["name", "short_name", "code", "secretary", "founded_on", "term_started_on", "term_ends_on", "dissolved_on", "sort"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                   for f in ("founded_on", "term_started_on", "term_ends_on", "dissolved_on")}
