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

from dangjian.lib.figures import Figure
from dangjian.lib.periods import Period

from .rendering import cn_date
from .sources import Collected, plain

MARKER = re.compile(r"⟦([a-z0-9_.\-]+)⟧")
CN_NUM = "一二三四五六七八九十"

NOT_INSTALLED = {
    "members": "（本系统未启用党员名册模块，党员人数请手工填写。）",
    "meetings": "（本系统未启用组织生活模块，组织生活开展情况请手工填写。）",
    "dues": "（本系统未启用党费模块，党费收缴情况请手工填写。）",
    "grid": "（本系统未启用网格摸排模块，网格摸排情况请手工填写。）",
    "plans": "（本系统未启用计划与整改模块，相关情况请手工填写。）",
}


def unavailable(c: Collected, app: str, what: str = "") -> str:
    """The bracketed note for a part whose app is not installed, or whose figures failed to load."""
    source = c.apps.get(app)
    if source is not None and source.installed and source.error:
        return f"（{source.label}模块的数据暂时无法读取，{what or '相关情况'}请手工填写。）"
    text = NOT_INSTALLED[app]
    return text.replace("相关情况", what) if what else text


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

    def add(self, key: str, style: str, text: str) -> None:
        if text:
            self.paragraphs.append(Para(key, style, text))

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
    "report": url, "label": ...}) when one exists."""
    w = _Writer(c)
    period = c.period
    pw = period_word(period)
    title = f"{org_label}{period.label}基层党建述职报告"

    w.add("opening", "body",
          f"{period.label}，{c.org.name}在{parent_label}的领导下，把抓好党建作为第一职责，以党支部标准化规范化建设为主线，"
          f"推动各项工作落到实处。现将本人{pw}履行抓基层党建工作第一责任人职责的情况报告如下。")

    w.add("s1", "h1", "一、履职情况")
    w.add("s1.study", "h2", "（一）坚持学习在先，提高履职本领")
    _study(w, pw)
    w.add("s1.work", "h2", "（二）履行主体责任，抓实党建工作")
    w.add("s1.work.education", "h3", "1. 强化政治引领，抓好党员教育管理")
    _organisational_life(w, pw)
    _reach(w, pw)
    _roll(w, period)
    _dues(w, pw)
    w.add("s1.work.team", "h3", "2. 加强队伍建设，发挥支部战斗堡垒作用")
    _team(w, pw)
    w.add("s1.work.key", "h3", "3. 聚焦重点任务，推进网格摸排")
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
    return Draft(title=title, paragraphs=w.paragraphs, snapshot=snapshot, dated_on=dated_on or period.last_day)


# --- 一、履职情况 ---------------------------------------------------------------------------------

def _study(w: _Writer, pw: str) -> None:
    lead = ("本人把学习作为履职尽责的前提，带头参加集中学习，坚持集中学习与个人自学相结合，"
            "用党的创新理论指导社区党建工作。")
    if not w.c.installed("meetings"):
        w.add("s1.study.body", "body", lead + unavailable(w.c, "meetings"))
        return
    if w.v("meetings.self_study"):
        parts = [f"{pw}，党员登记自学{w.m('meetings.self_study')}条、{w.m('meetings.self_study_members')}人参加、"
                 f"累计{w.m('meetings.self_study_hours')}小时"]
    else:
        parts = [f"{pw}系统中党员自学登记为{w.m('meetings.self_study')}条，自学登记工作有待加强"]
    if w.fig("meetings.type.lecture.held") is not None:
        parts.append(f"各支部讲授党课{w.m('meetings.type.lecture.held')}次")
    if w.v("meetings.secretary_lectures"):
        parts.append(f"其中支部书记讲党课{w.m('meetings.secretary_lectures')}次")
    w.add("s1.study.body", "body", lead + "；".join(parts) + "。")


def _type_phrase(w: _Writer, entry: dict) -> str:
    key = entry["key"]
    held = f"meetings.type.{key}.held"
    if w.fig(held) is None:
        return ""
    text = f"{entry['label']}{w.m(held)}次"
    if w.fig(f"meetings.type.{key}.required") is not None:
        text += f"（应开展{w.m(f'meetings.type.{key}.required')}次）"
    return text


def _organisational_life(w: _Writer, pw: str) -> None:
    if not w.c.installed("meetings"):
        w.add("s1.work.education.life", "body", "严格落实“三会一课”、主题党日等组织生活制度。" + unavailable(w.c, "meetings"))
        return
    types = [e for e in w.c.apps["meetings"].extra.get("by_type", []) if e["required"] or w.v(f"meetings.type.{e['key']}.held")]
    detail = "、".join(p for p in (_type_phrase(w, e) for e in types) if p)
    text = (f"严格落实“三会一课”、主题党日等组织生活制度。{pw}共开展组织生活{w.m('meetings.held')}次"
            + (f"，其中{detail}" if detail else "")
            + (f"，党员平均参会率{w.m('meetings.attendance_rate')}%。" if w.v("meetings.held") else "。"))
    short = w.v("meetings.branches_short") or 0
    text += f"按照组织生活的频次要求，{w.m('meetings.branches_ok')}个支部各项组织生活全部达标"
    text += (f"，{w.m('meetings.branches_short')}个支部存在未按要求开展的项目，已督促限期补齐。" if short else "。")
    w.add("s1.work.education.life", "body", text)


def _reach(w: _Writer, pw: str) -> None:
    if not w.c.installed("meetings"):
        return
    if not w.v("meetings.reached"):
        text = (f"坚持教育管理不落一人。{pw}系统中尚无党员参加组织生活或接受送学、寄学的记录，"
                f"{w.m('meetings.not_reached')}名党员均未覆盖，需尽快补录记录或组织开展。")
    else:
        text = f"坚持教育管理不落一人，{pw}共有{w.m('meetings.reached')}名党员参加了组织生活或接受了送学、寄学"
        text += (f"，尚有{w.m('meetings.not_reached')}名党员未覆盖，已逐人明确联系支部跟进。"
                 if w.v("meetings.not_reached") else "，实现了党员全覆盖。")
    text += (f"为年老体弱、行动不便的党员送学上门{w.m('meetings.visits')}次、覆盖{w.m('meetings.visited_members')}人，"
             f"为流动党员寄送学习资料{w.m('meetings.sends')}次、覆盖{w.m('meetings.sent_members')}人。")
    w.add("s1.work.education.reach", "body", text)


def _roll(w: _Writer, period: Period) -> None:
    if not w.c.installed("members"):
        w.add("s1.work.education.roll", "body", "加强党员队伍日常管理。" + unavailable(w.c, "members"))
        return
    text = (f"加强党员队伍日常管理。截至{cn_date(period.last_day)}，{w.c.org.name}共有党员{w.m('members.total')}名，"
            f"其中正式党员{w.m('members.full')}名、预备党员{w.m('members.probationary')}名；"
            f"流动党员{w.m('members.mobile')}名，年老体弱、行动不便党员{w.m('members.infirm')}名，均建立了联系台账。")
    if w.c.installed("meetings") and (w.v("meetings.lapse_warnings") or w.v("meetings.lapse_flags")):
        warn, flag = w.fig("meetings.lapse_warnings"), w.fig("meetings.lapse_flags")
        text += f"{warn.label}的党员{w.m('meetings.lapse_warnings')}名"
        if w.v("meetings.lapse_flags"):
            text += f"（其中{flag.label}的{w.m('meetings.lapse_flags')}名）"
        text += "，已逐一谈话提醒。"
    w.add("s1.work.education.roll", "body", text)


def _dues(w: _Writer, pw: str) -> None:
    if not w.c.installed("dues"):
        w.add("s1.work.education.dues", "body", unavailable(w.c, "dues"))
        return
    text = dues_sentence(w, pw)
    if text:
        w.add("s1.work.education.dues", "body", text)


def dues_sentence(w: _Writer, pw: str) -> str:
    keys = ("dues.due", "dues.paid", "dues.arrears", "dues.on_time", "dues.judged")
    if not all(w.fig(k) is not None for k in keys):
        return ""
    text = f"严格党费收缴管理，{pw}应交党费{w.m('dues.due')}元，实交{w.m('dues.paid')}元"
    text += f"，欠交{w.m('dues.arrears')}元" if w.v("dues.arrears") else "，没有欠交"
    if w.v("dues.judged"):
        text += f"；应按期交纳的{w.m('dues.judged')}名党员中，{w.m('dues.on_time')}名按时足额交纳"
        if isinstance(w.v("dues.on_time_rate"), (int, float, Decimal)):
            text += f"，按时足额率{w.m('dues.on_time_rate')}%"
    text += "。"
    if w.v("dues.warned"):
        text += f"{w.fig('dues.warned').label}的党员{w.m('dues.warned')}名，已逐一提醒补交。"
    return text


def _team(w: _Writer, pw: str) -> None:
    text = ("坚持书记抓、抓书记，推动形成党组织书记负总责、支部书记具体抓、党务工作者协助抓的工作格局，"
            "把党支部建设标准化规范化作为基础工程。")
    if w.c.installed("plans"):
        text += f"围绕年度工作计划{w.m('plans.plans')}个，{pw}到期的{w.m('plans.items_due')}项计划事项中，"
        text += f"按时完成{w.m('plans.items_on_time')}项"
        if w.v("plans.items_late"):
            text += f"、逾期完成{w.m('plans.items_late')}项"
        if w.v("plans.items_overdue"):
            text += f"，另有{w.m('plans.items_overdue')}项逾期尚未完成，已明确责任人加快推进"
        text += "。"
    else:
        text += unavailable(w.c, "plans")
    w.add("s1.work.team.body", "body", text)


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
        w.add("s1.work.key.grid", "body", "依托社区网格开展户籍摸排，登记居民和户籍信息。" + unavailable(w.c, "grid"))
        return
    text = grid_sentence(w, pw)
    if text:
        w.add("s1.work.key.grid", "body", text)


def grid_sentence(w: _Writer, pw: str) -> str:
    keys = ("grid.grids", "grid.workers", "grid.campaigns", "grid.survey_total", "grid.survey_done", "grid.residents")
    if not all(w.fig(k) is not None for k in keys):
        return ""
    if not w.v("grid.grids"):
        return (f"依托社区网格开展户籍摸排。本系统中尚未登记网格（{w.m('grid.grids')}个）和住户，"
                "网格摸排情况请补录记录后重新生成，或手工填写。")
    text = f"依托社区划分的{w.m('grid.grids')}个网格和{w.m('grid.workers')}名在岗网格员，推进网格化管理。"
    if w.v("grid.campaigns"):
        text += (f"{pw}组织开展户籍摸排{w.m('grid.campaigns')}轮，应摸排{w.m('grid.survey_total')}户，"
                 f"已完成{w.m('grid.survey_done')}户，完成率{w.m('grid.survey_percent')}%；")
    else:
        text += f"{pw}未开展户籍摸排（摸排{w.m('grid.campaigns')}轮），"
    text += (f"截至期末登记住户{w.m('grid.households')}户、在册居民{w.m('grid.residents')}人，"
             f"其中外来人口{w.m('grid.migrants')}人、人户分离{w.m('grid.separated')}人。")
    if w.v("grid.campaigns") and w.v("grid.survey_done") == w.v("grid.survey_total"):
        text += "各网格住户全部走访登记，人员和户籍信息做到底数清、情况明。"
    return text


def _followup(w: _Writer, previous: dict | None, period: Period) -> None:
    if previous is None:
        if w.c.installed("plans"):
            w.add("s1.followup.body", "body",
                  f"上期述职报告未在本系统中形成，按整改台账统计：{period_word(period)}完成整改措施{w.m('plans.measures_done')}条，"
                  f"期末仍有{w.m('plans.measures_open')}条措施在推进中。")
        return
    measures = previous.get("measures", [])
    if not measures:
        w.add("s1.followup.body", "body", f"{previous['label']}述职报告没有列出需要跟进的整改措施。")
        return
    if not w.c.installed("plans"):
        w.add("s1.followup.body", "body",
              f"{previous['label']}述职报告提出整改措施{len(measures)}条。" + unavailable(w.c, "plans"))
        return
    open_now = {m["id"] for m in w.c.apps["plans"].extra.get("open_measures", [])}
    as_of = min(period.last_day, date.today())
    still_open = [m for m in measures if m["id"] in open_now]
    overdue = [m for m in still_open if date.fromisoformat(m["deadline"]) < as_of]
    link = previous.get("url", "")
    source = "上期述职报告"
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
        text += f"。未完成的是：{names}，已纳入下一步工作措施继续推进。"
    else:
        text += "，全部落实到位。"
    w.add("s1.followup.body", "body", text)


# --- 二、严于律己 ---------------------------------------------------------------------------------

def _discipline(w: _Writer, pw: str) -> None:
    text = ("本人始终把纪律和规矩挺在前面，认真落实全面从严治党主体责任和“一岗双责”，自觉遵守中央八项规定及其实施细则精神，"
            "在工作和生活中严格要求自己，带头接受党员和群众监督，注重管好家属和身边工作人员。")
    talk = w.fig("meetings.type.talk.held")
    if talk is not None and talk.value:
        text += f"{pw}各支部开展谈心谈话{w.m('meetings.type.talk.held')}次，及时了解党员思想动态。"
    w.add("s2.body", "body", text)


# --- 三、存在问题和原因 ------------------------------------------------------------------------------

def _problems(w: _Writer, pw: str) -> None:
    if not w.c.installed("plans"):
        w.add("s3.body", "body", unavailable(w.c, "plans", "存在的问题和原因"))
        return
    problems = w.c.apps["plans"].extra.get("problems", [])
    text = (f"对照整改台账，{pw}查摆问题{w.m('plans.problems_found')}个，整改销号{w.m('plans.problems_closed')}个，"
            f"期末尚未销号{w.m('plans.problems_open')}个。")
    if not problems:
        w.add("s3.summary", "body", text + "（整改台账中本期没有需要列出的问题，请结合实际查摆后补充。）")
        return
    w.add("s3.summary", "body", text + "主要问题如下：")
    causes: list[str] = []
    for i, p in enumerate(problems, start=1):
        w.add(f"s3.p{p['id']}", "h2", f"（{cn_index(i)}）{p['title']}")
        body = p["description"].strip()
        if p.get("closed_on"):
            body += f"（该问题已于{cn_date(date.fromisoformat(p['closed_on']))}整改销号。）"
        else:
            body += "（该问题正在整改中。）"
        w.add(f"s3.p{p['id']}.body", "body", body)
        causes.extend(c for c in p.get("causes", []) if c.strip())
    if causes:
        listed = "；".join(f"{cn_index(i)}是{c.strip().rstrip('。；;')}" for i, c in enumerate(causes, start=1))
        w.add("s3.causes", "body", f"分析产生以上问题的原因，{listed}。")


# --- 四、下一步工作措施 ------------------------------------------------------------------------------

def _measures(w: _Writer, period: Period) -> None:
    if not w.c.installed("plans"):
        w.add("s4.body", "body", unavailable(w.c, "plans", "下一步工作措施"))
        return
    measures = w.c.apps["plans"].extra.get("open_measures", [])
    if measures:
        w.add("s4.lead", "body", f"针对以上问题，下一步重点抓好{len(measures)}项整改措施的落实：")
    for i, m in enumerate(measures, start=1):
        w.add(f"s4.m{m['id']}", "h2", f"（{cn_index(i)}）{m['title']}")
        detail = (m.get("detail") or "").strip()
        tail = f"责任人：{m['owner']}，完成时限：{cn_date(date.fromisoformat(m['deadline']))}。"
        w.add(f"s4.m{m['id']}.body", "body", (detail.rstrip("。") + "。" if detail else "") + tail)
    nxt = period.next()
    if w.fig("plans.next_items_due") is not None:
        text = (f"同时，按照工作计划，{nxt.label}有{w.m('plans.next_items_due')}项计划事项、"
                f"{w.m('plans.next_milestones_due')}个时间节点到期，将逐项明确责任、按期推进，确保各项工作落地见效。")
        w.add("s4.plan", "body", text)


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
