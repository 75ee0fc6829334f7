"""Writing .xlsx exports and import templates: a heading, a bold bordered header, frozen panes."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Columns whose digits must stay text: Excel would turn an 18-digit ID into 1.10101E+17.
_TEXT_HEADER_HINTS = ("身份证", "证件号", "身份号码", "电话", "手机", "联系方式", "号码")
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_MIN_WIDTH, _MAX_WIDTH = 6, 50


@dataclass
class SheetSpec:
    """One worksheet: optional merged heading row, then the header, then the rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    heading: str | None = None
    text_columns: Sequence[str] = ()


def display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_text_column(header: str, text_columns: Sequence[str]) -> bool:
    return header in text_columns or any(hint in header for hint in _TEXT_HEADER_HINTS)


def sheet_title(title: str) -> str:
    """Excel forbids []:*?/\\ in sheet names and allows at most 31 characters; a leading = + - @
    is dropped so a formula reference built from the name can never start a formula."""
    return re.sub(r"[\[\]:*?/\\]", "_", title).strip("'").lstrip("=+-@ ")[:31] or "Sheet1"


def _cell_value(value: Any, as_text: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date | int | float | Decimal) and not as_text:
        return value
    # Control characters make openpyxl refuse the whole file.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _number_format(value: Any, as_text: bool) -> str | None:
    if as_text:
        return "@"
    if isinstance(value, datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(value, date):
        return "yyyy-mm-dd"
    if isinstance(value, Decimal):
        return "0.00"
    return None


def _shown_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return display_width("" if value is None else str(value))


def _text(ws: Worksheet, row: int, column: int, value: Any):
    """A cell holding `value` as text whatever it starts with: headings and headers carry names
    people typed (an organisation, a grid, an uploaded file's name), and "=HYPERLINK(…)" there
    must stay words, never a formula Excel runs."""
    cell = ws.cell(row=row, column=column, value=_cell_value(value, True))
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _write_sheet(ws: Worksheet, spec: SheetSpec) -> None:
    ncols = max(len(spec.headers), 1)
    header_row = 1
    if spec.heading:
        _text(ws, 1, 1, spec.heading).font = Font(bold=True, size=14)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
        if ncols > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        ws.row_dimensions[1].height = 28
        header_row = 2

    as_text = [_is_text_column(h, spec.text_columns) for h in spec.headers]
    widths = [display_width(h) for h in spec.headers]
    for col, header in enumerate(spec.headers, start=1):
        cell = _text(ws, header_row, col, header)
        cell.font = Font(bold=True)
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    styles: dict[str | None, Any] = {}
    for r, row in enumerate(spec.rows, start=header_row + 1):
        for c, value in enumerate(row, start=1):
            text = c <= len(as_text) and as_text[c - 1]
            cell = ws.cell(row=r, column=c, value=_cell_value(value, text))
            if cell.data_type == "f":
                # Data is never a formula: a name like "=HYPERLINK(…)" must not run in Excel.
                cell.data_type = "s"
            # Styling a cell hashes its style objects (most of the time of a 30,000-cell sheet): style the
            # first cell of each number format, then give the others a copy of its style.
            fmt = _number_format(value, text)
            if (style := styles.get(fmt)) is None:
                cell.border = _BORDER
                if fmt:
                    cell.number_format = fmt
                styles[fmt] = copy(cell._style)
            else:
                cell._style = copy(style)
            if c <= len(widths):
                widths[c - 1] = max(widths[c - 1], _shown_width(value))

    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
        if as_text[col - 1]:
            # Rows typed in later by the user should stay text too.
            ws.column_dimensions[get_column_letter(col)].number_format = "@"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def write_workbook(sheets: Sequence[SheetSpec]) -> bytes:
    """An .xlsx file with one worksheet per spec, as bytes ready to stream."""
    if not sheets:
        raise ValueError("至少需要一个工作表")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        _write_sheet(workbook.create_sheet(sheet_title(spec.title)), spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
