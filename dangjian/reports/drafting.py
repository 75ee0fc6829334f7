"""The draft: the report's paragraphs, worded by the system, every number a marker ⟦key⟧ that
points into the figures snapshot (so the screen can link it and the .docx can print it).

`draft(collected, …)` is pure: the figures in, paragraphs and the JSON snapshot out. A part
whose app is not installed says so in brackets instead of guessing a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.urls import reverse

from dangjian.lib.figures import Figure
from dangjian.lib.figures import link as flink
from dangjian.lib.periods import Period

from .rendering import cn_date
from .sources import Collected, plain

MARKER = re.compile(r"⟦([a-z0-9_.\-]+)⟧")
# What only the secretary can say: highlighted on the page, refused by finalising.
PLACEHOLDER_OPEN = "【请补充："
PLACEHOLDER = re.compile(r"【请补充：([^】]*)】")
# Figure keys for the self-study platforms (StudySource values).
STUDY_SLUGS = {"学习强国": "xuexi", "书籍原著": "book", "网络课程": "online", "报刊": "newspaper", "其他": "other"}
CN_NUM = "一二三四五六七八九十"

NOT_INSTALLED = "本系统未启用{label}模块"
LABELS = {"members": "党员名册", "meetings": "组织生活", "dues": "党费", "grid": "网格摸排", "plans": "计划与整改"}


def unavailable(c: Collected, app: str, what: str) -> str:
    """A placeholder for a part whose app is not installed, or whose figures failed to load: the
    secretary writes it, the draft never guesses a number."""
    source = c.apps.get(app)
    if source is not None and source.installed and source.error:
        return placeholder(f"{what}（{source.label}模块的数据暂时无法读取）")
    return placeholder(f"{what}（{NOT_INSTALLED.format(label=LABELS[app])}）")


def cn_index(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for headings)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens - 1]) + "十" + (CN_NUM[ones - 1] if ones else "")


def period_word(period: Period) -> str:
    return {"month": "本月", "quarter": "本季度", "half": "本半年", "year": "本年度"}[period.kind]


@dataclass
class Para:
    key: str
    style: str  # h1 | h2 | h3 | body
    text: str
    records: list[dict] = field(default_factory=list)  # [{label, link}]: records the text names (a problem, a plan…)


@dataclass
class Draft:
    title: str
    paragraphs: list[Para]
    snapshot: dict
    dated_on: date


@dataclass
class _Writer:
    c: Collected
    paragraphs: list[Para] = field(default_factory=list)
    extra_figures: dict[str, tuple[str, Figure]] = field(default_factory=dict)

    def add(self, key: str, style: str, text: str, records: list[dict] | None = None) -> None:
        if text:
            self.paragraphs.append(Para(key, style, text, records or []))

    def ask(self, key: str, what: str) -> None:
        """A paragraph only the secretary can write: a marked placeholder that finalising refuses."""
        self.add(key, "body", placeholder(what))

    def fig(self, key: str) -> Figure | None:
        if key in self.extra_figures:
            return self.extra_figures[key][1]
        return self.c.figure(key)

    def v(self, key: str):
        f = self.fig(key)
        return f.value if f is not None else None

    def m(self, key: str) -> str:
        """The marker of a figure; the caller has checked it exists."""
        return f"⟦{key}⟧"

    def put(self, key: str, source: str, figure: Figure) -> str:
        """A figure composed here (from an app's lists), added to the snapshot; returns its marker."""
        self.extra_figures[key] = (source, figure)
        return self.m(key)


def placeholder(what: str) -> str:
    return f"{PLACEHOLDER_OPEN}{what}】"


def placeholders_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def json_value(value):
    """A figure's value for the snapshot: money to the 分 (sums can carry extra decimal places)."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")) if -value.as_tuple().exponent > 2 else value)
    return value


def snapshot_of(c: Collected, extra: dict[str, tuple[str, Figure]], generated_at: str) -> dict:
    figures = {}
    for key, (source, f) in {**c.all_figures(), **extra}.items():
        figures[key] = {**f.as_json(), "value": json_value(f.value), "source": source}
    apps = {name: {"label": a.label, "installed": a.installed, "error": a.error} for name, a in c.apps.items()}
    extras = {f"{name}.{k}": v for name, a in c.apps.items() for k, v in a.extra.items()}
    return {"org": c.org.name, "org_id": c.org.pk, "period": str(c.period), "generated_at": generated_at,
            "apps": apps, "figures": figures, "extra": extras}


def draft(c: Collected, *, org_label: str, parent_label: str, generated_at: str,
          previous: dict | None = None, dated_on: date | None = None) -> Draft:
    """The whole report. `previous` is the previous period's report snapshot ({"measures": [...],
    "report": url, "label": ...}) when one exists.

    Every body paragraph is computed from the records (its figures as markers, the records it names
    in `records`) or is a placeholder 【请补充：…】 for what only the secretary can say; no fixed
    sentence states a fact the records do not hold."""
    w = _Writer(c)
    period = c.period
    pw = period_word(period)
    title = f"{org_label}{period.label}基层党建述职报告"

    w.add("opening", "body",
          f"{period.label}，{c.org.name}在{parent_label}的领导下开展基层党建工作。"
          f"现将本人{pw}履行抓基层党建工作第一责任人职责的情况报告如下。",
          [{"label": f"组织架构：{c.org.name}", "link": reverse("org_list")}])

    w.add("s1", "h1", "一、履职情况")
    w.add("s1.study", "h2", "（一）坚持学习在先，提高履职本领")
    _study(w, pw)
    _online_study(w, pw)
    w.add("s1.work", "h2", "（二）履行主体责任，抓实党建工作")
    w.add("s1.work.education", "h3", "1. 强化政治引领，抓好党员教育管理")
    _organisational_life(w, pw)
    _appraisal(w, pw)
    _reach(w, pw)
    _roll(w, period)
    _dues(w, pw)
    w.add("s1.work.team", "h3", "2. 加强队伍建设，发挥支部战斗堡垒作用")
    _team(w, pw)
    _recruitment(w, pw)
    _ideology(w, pw)
    w.add("s1.work.key", "h3", "3. 聚焦重点任务，推进专项工作和网格摸排")
    _campaigns(w, pw)
    _key_work(w, pw)
    _grid(w, pw)
    if previous is not None or c.installed("plans"):
        w.add("s1.followup", "h2", "（三）上期整改措施落实情况")
        _followup(w, previous, period)

    w.add("s2", "h1", "二、严于律己，带头廉洁自律")
    _discipline(w, pw)

    w.add("s3", "h1", "三、存在问题和原因")
    _problems(w, pw)

    w.add("s4", "h1", "四、下一步工作措施")
    _measures(w, period)

    snapshot = snapshot_of(c, w.extra_figures, generated_at)
    problems = snapshot["extra"].get("plans.problems", [])
    snapshot["measures"] = snapshot["extra"].get("plans.open_measures", [])
    snapshot["problem_ids"] = [p["id"] for p in problems]
    snapshot["previous"] = {k: v for k, v in (previous or {}).items() if k != "measures"} or None
    snapshot["records"] = {p.key: p.records for p in w.paragraphs if p.records}
    return Draft(title=title, paragraphs=w.paragraphs, snapshot=snapshot, dated_on=dated_on or period.last_day)


# --- 一、履职情况 ---------------------------------------------------------------------------------

def _study(w: _Writer, pw: str) -> None:
    if not w.c.installed("meetings"):
        w.add("s1.study.body", "body", unavailable(w.c, "meetings", "学习情况"))
        return
    own = w.fig("meetings.secretary_attended_study")
    if own is not None and own.value:
        w.add("s1.study.own", "body",
              f"本人{pw}参加集中学习{w.m('meetings.secretary_attended_study')}次，"
              f"参加各类组织生活共{w.m('meetings.secretary_attended')}次。")
    else:
        w.ask("s1.study.own", "本人参加上级组织的学习、带头学习的情况（系统中没有本人参加本期集中学习的签到记录）")
    if w.v("meetings.self_study"):
        parts = [f"{pw}党员登记自学{w.m('meetings.self_study')}条、{w.m('meetings.self_study_members')}人参加、"
                 f"累计{w.m('meetings.self_study_hours')}小时"]
    else:
        parts = [f"{pw}系统中党员自学登记为{w.m('meetings.self_study')}条"]
    if w.fig("meetings.type.lecture.held") is not None:
        parts.append(f"各支部讲授党课{w.m('meetings.type.lecture.held')}次")
    if w.v("meetings.secretary_lectures"):
        parts.append(f"其中支部书记讲党课{w.m('meetings.secretary_lectures')}次")
    w.add("s1.study.body", "body", "；".join(parts) + "。")


def _online_study(w: _Writer, pw: str) -> None:
    """Self-study by platform (学习强国 …): records, members, hours and points as imported."""
    if not w.c.installed("meetings"):
        return
    rows = w.c.apps["meetings"].extra.get("study_by_source", [])
    if not rows:
        return
    phrases = []
    for row in rows:
        slug = STUDY_SLUGS.get(row["source"], f"s{len(phrases)}")
        base = f"meetings.study.{slug}"
        label, link = row["source"], row["link"]
        hours = Decimal(str(row["hours"])).quantize(Decimal("0.1"))  # hours are kept to a tenth
        text = (f"通过{label}学习{w.put(base + '.records', '组织生活', Figure(f'{label}自学记录', row['records'], link, '条'))}条、"
                f"{w.put(base + '.members', '组织生活', Figure(f'{label}学习党员', row['members'], link, '人'))}人、"
                f"{w.put(base + '.hours', '组织生活', Figure(f'{label}学习时长', hours, link, '小时'))}小时")
        if row["points"] is not None:
            text += f"、积分{w.put(base + '.points', '组织生活', Figure(f'{label}学习积分', row['points'], link, '分'))}分"
        phrases.append(text)
    w.add("s1.study.online", "body", f"按学习方式统计，{pw}党员" + "；".join(phrases) + "。")


def _type_phrase(w: _Writer, entry: dict) -> str:
    key = entry["key"]
    held = f"meetings.type.{key}.held"
    if w.fig(held) is None:
        return ""
    text = f"{entry['label']}{w.m(held)}次"
    if w.fig(f"meetings.type.{key}.required") is not None:
        text += f"（应开展{w.m(f'meetings.type.{key}.required')}次）"
    return text


def life_parts(c: Collected) -> list[dict]:
    """The types the meetings sentence lists: each type's own count (a rule on a subset of a type,
    such as 书记讲党课, is said separately), those with a requirement or held at least once."""
    return [e for e in c.apps["meetings"].extra.get("by_type", [])
            if e.get("part", True) and (e["required"] or (c.figure(f"meetings.type.{e['key']}.held") or Figure("", 0)).value)]


def _organisational_life(w: _Writer, pw: str) -> None:
    if not w.c.installed("meetings"):
        w.add("s1.work.education.life", "body", unavailable(w.c, "meetings", "组织生活开展情况"))
        return
    types = life_parts(w.c)
    detail = "、".join(p for p in (_type_phrase(w, e) for e in types) if p)
    held = w.v("meetings.held") or 0
    overlap = ""
    if detail and w.v("meetings.combined"):
        # An activity held together with another (主题党日 with a 党课) counts under both types.
        overlap = (f"（{w.m('meetings.combined')}次活动同时计入两类）" if w.v("meetings.extra_counts") == w.v("meetings.combined")
                   else f"（{w.m('meetings.combined')}次活动同时计入多类，各类合计比总数多{w.m('meetings.extra_counts')}次）")
    text = (f"{pw}共开展组织生活{w.m('meetings.held')}次"
            + (f"，其中{detail}" if detail else "") + overlap
            + (f"，党员平均参会率{w.m('meetings.attendance_rate')}%。" if held else "。"))
    short = w.v("meetings.branches_short") or 0
    text += f"按照组织生活的频次要求，{w.m('meetings.branches_ok')}个支部各项组织生活全部达标"
    text += (f"，{w.m('meetings.branches_short')}个支部存在未按要求开展的项目"
             f"{placeholder('对未达标支部采取的督促措施')}。" if short else "。")
    w.add("s1.work.education.life", "body", text)


def _appraisal(w: _Writer, pw: str) -> None:
    """民主评议党员, when a meeting held in the period decided 等次 (nothing is claimed otherwise)."""
    if not w.v("meetings.appraised"):
        return
    text = (f"{pw}开展民主评议党员，{w.m('meetings.appraised')}名党员参加评议，评定优秀{w.m('meetings.appraisal_excellent')}名、"
            f"合格{w.m('meetings.appraisal_qualified')}名、基本合格{w.m('meetings.appraisal_basic')}名、"
            f"不合格{w.m('meetings.appraisal_unqualified')}名。")
    w.add("s1.work.education.appraisal", "body", text)


def _reach(w: _Writer, pw: str) -> None:
    if not w.c.installed("meetings"):
        return
    if not w.v("meetings.reached"):
        text = (f"{pw}系统中尚无党员参加组织生活或接受送学、寄学的记录，"
                f"{w.m('meetings.not_reached')}名党员均未覆盖。")
    else:
        text = f"{pw}共有{w.m('meetings.reached')}名党员参加了组织生活或接受了送学、寄学"
        text += (f"，尚有{w.m('meetings.not_reached')}名党员未覆盖。" if w.v("meetings.not_reached")
                 else "，实现了党员全覆盖。")
    text += (f"为年老体弱、行动不便的党员送学上门{w.m('meetings.visits')}次、覆盖{w.m('meetings.visited_members')}人，"
             f"为流动党员寄送学习资料{w.m('meetings.sends')}次、覆盖{w.m('meetings.sent_members')}人。")
    w.add("s1.work.education.reach", "body", text)


def _roll(w: _Writer, period: Period) -> None:
    if not w.c.installed("members"):
        w.add("s1.work.education.roll", "body", unavailable(w.c, "members", "党员人数"))
        return
    text = (f"截至{cn_date(period.last_day)}，{w.c.org.name}共有党员{w.m('members.total')}名，"
            f"其中正式党员{w.m('members.full')}名、预备党员{w.m('members.probationary')}名；"
            f"流动党员{w.m('members.mobile')}名，年老体弱、行动不便党员{w.m('members.infirm')}名。")
    if w.c.installed("meetings") and (w.v("meetings.lapse_warnings") or w.v("meetings.lapse_flags")):
        warn, flag = w.fig("meetings.lapse_warnings"), w.fig("meetings.lapse_flags")
        text += f"{warn.label}的党员{w.m('meetings.lapse_warnings')}名"
        if w.v("meetings.lapse_flags"):
            text += f"（其中{flag.label}的{w.m('meetings.lapse_flags')}名）"
        text += placeholder("对这些党员谈话提醒、教育帮助的情况") + "。"
    w.add("s1.work.education.roll", "body", text)


def _dues(w: _Writer, pw: str) -> None:
    if not w.c.installed("dues"):
        w.add("s1.work.education.dues", "body", unavailable(w.c, "dues", "党费收缴情况"))
        return
    text = dues_sentence(w, pw)
    if text:
        w.add("s1.work.education.dues", "body", text)


def dues_sentence(w: _Writer, pw: str) -> str:
    keys = ("dues.due", "dues.paid", "dues.arrears", "dues.on_time", "dues.judged")
    if not all(w.fig(k) is not None for k in keys):
        return ""
    text = f"{pw}应交党费{w.m('dues.due')}元，实交{w.m('dues.paid')}元"
    text += f"，欠交{w.m('dues.arrears')}元" if w.v("dues.arrears") else "，没有欠交"
    if w.v("dues.judged"):
        text += f"；应按期交纳的{w.m('dues.judged')}名党员中，{w.m('dues.on_time')}名按时足额交纳"
        if isinstance(w.v("dues.on_time_rate"), (int, float, Decimal)):
            text += f"，按时足额率{w.m('dues.on_time_rate')}%"
    text += "。"
    if w.v("dues.warned"):
        text += f"{w.fig('dues.warned').label}的党员{w.m('dues.warned')}名{placeholder('提醒补交的情况')}。"
    return text


def _team(w: _Writer, pw: str) -> None:
    w.ask("s1.work.team.own", "本人抓班子、带队伍，推进党支部标准化规范化建设的做法")
    if not w.c.installed("plans"):
        w.add("s1.work.team.body", "body", unavailable(w.c, "plans", "工作计划落实情况"))
        return
    text = f"围绕年度工作计划{w.m('plans.plans')}个，{pw}到期的{w.m('plans.items_due')}项计划事项中，"
    text += f"按时完成{w.m('plans.items_on_time')}项"
    if w.v("plans.items_late"):
        text += f"、逾期完成{w.m('plans.items_late')}项"
    if w.v("plans.items_overdue"):
        text += f"，另有{w.m('plans.items_overdue')}项逾期尚未完成"
    text += "。"
    w.add("s1.work.team.body", "body", text)


def _recruitment(w: _Writer, pw: str) -> None:
    """发展党员: admitted and converted in the period, who is at which stage at its end, overdue steps."""
    if not w.c.installed("recruitment"):
        return
    on = w.c.apps["recruitment"].extra.get("on", "")
    if not (w.v("recruitment.in_pipeline") or w.v("recruitment.admitted") or w.v("recruitment.converted")):
        w.add("s1.work.team.recruitment", "body", f"{pw}系统中没有发展党员工作的记录。",
              [{"label": "发展党员工作台", "link": w.fig("recruitment.in_pipeline").link}])
        return
    text = (f"{pw}批准接收预备党员{w.m('recruitment.admitted')}名、批准转正{w.m('recruitment.converted')}名；"
            f"截至{on}，正在发展的{w.m('recruitment.in_pipeline')}人中，入党申请人{w.m('recruitment.stage_1')}名、"
            f"入党积极分子{w.m('recruitment.stage_2')}名、发展对象{w.m('recruitment.stage_3')}名、"
            f"待接收{w.m('recruitment.stage_4')}名、预备党员{w.m('recruitment.stage_5')}名")
    text += f"，有{w.m('recruitment.overdue')}项工作逾期未办。" if w.v("recruitment.overdue") else "，各项工作均在时限内。"
    w.add("s1.work.team.recruitment", "body", text)


def _category_counts(w: _Writer, part: str) -> tuple[list[str], list[dict]]:
    """Per category of the given report part: "作风纪律方面问题1个、已销号1个" with linked figures."""
    problems = [p for p in w.c.apps["plans"].extra.get("problems", []) if p.get("report_part") == part]
    phrases, records = [], []
    by_category: dict[int, list[dict]] = {}
    for p in problems:
        by_category.setdefault(p["category_id"], []).append(p)
    period, org_id = str(w.c.period), w.c.org.pk
    for cat_id, items in by_category.items():
        name = items[0]["category"]
        listed = w.put(f"plans.category.{cat_id}.listed", "计划与整改", Figure(
            f"期内在账{name}问题", len(items), flink("problem_list", org=org_id, period=period, show="active", category=cat_id), "个"))
        closed_n = sum(1 for p in items if p["closed_on"])
        closed = w.put(f"plans.category.{cat_id}.closed", "计划与整改", Figure(
            f"期内{name}问题已销号", closed_n, flink("problem_list", org=org_id, period=period, show="closed", category=cat_id), "个"))
        titles = "；".join(p["title"] for p in items)
        phrases.append(f"{name}方面{listed}个（{titles}），已整改销号{closed}个")
        records += [{"label": p["title"], "link": p["link"]} for p in items]
    return phrases, records


def _ideology(w: _Writer, pw: str) -> None:
    if not w.c.installed("plans"):
        return
    phrases, records = _category_counts(w, "ideology")
    if phrases:
        w.add("s1.work.ideology", "body", f"意识形态工作方面，整改台账中{pw}在账的问题：" + "；".join(phrases) + "。", records)


def _campaigns(w: _Writer, pw: str) -> None:
    """Campaign plans (主题教育 …) of the period with their tagged activities."""
    if not w.c.installed("plans"):
        return
    tags = {t["name"]: t for t in (w.c.apps["meetings"].extra.get("by_tag", []) if w.c.installed("meetings") else [])}
    for camp in w.c.apps["plans"].extra.get("campaigns", []):
        key = f"plans.campaign.{camp['id']}"
        text = f"按照《{camp['title']}》"
        tag = tags.get(camp["tag"]) if camp["tag"] else None
        if camp["tag"] and w.c.installed("meetings"):
            held = tag["held"] if tag else 0
            link = tag["link"] if tag else flink("meeting_list", org=w.c.org.pk, period=str(w.c.period), tag=camp["tag"],
                                                 status="submitted")
            n = w.put(f"{key}.activities", "组织生活", Figure(f"标记为“{camp['tag']}”的组织生活", held, link, "次"))
            text += f"，{pw}开展标记为“{camp['tag']}”的组织生活{n}次"
        due = w.put(f"{key}.items_due", "计划与整改", Figure(f"{camp['title']}期内到期事项", camp["items_due"], camp["items_link"], "项"))
        done = w.put(f"{key}.items_done", "计划与整改", Figure(f"{camp['title']}期内到期事项已完成", camp["items_done"],
                                                               camp["done_link"], "项"))
        text += f"；计划中{pw}到期的事项{due}项，已完成{done}项。"
        w.add(f"s1.work.key.campaign{camp['id']}", "body", text, [{"label": camp["title"], "link": camp["link"]}])


def _key_work(w: _Writer, pw: str) -> None:
    if not w.c.installed("plans"):
        return
    if not w.v("plans.milestones_due"):
        return
    w.add("s1.work.key.plan", "body",
          f"对照计划中的时间节点逐项推进，{pw}{w.m('plans.milestones_due')}个时间节点中"
          f"按期完成{w.m('plans.milestones_on_time')}个。")


def _grid(w: _Writer, pw: str) -> None:
    if not w.c.installed("grid"):
        w.add("s1.work.key.grid", "body", unavailable(w.c, "grid", "网格摸排情况"))
        return
    text = grid_sentence(w, pw)
    if text:
        w.add("s1.work.key.grid", "body", text)


def grid_sentence(w: _Writer, pw: str) -> str:
    keys = ("grid.grids", "grid.workers", "grid.campaigns", "grid.survey_total", "grid.survey_done", "grid.residents")
    if not all(w.fig(k) is not None for k in keys):
        return ""
    if not w.v("grid.grids"):
        return (f"本系统中尚未登记网格（{w.m('grid.grids')}个）和住户，"
                + placeholder("网格化管理和户籍摸排情况，或补录记录后重新生成"))
    text = f"社区划分网格{w.m('grid.grids')}个，在岗网格员{w.m('grid.workers')}名。"
    if w.v("grid.campaigns"):
        text += (f"{pw}组织开展户籍摸排{w.m('grid.campaigns')}轮，应摸排{w.m('grid.survey_total')}户，"
                 f"已完成{w.m('grid.survey_done')}户，完成率{w.m('grid.survey_percent')}%；")
    else:
        text += f"{pw}未开展户籍摸排（摸排{w.m('grid.campaigns')}轮），"
    text += (f"截至期末登记住户{w.m('grid.households')}户、在册居民{w.m('grid.residents')}人，"
             f"其中外来人口{w.m('grid.migrants')}人、人户分离{w.m('grid.separated')}人。")
    if w.v("grid.campaigns") and w.v("grid.survey_done") == w.v("grid.survey_total"):
        text += "各网格应摸排住户均已走访登记。"
    return text


def _followup(w: _Writer, previous: dict | None, period: Period) -> None:
    if previous is None:
        if w.c.installed("plans"):
            w.add("s1.followup.body", "body",
                  f"上期述职报告未在本系统中形成，按整改台账统计：{period_word(period)}完成整改措施{w.m('plans.measures_done')}条，"
                  f"期末仍有{w.m('plans.measures_open')}条措施在推进中。")
        return
    measures = previous.get("measures", [])
    link = previous.get("url", "")
    source = "上期述职报告"
    report_record = [{"label": f"{previous['label']}述职报告", "link": link}]
    if not measures:
        w.add("s1.followup.body", "body", f"{previous['label']}述职报告没有列出需要跟进的整改措施。", report_record)
        return
    if not w.c.installed("plans"):
        w.add("s1.followup.body", "body",
              f"{previous['label']}述职报告提出整改措施{len(measures)}条。" + unavailable(w.c, "plans", "落实情况"),
              report_record)
        return
    open_now = {m["id"] for m in w.c.apps["plans"].extra.get("open_measures", [])}
    as_of = min(period.last_day, date.today())
    still_open = [m for m in measures if m["id"] in open_now]
    overdue = [m for m in still_open if date.fromisoformat(m["deadline"]) < as_of]
    w.extra_figures["followup.total"] = (source, Figure("上期报告提出的整改措施", len(measures), link, "条"))
    w.extra_figures["followup.done"] = (source, Figure("上期措施已完成", len(measures) - len(still_open), link, "条"))
    w.extra_figures["followup.open"] = (source, Figure("上期措施仍在推进", len(still_open), link, "条"))
    w.extra_figures["followup.overdue"] = (source, Figure("上期措施逾期未完成", len(overdue), link, "条"))
    text = (f"{previous['label']}述职报告提出整改措施{w.m('followup.total')}条，截至{cn_date(period.last_day)}"
            f"已完成{w.m('followup.done')}条")
    if still_open:
        text += f"，仍在推进{w.m('followup.open')}条"
        if overdue:
            text += f"（其中{w.m('followup.overdue')}条已超过完成时限）"
        names = "；".join(f"“{m['title']}”" for m in still_open)
        text += f"。未完成的是：{names}，列入本报告第四部分继续推进。"
    else:
        text += "，全部落实到位。"
    w.add("s1.followup.body", "body", text, report_record)


# --- 二、严于律己 ---------------------------------------------------------------------------------

def _discipline(w: _Writer, pw: str) -> None:
    """Part 二 from the records: 纪律教育 activities, 谈心谈话, and the 一岗双责/廉政 problems of the
    ledger; what only the secretary can vouch for (八项规定, 廉洁自律) is asked for."""
    w.ask("s2.own", "本人遵守政治纪律和政治规矩、落实中央八项规定精神、廉洁自律的情况")
    sentences, records = [], []
    if w.c.installed("meetings"):
        edu = w.fig("meetings.type.discipline.held")
        if edu is not None and edu.value:
            sentences.append(f"{pw}组织开展纪律教育{w.m('meetings.type.discipline.held')}次")
        talk = w.fig("meetings.type.talk.held")
        if talk is not None and talk.value:
            sentences.append(f"各支部开展谈心谈话{w.m('meetings.type.talk.held')}次")
    if w.c.installed("plans"):
        phrases, records = _category_counts(w, "discipline")
        if phrases:
            sentences.append("整改台账中落实“一岗双责”、党风廉政方面在账的问题：" + "；".join(phrases))
    if sentences:
        w.add("s2.body", "body", "；".join(sentences) + "。", records)


# --- 三、存在问题和原因 ------------------------------------------------------------------------------

def _problems(w: _Writer, pw: str) -> None:
    if not w.c.installed("plans"):
        w.add("s3.body", "body", unavailable(w.c, "plans", "存在的问题和原因"))
        return
    problems = w.c.apps["plans"].extra.get("problems", [])
    origin = (f"上期结转{w.m('plans.problems_carried')}个、{pw}新查摆{w.m('plans.problems_found')}个"
              if w.fig("plans.problems_carried") is not None else f"其中{pw}新查摆{w.m('plans.problems_found')}个")
    text = (f"对照整改台账，{pw}在账问题{w.m('plans.problems_listed')}个（{origin}），"
            f"已整改销号{w.m('plans.problems_closed')}个，期末尚未销号{w.m('plans.problems_open')}个。")
    if not problems:
        w.add("s3.summary", "body", text)
        w.ask("s3.own", "结合实际查摆的问题（整改台账中本期没有在账问题）")
        return
    w.add("s3.summary", "body", text + "逐项列出如下：")
    causes: list[tuple[str, dict]] = []
    for i, p in enumerate(problems, start=1):
        record = [{"label": p["title"], "link": p["link"]}]
        w.add(f"s3.p{p['id']}", "h2", f"（{cn_index(i)}）{p['title']}", record)
        body = p["description"].strip() or placeholder("该问题的具体表现")
        if p.get("closed_on"):
            body += f"（该问题已于{cn_date(date.fromisoformat(p['closed_on']))}整改销号。）"
        else:
            body += "（该问题正在整改中。）"
        w.add(f"s3.p{p['id']}.body", "body", body, record)
        causes.extend((c, p) for c in p.get("causes", []) if c.strip())
    if causes:
        listed = "；".join(f"{cn_index(i)}是{c.strip().rstrip('。；;')}" for i, (c, _p) in enumerate(causes, start=1))
        records = [{"label": p["title"], "link": p["link"]} for p in {id(p): p for _c, p in causes}.values()]
        w.add("s3.causes", "body", f"分析产生以上问题的原因，{listed}。", records)
    else:
        w.ask("s3.causes", "产生以上问题的原因（整改台账中尚未填写原因分析）")


# --- 四、下一步工作措施 ------------------------------------------------------------------------------

def _measures(w: _Writer, period: Period) -> None:
    if not w.c.installed("plans"):
        w.add("s4.body", "body", unavailable(w.c, "plans", "下一步工作措施"))
        return
    measures = w.c.apps["plans"].extra.get("open_measures", [])
    if measures:
        n = w.put("plans.open_measures_listed", "计划与整改", Figure(
            "期末未完成、列入下一步的整改措施", len(measures),
            flink("problem_list", org=w.c.org.pk, period=str(period), show="open"), "条"))
        w.add("s4.lead", "body", f"针对以上问题，下一步重点抓好{n}项整改措施的落实：")
    else:
        w.ask("s4.own", "下一步工作措施（整改台账中没有未完成的整改措施）")
    for i, m in enumerate(measures, start=1):
        record = [{"label": m["title"], "link": m["link"]}]
        w.add(f"s4.m{m['id']}", "h2", f"（{cn_index(i)}）{m['title']}", record)
        detail = (m.get("detail") or "").strip()
        tail = f"责任人：{m['owner']}，完成时限：{cn_date(date.fromisoformat(m['deadline']))}。"
        w.add(f"s4.m{m['id']}.body", "body", (detail.rstrip("。") + "。" if detail else "") + tail, record)
    nxt = period.next()
    if w.fig("plans.next_items_due") is not None:
        text = (f"按照工作计划，{nxt.label}有{w.m('plans.next_items_due')}项计划事项、"
                f"{w.m('plans.next_milestones_due')}个时间节点到期。")
        w.add("s4.plan", "body", text)


# --- what each paragraph rests on (the JSON, the 自检 panel) --------------------------------------

def paragraph_sources(key: str, style: str, text: str, *, is_edited: bool, snapshot: dict) -> dict:
    """One paragraph as the JSON gives it: its text, and either its sources (figure keys with their
    links, the records it names), or that it is the secretary's text, or a placeholder."""
    figures = snapshot.get("figures", {})
    keys = list(dict.fromkeys(keys_in(text)))
    records = [] if is_edited else snapshot.get("records", {}).get(key, [])
    asks = placeholders_in(text)
    if is_edited:
        kind = "secretary"
    elif asks and not keys and not records:
        kind = "placeholder"
    elif keys or records:
        kind = "computed"
    elif style != "body":
        kind = "heading"
    else:
        kind = "unsourced"
    return {"key": key, "style": style, "kind": kind, "text": fill(text, figures),
            "figures": [{"key": k, "label": figures[k]["label"], "value": figures[k]["value"],
                         "link": figures[k].get("link", "")} for k in keys if k in figures],
            "records": records, "placeholders": asks}


