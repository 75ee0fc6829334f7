"""The 组织生活台账 for an org and a period as an .xlsx: records in, bytes out."""

from __future__ import annotations

from collections.abc import Iterable

from dangjian.lib.periods import Period
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.orgs.models import Org

from .choices import LEAVE_MARKS, Mark
from .compliance import STATE_LABELS, Compliance, unit_name
from .models import Activity, SelfStudy, Send, Visit


def _names(rows, marks) -> str:
    return "、".join(f"{a.member.name}（{a.mark}{'：' + a.reason if a.reason else ''}）" for a in rows if a.mark in marks)


def _time(a: Activity) -> str:
    if a.start_time and a.end_time:
        return f"{a.start_time:%H:%M}-{a.end_time:%H:%M}"
    return f"{a.start_time:%H:%M}" if a.start_time else ""


def activity_rows(activities: Iterable[Activity]):
    for i, a in enumerate(activities, start=1):
        rows = list(a.attendance.all())
        t = a.turnout()
        yield [
            i, a.held_on, _time(a), a.org.name, a.type.name, "、".join(x.name for x in a.also_types.all()), a.topic,
            a.place, a.host, a.recorder, a.lecturer + ("（支部书记）" if a.is_secretary_lecture and a.lecturer else ""),
            t.expected, t.attended, t.rate, _names(rows, LEAVE_MARKS), _names(rows, (Mark.ABSENT,)),
            "、".join(f"{g.name}（{g.unit}）" if g.unit else g.name for g in a.guests.all()), a.decisions,
            "、".join(x.name for x in a.tags.all()),
        ]


def attendance_rows(activities: Iterable[Activity]):
    for a in activities:
        for row in a.attendance.all():
            yield [a.held_on, a.org.name, a.type.name, a.topic, row.member.name, row.member.org.name, row.mark, row.reason]


def compliance_rows(comp: Compliance):
    for b in comp.branches:
        for c in b.checks:
            if c.not_applicable:
                yield [b.branch.name, c.org.name, c.rule.label, c.rule.requirement, "", "", "不适用", c.not_applicable,
                       c.rule.source]
                continue
            for u in c.units:
                state = {"met": "达标", "missing": "未达标", "pending": "进行中", "not_owed": "不要求"}[u.state]
                yield [b.branch.name, c.org.name, c.rule.label, c.rule.requirement, unit_name(u.period, comp.period),
                       u.held, state, b.note, c.rule.source]


def compliance_heading(title: str, comp: Compliance, rows: list[list]) -> str:
    """The sheet holds every check of every branch: its heading says so, with how many are in each state
    (the overall state alone read as if the sheet listed only the 未达标 ones)."""
    counts = {}
    for row in rows:
        counts[row[6]] = counts.get(row[6], 0) + 1
    parts = "，".join(f"{state}{counts[state]}项" for state in ("达标", "未达标", "进行中", "不要求", "不适用") if counts.get(state))
    return f"{title}组织生活达标情况（全部考核项：{parts or '无'}；总体{STATE_LABELS[comp.state]}）"


def ledger_xlsx(*, org: Org, period: Period, activities: list[Activity], visits: Iterable[Visit],
                sends: Iterable[Send], studies: Iterable[SelfStudy], compliance: Compliance) -> bytes:
    title = f"{org.name}{period.label}"
    checks = list(compliance_rows(compliance))
    return write_workbook([
        SheetSpec(title="组织生活台账", heading=f"{title}组织生活台账（已提交的记录）", headers=[
            "序号", "召开日期", "时间", "组织", "类型", "同时开展", "议题/主题", "地点", "主持人", "记录人", "授课人",
            "应到", "实到", "参会率(%)", "请假", "缺席", "列席", "决议/决定事项", "标签",
        ], rows=activity_rows(activities)),
        SheetSpec(title="出席明细", heading=f"{title}出席明细（实到=到会+迟到；请假计入应到）", headers=[
            "召开日期", "组织", "类型", "议题/主题", "姓名", "所在组织", "签到", "原因/说明"],
            rows=attendance_rows(activities)),
        SheetSpec(title="达标情况", heading=compliance_heading(title, compliance, checks), headers=[
            "党支部", "开展组织", "规则", "要求", "考核期", "已开展", "状态", "说明", "依据"],
            rows=checks),
        SheetSpec(title="送学上门", heading=f"{title}送学上门登记", headers=[
            "上门日期", "党员", "所在组织", "上门人员", "学习内容/材料", "情况记录"],
            rows=([v.visited_on, v.member.name, v.org.name, v.visitor, v.material, v.notes] for v in visits)),
        SheetSpec(title="寄学", heading=f"{title}流动党员寄学登记", headers=[
            "寄送日期", "党员", "所在组织", "寄送方式", "学习材料", "确认日期", "确认情况"],
            rows=([s.sent_on, s.member.name, s.org.name, s.channel, s.material, s.confirmed_on, s.confirmation]
                  for s in sends)),
        SheetSpec(title="自学", heading=f"{title}党员自学登记", headers=[
            "学习日期", "党员", "所在组织", "学习方式", "学习内容", "学习时长（小时）", "积分"],
            rows=([s.studied_on, s.member.name, s.org.name, s.source, s.content, s.hours, s.points] for s in studies)),
    ])
