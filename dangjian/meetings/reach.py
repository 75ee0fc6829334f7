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

from django.db.models import Exists, Max, Min, OuterRef, Subquery
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.members.models import Member, belonging_since
from dangjian.members.models import roll_day as member_roll_day
from dangjian.orgs.models import Org

from .choices import EXCUSED_MARKS, PRESENT_MARKS, Status
from .models import Activity, Attendance, RuleSetting, Send, Visit
from .rules import Ruleset


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
    # Counted, not listed (`compute(..., listed=False)`, what figures read): the roll's size and
    # how many of it were reached; `members` and the three sets are then empty.
    counted: dict[str, int] | None = None

    @property
    def reached_ids(self) -> set[int]:
        return self.attended | self.visited | self.sent

    @property
    def reached(self) -> list[Member]:
        self._require_listed()
        ids = self.reached_ids
        return [m for m in self.members if m.pk in ids]

    @property
    def not_reached(self) -> list[Member]:
        self._require_listed()
        ids = self.reached_ids
        return [m for m in self.members if m.pk not in ids]

    def _require_listed(self) -> None:
        if self.counted is not None:
            raise ValueError("compute(..., listed=False) counts the roll without listing it")

    @property
    def total(self) -> int:
        return self.counted["total"] if self.counted is not None else len(self.members)

    @property
    def reached_count(self) -> int:
        return self.counted["reached"] if self.counted is not None else len(self.reached)

    @property
    def not_reached_count(self) -> int:
        return self.total - self.reached_count

    def count_of(self, way: str) -> int:
        """Members of the roll reached this way (attended, visited, sent)."""
        return self.counted[way] if self.counted is not None else len(getattr(self, way))

    @property
    def rate(self) -> float | None:
        return round(100 * self.reached_count / self.total, 1) if self.total else None

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


ROLL_FIELDS = ("name", "name_pinyin", "org__name", "org__path", "org__kind", "org__parent__name", "is_mobile",
               "is_infirm", "joined_on", "archived_on", "status")  # what a listed roll shows


def _reached_ids(period, ruleset):
    """Subqueries of the member ids attended, visited and sent to in the period (the send counting
    only once confirmed when the rules say so)."""
    first, last = period.first_day, period.last_day
    attended = (Attendance.objects.filter(mark__in=PRESENT_MARKS, activity__status=Status.SUBMITTED,
                                          activity__held_on__gte=first, activity__held_on__lte=last)
                .order_by().values("member_id"))
    visited = Visit.objects.filter(visited_on__gte=first, visited_on__lte=last).order_by().values("member_id")
    sends = Send.objects.filter(sent_on__gte=first, sent_on__lte=last)
    if ruleset.send_needs_confirmation:
        sends = sends.filter(confirmed_on__isnull=False)
    return attended, visited, sends.order_by().values("member_id")


def compute(org: Org, period: Period, *, as_of: date | None = None, ruleset: Ruleset | None = None,
            listed: bool = True) -> Reach:
    """Reach and lapse warnings for org's subtree: a fixed number of queries, whatever the data size.
    With `listed=False` the roll is counted in the database rather than loaded (the figures need
    only how many); the lapses are the same either way."""
    as_of = as_of or timezone.localdate()
    ruleset = ruleset or RuleSetting.objects.ruleset()
    day = roll_day(period, as_of)
    roll = Member.objects.in_org_on(org, day)
    # The ids reached each way among the members on that day's roll (wherever they belong now):
    # three set-based reads (the roll is a semi-join), at most one id per member of the roll. Not
    # `Count(filter=Q(pk__in=subquery))`: PostgreSQL cannot hash a subquery larger than work_mem and
    # then scans it once per member of the roll (minutes for a district).
    in_roll = {"member__in": roll.values("pk")}
    # order_by(): the models' default ordering would otherwise join into the DISTINCT.
    attended, visited, sent = (set(ids.filter(**in_roll).values_list("member_id", flat=True).distinct())
                               for ids in _reached_ids(period, ruleset))
    if not listed:
        counted = {"total": roll.order_by().count(), "reached": len(attended | visited | sent),
                   "attended": len(attended), "visited": len(visited), "sent": len(sent)}
        reach = Reach(org=org, period=period, as_of=as_of, ruleset=ruleset, members=[], counted=counted)
        reach.lapses = lapses(org, None, end=day, as_of=as_of, ruleset=ruleset)
        return reach
    members = list(roll.select_related("org", "org__parent").only(*ROLL_FIELDS))
    reach = Reach(org=org, period=period, as_of=as_of, ruleset=ruleset, members=members,
                  attended=attended, visited=visited, sent=sent)
    reach.lapses = lapses(org, members, end=day, as_of=as_of, ruleset=ruleset)
    return reach