# --- markers → text / html ------------------------------------------------------------------------

def fill(text: str, figures: dict) -> str:
    """Markers replaced by the snapshot's values (for the .docx and the diff)."""
    return MARKER.sub(lambda m: plain(figures[m.group(1)]["value"]) if m.group(1) in figures else "（数据缺失）", text)


def keys_in(text: str) -> list[str]:
    return MARKER.findall(text)


def relink(edited: str, generated: str, figures: dict) -> str:
    """Put markers back into a user's text where a generated number survived with its context
    (up to 3 characters either side), so it stays linked to its records; other numbers stay text."""
    spans: list[tuple[int, int, str]] = []
    for m in MARKER.finditer(generated):
        key = m.group(1)
        if key not in figures:
            continue
        value = plain(figures[key]["value"])
        before = fill(generated[: m.start()], figures)[-3:]
        after = fill(generated[m.end():], figures)[:3]
        needle = before + value + after
        pos = edited.find(needle)
        if pos < 0 or edited.find(needle, pos + 1) >= 0:
            continue  # gone, or ambiguous: leave it as the user's own text
        start = pos + len(before)
        spans.append((start, start + len(value), key))
    out, last_start = edited, len(edited) + 1
    for start, end, key in sorted(spans, reverse=True):
        if end > last_start:
            continue
        out = out[:start] + f"⟦{key}⟧" + out[end:]
        last_start = start
    return out
