"""Demo plans and the rectification ledger.

和平社区: the 2023 主题教育 plan (第二批, Sept 2023 – Jan 2024) with milestones, some met late;
the 2023 annual plan; problems found in 2023 with causes and measures — some signed off, one
reopened after 上级督导 and closed again, some still open into 2024 and beyond; an annual plan
for every later year up to ctx.today, whose current quarter has items due soon and overdue.
The other generated communities get a lighter current-year plan and a problem or two.
Finally today's reminders are made, so the navbar badge has something to show.
"""

from __future__ import annotations

from datetime import date, timedelta

from simple_history.utils import bulk_create_with_history

from dangjian.lib.periods import Period
from dangjian.lib.workdays import WorkCalendar

from . import reminders, services
from .choices import (
    ItemStatus,
    MeasureStatus,
    PlanKind,
    ProblemEventKind,
)
from .models import (
    Measure,
    Milestone,
    PlanItem,
    Problem,
    ProblemCategory,
    ProblemCause,
    ProblemEvent,
    ProblemSource,
    WorkPlan,
)

# (title, owner, [(milestone, deadline, done_on or None)], item done_on)
THEME_ITEMS = [
    ("制定主题教育实施方案，召开动员部署会", "社区党总支书记", [
        ("制定实施方案并报街道党工委", date(2023, 9, 8), date(2023, 9, 7)),
        ("召开动员部署会", date(2023, 9, 15), date(2023, 9, 14)),
    ], date(2023, 9, 14)),
    ("集中学习《习近平新时代中国特色社会主义思想专题摘编》", "社区党总支书记", [
        ("国庆后第一次集中学习", date(2023, 10, 9), date(2023, 10, 9)),
        ("举办为期3天的读书班", date(2023, 10, 31), date(2023, 11, 3)),
        ("开展交流研讨", date(2023, 11, 30), date(2023, 11, 28)),
    ], date(2023, 11, 28)),
    ("围绕老旧小区加装电梯、停车难开展调查研究", "社区党总支副书记", [
        ("确定调研课题", date(2023, 10, 20), date(2023, 10, 18)),
        ("走访居民、召开座谈会", date(2023, 11, 10), date(2023, 11, 10)),
        ("形成调研报告", date(2023, 11, 15), date(2023, 11, 24)),
    ], date(2023, 11, 24)),
    ("检视整改：征求意见、查摆问题、建立整改台账", "社区党务工作者", [
        ("发放征求意见表", date(2023, 10, 31), date(2023, 10, 30)),
        ("建立问题清单和整改台账", date(2023, 11, 30), date(2023, 11, 30)),
    ], date(2023, 11, 30)),
    ("为行动不便老党员送学上门、为流动党员寄学", "各党支部书记", [
        ("10月送学寄学", date(2023, 10, 31), date(2023, 10, 27)),
        ("11月送学寄学", date(2023, 11, 30), date(2023, 11, 29)),
        ("12月送学寄学", date(2023, 12, 29), date(2023, 12, 28)),
    ], date(2023, 12, 28)),
    ("召开主题教育专题组织生活会", "各党支部书记", [
        ("开展谈心谈话", date(2024, 1, 10), date(2024, 1, 9)),
        ("召开专题组织生活会，开展民主评议党员", date(2024, 1, 20), date(2024, 1, 25)),
    ], date(2024, 1, 25)),
    ("主题教育总结评估", "社区党总支书记", [
        ("形成总结报告报街道党工委", date(2024, 1, 31), date(2024, 1, 30)),
    ], date(2024, 1, 30)),
]