def _without(queryset, ids):
    """`queryset` without the members `ids` (a values("member_id") queryset) names: NOT EXISTS,
    which PostgreSQL runs as an anti-join, not NOT IN, which it cannot hash beyond work_mem."""
    return queryset.filter(~Exists(ids.filter(member=OuterRef("pk"))))


def _with(queryset, ids):
    return queryset.filter(Exists(ids.filter(member=OuterRef("pk"))))


def listing(reach: Reach, limit: int) -> dict[str, list[Member]]:
    """The first `limit` members (in roll order) not reached, and reached only by a visit or only by
    a send — what the reach page lists beside the counts of a counted Reach (a district's roll is
    too long to load to list a few)."""
    org, period, ruleset = reach.org, reach.period, reach.ruleset
    roll = (Member.objects.in_org_on(org, roll_day(period, reach.as_of)).select_related("org", "org__parent")
            .only(*ROLL_FIELDS))
    attended, visited, sent = _reached_ids(period, ruleset)
    return {
        "not_reached": list(_without(_without(_without(roll, attended), visited), sent)[:limit]),
        "only_visit": list(_without(_without(_with(roll, visited), attended), sent)[:limit]),
        "only_send": list(_without(_without(_with(roll, sent), attended), visited)[:limit]),
    }


def lapses(org: Org, members: list[Member] | None, *, end: date, as_of: date, ruleset: Ruleset) -> list[Lapse]:
    """Members whose months without organisational life reach the warning (or the flag), longest first.

    `members` is the roll on `end` when already loaded (None: only the lapsed are loaded). Only a
    member with no contact since the start of the shortest threshold's window can have lapsed, so
    the database names those first and the last contact is looked up for them alone."""
    warn, flag = ruleset.lapse_warn, ruleset.lapse_flag
    if not warn.enabled and not flag.enabled:
        return []
    start = Activity.objects.submitted().aggregate(first=Min("held_on"))["first"]
    if start is None:
        return []  # no records at all: nothing to measure against
    # The last whole month: a month still running (as_of inside it) is not held against anyone.
    end_index = _month_index(end)
    if Period.of(end, "month").last_day >= as_of:
        end_index -= 1
    thresholds = [(m.months, m is flag) for m in (flag, warn) if m.enabled]
    shortest = min(t for t, _ in thresholds)

    def contacts(since: date | None):
        """Attendance (present or excused), visits and sends up to `end` (and from `since`)."""
        att = Attendance.objects.filter(mark__in=EXCUSED_MARKS, activity__status=Status.SUBMITTED,
                                        activity__held_on__lte=end)
        vis = Visit.objects.filter(visited_on__lte=end)
        snd = Send.objects.filter(sent_on__lte=end)
        if since is not None:
            att, vis, snd = (att.filter(activity__held_on__gte=since), vis.filter(visited_on__gte=since),
                             snd.filter(sent_on__gte=since))
        if ruleset.send_needs_confirmation:
            snd = snd.filter(confirmed_on__isnull=False)
        return att, vis, snd

    roll = Member.objects.in_org_on(org, end)  # `members`, when given, are this roll
    lapsed = roll
    if shortest >= 1:
        # A contact in month end_index - shortest + 1 or later leaves fewer months than any threshold.
        window = end_index - shortest + 1
        att, vis, snd = contacts(date(window // 12, window % 12 + 1, 1))
        for recent in (att, vis, snd):
            lapsed = _without(lapsed, recent.order_by().values("member_id"))
    # Each candidate's last contact (up to `end`) read in the same query that names them.
    att, vis, snd = contacts(None)
    # MAX per member, not ORDER BY … LIMIT 1: with a LIMIT PostgreSQL walks the activities backwards
    # by date and probes each for the member (every activity, for a member who never attended).
    def latest(qs, day: str):
        return Subquery(qs.filter(member=OuterRef("pk")).order_by().values("member").annotate(last=Max(day))
                        .values("last")[:1])

    lasts = {"last_att": latest(att, "activity__held_on"), "last_vis": latest(vis, "visited_on"),
             "last_snd": latest(snd, "sent_on")}
    last: dict[int, date] = {}

    def take(member_id: int, *days: date | None) -> None:
        known = [d for d in days if d]
        if known:
            last[member_id] = max(known)

    if members is None:
        candidates = list(lapsed.select_related("org", "org__parent").annotate(**lasts)
                          .only("name", "name_pinyin", "org__name", "org__path", "org__kind", "org__parent__name",
                                "is_mobile", "is_infirm", "joined_on", "archived_on", "status"))
        for m in candidates:
            take(m.pk, m.last_att, m.last_vis, m.last_snd)
    else:
        ids = set()
        for member_id, *days in lapsed.annotate(**lasts).order_by().values_list("pk", *lasts):
            ids.add(member_id)
            take(member_id, *days)
        candidates = [m for m in members if m.pk in ids]
    since = belonging_since(org, end, lapsed.values("pk"))
    result = []
    for member in candidates:
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
