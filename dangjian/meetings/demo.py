"""Demo organisational life from January 2023 to ctx.today.

和平社区 (the detailed community) gets every type with Chinese topics, lecturers, minutes and the
marks a paper sign-in sheet carries, 送学上门 to its infirm members, 寄学 to its mobile members,
学习强国 self-study, planned meetings on the calendar — and a few gaps: some branch-quarters are
red, a record was sent back, a meeting is overdue, two members drift away (one past six months).
The generated communities get the core 三会一课 with attendance, visits and sends, with random
gaps; everything is written with bulk_create so `dangjian demo --communities 20` stays fast.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from dangjian.lib.bulk import bulk_create_copying_history, insert_tuples
from dangjian.lib.periods import Period
from dangjian.members.models import Member

from .choices import PRESENT_MARKS, Channel, Mark, Status, StudySource, ensure_builtin_types
from .models import Activity, ActivityType, Appraisal, Attendance, Guest, SelfStudy, Send, Tag, Visit

START = date(2023, 1, 1)
PLACES = ["社区党群服务中心二楼会议室", "社区党员活动室", "社区新时代文明实践站", "社区党群服务中心一楼多功能厅"]
RED_PLACES = ["济南战役纪念馆", "解放阁", "山东省革命烈士陵园", "王尽美邓恩铭纪念馆"]

COMMITTEE_TOPICS = [
    "研究本月党员教育管理工作安排", "研究发展党员工作及入党积极分子培养考察", "研究党费收缴情况及困难党员帮扶",
    "研究本月主题党日活动方案", "传达学习街道党工委会议精神，研究贯彻落实措施", "研究流动党员管理和寄学工作",
    "研究年老体弱党员送学上门安排", "研究网格化治理中发挥党员作用的措施", "研究支部标准化规范化建设推进措施",
    "研究意识形态工作，分析党员思想动态", "研究志愿服务活动安排", "研究“双报到”党员参与社区服务情况",
]
THEME_DAY_TOPICS = {
    1: "新春走访慰问困难党员和老党员", 2: "学习贯彻党的二十大精神专题学习", 3: "学雷锋志愿服务进社区",
    4: "清明祭英烈，传承红色基因", 5: "重温入党誓词，坚定理想信念", 6: "党风廉政建设宣传教育月专题学习",
    7: "庆祝中国共产党成立{n}周年", 8: "“八一”拥军优属走访慰问", 9: "社区环境卫生整治志愿服务",
    10: "喜迎国庆，学习新中国史", 11: "消防安全宣传暨理论学习", 12: "“12·4”国家宪法日学习宪法",
}
LECTURE_TOPICS = [
    "深刻领悟“两个确立”的决定性意义", "学习贯彻党的二十大精神，奋进新征程", "以学铸魂、以学增智、以学正风、以学促干",
    "学习《中国共产党纪律处分条例》", "弘扬伟大建党精神，做新时代合格党员", "基层党组织在社区治理中的作用",
    "坚持和发展新时代“枫桥经验”", "学习《习近平新时代中国特色社会主义思想专题摘编》",
    "学习贯彻党的二十届三中全会精神", "践行全心全意为人民服务的根本宗旨",
]
CONGRESS_TOPICS = [
    ("通报支部本季度工作，讨论下季度工作计划", False), ("讨论接收预备党员", True), ("讨论预备党员按期转正", True),
    ("学习传达上级会议精神", False), ("评选表彰优秀共产党员", True), ("通报党费收缴和使用情况", False),
]
GROUP_TOPICS = [
    "学习《习近平谈治国理政》第四卷相关篇目", "交流学习心得体会", "学习《中国共产党章程》", "开展批评与自我批评",
    "交流联系服务群众情况", "学习传达上级文件精神", "读原著学原文悟原理", "学习“学习强国”平台推送文章",
]
STUDY_TOPICS = {
    2023: "学习贯彻习近平新时代中国特色社会主义思想主题教育集中学习", 2024: "党纪学习教育专题读书班",
    2025: "深入贯彻中央八项规定精神学习教育集中学习", 2026: "学习贯彻党的二十届四中全会精神集中学习",
}
MATERIALS = [
    "《习近平新时代中国特色社会主义思想专题摘编》", "党的二十大报告学习辅导百问", "《中国共产党章程》",
    "《中国共产党纪律处分条例》", "党的二十届三中全会《决定》学习辅导", "《习近平谈治国理政》第四卷",
    "社区党总支学习简报", "本月主题党日学习材料",
]
LEAVE_REASONS = {
    Mark.SICK: ["身体不适", "住院治疗", "腿脚不便"],
    Mark.PERSONAL: ["家中有事", "外出探亲", "照顾家人", "外出务工"],
    Mark.OFFICIAL: ["单位加班", "外出培训", "社区值班"],
}


def _months(until: date) -> list[Period]:
    months, m = [], Period("month", START.year, START.month)
    while m.first_day <= until:
        months.append(m)
        m = m.next()
    return months


def _weekday_on(month: Period, day: int) -> date:
    """The given day of the month, moved back to Friday when it falls on a weekend."""
    d = date(month.year, month.index, min(day, month.last_day.day))
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


@dataclass
class Plan:
    """One activity to create, with the rows that hang off it."""

    activity: Activity
    roster: list[tuple[Member, str, str]] = field(default_factory=list)
    also: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    guests: list[tuple[str, str]] = field(default_factory=list)


class CommunityDemo:
    def __init__(self, ctx, demo, types: dict[str, ActivityType], rng: random.Random, users: dict):
        self.ctx, self.demo, self.types, self.rng = ctx, demo, types, rng
        self.today = ctx.today
        self.detailed = demo.detailed
        self.users = users
        self.plans: list[Plan] = []
        self.by_branch: dict[int, list[Member]] = defaultdict(list)
        group_parent = {g.pk: g.parent_id for g in demo.groups}
        for m in demo.members:
            self.by_branch[group_parent.get(m.org_id, m.org_id)].append(m)
        self.by_group: dict[int, list[Member]] = defaultdict(list)
        for m in demo.members:
            if m.org_id in group_parent:
                self.by_group[m.org_id].append(m)
        self.gaps: set[tuple] = set()
        self.drift: dict[int, date] = {}  # member id → from when they stop coming without leave
        if self.detailed:
            self._plan_detailed_story()

    # --- who is who -------------------------------------------------------------------------
    def secretary(self, branch) -> Member:
        members = self.by_branch[branch.pk]
        return next((m for m in members if m.party_post == "书记"), members[0])

    def recorder(self, branch) -> Member:
        members = self.by_branch[branch.pk]
        return next((m for m in members if m.party_post == "组织委员"), members[-1])

    def _plan_detailed_story(self) -> None:
        b = self.demo.branches
        # Missed meetings that turn some branch-months and quarters red.
        self.gaps |= {("committee", b[2].pk, (2023, 8)), ("committee", b[2].pk, (2025, 2)),
                      ("committee", b[3].pk, (2024, 5)), ("theme_day", b[3].pk, (2024, 7)),
                      ("theme_day", b[1].pk, (2025, 10)), ("congress", b[3].pk, (2024, 5)),
                      ("congress", b[1].pk, (2025, 8)), ("secretary_lecture", b[2].pk, 2024)}
        groups = [g for g in self.demo.groups if g.parent_id == b[2].pk]
        if len(groups) > 1:
            self.gaps |= {("group", groups[1].pk, (2023, 11)), ("group", groups[1].pk, (2026, 9))}
        # Two members drift away: a 流动党员 who stops answering, and one who simply stops coming.
        mobile = [m for m in self.by_branch[b[0].pk] if m.is_mobile]
        if mobile:
            self.drift[mobile[0].pk] = date(2026, 4, 1)
        regular = [m for m in self.by_branch[b[1].pk] if not m.is_infirm and not m.is_committee]
        if regular:
            self.drift[regular[-1].pk] = date(2026, 7, 1)

    # --- marks --------------------------------------------------------------------------------
    def mark(self, m: Member, day: date) -> tuple[str, str]:
        r = self.rng.random()
        if m.pk in self.drift and day >= self.drift[m.pk]:
            return Mark.ABSENT, "未请假，多次联系未果" if m.is_mobile else "未请假"
        if m.is_infirm:
            if r < 0.8:
                return Mark.SICK, self.rng.choice(LEAVE_REASONS[Mark.SICK])
            return (Mark.PRESENT, "") if r < 0.97 else (Mark.LATE, "")
        if m.is_mobile and m.mobile_since and m.mobile_since <= day:
            if r < 0.75:
                return Mark.PERSONAL, f"在{m.mobile_place}务工" if m.mobile_place else "外出务工"
            if r < 0.82:
                return Mark.ABSENT, "外出未请假"
            return Mark.PRESENT, ""
        if r < 0.86:
            return Mark.PRESENT, ""
        if r < 0.9:
            return Mark.LATE, ""
        if r < 0.94:
            return Mark.PERSONAL, self.rng.choice(LEAVE_REASONS[Mark.PERSONAL])
        if r < 0.965:
            return Mark.SICK, self.rng.choice(LEAVE_REASONS[Mark.SICK])
        if r < 0.99:
            return Mark.OFFICIAL, self.rng.choice(LEAVE_REASONS[Mark.OFFICIAL])
        return Mark.ABSENT, "无故"

    def roster(self, members: list[Member], day: date, marked: bool) -> list[tuple[Member, str, str]]:
        on_roll = [m for m in members if not m.joined_on or m.joined_on <= day]
        if not marked:
            return [(m, "", "") for m in on_roll]
        return [(m, *self.mark(m, day)) for m in on_roll]

    # --- one activity ---------------------------------------------------------------------
    def add(self, *, org, code: str, day: date, topic: str, members: list[Member], branch, start: time,
            minutes: str, decisions: str = "", lecturer: Member | str | None = None, secretary_lecture: bool = False,
            has_vote: bool = False, also: list[str] | None = None, place: str | None = None, host: str | None = None,
            state: str | None = None, tags: list[str] | None = None, guests: list[tuple[str, str]] | None = None) -> Plan:
        held = day <= self.today and state != "planned"
        status = state if state in (Status.DRAFT, Status.RETURNED) else (Status.SUBMITTED if held else Status.DRAFT)
        sec, rec = self.secretary(branch), self.recorder(branch)
        lecturer_name = lecturer.name if isinstance(lecturer, Member) else (lecturer or "")
        end = (datetime.combine(day, start) + timedelta(minutes=self.rng.choice([60, 90, 90, 120]))).time()
        a = Activity(
            org=org, type=self.types[code], status=status, planned_on=day - timedelta(days=self.rng.randint(0, 3)) if held else day,
            planned_time=start, held_on=day if held else None, start_time=start if held else None,
            end_time=end if held else None, place=place or self.rng.choice(PLACES), topic=topic,
            host=host or sec.name, recorder=rec.name, lecturer=lecturer_name, is_secretary_lecture=secretary_lecture,
            has_vote=has_vote, minutes=minutes if held else "", decisions=decisions if held else "",
            created_by=self.users.get("creator"),
        )
        if status == Status.SUBMITTED:
            at = datetime.combine(day + timedelta(days=self.rng.randint(0, 3)), time(10, 30))
            at = min(timezone.make_aware(at), timezone.now())
            a.submitted_at, a.submitted_by = at, self.users.get("creator")
        if status == Status.RETURNED:
            a.submitted_at, a.submitted_by = timezone.make_aware(datetime.combine(day, time(17))), self.users.get("creator")
            a.returned_at = timezone.make_aware(datetime.combine(day + timedelta(days=2), time(9)))
            a.returned_by = self.users.get("signer")
            a.return_reason = "会议记录过于简单，请补充讨论内容、表决情况和缺席人员原因后重新提交"
        plan = Plan(a, self.roster(members, day, marked=held), also or [], tags or [], guests or [])
        self.plans.append(plan)
        return plan

    def tags_for(self, day: date) -> list[str]:
        tags = []
        if date(2023, 4, 1) <= day <= date(2023, 12, 31):
            tags.append("主题教育")
        if date(2024, 4, 1) <= day <= date(2024, 7, 31):
            tags.append("党纪学习教育")
        if date(2025, 3, 1) <= day <= date(2025, 7, 31):
            tags.append("中央八项规定精神学习教育")
        if day.month == 7:
            tags.append("七一")
        return tags

    # --- the year's programme for one branch -------------------------------------------
    def branch_month(self, branch, month: Period) -> None:
        rng, pk = self.rng, branch.pk
        members = self.by_branch[pk]
        if not members:
            return
        committee = [m for m in members if m.is_committee]
        sec = self.secretary(branch)
        key = (month.year, month.index)
        light_gap = (not self.detailed) and rng.random() < 0.04

        if ("committee", pk, key) not in self.gaps and not light_gap:
            day = _weekday_on(month, rng.randint(3, 8))
            topic = rng.choice(COMMITTEE_TOPICS)
            state = None
            if self.detailed and branch == self.demo.branches[2] and key == (2026, 10):
                state = Status.RETURNED
            if self.detailed and branch == self.demo.branches[3] and key == (self.today.year, self.today.month):
                day, state = _weekday_on(month, 10), "planned"
            self.add(org=branch, code="committee", day=day, topic=topic, members=committee, branch=branch,
                     start=time(9, 0), state=state,
                     minutes=f"{sec.name}主持会议，{topic}。与会支委结合支部实际逐项讨论，明确了责任分工和完成时限。",
                     decisions=f"1. 同意{topic.removeprefix('研究')}的安排；2. 由组织委员负责督促落实，下次支委会通报进展。")

        if ("theme_day", pk, key) not in self.gaps and not ((not self.detailed) and rng.random() < 0.03):
            day = _weekday_on(month, 15)
            topic = THEME_DAY_TOPICS[month.index].format(n=month.year - 1921)
            # A 党课 with the 主题党日 every quarter, and the branch secretary's own lecture for 七一.
            also: list[str] = []
            lecturer: Member | str | None = None
            secretary_lecture = False
            if month.index in (3, 6, 9, 12):
                also = ["lecture"]
                lecturer = rng.choice([m for m in members if m.is_committee and m != sec] or [sec])
            state = None
            if self.detailed and branch == self.demo.branches[0] and key == (self.today.year, self.today.month):
                day, state = min(_weekday_on(month, 20), self.today), Status.DRAFT
            lecture_topic = rng.choice(LECTURE_TOPICS)
            lecturer_name = getattr(lecturer, "name", lecturer)
            minutes = (f"全体党员重温入党誓词，{sec.name}带领集中学习{rng.choice(MATERIALS)}。"
                       + (f"{lecturer_name}以“{lecture_topic}”为题讲专题党课。" if also else "")
                       + "党员们结合自身实际交流了学习体会。")
            place = rng.choice(RED_PLACES) if month.index in (4, 7) else None
            self.add(org=branch, code="theme_day", day=day, topic=topic + (f"暨专题党课：{lecture_topic}" if also else ""),
                     members=members, branch=branch, start=time(9, 0) if month.index % 2 else time(14, 30),
                     minutes=minutes, lecturer=lecturer, secretary_lecture=secretary_lecture, also=also, place=place,
                     state=state, tags=self.tags_for(day) if self.detailed else [])

        if month.index == 7 and ("theme_day", pk, key) not in self.gaps:
            # 七一 党课: the branch secretary lectures (a teacher from the party school in a gap year).
            own = ("secretary_lecture", pk, month.year) not in self.gaps
            topic = rng.choice(LECTURE_TOPICS)
            self.add(org=branch, code="lecture", day=_weekday_on(month, 1), topic=f"七一专题党课：{topic}",
                     members=members, branch=branch, start=time(9, 0), lecturer=sec if own else "市委党校 王老师",
                     secretary_lecture=own, tags=self.tags_for(_weekday_on(month, 1)) if self.detailed else [],
                     minutes=f"{sec.name if own else '市委党校王老师'}以“{topic}”为题讲授专题党课，党员结合实际谈体会。")

        if month.index % 3 == 2 and ("congress", pk, key) not in self.gaps and not light_gap:
            day = _weekday_on(month, 25)
            topic, vote = rng.choice(CONGRESS_TOPICS)
            guests = [(self.ctx.fake.name(), "入党积极分子")] if self.detailed and vote else []
            self.add(org=branch, code="congress", day=day, topic=topic, members=members, branch=branch,
                     start=time(14, 30), has_vote=vote, guests=guests,
                     minutes=f"{sec.name}主持会议，通报支部工作情况。会议{topic}，到会党员充分发表意见。",
                     decisions="经到会有表决权的党员举手表决，同意。" if vote else "")
        for group in [g for g in self.demo.groups if g.parent_id == pk]:
            if ("group", group.pk, key) in self.gaps or ((not self.detailed) and rng.random() < 0.04):
                continue
            people = self.by_group[group.pk]
            if not people:
                continue
            leader = people[0]
            day = _weekday_on(month, rng.randint(18, 24))
            topic = rng.choice(GROUP_TOPICS)
            self.add(org=group, code="group", day=day, topic=topic, members=people, branch=branch, start=time(15, 0),
                     host=leader.name, place="社区党员活动室",
                     minutes=f"党小组长{leader.name}主持，{topic}。组员逐一发言，交流了学习体会和联系群众情况。")

        if month.index == 11:
            talkers = committee + rng.sample([m for m in members if not m.is_committee], k=min(4, len(members) - len(committee)))
            self.add(org=branch, code="talk", day=_weekday_on(month, 12), topic=f"{month.year}年度谈心谈话", members=talkers,
                     branch=branch, start=time(9, 30), place="社区党员活动室",
                     minutes="支委之间、支委与党员之间开展一对一谈心谈话，听取对支部工作的意见建议，交流思想。")
        if month.index == 12:
            # One branch held its 民主评议党员 on its own day in 2023; the others combine it.
            separate = self.detailed and branch == self.demo.branches[3] and month.year == 2023
            if separate:
                self.add(org=branch, code="appraisal", day=_weekday_on(month, 27), topic="2023年度民主评议党员",
                         members=members, branch=branch, start=time(9, 0),
                         minutes="党员个人自评、党员互评、民主测评，支委会综合评定等次。",
                         decisions="评定优秀党员3名，其余合格。")
            self.add(org=branch, code="life_meeting", day=_weekday_on(month, 20),
                     topic=f"{month.year}年度组织生活会" + ("" if separate else "暨民主评议党员"), members=members,
                     branch=branch, start=time(9, 0), also=[] if separate else ["appraisal"],
                     minutes="会前开展谈心谈话、征求意见。会上支部书记代表支委会作检视剖析，党员逐一对照检查，开展批评和自我批评，"
                             "并进行民主评议党员。",
                     decisions="民主评议结果：优秀和合格等次见评议表；对征求到的意见建立问题清单，限期整改。")

    def community_events(self, month: Period) -> None:
        """Community-level study and discipline education (和平社区 only)."""
        org, rng = self.demo.org, self.rng
        everyone = [m for members in self.by_branch.values() for m in members]
        host = self.secretary(self.demo.branches[0]).name
        if month.index in (3, 9):
            day = _weekday_on(month, 27)
            self.add(org=org, code="study", day=day, topic=STUDY_TOPICS.get(month.year, "集中学习"), members=everyone,
                     branch=self.demo.branches[0], start=time(9, 0), host=self.demo.org.secretary or host,
                     place="社区党群服务中心一楼多功能厅", tags=self.tags_for(day),
                     minutes=f"社区党总支组织全体党员集中学习{rng.choice(MATERIALS)}，党员代表交流发言。")
        if month.index == 6:
            day = _weekday_on(month, 20)
            self.add(org=org, code="discipline", day=day, topic="警示教育：观看廉政教育片，学习《中国共产党纪律处分条例》",
                     members=everyone, branch=self.demo.branches[0], start=time(14, 30),
                     host=self.demo.org.secretary or host, place="社区党群服务中心一楼多功能厅", tags=self.tags_for(day),
                     minutes="组织党员观看警示教育片，逐条学习纪律处分条例有关规定，并开展讨论。")

    def planned_next_month(self) -> None:
        month = Period.of(self.today, "month").next()
        for branch in self.demo.branches:
            committee = [m for m in self.by_branch[branch.pk] if m.is_committee]
            self.add(org=branch, code="committee", day=_weekday_on(month, 5), topic="研究年终工作总结和下一年度工作计划",
                     members=committee, branch=branch, start=time(9, 0), minutes="", state="planned")
            self.add(org=branch, code="theme_day", day=_weekday_on(month, 15), topic=THEME_DAY_TOPICS[month.index].format(n=month.year - 1921),
                     members=self.by_branch[branch.pk], branch=branch, start=time(9, 0), minutes="", state="planned")


def _insert_attendance(rows: list[tuple[int, int, str, str]]) -> None:
    """Generated communities' attendance, straight into the table (COPY on PostgreSQL): millions
    of rows in a district, seeded as records that predate change history (simple_history starts
    at the first change)."""
    insert_tuples(Attendance, ("activity_id", "member_id", "mark", "reason"), rows)


def _write(plans: list[Plan], types: dict[str, ActivityType], tags: dict[str, Tag], *, history: bool) -> int:
    activities = bulk_create_copying_history(Activity, [p.activity for p in plans], batch_size=1000)
    for plan, a in zip(plans, activities, strict=True):
        plan.activity = a
    Through = Activity.also_types.through
    Through.objects.bulk_create([Through(activity_id=p.activity.pk, activitytype_id=types[c].pk) for p in plans for c in p.also],
                                batch_size=2000)
    TagThrough = Activity.tags.through
    TagThrough.objects.bulk_create([TagThrough(activity_id=p.activity.pk, tag_id=tags[t].pk) for p in plans for t in p.tags],
                                   batch_size=2000)
    Guest.objects.bulk_create([Guest(activity_id=p.activity.pk, name=n, unit=u) for p in plans for n, u in p.guests])
    if history:
        rows = [Attendance(activity_id=p.activity.pk, member=m, mark=mark, reason=reason)
                for p in plans for m, mark, reason in p.roster]
        bulk_create_copying_history(Attendance, rows, batch_size=2000)
        return len(rows)
    raw = [(p.activity.pk, m.pk, mark, reason) for p in plans for m, mark, reason in p.roster]
    _insert_attendance(raw)
    return len(raw)


def _education(builder: CommunityDemo, creator) -> tuple[list, list, list]:
    """送学上门 each quarter for infirm members, 寄学 for mobile ones, 学习强国 self-study (和平社区)."""
    ctx, demo, rng, detailed = builder.ctx, builder.demo, builder.rng, builder.detailed
    today = ctx.today
    visits, sends, study = [], [], []
    branch_of = {m.pk: b for b in demo.branches for m in builder.by_branch[b.pk]}
    clerk = str(ctx.users["dangwu"]) if detailed and "dangwu" in ctx.users else "社区党务工作者"
    quarters, q = [], Period("quarter", START.year, 1)
    while q.first_day <= today:
        quarters.append(q)
        q = q.next()
    infirm = [m for m in demo.members if m.is_infirm]
    for q in quarters:
        for i, m in enumerate(infirm):
            # Some quarters a member is missed: unless they came to a meeting, they are "not reached".
            if rng.random() < (0.12 if detailed else 0.2) or (detailed and i == 0 and q.year == today.year):
                continue
            day = q.first_day + timedelta(days=rng.randint(5, 80))
            if day > today:
                continue
            material = rng.choice(MATERIALS)
            secretary = builder.secretary(branch_of[m.pk]).name if m.pk in branch_of else "支部书记"
            notes = ""
            if detailed:
                notes = (f"为{m.name}讲解{material}要点，老人精神状态{rng.choice(['良好', '尚可', '较好'])}，"
                         f"{rng.choice(['反映楼道灯不亮，已转网格员处理', '子女在外地，需定期探望', '无特殊困难', '希望多送些大字版学习材料'])}。")
            visits.append(Visit(org_id=m.org_id, member=m, visited_on=day, visitor=f"{secretary}、{clerk}",
                                material=material, notes=notes, created_by=creator))
    months = _months(today)
    for m in (m for m in demo.members if m.is_mobile):
        stop = builder.drift.get(m.pk)
        for month in months[:: 1 if detailed else 2]:
            day = _weekday_on(month, 8)
            if day > today or (m.mobile_since and day < m.mobile_since) or (stop and day >= stop) or rng.random() < 0.05:
                continue
            confirmed = day + timedelta(days=rng.randint(1, 6))
            ok = confirmed <= today and rng.random() < 0.9
            sends.append(Send(org_id=m.org_id, member=m, material=rng.choice(MATERIALS), sent_on=day,
                              channel=rng.choice([Channel.WECHAT] * 6 + [Channel.POST, Channel.SMS]),
                              confirmed_on=confirmed if ok else None, created_by=creator,
                              confirmation=rng.choice(["微信回复已学习", "电话确认已收到", "已提交学习心得"]) if ok else ""))
    if detailed:
        for m in (m for m in demo.members if not m.is_infirm and rng.random() < 0.7):
            for month in months:
                day = _weekday_on(month, 28)
                if day > today or (m.joined_on and day < m.joined_on) or rng.random() < 0.1:
                    continue
                study.append(SelfStudy(org_id=m.org_id, member=m, studied_on=day, source=StudySource.XUEXI,
                                       content=f"{month.index}月学习强国学习", hours=Decimal(rng.randint(8, 40)) / 2,
                                       points=rng.randint(300, 900), created_by=creator, imported=True))
    return visits, sends, study


def seed(ctx) -> None:
    rng = ctx.rng_for("meetings")
    ensure_builtin_types(ActivityType)
    types = {t.code: t for t in ActivityType.objects.all()}
    tag_names = ["主题教育", "党纪学习教育", "中央八项规定精神学习教育", "七一"]
    tags = {t.name: t for t in (Tag.objects.get_or_create(name=n)[0] for n in tag_names)}
    months = _months(ctx.today)
    counts = defaultdict(int)
    for demo in ctx.each_community():
        users = {"creator": ctx.users.get("dangwu"), "signer": ctx.users.get("shuji")} if demo.detailed else {}
        builder = CommunityDemo(ctx, demo, types, rng, users)
        for month in months:
            for branch in demo.branches:
                if not branch.founded_on or branch.founded_on <= month.last_day:
                    builder.branch_month(branch, month)
            if demo.detailed:
                builder.community_events(month)
        if demo.detailed:
            builder.planned_next_month()
        counts["activities"] += len(builder.plans)
        counts["attendance"] += _write(builder.plans, types, tags, history=demo.detailed)
        counts["appraisals"] += _appraisals(demo, rng, users.get("creator"))
        visits, sends, study = _education(builder, users.get("creator"))
        bulk_create_copying_history(Visit, visits)
        bulk_create_copying_history(Send, sends)
        bulk_create_copying_history(SelfStudy, study)
        counts["visits"] += len(visits)
        counts["sends"] += len(sends)
        counts["study"] += len(study)
    ctx.meetings_counts = dict(counts)
    _analyze()


def _appraisals(demo, rng, creator) -> int:
    """The 等次 each 民主评议 decided: three 优秀 a branch, now and then a 基本合格, the rest 合格;
    members away (流动) or absent are not rated that year."""
    meetings = (Activity.objects.filter(org__path__startswith=demo.org.path, held_on__isnull=False)
                .filter(Q(type__code="appraisal") | Q(also_types__code="appraisal"))
                .distinct().prefetch_related("attendance__member").order_by("held_on"))
    rows, rated = [], set()
    for a in meetings:
        present = [x.member for x in a.attendance.all() if x.mark in PRESENT_MARKS]
        present = [m for m in present if (m.pk, a.held_on.year) not in rated]
        rng.shuffle(present)
        for i, m in enumerate(present):
            result = "优秀" if i < 3 else ("基本合格" if i == 3 and rng.random() < 0.3 else "合格")
            rows.append(Appraisal(member=m, year=a.held_on.year, result=result, activity=a, recorded_by=creator))
            rated.add((m.pk, a.held_on.year))
    bulk_create_copying_history(Appraisal, rows)
    return len(rows)


def _analyze() -> None:
    """Fresh planner statistics for the tables just filled: PostgreSQL otherwise plans the reach
    queries as if they were empty (nested loops over 250 000 rows) until autovacuum comes round."""
    tables = [m._meta.db_table for m in (Activity, Attendance, Visit, Send, SelfStudy, Member)]
    tables += [Activity.also_types.through._meta.db_table, Member._meta.get_field("org").related_model._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