# An annual plan's standing items: (title, owner, months with a milestone, milestone text)
ANNUAL_ITEMS = [
    ("落实“三会一课”制度", "各党支部书记", (3, 6, 9, 12), "季度支部党员大会"),
    ("每月开展主题党日活动", "各党支部书记", (3, 6, 9, 12), "本季度主题党日"),
    ("按时足额收缴党费", "社区党务工作者", (3, 6, 9, 12), "季度党费收缴、公示"),
    ("网格户籍摸排，更新人员信息", "网格员", (3, 6, 9, 12), "季度户籍摸排"),
    ("召开组织生活会，开展民主评议党员", "社区党总支书记", (11, 12), "组织生活会准备与召开"),
    ("党员发展与预备党员教育考察", "社区党总支组织委员", (6, 12), "半年考察"),
]

PROBLEMS_2023 = [
    # title, description, category, source, found_on, causes, measures [(title, detail, owner, deadline, done_on, result)],
    # closes [(on, signer, note)], reopen (on, signer, reason) or None
    dict(
        title="学习不够深入刻苦，存在浅尝辄止的问题",
        description="作为党总支书记，真正坐下来学习的时间较少，感到凭借自己的阅历积淀就能够适应职务需要，主动学习、广泛涉猎、深入研究的动力不足。",
        category="理论学习", source="主题教育检视", found_on=date(2023, 11, 20),
        causes=["对党建创新理论背后的内涵、内在逻辑、基本观点、理论体系理解不深刻，在学懂弄通做实、联系实际指导工作上还要下功夫。",
                "工作事务性任务多，挤时间学习的自觉性不够。"],
        measures=[("深化理论学习，坚定理想信念", "坚持以学明志，每月至少集中学习1次、自学不少于8学时，撰写学习体会。", "社区党总支书记",
                   date(2024, 1, 31), date(2024, 1, 15), "全年集中学习12次，撰写心得体会4篇，学习笔记已归档。"),
                  ("建立书记领学、党员干部轮流领学制度", "", "社区党务工作者", date(2024, 3, 31), date(2024, 3, 29),
                   "《领学制度》已印发执行，一季度轮流领学3次。")],
        closes=[(date(2024, 4, 10), "shuji", "整改措施全部完成，学习制度已建立，同意销号。")], reopen=None),
    dict(
        title="调查研究重形轻质，存在不深不透的问题",
        description="深入调查研究、“解剖麻雀”的功夫不够，工作不扎实、指导不到位的情况时有存在。",
        category="调查研究", source="主题教育检视", found_on=date(2023, 11, 20),
        causes=["党建工作标准化、规范化上虽然开展了一些工作，但抓落实上还不到位。",
                "调研后跟踪问效不够，调研成果转化机制不健全。"],
        measures=[("每季度至少开展一次专题调研", "围绕群众急难愁盼问题确定课题。", "社区党总支副书记", date(2024, 6, 30),
                   date(2024, 6, 28), "上半年完成加装电梯、停车难2项专题调研，形成调研报告2篇。"),
                  ("建立调研成果转化清单", "", "社区党总支副书记", date(2024, 6, 30), date(2024, 7, 5),
                   "转化清单列明8项措施，已完成6项。")],
        closes=[(date(2024, 7, 15), "shuji", "同意销号。"), (date(2025, 1, 8), "shuji", "回访机制已建立并运行，同意销号。")],
        reopen=(date(2024, 10, 10), "jiedao", "街道督导发现调研成果转化清单中2项措施未落实，问题有反弹，退回继续整改。"),
        later=[("建立调研回访机制，逐项跟踪转化措施", "", "社区党总支副书记", date(2024, 12, 31), date(2024, 12, 20),
                "回访机制已建立，转化清单8项措施全部落实。")]),
    dict(
        title="对意识形态工作宣传教育不够",
        description="平时将意识形态工作纳入业务工作一起研究不够，多是讲业务多、讲意识形态少。",
        category="意识形态", source="述职评议", found_on=date(2023, 10, 12),
        causes=["对意识形态工作的深层次思考不够，没有真正认识到意识形态工作是基层工作的重要组成部分。",
                "将意识形态与日常工作紧密结合得不够。"],
        measures=[("每季度专题研究一次意识形态工作", "", "社区党总支书记", date(2024, 1, 5), date(2024, 1, 5),
                   "党总支会议已专题研究意识形态工作，形成会议纪要。"),
                  ("加强宣传栏、微信群等阵地管理，明确专人负责", "", "社区党务工作者", date(2024, 3, 31), None, "")],
        closes=[], reopen=None),
    dict(
        title="流动党员联系不及时，党员教育管理不够精细",
        description="部分流动党员长期未参加组织生活，联系方式未及时更新。",
        category="组织建设", source="自查", found_on=date(2023, 8, 15),
        causes=["流动党员底数掌握不及时，联系制度不健全。"],
        measures=[("建立流动党员联系台账", "", "第二党支部书记", date(2023, 9, 30), date(2023, 9, 28),
                   "台账已建立，登记流动党员去向和联系方式。"),
                  ("每月至少联系一次流动党员并寄送学习资料", "", "各党支部书记", date(2023, 11, 30), date(2023, 12, 8),
                   "10—12月每月联系并寄学，记录已归档。")],
        closes=[(date(2023, 12, 20), "shuji", "同意销号。")], reopen=None),
    dict(
        title="群众反映老旧小区停车难问题集中，回应不够及时",
        description="12345热线和网格走访中，居民多次反映3号院停车难、消防通道被占。",
        category="服务群众", source="群众反映", found_on=date(2023, 12, 5),
        causes=["议事协商机制不健全，协调物业和共建单位力度不够。"],
        measures=[("建立“居民议事会”协商机制", "", "社区党总支书记", date(2024, 3, 31), date(2024, 3, 20),
                   "居民议事会已成立并召开3次会议。"),
                  ("协调物业和共建单位增设停车位", "", "社区党总支副书记", date(2024, 6, 30), date(2024, 9, 10),
                   "新增停车位46个，消防通道划线管理。")],
        closes=[], reopen=None),
    dict(
        title="“一岗双责”落实不够到位",
        description="部分党支部书记对分管领域党风廉政建设抓得不紧。",
        category="作风纪律", source="上级督导", found_on=date(2023, 6, 20),
        causes=["责任清单不够具体，压力传导层层递减。"],
        measures=[("制定“一岗双责”责任清单并签订责任书", "", "社区党总支书记", date(2023, 8, 31), date(2023, 8, 25),
                   "4个党支部均签订责任书。")],
        closes=[(date(2023, 9, 28), "shuji", "同意销号。")], reopen=None),
]


