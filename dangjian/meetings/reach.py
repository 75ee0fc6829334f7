"""不落一人: which members organisational life and education reached in a period, and who has gone
without it for months (党章第九条: warn early, flag at six months — never remove anyone).

Reached in a period: attended (到会 or 迟到) a submitted activity held in it, or was visited at
home (送学上门), or was sent material (寄学; only confirmed sends when the deployment says so).

Months without organisational life: a month counts as *with* organisational life when the member
attended, was on leave from (病假/事假/公假 — a good reason), was visited, or was sent material.
The streak is the number of whole months since the last such month, up to the end of the period
(a month still in progress is not counted against anyone), starting no earlier than the month
the member joined this organisation (the unbroken membership of the org's subtree — a member
transferred in on 15 August is counted from August, whatever their 入党 date) or the first month
this system holds records for. The members are those on the roll on the period's roll day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, Min
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.members.models import Member, belonging_since
from dangjian.members.models import roll_day as member_roll_day
from dangjian.orgs.models import Org

from .choices import EXCUSED_MARKS, PRESENT_MARKS, Status
from .models import Activity, Attendance, Send, Visit
from .rules import Ruleset, effective


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_label(index: int) -> str:
    return f"{index // 12}年{index % 12 + 1}月"


@dataclass
class Lapse:
    member: Member
    months: int
    last_contact: date | None
    since: str  # the first month of the streak, e.g. 2023年1月
    flagged: bool


@dataclass
class Reach:
    org: Org
    period: Period
    as_of: date
    ruleset: Ruleset
    members: list[Member]
    attended: set[int] = field(default_factory=set)
    visited: set[int] = field(default_factory=set)
    sent: set[int] = field(default_factory=set)
    lapses: list[Lapse] = field(default_factory=list)

    @property
    def reached_ids(self) -> set[int]:
        return self.attended | self.visited | self.sent

    @property
    def reached(self) -> list[Member]:
        ids = self.reached_ids
        return [m for m in self.members if m.pk in ids]

    @property
    def not_reached(self) -> list[Member]:
        ids = self.reached_ids
        return [m for m in self.members if m.pk not in ids]

    @property
    def total(self) -> int:
        return len(self.members)

    @property
    def rate(self) -> float | None:
        return round(100 * len(self.reached) / self.total, 1) if self.total else None

    def only_by(self, way: str) -> list[Member]:
        """Members reached by this way alone (e.g. only by a home visit)."""
        sets = {"attended": self.attended, "visited": self.visited, "sent": self.sent}
        others = set().union(*(s for k, s in sets.items() if k != way))
        return [m for m in self.members if m.pk in sets[way] and m.pk not in others]

    @property
    def warnings(self) -> list[Lapse]:
        return [x for x in self.lapses if not x.flagged]

    @property
    def flagged(self) -> list[Lapse]:
        return [x for x in self.lapses if x.flagged]

    def ways(self, member: Member) -> list[str]:
        return [label for label, s in (("参加组织生活", self.attended), ("送学上门", self.visited), ("寄学", self.sent))
                if member.pk in s]

    def as_json(self) -> dict:
        def person(m: Member) -> dict:
            return {"id": m.pk, "name": m.name, "org": m.org.name, "is_mobile": m.is_mobile, "is_infirm": m.is_infirm}

        return {
            "org": self.org.name, "period": str(self.period), "total": self.total, "reached": len(self.reached),
            "rate": self.rate, "by_attendance": len(self.attended & {m.pk for m in self.members}),
            "by_visit": len(self.visited), "by_send": len(self.sent),
            "not_reached": [person(m) for m in self.not_reached],
            "warnings": [person(x.member) | {"months": x.months, "since": x.since} for x in self.warnings],
            "flagged": [person(x.member) | {"months": x.months, "since": x.since} for x in self.flagged],
        }


def roll_day(period: Period, as_of: date) -> date:
    """The day whose roll a period is measured against: its last day, or today for a current period."""
    return member_roll_day(period.first_day, period.last_day, as_of)


def compute(org: Org, period: Period, *, as_of: date | None = None, ruleset: Ruleset | None = None) -> Reach:
    """Reach and lapse warnings for org's subtree: a fixed number of queries, whatever the data size."""
    as_of = as_of or timezone.localdate()
    ruleset = ruleset or effective()
    day = roll_day(period, as_of)
    roll = Member.objects.in_org_on(org, day)
    members = list(roll.select_related("org", "org__parent")
                   .only("name", "name_pinyin", "org__name", "org__path", "org__kind", "org__parent__name", "is_mobile",
                         "is_infirm", "joined_on", "archived_on", "status"))
    # Records of the members on that day's roll (wherever they belong now).
    in_subtree = {"member__in": roll.values("pk")}
    first, last = period.first_day, period.last_day
    attended = set(Attendance.objects.filter(
        **in_subtree, mark__in=PRESENT_MARKS, activity__status=Status.SUBMITTED,
        activity__held_on__gte=first, activity__held_on__lte=last,
    ).order_by().values_list("member_id", flat=True).distinct())
    # order_by(): the models' default ordering would otherwise join into the DISTINCT.
    visited = set(Visit.objects.filter(**in_subtree, visited_on__gte=first, visited_on__lte=last)
                  .order_by().values_list("member_id", flat=True).distinct())
    sends = Send.objects.filter(**in_subtree, sent_on__gte=first, sent_on__lte=last)
    if ruleset.send_needs_confirmation:
        sends = sends.filter(confirmed_on__isnull=False)
    sent = set(sends.order_by().values_list("member_id", flat=True).distinct())
    reach = Reach(org=org, period=period, as_of=as_of, ruleset=ruleset, members=members,
                  attended=attended, visited=visited, sent=sent)
    reach.lapses = lapses(org, members, end=day, as_of=as_of, ruleset=ruleset)
    return reach


