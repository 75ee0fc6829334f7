"""The counted reach (what figures read) and the narrowed lapse search give what walking the whole
roll in Python gave: the reference below is the computation they replaced, kept to compare with."""

from datetime import date, timedelta

import pytest
from django.db.models import Max, Min
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.lib.periods import Period
from dangjian.meetings.choices import EXCUSED_MARKS, PRESENT_MARKS, Mark, Status
from dangjian.meetings.models import Activity, Attendance, RuleSetting, Send, Visit
from dangjian.meetings.reach import _month_index, _month_label, compute, roll_day
from dangjian.members.choices import EventKind
from dangjian.members.models import Member, belonging_since
from dangjian.members.services import member_archive, member_move, member_transfer_in
from dangjian.testing.factories import MemberFactory

from .helpers import held, send, visit

pytestmark = pytest.mark.django_db
START = date(2023, 1, 1)


def reference(org, period, as_of, ruleset) -> tuple[int, set[int], list[tuple]]:
    """(roll size, reached ids, lapses) as the whole roll walked in Python said them."""
    day = roll_day(period, as_of)
    members = list(Member.objects.in_org_on(org, day))
    ids = {m.pk for m in members}
    first, last = period.first_day, period.last_day
    reached = set(Attendance.objects.filter(member__in=ids, mark__in=PRESENT_MARKS, activity__status=Status.SUBMITTED,
                                            activity__held_on__gte=first, activity__held_on__lte=last)
                  .values_list("member_id", flat=True))
    reached |= set(Visit.objects.filter(member__in=ids, visited_on__gte=first, visited_on__lte=last)
                   .values_list("member_id", flat=True))
    sends = Send.objects.filter(member__in=ids, sent_on__gte=first, sent_on__lte=last)
    if ruleset.send_needs_confirmation:
        sends = sends.filter(confirmed_on__isnull=False)
    reached |= set(sends.values_list("member_id", flat=True))
    start = Activity.objects.submitted().aggregate(first=Min("held_on"))["first"]
    warn, flag = ruleset.lapse_warn, ruleset.lapse_flag
    out = []
    if start is not None and (warn.enabled or flag.enabled):
        last_contact: dict[int, date] = {}
        rows = [*Attendance.objects.filter(member__in=ids, mark__in=EXCUSED_MARKS, activity__status=Status.SUBMITTED,
                                           activity__held_on__lte=day).values("member_id")
                .annotate(d=Max("activity__held_on")).values_list("member_id", "d"),
                *Visit.objects.filter(member__in=ids, visited_on__lte=day).values("member_id")
                .annotate(d=Max("visited_on")).values_list("member_id", "d")]
        sends = Send.objects.filter(member__in=ids, sent_on__lte=day)
        if ruleset.send_needs_confirmation:
            sends = sends.filter(confirmed_on__isnull=False)
        rows += list(sends.values("member_id").annotate(d=Max("sent_on")).values_list("member_id", "d"))
        for member_id, d in rows:
            if d and (member_id not in last_contact or d > last_contact[member_id]):
                last_contact[member_id] = d
        end_index = _month_index(day) - (1 if Period.of(day, "month").last_day >= as_of else 0)
        thresholds = [(m.months, m is flag) for m in (flag, warn) if m.enabled]
        since = belonging_since(org, day, ids)
        for m in members:
            contact = last_contact.get(m.pk)
            if contact is not None and _month_index(contact) >= end_index:
                continue
            joined = since.get(m.pk)
            first_owed = max(_month_index(start), _month_index(joined) if joined else 0)
            begin = max(_month_index(contact) + 1 if contact else first_owed, first_owed)
            months = end_index - begin + 1
            for threshold, is_flag in thresholds:
                if months >= threshold:
                    out.append((m.pk, months, contact, _month_label(begin), is_flag, m.name_pinyin))
                    break
    out.sort(key=lambda x: (-x[1], x[5]))
    return len(members), reached, [x[:5] for x in out]


def lapse_rows(r) -> list[tuple]:
    return [(x.member.pk, x.months, x.last_contact, x.since, x.flagged) for x in r.lapses]


CONTACT = st.tuples(st.sampled_from(["present", "late", "sick", "absent", "visit", "send", "send_confirmed"]),
                    st.integers(min_value=0, max_value=600))
PERSON = st.tuples(st.sampled_from(["stay", "left", "came", "moved"]), st.integers(min_value=1, max_value=500),
                   st.lists(CONTACT, max_size=4))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(PERSON, max_size=5), period=st.sampled_from(["2023Q3", "2024", "2024-05", "2023Q1"]),
       confirm=st.booleans(), warn=st.sampled_from([None, 1, 2]))
def test_it_counts_and_lists_what_walking_the_roll_did(world, people, period, confirm, warn):
    RuleSetting.objects.all().delete()
    if confirm:
        RuleSetting.objects.create(key="send_needs_confirmation", enabled=True, local_basis="本地要求")
    if warn is not None:
        RuleSetting.objects.create(key="lapse_warn", value=warn, local_basis="本地提前预警")
    Attendance.objects.all().delete()
    Activity.objects.all().delete()
    Visit.objects.all().delete()
    Send.objects.all().delete()
    for i, (fate, offset, contacts) in enumerate(people):
        on = START + timedelta(days=offset)
        member = MemberFactory(org=world.branch_a, name=f"随机{i}", since=START)
        if fate == "left":
            member_archive(member=member, kind=EventKind.TRANSFER_OUT, on=on)
        elif fate == "came":
            member_archive(member=member, kind=EventKind.TRANSFER_OUT, on=START + timedelta(days=1))
            member_transfer_in(member=member, on=on)
        elif fate == "moved":
            member_move(member=member, org=world.branch_b, on=on)
        for kind, days in contacts:
            when = START + timedelta(days=days)
            if kind in ("present", "late", "sick", "absent"):
                mark = {"present": Mark.PRESENT, "late": Mark.LATE, "sick": Mark.SICK, "absent": Mark.ABSENT}[kind]
                held(world.branch_a, "theme_day", when, marks={member: mark})
            elif kind == "visit":
                visit(member, when)
            else:
                send(member, when, confirmed=when if kind == "send_confirmed" else None)
    ruleset = RuleSetting.objects.ruleset()
    p, as_of = Period.parse(period), date(2024, 5, 20)
    for org in (world.community, world.branch_a):
        total, reached, lapses = reference(org, p, as_of, ruleset)
        listed = compute(org, p, as_of=as_of, ruleset=ruleset)
        counted = compute(org, p, as_of=as_of, ruleset=ruleset, listed=False)
        assert (listed.total, {m.pk for m in listed.reached}, lapse_rows(listed)) == (total, reached, lapses)
        assert (counted.total, counted.reached_count, lapse_rows(counted)) == (total, len(reached), lapses)


def test_it_will_not_list_a_roll_it_only_counted(world):
    with pytest.raises(ValueError):
        compute(world.community, Period.parse("2023Q3"), listed=False).not_reached  # noqa: B018
