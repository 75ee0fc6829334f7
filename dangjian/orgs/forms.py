from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.lib.forms import BootstrapMixin

from .models import Org, Role


class OrgForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Org
        fields = ["name", "short_name", "code", "secretary", "founded_on", "term_started_on", "term_ends_on", "dissolved_on", "sort"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                   for f in ("founded_on", "term_started_on", "term_ends_on", "dissolved_on")}


class AccountForm(BootstrapMixin, forms.Form):
    """A new account: who it is, and its first role."""

    name = forms.CharField(label=_("姓名"), max_length=150)
    username = forms.RegexField(label=_("用户名"), max_length=150, regex=r"^[A-Za-z0-9_.@+-]+$",
                                help_text=_("登录用，字母、数字或 _ . - 组成，如姓名拼音"),
                                error_messages={"invalid": _("用户名只能由字母、数字和 _ . @ + - 组成")})
    role = forms.ChoiceField(label=_("角色"))
    org = forms.ModelChoiceField(label=_("所属组织"), queryset=Org.objects.none())

    def __init__(self, *args, roles: list[str], orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["org"].queryset = orgs
        if len(orgs) == 1:
            self.fields["org"].initial = orgs[0]


class RoleForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("角色"))
    org = forms.ModelChoiceField(label=_("所属组织"), queryset=Org.objects.none())

    def __init__(self, *args, roles: list[str], orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["org"].queryset = orgs


class PasswordChangeForm(BootstrapMixin, forms.Form):
    old = forms.CharField(label=_("原密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new = forms.CharField(label=_("新密码"), min_length=8, help_text=_("至少8位，不要用常见密码"),
                          widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    again = forms.CharField(label=_("再输入一次"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new") and data.get("again") and data["new"] != data["again"]:
            self.add_error("again", _("两次输入的新密码不一致"))
        return data
