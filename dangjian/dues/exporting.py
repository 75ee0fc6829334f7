"""The 党费收缴台账 as .xlsx: records in, bytes out (the view only streams)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from dangjian.lib.xlsx import SheetSpec, write_workbook

from .book import month_label
from .choices import AllocationKind
from .figures import DuesFigures
from .models import DuesAllocation, DuesEntry

ZERO = Decimal("0.00")


def _streak(row, f: DuesFigures) -> str:
    if not row.streak:
        return ""
    mark = {"alarm": "（告警）", "warn": "（预警）"}.get(row.level, "")
    return f"连续{row.streak}个月未交{mark}"


def _month_sheet(f: DuesFigures, allocations: Iterable[DuesAllocation]) -> SheetSpec:
    by_member: dict[int, list[DuesAllocation]] = defaultdict(list)
    for a in allocations:
        by_member[a.member_id].append(a)
    headers = ["序号", "姓名", "所在党支部", "核定情况", "应交（元）", "实交（元）", "其中自愿多交（元）", "欠交（元）",
               "交纳日期", "交纳方式", "收据号", "收款人", "状态", "备注"]
    rows = []
    totals = [ZERO] * 4
    for i, r in enumerate(f.rows, start=1):
        line = r.lines[0] if r.lines else None
        allocs = by_member.get(r.member.pk, [])
        entries = list({a.entry_id: a.entry for a in allocs}.values())
        values = [r.due, r.paid, r.extra, r.arrears]  # 欠交: past the deadline only; 未到期 is not owed yet
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        rows.append([
            i, r.member.name, r.branch.name if r.branch else "", line.explanation if line else "未核定", *values,
            "、".join(sorted({e.paid_on.isoformat() for e in entries})),
            "、".join(sorted({e.method for e in entries if e.method})),
            "、".join(e.receipt_no for e in entries if e.receipt_no),
            "、".join(sorted({e.collected_by for e in entries if e.collected_by})),
            line.state_label_on(f.asof) if line else "", _streak(r, f),
        ])
    rows.append(["", "合计", "", "", *totals, "", "", "", "", "", ""])
    return SheetSpec(title="党费收缴台账", heading=f"{f.org.name}{f.period.label}党费收缴台账", headers=headers, rows=rows)


def _span_sheet(f: DuesFigures) -> SheetSpec:
    months = [m.first_day for m in f.period.months()]
    headers = ["序号", "姓名", "所在党支部", "核定情况", *[f"{m.month}月实交" for m in months],
               "应交合计", "实交合计", "自愿多交", "欠交", "未到期", "预交以后月份", "连续未交"]
    rows = []
    totals = [ZERO] * (len(months) + 6)
    for i, r in enumerate(f.rows, start=1):
        paid_by_month = {ln.month: ln.paid for ln in r.lines}
        values = [paid_by_month.get(m) for m in months] + [r.due, r.paid, r.extra, r.arrears, r.pending, r.prepaid]
        totals = [t + (v or ZERO) for t, v in zip(totals, values, strict=True)]
        rows.append([i, r.member.name, r.branch.name if r.branch else "", r.explanation, *values, _streak(r, f)])
    rows.append(["", "合计", "", "", *totals, ""])
    return SheetSpec(title="党费收缴台账", heading=f"{f.org.name}{f.period.label}党费收缴台账", headers=headers, rows=rows)


def _entries_sheet(entries: Iterable[DuesEntry]) -> SheetSpec:
    headers = ["日期", "姓名", "类型", "金额（元）", "交纳方式", "收据号", "收款人", "冲抵月份", "自愿多交（元）",
               "交易单号", "登记人", "备注/冲正原因"]
    rows = []
    for e in entries:
        allocs = list(e.allocations.all())
        months = "、".join(month_label(a.month) for a in allocs if a.kind == AllocationKind.DUES)
        extra = sum((a.amount for a in allocs if a.kind == AllocationKind.EXTRA), ZERO)
        rows.append([e.paid_on, e.member.name, e.get_kind_display(), e.amount, e.method, e.receipt_no, e.collected_by,
                     months, extra or None, e.external_ref, str(e.recorded_by or ""), e.reason or e.note])
    return SheetSpec(title="收款明细", headers=headers, rows=rows, text_columns=("收据号", "交易单号"))


def _notes_sheet(f: DuesFigures, without_entries: bool = False) -> SheetSpec:
    rows = [
        ["组织", f.org.name], ["期间", f.period.label], ["统计截至", f.asof],
        ["应交（元）", f.due.value], ["实交（元）", f.paid.value], ["欠交（元）", f.arrears.value],
        ["按时足额率（%）", f.on_time_rate.value], ["依据", f.rules["employed_brackets"].source],
        *[[k, v] for k, v in (("按时足额", f.definitions["on_time"]), ("欠交", f.definitions["arrears"]),
                              ("月份归属", f.definitions["month"]), ("连续未交", f.definitions["streak"]),
                              ("金额", f.definitions["rounding"]))],
    ]
    if without_entries:
        rows.append(["收款明细", "半年、全年台账不附逐笔收款明细，请按月或按季度导出"])
    return SheetSpec(title="说明", headers=["项目", "内容"], rows=rows)


def ledger_xlsx(f: DuesFigures, allocations: Iterable[DuesAllocation], entries: Iterable[DuesEntry] | None) -> bytes:
    """The 台账 of an org and period: one line per member (a month: its payments; longer: month columns),
    the payments booked in the period (`entries`; None leaves that sheet out), and the definitions used."""
    main = _month_sheet(f, allocations) if f.period.kind == "month" else _span_sheet(f)
    sheets = [main] + ([_entries_sheet(entries)] if entries is not None else []) + [_notes_sheet(f, entries is None)]
    return write_workbook(sheets)