def seed(ctx) -> None:
    calendar = WorkCalendar()
    services.terms_ensure_defaults()
    terms = {c.name: c for c in ProblemCategory.objects.all()}
    sources = {s.name: s for s in ProblemSource.objects.all()}
    for demo in ctx.communities:
        if demo.detailed:
            _seed_detailed(ctx, demo, calendar, terms, sources)
        else:
            _seed_light(ctx, demo, calendar, terms, sources)
    reminders.run(today=ctx.today)


def _user(ctx, name: str):
    return ctx.users.get(name)


def _seed_detailed(ctx, demo, calendar, terms, sources) -> None:
    org, today = demo.org, ctx.today
    worker, secretary = _user(ctx, "dangwu"), _user(ctx, "shuji")
    theme = services.plan_create(
        org=org, title="学习贯彻习近平新时代中国特色社会主义思想主题教育工作计划", kind=PlanKind.CAMPAIGN,
        start_on=date(2023, 9, 1), end_on=date(2024, 1, 31), campaign_tag="主题教育", user=worker,
        summary="按照街道党工委部署，第二批主题教育于2023年9月开始，2024年1月基本结束。坚持学思想、强党性、重实践、建新功，"
                "把理论学习、调查研究、推动发展、检视整改贯通起来。")
    theme_items = [_item(theme, title, owner, steps, done_on, n, today, user=worker)
                   for n, (title, owner, steps, done_on) in enumerate(THEME_ITEMS, start=1)]
    _annual_plan(ctx, org, 2023, calendar, worker, rng_key="2023")
    for year in range(2024, today.year + 1):
        _annual_plan(ctx, org, year, calendar, worker, rng_key=str(year))
    _current_quarter_items(ctx, org, calendar, worker, secretary)

    problems = [_problem(ctx, org, spec, terms, sources, plan=theme if spec["source"] == "主题教育检视" else None)
                for spec in PROBLEMS_2023]
    _recent_problems(ctx, org, calendar, terms, sources)
    _evidence(demo, theme_items, problems, worker)


