from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.lib.crypto import blind_index
from dangjian.lib.forms import BootstrapMixin, keep_stored_values, mask_stored_fields
from dangjian.lib.idnumbers import validate_id
from dangjian.orgs.models import ABOVE_COMMUNITY_KINDS, Org, OrgKind
from dangjian.orgs.scoping import visible_orgs

from .models import Member, MemberEvent


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "name", "sex", "ethnicity", "birth_date", "id_number", "native_place", "education", "category",
            "joined_on", "confirmed_on", "status", "org", "party_post", "is_committee", "phone", "landline", "address",
            "employer", "introducers", "is_mobile", "mobile_place", "mobile_since", "mobile_reason",
            "has_mobile_card", "mobile_contact", "is_infirm", "in_hardship",
        ]
        widgets = {f: DateInput() for f in ("birth_date", "joined_on", "confirmed_on", "mobile_since")} | {
            "id_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "landline": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    member_since = forms.DateField(label=_("加入本组织日期"), required=False, widget=DateInput(),
                                   help_text=_("接收为预备党员或组织关系转入本支部的日期；不填为今天"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["member_since"]  # where the member belongs changes through life events
        self.fields["org"].queryset = visible_orgs(user).filter(kind__in=(OrgKind.BRANCH, OrgKind.GROUP))
        self.fields["org"].label_from_instance = lambda o: ("　" * max(o.depth - 2, 0)) + o.name
        # Personal data is never sent back to the browser in full (lib.forms.mask_stored_fields).
        self.fields["id_number"].required = not self.instance.pk
        if self.instance.pk:
            mask_stored_fields(self, {n: getattr(self.instance, n) or "" for n in ("id_number", "phone", "landline")},
                               clearable=("phone", "landline"))

    def clean_id_number(self) -> str:
        if not self.cleaned_data.get("id_number"):
            return ""  # kept or refused below
        try:
            return validate_id(self.cleaned_data["id_number"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    @staticmethod
    def _phone(value: str) -> str:
        phone = "".join(c for c in value or "" if c.isdigit() or c == "-")
        if phone and len(phone.replace("-", "")) not in (7, 8, 11, 12):
            raise forms.ValidationError(_("电话号码位数不对"))
        return phone

    def clean_phone(self) -> str:
        return self._phone(self.cleaned_data.get("phone", ""))

    def clean_landline(self) -> str:
        return self._phone(self.cleaned_data.get("landline", ""))

    def save(self, commit: bool = True, *, user=None) -> Member:
        """A new member belongs to their org from today; an edit takes effect today (a dated
        change — 转正, 外出, 转出 … — is a life event on the member page)."""
        from .services import member_create, member_reconcile

        member = super().save(commit=False)
        today = timezone.localdate()
        if member.pk is None:
            return member_create(member=member, since=self.cleaned_data.get("member_since") or today, user=user)
        if user is not None:
            member._history_user = user
        member.save()
        member_reconcile(member=member, on=today, user=user)
        return member

    def clean(self):
        data = super().clean()
        keep_stored_values(self, data)
        id_number = data.get("id_number")
        if id_number:
            qs = Member.objects.filter(id_hash=blind_index(id_number))
            if self.instance.pk:
                qs = qs.exclude(pk=self.instance.pk)
            if qs.exists():
                self.add_error("id_number", _("该身份证号已在名册中"))
        return data


class EventForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = MemberEvent
        fields = ["kind", "on", "from_org", "to_org", "note"]
        widgets = {"on": DateInput()}


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("名册文件（.xlsx / .xls / .csv）"))
    org = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("导入到组织"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = visible_orgs(user).exclude(kind__in=ABOVE_COMMUNITY_KINDS)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError(_("只支持 .xlsx、.xls、.csv 文件"))
        if f.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("文件超过 10 MB"))
        return f


