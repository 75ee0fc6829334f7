"""Organisational life in numbers for an org subtree and a period: what the dashboard, the
`--json` command output and the duty report read. A fixed number of aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from dangjian.lib.figures import Figure, Relation, at_most, link, named_terms, sums_to
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org

from . import compliance as compliance_mod
from . import reach as reach_mod
from .choices import PRESENT_MARKS, Status
from .models import Activity, Attendance, RuleSetting, SelfStudy, Send, Visit


@dataclass
class MeetingFigures:
    org: Org
    period: Period
    held: Figure  # submitted activities held in the period
    branches_ok: Figure  # branches meeting every requirement owed so far
    branches_short: Figure  # branches with a requirement missed
    attendance_rate: Figure
    reached: Figure
    not_reached: Figure
    visits: Figure
    visited_members: Figure
    sends: Figure
    sent_members: Figure
    sends_confirmed: Figure
    self_study: Figure
    self_study_members: Figure
    self_study_hours: Figure
    lapse_warnings: Figure
    lapse_flags: Figure
    secretary_lectures: Figure
    combined: Figure  # activities counted under more than one type (同时开展)
    extra_counts: Figure  # how many counts the types add beyond one per activity
    by_type: list[dict] = field(default_factory=list)  # {key, label, required, held, held_total, …, link}
    compliance: compliance_mod.Compliance | None = None
    reach: reach_mod.Reach | None = None
    by_tag: list[dict] = field(default_factory=list)  # {name, held, link}: held activities per tag (主题教育 …)
    study_by_source: list[dict] = field(default_factory=list)  # {source, records, members, hours, points, link}

    FIGURES = ("held", "branches_ok", "branches_short", "attendance_rate", "reached", "not_reached", "visits",
               "visited_members", "sends", "sent_members", "sends_confirmed", "self_study", "self_study_members",
               "self_study_hours", "lapse_warnings", "lapse_flags", "secretary_lectures", "combined", "extra_counts")

    def parts(self) -> list[dict]:
        """The types "共开展组织生活N次，其中…" lists: one entry per activity type (支部书记讲党课 is a
        part of 党课, not a type of its own). Their `held_total`s add up to held + extra_counts."""
        return [t for t in self.by_type if t["part"]]

    def relations(self) -> list[Relation]:
        """What must hold between these figures (checked by `dangjian verify` and the report's 自检)."""
        held, extra = self.held.value, self.extra_counts.value
        parts = [(t["label"], t["held_total"]) for t in self.parts()]
        total = self.reach.total if self.reach is not None else self.reached.value + self.not_reached.value
        lecture = next((t["held_total"] for t in self.parts() if t["type_code"] == "lecture"), 0)
        named = named_terms(parts)
        return [
            Relation("meetings.parts", "各类组织生活次数之和 = 开展组织生活次数 + 同时计入多类而多计的次数",
                     {"开展组织生活": held, "多计次数": extra, "同时计入多类的活动": self.combined.value, **named},
                     sum(named.values()) == held + extra),
            at_most("meetings.combined", ("同时计入多类的活动", self.combined.value), ("多计次数", extra)),
            sums_to("meetings.reach", ("党员数", total),
                    {self.reached.label: self.reached.value, self.not_reached.label: self.not_reached.value},
                    text="覆盖 + 未覆盖 = 党员数"),
            at_most("meetings.lapses", (self.lapse_flags.label, self.lapse_flags.value),
                    (self.lapse_warnings.label, self.lapse_warnings.value)),
            at_most("meetings.secretary_lectures", (self.secretary_lectures.label, self.secretary_lectures.value),
                    ("党课", lecture)),
            at_most("meetings.branches", ("达标支部 + 未达标支部", self.branches_ok.value + self.branches_short.value),
                    ("支部数", len(self.compliance.branches) if self.compliance is not None else 0)),
            at_most("meetings.sends_confirmed", (self.sends_confirmed.label, self.sends_confirmed.value),
                    (self.sends.label, self.sends.value)),
        ]

    def as_json(self) -> dict:
        return {"org": self.org.name, "period": str(self.period),
                **{k: getattr(self, k).as_json() for k in self.FIGURES}, "by_type": self.by_type,
                "by_tag": self.by_tag, "study_by_source": self.study_by_source}


def for_period(org: Org, period: Period, *, as_of: date | None = None) -> MeetingFigures:
    as_of = as_of or timezone.localdate()
    ruleset = RuleSetting.objects.ruleset()
    comp = compliance_mod.check(org, period, as_of=as_of, ruleset=ruleset)
    reach = reach_mod.compute(org, period, as_of=as_of, ruleset=ruleset, listed=False)
    p = str(period)
    first, last = period.first_day, period.last_day

    acts = Activity.objects.in_org(org).held_in(period)
    held = acts.count()
    turnout = Attendance.objects.filter(activity__in=acts).aggregate(
        expected=Count("pk"), attended=Count("pk", filter=Q(mark__in=PRESENT_MARKS)))
    rate = round(100 * turnout["attended"] / turnout["expected"], 1) if turnout["expected"] else 0
    visits = Visit.objects.in_org(org).filter(visited_on__gte=first, visited_on__lte=last).aggregate(
        n=Count("pk"), members=Count("member", distinct=True))
    sends = Send.objects.in_org(org).filter(sent_on__gte=first, sent_on__lte=last).aggregate(
        n=Count("pk"), members=Count("member", distinct=True), confirmed=Count("pk", filter=Q(confirmed_on__isnull=False)))
    study = SelfStudy.objects.in_org(org).filter(studied_on__gte=first, studied_on__lte=last).aggregate(
        n=Count("pk"), members=Count("member", distinct=True), hours=Sum("hours"))
    tagged = (acts.filter(tags__isnull=False).values("tags__name").annotate(n=Count("pk", distinct=True))
              .order_by("tags__name"))
    by_tag = [{"name": r["tags__name"], "held": r["n"],
               "link": link("meeting_list", org=org.pk, period=p, tag=r["tags__name"], status=Status.SUBMITTED)}
              for r in tagged]
    by_source = (SelfStudy.objects.in_org(org).filter(studied_on__gte=first, studied_on__lte=last)
                 .values("source").annotate(n=Count("pk"), n_members=Count("member", distinct=True), sum_hours=Sum("hours"),
                                            sum_points=Sum("points"), with_points=Count("pk", filter=Q(points__isnull=False)))
                 .order_by("-n", "source"))
    study_by_source = [{"source": r["source"], "records": r["n"], "members": r["n_members"], "hours": r["sum_hours"] or 0,
                        "points": r["sum_points"] if r["with_points"] else None,
                        "link": link("study_list", org=org.pk, period=p, source=r["source"])} for r in by_source]
    secretary_total = next((t.held_total for t in comp.by_type if t.key == "secretary_lecture"), 0)

    secretary_only = {r.key for r in ruleset.frequency if r.secretary_only}
    seen: set[str] = set()
    by_type = [{
        "key": t.key or t.type_code, "label": t.label, "type_code": t.type_code, "required": t.required, "held": t.held, "held_total": t.held_total,
        "met_units": t.met_units, "owed_units": t.owed_units, "missing_units": t.missing_units, "source": t.source,
        "link": link("meeting_list", org=org.pk, period=p, type=t.type_code, status=Status.SUBMITTED),
        "part": t.key not in secretary_only and not (t.type_code in seen or seen.add(t.type_code)),
    } for t in comp.by_type]
    # Activities held together (同时开展) count under each of their types: say how many, and how many counts that adds.
    links = (Activity.also_types.through.objects.filter(activity__in=acts)
             .exclude(activitytype_id=F("activity__type_id"))
             .aggregate(n=Count("pk"), activities=Count("activity", distinct=True)))
    total = reach.total
    return MeetingFigures(
        org=org, period=period,
        held=Figure("开展组织生活", held, link("meeting_list", org=org.pk, period=p, status=Status.SUBMITTED), "次"),
        branches_ok=Figure("组织生活达标支部", comp.count(compliance_mod.GREEN),
                           link("meeting_compliance", org=org.pk, period=p), "个"),
        branches_short=Figure("组织生活未达标支部", comp.count(compliance_mod.RED),
                              link("meeting_compliance", org=org.pk, period=p), "个"),
        attendance_rate=Figure("平均参会率", rate, link("meeting_list", org=org.pk, period=p, status=Status.SUBMITTED), "%"),
        reached=Figure("组织生活覆盖党员", reach.reached_count, link("meeting_reach", org=org.pk, period=p), f"/{total}人"),
        not_reached=Figure("未覆盖党员", reach.not_reached_count, link("meeting_reach", org=org.pk, period=p) + "#not-reached", "人"),
        visits=Figure("送学上门", visits["n"], link("visit_list", org=org.pk, period=p), "次"),
        visited_members=Figure("送学上门党员", visits["members"], link("visit_list", org=org.pk, period=p), "人"),
        sends=Figure("寄学", sends["n"], link("send_list", org=org.pk, period=p), "次"),
        sent_members=Figure("寄学流动党员", sends["members"], link("send_list", org=org.pk, period=p), "人"),
        sends_confirmed=Figure("寄学已确认", sends["confirmed"], link("send_list", org=org.pk, period=p, confirmed="1"), "次"),
        self_study=Figure("自学记录", study["n"], link("study_list", org=org.pk, period=p), "条"),
        self_study_members=Figure("参加自学党员", study["members"], link("study_list", org=org.pk, period=p), "人"),
        self_study_hours=Figure("自学时长", study["hours"] or 0, link("study_list", org=org.pk, period=p), "小时"),
        # "3个月以上" includes those at 6 months and more.
        lapse_warnings=Figure(f"连续{ruleset.lapse_warn.months}个月以上未参加组织生活", len(reach.lapses),
                              link("meeting_reach", org=org.pk, period=p) + "#lapses", "人"),
        lapse_flags=Figure(f"连续{ruleset.lapse_flag.months}个月以上未参加组织生活", len(reach.flagged),
                           link("meeting_reach", org=org.pk, period=p) + "#lapses", "人"),
        secretary_lectures=Figure("支部书记讲党课", secretary_total,
                                  link("meeting_list", org=org.pk, period=p, type="lecture", secretary="1",
                                       status=Status.SUBMITTED), "次"),
        combined=Figure("同时计入两类以上的活动", links["activities"],
                        link("meeting_list", org=org.pk, period=p, status=Status.SUBMITTED, combined="1"), "次"),
        extra_counts=Figure("分类统计中多计的次数", links["n"],
                            link("meeting_list", org=org.pk, period=p, status=Status.SUBMITTED, combined="1"), "次"),
        by_type=by_type, compliance=comp, reach=reach, by_tag=by_tag, study_by_source=study_by_source,
    )


def attended_by(org: Org, period: Period, member_id: int | None) -> dict[str, Figure]:
    """How often one member (e.g. the secretary who reports) was present at the subtree's submitted
    activities of the period, and at 集中学习 among them — the record behind "带头参加集中学习".
    None (no such member) counts nothing, in the same one query."""
    p = str(period)
    acts = Activity.objects.in_org(org).held_in(period).filter(
        attendance__member_id=member_id, attendance__mark__in=PRESENT_MARKS)
    counts = acts.aggregate(all=Count("pk", distinct=True),
                            study=Count("pk", distinct=True, filter=Q(type__code="study") | Q(also_types__code="study")))
    base = {"org": org.pk, "period": p, "status": Status.SUBMITTED, "attended": member_id}
    return {
        "attended": Figure("本人参加组织生活", counts["all"], link("meeting_list", **base), "次"),
        "attended_study": Figure("本人参加集中学习", counts["study"], link("meeting_list", type="study", **base), "次"),
    }


@dataclass
class AppraisalFigures:
    """民主评议党员 decided by meetings held in a period: who was rated, and how many at each 等次."""

    org: Org
    period: Period
    appraised: Figure
    by_result: list[Figure]


def appraisal_for_period(org: Org, period: Period) -> AppraisalFigures:
    from .choices import AppraisalResult
    from .models import Appraisal

    rows = dict(Appraisal.objects.filter(activity__org__path__startswith=org.path,
                                         activity__held_on__gte=period.first_day, activity__held_on__lte=period.last_day)
                .values_list("result").annotate(n=Count("pk")))
    by_result = [Figure(f"评为{r.label}", rows.get(r.value, 0),
                        link("appraisal_list", org=org.pk, period=str(period), result=r.value), "人")
                 for r in AppraisalResult]
    return AppraisalFigures(org, period, Figure("参加民主评议党员", sum(rows.values()),
                                                link("appraisal_list", org=org.pk, period=str(period)), "人"), by_result)