def _evidence(demo, theme_items, problems, user) -> None:
    """Evidence links to records of other apps and to an outside page (all within 和平社区)."""
    services.evidence_add(owner=theme_items[1], label="共产党员网·主题教育专题", url="https://www.12371.cn/", user=user)
    for problem in problems[:2]:
        services.evidence_add(owner=theme_items[3], label=f"整改台账：{problem.title}", target=problem, user=user)
    for member in [m for m in demo.members if m.is_infirm][:2]:
        services.evidence_add(owner=theme_items[4], label=f"送学上门：{member.name}", target=member, user=user)
    first = problems[0].measures.first()
    services.evidence_add(owner=first, label="主题教育工作计划", target=theme_items[1].plan, user=user)


def _item(plan, title, owner, steps, done_on, sort, today, *, user=None, owner_user=None) -> PlanItem:
    deadline = max(d for _, d, _ in steps)
    item = services.plan_item_add(plan=plan, title=title, owner=owner, deadline=deadline, sort=sort,
                                  owner_user=owner_user, user=user)
    for text, day, done in steps:
        m = services.milestone_add(item=item, title=text, deadline=day, user=user)
        if done is not None and done <= today:
            services.milestone_complete(milestone=m, done_on=done, user=user)
    if done_on is not None and done_on <= today and all(d is not None and d <= today for _, _, d in steps):
        services.plan_item_complete(item=item, done_on=done_on, user=user)
    return item


def _annual_plan(ctx, org, year: int, calendar: WorkCalendar, user, rng_key: str) -> WorkPlan:
    rng = ctx.rng_for(f"plans:{rng_key}")
    today = ctx.today
    period = Period("year", year)
    plan = services.plan_create(org=org, title=f"{org.display_name}{year}年度党建工作计划", kind=PlanKind.YEAR,
                                period=str(period), start_on=period.first_day, end_on=period.last_day, user=user,
                                summary="围绕建强组织、服务群众，抓实“三会一课”、主题党日、党费收缴、网格摸排等基础工作。")
    for n, (title, owner, months, text) in enumerate(ANNUAL_ITEMS, start=1):
        steps = []
        for month in months:
            # The last working day of the month is the milestone's deadline.
            deadline = _last_working_day(calendar, year, month)
            done = None
            if deadline < today:
                roll = rng.random()
                # Most are met on time, some late, a few (recent ones) still open.
                if roll < 0.75:
                    done = deadline - timedelta(days=rng.randint(0, 6))
                elif roll < 0.93 or (today - deadline).days > 120:
                    done = calendar.add_working_days(deadline, rng.randint(1, 8))
                if done is not None and done > today:
                    done = None
            steps.append((f"{month}月：{text}", deadline, done))
        last = max(d for _, d, _ in steps)
        all_done = all(d is not None for _, _, d in steps)
        done_on = max(d for _, _, d in steps) if all_done and last < today else None
        _item(plan, title, owner, steps, done_on, n, today, user=user)
    return plan


