from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.lib.forms import BootstrapMixin
from dangjian.lib.periods import Period
from dangjian.lib.workdays import WorkCalendar
from dangjian.orgs.models import OrgKind, RoleAssignment
from dangjian.orgs.scoping import visible_orgs

from .choices import PlanKind
from .models import Measure, PlanItem, Problem, ProblemCategory, ProblemSource, WorkPlan


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _org_field(form: forms.Form, user) -> None:
    field = form.fields["org"]
    field.queryset = visible_orgs(user).exclude(kind=OrgKind.GROUP)
    field.label_from_instance = lambda o: ("　" * max(o.depth - 1, 0)) + o.name


def _people(user):
    """Accounts a reminder may go to: those with a role inside the user's visible orgs."""
    ids = RoleAssignment.objects.filter(org__in=visible_orgs(user)).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


class _PeopleMixin:
    def _people_field(self, user) -> None:
        field = self.fields["owner_user"]
        field.queryset = _people(user)
        field.label_from_instance = lambda u: f"{u.get_full_name() or u.username}（{u.username}）"


class _WorkingDaysDeadline(forms.Form):
    """A deadline typed as a date, or as "N working days from today" (节假日、调休 counted)."""

    within_days = forms.IntegerField(label=_("或：自今日起 N 个工作日内"), required=False, min_value=1, max_value=250,
                                     help_text=_("按国务院节假日安排（含调休上班日）计算"))

    def resolve_deadline(self, data: dict, field: str = "deadline") -> None:
        if not data.get(field) and data.get("within_days"):
            data[field] = WorkCalendar().add_working_days(timezone.localdate(), data["within_days"])
        if not data.get(field) and field not in self.errors:
            self.add_error(field, _("请填写时限，或填写工作日天数"))


class PlanForm(BootstrapMixin, forms.ModelForm):
    period = forms.CharField(label=_("期间"), required=False, help_text=_("年度填 2023，半年 2023H1，季度 2023Q3"))

    class Meta:
        model = WorkPlan
        fields = ["org", "title", "kind", "period", "start_on", "end_on", "campaign_tag", "summary"]
        widgets = {"start_on": DateInput(), "end_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _org_field(self, user)
        for name in ("start_on", "end_on"):
            self.fields[name].required = False
            self.fields[name].help_text = _("专项计划填写；年度/半年/季度计划按期间自动确定")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and kind != PlanKind.CAMPAIGN:
            text = data.get("period") or ""
            try:
                period = Period.parse(text)
            except ValueError as exc:
                self.add_error("period", str(exc) if text else _("请填写期间，如 2023、2023H1、2023Q3"))
                return data
            if period.kind != kind:
                self.add_error("period", _("期间“%(p)s”与计划类型“%(k)s”不一致") % {"p": period.label, "k": PlanKind(kind).label})
                return data
            data["period"], data["start_on"], data["end_on"] = str(period), period.first_day, period.last_day
        elif kind == PlanKind.CAMPAIGN:
            data["period"] = ""
            for name in ("start_on", "end_on"):
                if not data.get(name):
                    self.add_error(name, _("专项计划须填写开始和结束日期"))
        return data


class PlanItemForm(_PeopleMixin, BootstrapMixin, forms.ModelForm, _WorkingDaysDeadline):
    class Meta:
        model = PlanItem
        fields = ["title", "detail", "owner", "owner_user", "deadline", "sort"]
        widgets = {"deadline": DateInput(), "detail": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._people_field(user)
        self.fields["deadline"].required = False
        self.fields["sort"].required = False

    def clean(self):
        data = super().clean()
        self.resolve_deadline(data)
        return data


class MilestoneForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("节点内容"), max_length=200)
    deadline = forms.DateField(label=_("节点时限"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class DoneForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label=_("完成日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def clean_done_on(self):
        day = self.cleaned_data["done_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("完成日期不能晚于今天"))
        return day


class ProgressForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label=_("日期"), widget=DateInput())
    text = forms.CharField(label=_("推进情况"), widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(BootstrapMixin, forms.Form):
    label = forms.CharField(label=_("佐证名称"), max_length=120)
    url = forms.CharField(label=_("链接"), max_length=500,
                          help_text=_("粘贴本系统内记录页面的地址（如一次活动记录），或外部 http(s) 网址"))


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class ProblemForm(BootstrapMixin, forms.ModelForm):
    causes = forms.CharField(label=_("原因分析"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("每行一条原因"))

    class Meta:
        model = Problem
        fields = ["org", "title", "description", "category", "source", "found_on", "plan"]
        widgets = {"found_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _org_field(self, user)
        self.fields["category"].queryset = ProblemCategory.objects.active()
        self.fields["source"].queryset = ProblemSource.objects.active()
        self.fields["plan"].queryset = WorkPlan.objects.visible_to(user).select_related("org")
        self.fields["plan"].label_from_instance = lambda p: f"{p.title}（{p.org.display_name}）"
        if self.instance.pk:
            del self.fields["causes"]
        else:
            self.fields["found_on"].initial = timezone.localdate()

    def clean_found_on(self):
        day = self.cleaned_data["found_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("发现日期不能晚于今天"))
        return day

    def cause_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("causes", "").splitlines() if line.strip()]


class CauseForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 2}))


class MeasureForm(_PeopleMixin, BootstrapMixin, forms.ModelForm, _WorkingDaysDeadline):
    class Meta:
        model = Measure
        fields = ["title", "detail", "owner", "owner_user", "deadline"]
        widgets = {"deadline": DateInput(), "detail": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._people_field(user)
        self.fields["deadline"].required = False

    def clean(self):
        data = super().clean()
        self.resolve_deadline(data)
        return data


class MeasureDoneForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label=_("完成日期"), widget=DateInput())
    result = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("整改成效及佐证材料说明"))

    def clean_done_on(self):
        day = self.cleaned_data["done_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("完成日期不能晚于今天"))
        return day


class SignOffForm(BootstrapMixin, forms.Form):
    confirm = forms.BooleanField(label=_("本人已审核整改材料，整改措施全部完成，同意销号"))
    note = forms.CharField(label=_("销号意见"), max_length=300, required=False)


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("重新打开原因"), max_length=300)


class HolidayScheduleForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    document = forms.CharField(label=_("通知文号/标题"), max_length=200,
                               help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知"))
    published_on = forms.DateField(label=_("发布日期"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("放假和调休上班日期"), widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("每行一项：日期或“起~止”日期，“休”或“班”，节日名称。"
                                       "如“2027-02-05~2027-02-11 休 春节”“2027-02-20 班 春节”"))
