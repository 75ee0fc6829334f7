"""Small builders for meeting tests: an activity with marks, in one line."""

from __future__ import annotations

from datetime import date

from dangjian.meetings.choices import Status, ensure_builtin_types
from dangjian.meetings.models import Activity, ActivityType, Attendance, Guest, Send, Visit
from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind
from dangjian.testing.factories import MemberFactory


def activity_type(code: str) -> ActivityType:
    ensure_builtin_types(ActivityType)  # browser tests flush the database between tests
    return ActivityType.objects.get(code=code)


def held(org: Org, code: str, on: date, *, status: str = Status.SUBMITTED, marks: dict[Member, str] | None = None,
         also: tuple[str, ...] = (), secretary: bool = False, has_vote: bool = False, guests: int = 0,
         planned: bool = False) -> Activity:
    """An activity of type `code` held on `on` (or only planned for it), with attendance marks."""
    kind = activity_type(code)
    a = Activity.objects.create(
        org=org, type=kind, status=status, topic=f"{code} {on}",
        held_on=None if planned else on, planned_on=on, host="主持人", recorder="记录人", minutes="记录",
        lecturer="讲课人" if code == "lecture" or "lecture" in also else "", is_secretary_lecture=secretary,
        has_vote=has_vote, return_reason="退回原因" if status == Status.RETURNED else "",
    )
    a.also_types.set(ActivityType.objects.filter(code__in=also))
    for member, mark in (marks or {}).items():
        Attendance.objects.create(activity=a, member=member, mark=mark, reason="无故" if mark == "缺席" else "")
    for i in range(guests):
        Guest.objects.create(activity=a, name=f"列席{i}")
    return a


def branch(parent: Org, name: str, **kwargs) -> Org:
    return Org.objects.create(kind=OrgKind.BRANCH, name=name, code=f"T-{name}", parent=parent, **kwargs)


def committee(org: Org, n: int = 3) -> list[Member]:
    return [MemberFactory(org=org, is_committee=True, name=f"支委{i}") for i in range(n)]


def visit(member: Member, on: date) -> Visit:
    return Visit.objects.create(org=member.org, member=member, visited_on=on, visitor="书记", material="党章")


def send(member: Member, on: date, confirmed: date | None = None) -> Send:
    return Send.objects.create(org=member.org, member=member, material="学习材料", channel="微信", sent_on=on,
                               confirmed_on=confirmed)
