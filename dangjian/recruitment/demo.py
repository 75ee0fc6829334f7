"""Demo: people at every stage in each community's first branches — one talk overdue, one
probation ending this quarter — and the roster's 预备党员 tracked to their 转正."""

from __future__ import annotations

from datetime import date, timedelta

from dangjian.lib.periods import Period, add_months
from dangjian.lib.workdays import WorkCalendar

from . import services
from .choices import NUMBERED, ONGOING

D = timedelta


def plan(applied: date, calendar: WorkCalendar) -> dict[str, tuple[date, dict]]:
    """A plausible file: each step's date and fields, keeping every time rule."""
    activist = applied + D(days=60)
    candidate = add_months(activist, 12) + D(days=10)
    training = candidate + D(days=40)
    publicity = calendar.next_working_day(training + D(days=7))
    publicity_end = calendar.add_working_days(publicity, 4)
    meeting = publicity_end + D(days=30)
    ends = add_months(meeting, 12)
    return {
        "talk": (applied + D(days=14), {"by": "支部书记"}),
        "activist": (activist, {"by": "支部委员会", "note": "党员推荐"}),
        "activist_filing": (activist + D(days=7), {"by": "社区党委"}),
        "contacts": (activist + D(days=7), {"people": "王建国、李秀英"}),
        "candidate": (candidate, {"by": "支部委员会"}),
        "candidate_filing": (candidate + D(days=5), {}),
        "introducers": (candidate + D(days=5), {"people": "王建国、李秀英"}),
        "political_review": (candidate + D(days=25), {"doc_number": f"政审〔{candidate.year}〕{applied.day}号"}),
        "training": (training + D(days=2), {"starts_on": training, "ends_on": training + D(days=2), "hours": 24}),
        "branch_review": (publicity_end, {"starts_on": publicity, "ends_on": publicity_end}),
        "pre_review": (publicity_end + D(days=10), {"doc_number": f"预审〔{publicity_end.year}〕{applied.month}号"}),
        "application_form": (publicity_end + D(days=15), {"doc_number": f"{applied:%y%m%d}{applied.day:02d}"}),
        "branch_meeting": (meeting, {"votes_for": 15, "votes_against": 0}),
        "committee_talk": (meeting + D(days=10), {"by": "社区党委委员"}),
        "approval": (meeting + D(days=30), {"doc_number": f"社党〔{meeting.year}〕{meeting.month}号"}),
        "approval_filing": (meeting + D(days=35), {}),
        "assign": (meeting + D(days=35), {}),
        "oath": (meeting + D(days=45), {}),
        "conversion_application": (add_months(meeting, 11), {}),
        "conversion_meeting": (ends, {"votes_for": 16, "votes_against": 0}),
        "conversion_approval": (ends + D(days=20), {"doc_number": f"社党〔{ends.year}〕{ends.month}号"}),
        "archive": (ends + D(days=30), {}),
    }


ORDER = [s.code for s in NUMBERED if s.code not in ONGOING and s.code != "apply"]


def _person(ctx, branch, name: str, applied: date, until: str | None, calendar, user, today: date):
    """An applicant with every step before `until` (None: all of them) that is not in the future."""
    rng = ctx.rng_for(f"recruitment:{name}")
    birth = date(applied.year - rng.randint(20, 40), rng.randint(1, 12), rng.randint(1, 28))
    a = services.applicant_create(org=branch, name=name, birth_date=birth, applied_on=applied, user=user,
                                  sex=rng.choice(["男", "女"]), employer=rng.choice(["社区居委会", "街道卫生服务中心", "个体经营", "物业公司"]),
                                  today=today)
    steps = plan(applied, calendar)
    for code in ORDER:
        if code == until:
            break
        on, fields = steps[code]
        if on > today:
            break
        services.step_record(applicant=a, code=code, done_on=on, user=user, today=today, calendar=calendar, **fields)
        if code == "activist":
            last = steps["conversion_approval"][0] if until is None else today
            for months in range(3, 48, 3):
                day = add_months(on, months)
                if day > min(today, last):
                    break
                services.step_record(applicant=a, code="report", done_on=day, user=user, today=today, note="书面思想汇报")
            for months in range(6, 48, 6):
                day = add_months(on, months)
                if day > min(today, steps["branch_meeting"][0]):
                    break
                services.step_record(applicant=a, code="review", done_on=day, user=user, today=today, by="党支部")
    return a


def _applied_for(step: str, day: date, calendar) -> date:
    """The application date that puts `step` on about `day`."""
    base = date(2020, 1, 6)
    return day - (plan(base, calendar)[step][0] - base)


def seed(ctx) -> None:
    today = ctx.today
    calendar = WorkCalendar()
    user = ctx.users.get("dangwu")
    quarter = Period.of(today, "quarter")
    for demo in ctx.communities:
        if not demo.branches:
            continue
        fake = ctx.fake
        b1, b2 = demo.branches[0], demo.branches[-1]
        people = [
            (b1, today - D(days=10), "talk"),                                  # 申请入党, talk due
            (b2, today - D(days=45), "talk"),                                  # 申请入党, talk overdue
            (b1, _applied_for("activist", today - D(days=150), calendar), "candidate"),   # 积极分子
            (b2, _applied_for("training", today - D(days=20), calendar), "branch_review"),  # 发展对象
            (b1, _applied_for("branch_meeting", today - D(days=25), calendar), "approval"),  # awaiting approval
            # A probation ending this quarter (the branch meeting a year before a day in it).
            (b2, _applied_for("branch_meeting", add_months(max(quarter.last_day - D(days=10), today), -12), calendar),
             "conversion_meeting"),
            (b1, _applied_for("conversion_approval", today - D(days=120), calendar), None),  # converted
        ]
        if not demo.detailed:
            # A district's 400 communities get the two fresh applicants only: the probationer's
            # file is some forty steps through the services, minutes over a district.
            people = people[:2] + ([] if getattr(ctx, "n_streets", 1) > 1 else people[5:6])
        for branch, applied, until in people:
            _person(ctx, branch, fake.name(), applied, until, calendar, user, today)
        services.probationers_adopt_all(org=demo.org, user=user)
        if demo.detailed:
            _transfer_awaiting_receipt(demo, today, user)


def _transfer_awaiting_receipt(demo, today: date, user) -> None:
    """One member transferred out of the deployment three weeks ago, the 回执 not back yet."""
    from dangjian.members.models import Member
    from dangjian.members.transfers import transfer_out

    member = (Member.objects.in_org(demo.branches[-1]).current().filter(status="正式", user__isnull=True)
              .order_by("pk").last())
    if member is None:
        return
    on = today - D(days=21)
    transfer_out(member=member, on=on, letter_number=f"组转〔{on.year}〕{on.month:02d}{on.day:02d}号", letter_date=on,
                 to_place="浙江省杭州市西湖区某街道党工委", dues_paid_to=on.replace(day=1), user=user,
                 note="随子女迁居杭州")