def lapses(org: Org, members: list[Member], *, end: date, as_of: date, ruleset: Ruleset) -> list[Lapse]:
    """Members whose months without organisational life reach the warning (or the flag), longest first."""
    warn, flag = ruleset.lapse_warn, ruleset.lapse_flag
    if not warn.enabled and not flag.enabled:
        return []
    start = Activity.objects.submitted().aggregate(first=Min("held_on"))["first"]
    if start is None:
        return []  # no records at all: nothing to measure against
    roll = Member.objects.in_org_on(org, end).values("pk")  # `members` are this roll
    in_subtree = {"member__in": roll}
    last: dict[int, date] = {}

    def take(rows) -> None:
        for member_id, day in rows:
            if day and (member_id not in last or day > last[member_id]):
                last[member_id] = day

    take(Attendance.objects.filter(**in_subtree, mark__in=EXCUSED_MARKS, activity__status=Status.SUBMITTED,
                                   activity__held_on__lte=end)
         .values("member_id").annotate(d=Max("activity__held_on")).values_list("member_id", "d"))
    take(Visit.objects.filter(**in_subtree, visited_on__lte=end).values("member_id").annotate(d=Max("visited_on"))
         .values_list("member_id", "d"))
    sends = Send.objects.filter(**in_subtree, sent_on__lte=end)
    if ruleset.send_needs_confirmation:
        sends = sends.filter(confirmed_on__isnull=False)
    take(sends.values("member_id").annotate(d=Max("sent_on")).values_list("member_id", "d"))

    # The last whole month: a month still running (as_of inside it) is not held against anyone.
    end_index = _month_index(end)
    if Period.of(end, "month").last_day >= as_of:
        end_index -= 1
    thresholds = [(m.months, m is flag) for m in (flag, warn) if m.enabled]
    since = belonging_since(org, end, roll)
    result = []
    for member in members:
        contact = last.get(member.pk)
        if contact is not None and _month_index(contact) >= end_index:
            continue
        joined = since.get(member.pk)
        first_owed = max(_month_index(start), _month_index(joined) if joined else 0)
        begin = _month_index(contact) + 1 if contact else first_owed
        begin = max(begin, first_owed)
        months = end_index - begin + 1
        for threshold, is_flag in thresholds:
            if months >= threshold:
                result.append(Lapse(member, months, contact, _month_label(begin), is_flag))
                break
    result.sort(key=lambda x: (-x.months, x.member.name_pinyin))
    return result
