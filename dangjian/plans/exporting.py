"""问题整改台账 as .xlsx: records in, bytes out (the view only streams)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.styles import Alignment

from dangjian.lib.periods import Period
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.orgs.models import Org

from .models import Problem

PROBLEM_HEADERS = ["序号", "所属组织", "问题", "具体表现", "问题类别", "问题来源", "发现日期", "原因分析",
                   "整改措施", "责任人", "整改时限", "完成情况", "整改状态", "销号日期", "销号签字人"]
MEASURE_HEADERS = ["问题序号", "问题", "整改措施", "具体做法", "责任人", "整改时限", "状态", "完成日期", "是否逾期", "完成情况"]
EVENT_HEADERS = ["问题序号", "问题", "日期", "事项", "操作人", "说明"]
# Columns whose cells hold several numbered lines; they wrap in Excel.
WRAPPED = ("具体表现", "原因分析", "整改措施", "责任人", "整改时限", "完成情况", "问题", "具体做法", "说明")


@dataclass
class LedgerRows:
    problems: list[list] = field(default_factory=list)
    measures: list[list] = field(default_factory=list)
    events: list[list] = field(default_factory=list)


def _numbered(lines: Iterable[str]) -> str:
    lines = [line for line in lines if line]
    if len(lines) == 1:
        return lines[0]
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def ledger_rows(problems: Iterable[Problem], period: Period) -> LedgerRows:
    """One row per problem (measures as numbered lines), one per measure, one per event.
    `problems` should prefetch causes, measures and events."""
    today = timezone.localdate()
    rows = LedgerRows()
    for n, p in enumerate(problems, start=1):
        measures = list(p.measures.all())
        rows.problems.append([
            n, p.org.name, p.title, p.description, p.category.name, p.source.name, p.found_on,
            _numbered(c.text for c in p.causes.all()),
            _numbered(m.title for m in measures),
            _numbered(m.owner for m in measures) if len({m.owner for m in measures}) > 1 else (measures[0].owner if measures else ""),
            _numbered(f"{m.deadline:%Y-%m-%d}" for m in measures),
            _numbered((f"{m.done_on:%Y-%m-%d}完成" + ("（逾期）" if m.done_late else "") + (f"：{m.result}" if m.result else ""))
                      if m.is_done else ("逾期未完成" if m.deadline < today else m.get_status_display()) for m in measures),
            p.get_status_display(), p.closed_on, _user(p.closed_by),
        ])
        for m in measures:
            late = (m.done_on or today) > m.deadline
            rows.measures.append([n, p.title, m.title, m.detail, m.owner, m.deadline, m.get_status_display(), m.done_on,
                                  "是" if late else "否", m.result])
        for e in p.events.all():
            rows.events.append([n, p.title, e.on, e.get_kind_display(), _user(e.user), e.note])
    return rows


def ledger_xlsx(org: Org, period: Period, rows: LedgerRows, scope_label: str = "") -> bytes:
    heading = f"{org.name}{period.label}问题整改台账" + (f"（{scope_label}）" if scope_label else "")
    content = write_workbook([
        SheetSpec("问题整改台账", PROBLEM_HEADERS, rows.problems, heading=heading),
        SheetSpec("整改措施明细", MEASURE_HEADERS, rows.measures, heading=f"{org.name}{period.label}整改措施明细"),
        SheetSpec("整改过程记录", EVENT_HEADERS, rows.events, heading=f"{org.name}{period.label}整改过程记录（含销号、重新打开）"),
    ])
    return _wrap(content)


def _wrap(content: bytes) -> bytes:
    """Multi-line cells only show their lines when the cell wraps; lib.xlsx leaves that to us."""
    workbook = load_workbook(io.BytesIO(content))
    for ws in workbook.worksheets:
        headers = {cell.column: cell.value for cell in ws[2]}
        for col, header in headers.items():
            if header not in WRAPPED:
                continue
            for (cell,) in ws.iter_rows(min_row=3, min_col=col, max_col=col):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