def _last_working_day(calendar: WorkCalendar, year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    day = first_next - timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def _current_quarter_items(ctx, org, calendar: WorkCalendar, worker, secretary) -> None:
    """This quarter's own plan: items due in a few working days, one overdue, one done."""
    today = ctx.today
    quarter = Period.of(today, "quarter")
    plan = services.plan_create(org=org, title=f"{org.display_name}{quarter.label}重点工作安排", kind=PlanKind.QUARTER,
                                period=str(quarter), start_on=quarter.first_day, end_on=quarter.last_day, user=worker)
    specs = [
        ("报送季度党建述职报告", "社区党总支书记", -3, secretary),
        ("完成本季度户籍摸排数据核对", "网格员", 2, worker),
        ("走访慰问困难党员、老党员", "各党支部书记", 3, worker),
        ("党费收缴情况公示", "社区党务工作者", 8, worker),
    ]
    for n, (title, owner, offset, who) in enumerate(specs, start=1):
        deadline = calendar.add_working_days(calendar.next_working_day(today), offset)
        prepare = calendar.add_working_days(deadline, -5)
        steps = [("准备材料", prepare, prepare if prepare < today else None), ("完成", deadline, None)]
        _item(plan, title, owner, steps, None, n, today, user=worker, owner_user=who)
    done = calendar.add_working_days(today, -10)
    if done >= quarter.first_day:
        _item(plan, "召开季度支部党员大会", "各党支部书记", [("召开会议", done, done)], done, len(specs) + 1, today, user=worker)


def _problem(ctx, org, spec, terms, sources, plan=None) -> Problem:
    today = ctx.today
    worker = _user(ctx, "dangwu")
    problem = services.problem_create(org=org, title=spec["title"], description=spec["description"],
                                      category=terms[spec["category"]], source=sources[spec["source"]],
                                      found_on=spec["found_on"], causes=spec["causes"], plan=plan, user=worker)
    closes = list(spec["closes"])
    measures = [services.measure_add(problem=problem, title=t, detail=d, owner=o, deadline=dl,
                                     created_on=spec["found_on"] + timedelta(days=3), user=worker)
                for t, d, o, dl, _, _ in spec["measures"]]
    for measure, (_, _, _, _, done, result) in zip(measures, spec["measures"], strict=True):
        if done is not None and done <= today:
            services.measure_complete(measure=measure, done_on=done, result=result, user=worker)
    if closes and closes[0][0] <= today:
        on, signer, note = closes.pop(0)
        services.problem_close(problem=problem, user=_user(ctx, signer), on=on, note=note)
    reopen = spec.get("reopen")
    if reopen and reopen[0] <= today and problem.pk and Problem.objects.get(pk=problem.pk).is_closed:
        on, signer, reason = reopen
        services.problem_reopen(problem=problem, user=_user(ctx, signer), reason=reason, on=on)
        for t, d, o, dl, done, result in spec.get("later", []):
            m = services.measure_add(problem=problem, title=t, detail=d, owner=o, deadline=dl, created_on=on, user=worker)
            if done is not None and done <= today:
                services.measure_complete(measure=m, done_on=done, result=result, user=worker)
        if closes and closes[0][0] <= today:
            on, signer, note = closes.pop(0)
            services.problem_close(problem=problem, user=_user(ctx, signer), on=on, note=note)
    return problem


def _recent_problems(ctx, org, calendar: WorkCalendar, terms, sources) -> None:
    """Problems of the later years up to today, the newest with measures due in a few working days."""
    today = ctx.today
    secretary = _user(ctx, "shuji")
    specs = []
    for year in range(2024, today.year + 1):
        found = date(year, 6, 18)
        if found > today:
            continue
        specs.append(dict(
            title=f"{year}年上半年“三会一课”记录不够规范", description="部分会议记录要素不全，缺少议题和表决情况。",
            category="组织建设", source="上级督导", found_on=found,
            causes=["支部党务人员业务培训不够。", "会前准备不充分，记录人未固定。"],
            measures=[("开展党务人员业务培训", "", "社区党务工作者", date(year, 8, 30), date(year, 8, 28), "已开展培训1次，参训12人。"),
                      ("统一使用会议记录模板并逐月检查", "", "各党支部书记", date(year, 9, 30), date(year, 9, 26), "模板已统一，月查记录留存。")],
            closes=[(date(year, 10, 15), "shuji", "同意销号。")], reopen=None))
    found = calendar.add_working_days(today, -30)
    specs.append(dict(
        title="个别党员连续3个月未交纳党费", description="第三党支部有2名党员连续3个月未按时交纳党费。",
        category="组织建设", source="自查", found_on=found,
        causes=["党费收缴提醒不及时。", "个别党员对按月交纳党费的规定认识不足。"],
        measures=[("逐一谈心谈话，讲清按月交纳党费的规定", "", "第三党支部书记", calendar.add_working_days(today, -2), None, ""),
                  ("建立党费收缴月度提醒机制", "", "社区党务工作者", calendar.add_working_days(today, 2), None, "")],
        closes=[], reopen=None))
    for spec in specs:
        problem = _problem(ctx, org, spec, terms, sources)
        if spec["title"].startswith("个别党员"):
            Measure.objects.filter(problem=problem, deadline__gte=today).update(owner_user=secretary)


def _seed_light(ctx, demo, calendar: WorkCalendar, terms, sources) -> None:
    """A current-year plan with three items and one or two problems, written in bulk."""
    rng = ctx.rng_for(f"plans:{demo.org.code}")
    today, org = ctx.today, demo.org
    year = Period("year", today.year)
    bulk_create_with_history([WorkPlan(
        org=org, title=f"{org.display_name}{today.year}年度党建工作计划", kind=PlanKind.YEAR, period=str(year),
        start_on=year.first_day, end_on=year.last_day)], WorkPlan)
    plan = WorkPlan.objects.get(org=org, period=str(year))
    items, steps = [], []
    for n, (title, owner, months, text) in enumerate(ANNUAL_ITEMS[:3], start=1):
        deadlines = [_last_working_day(calendar, today.year, m) for m in months]
        done = [d - timedelta(days=rng.randint(0, 3)) if d < today and rng.random() < 0.85 else None for d in deadlines]
        finished = all(done) and deadlines[-1] < today
        items.append(PlanItem(plan=plan, title=title, owner=owner, deadline=deadlines[-1], sort=n,
                              status=ItemStatus.DONE if finished else ItemStatus.DOING,
                              done_on=max(done) if finished else None))
        steps.append([(f"{m}月：{text}", d, x) for m, d, x in zip(months, deadlines, done, strict=True)])
    bulk_create_with_history(items, PlanItem)
    items = list(PlanItem.objects.filter(plan=plan).order_by("sort"))
    bulk_create_with_history([Milestone(item=item, title=t, deadline=d, done_on=x, sort=i)
                              for item, rows in zip(items, steps, strict=True) for i, (t, d, x) in enumerate(rows, start=1)],
                             Milestone)
    found = today - timedelta(days=rng.randint(40, 200))
    problems = [Problem(org=org, title=title, category=terms[cat], source=sources[src], found_on=found)
                for title, cat, src in rng.sample([
                    ("党员活动阵地利用率不高", "组织建设", "自查"),
                    ("理论学习形式单一，党员参与积极性不高", "理论学习", "述职评议"),
                    ("联系服务群众不够深入", "服务群众", "群众反映"),
                    ("意识形态阵地管理制度不健全", "意识形态", "上级督导")], k=rng.randint(1, 2))]
    bulk_create_with_history(problems, Problem)
    problems = list(Problem.objects.filter(org=org).order_by("pk"))
    ProblemCause.objects.bulk_create([ProblemCause(problem=p, text="思想上重视不够，工作机制不健全。", sort=1) for p in problems])
    measures = [Measure(problem=p, title="制定整改方案并逐项落实", owner="社区党总支书记", created_on=found,
                        deadline=calendar.add_working_days(today, rng.randint(-5, 15)), status=MeasureStatus.DOING)
                for p in problems]
    bulk_create_with_history(measures, Measure)
    ProblemEvent.objects.bulk_create([ProblemEvent(problem=p, kind=ProblemEventKind.FOUND, on=found, note=p.source.name)
                                      for p in problems])
