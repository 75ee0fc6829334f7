"""The one reader behind every import: .xlsx/.xls/.ods (python-calamine; a big .xlsx sheet piece by
piece, lib.sheetstream) and .csv.

It finds the header row under any title rows, maps header variants to fields, cleans each cell
by its kind (full-width text, Excel dates, ID numbers, phones) and yields, row by row, either the
cleaned values or every reason the row was rejected. Apps only declare their columns.
"""

from __future__ import annotations

import csv
import html
import io
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, WorksheetNotFound

from .idnumbers import validate_id, was_upgraded
from .money import parse_decimal
from .sheetcheck import UnsafeSpreadsheet, check_spreadsheet
from .sheetstream import StreamError, cells_out_of_range, is_out_of_range, open_stream, out_of_range_message
from .uploads import mask_personal

KINDS = ("text", "date", "id", "int", "decimal", "phone", "choice")
Source = str | Path | bytes | BinaryIO  # or an OpenedInBackground


@dataclass(frozen=True)
class Column:
    """One field an importer wants: its header, the variants people write, and how to clean it."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    kind: str = "text"
    choices: tuple[str, ...] = ()
    # Fields whose column, when the file has it, stands in for this required one (a 现住址
    # column split into 楼栋/房号); then this column and its cells are optional.
    required_unless: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"列“{self.header}”的类型“{self.kind}”无效，应为：{'、'.join(KINDS)}")


@dataclass(frozen=True)
class RowError:
    """Why one cell of one row was rejected; `row` is the row number Excel shows, `sheet` the
    worksheet's name when a workbook is read sheet by sheet."""

    row: int
    column: str
    reason: str
    sheet: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason} | ({"sheet": self.sheet} if self.sheet else {})

    def __post_init__(self) -> None:
        # A reason may quote the cell; it is shown and stored, so no full ID or phone in it.
        object.__setattr__(self, "reason", mask_personal(self.reason))


@dataclass
class Row:
    """A row that passed cleaning: field → value (None when empty). `headers`: field → header in the file."""

    number: int
    values: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    # What the reader changed and the user should see in the preview (a 15-digit ID upgraded).
    notes: tuple[str, ...] = ()


class RowErrors(list):
    """The errors of one row (a list of RowError); `.partial` holds the cells that did clean, so
    an importer can add its own row checks and report every problem of the row at once."""

    partial: Row


class TabularError(ValueError):
    """The file as a whole cannot be imported (unreadable, no header row, a required column missing)."""


class NoTable(TabularError):
    """A sheet holds no table we know (empty, or no header row): in a workbook read sheet by
    sheet, such a sheet (说明, 填表要求) is passed over."""


# ---------------------------------------------------------------------------------------------
# Cleaning one cell. Each function returns the clean value or raises ValueError(reason).

_CJK = r"\u2e80-\u2fff\u3005-\u3007\u3021-\u3029\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def _is_empty(value: Any) -> bool:
    return value is None or isinstance(value, str) and (value == "" or value.isspace())


def _show(value: Any) -> str:
    """A cell as the user typed it, for error messages."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def clean_text(value: Any) -> str:
    """NFKC, trimmed, runs of whitespace made one space, and none between CJK characters (`张 三`)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    text = unicodedata.normalize("NFKC", _show(value))
    text = re.sub(r"\s+", " ", text).strip()
    return _SPACE_BETWEEN_CJK.sub("", text)


class MonthOnly(date):
    """A date written to the month (出生年月 "1985.03"): held as the 1st, compared as the month."""

    __slots__ = ()


class YearOnly(date):
    """A date written as a year only ("1985年"): held as 1 January, compared as the year."""

    __slots__ = ()


def agrees(given: date, actual: date) -> bool:
    """Whether `actual` falls in what `given` says, at the precision it was written in."""
    if isinstance(given, YearOnly):
        return given.year == actual.year
    if isinstance(given, MonthOnly):
        return (given.year, given.month) == (actual.year, actual.month)
    return given == actual


def show_date(value: date) -> str:
    """A date as precise as it was written: 1985.03, 1985, 1985-03-01."""
    if isinstance(value, YearOnly):
        return f"{value.year}"
    if isinstance(value, MonthOnly):
        return f"{value.year}.{value.month:02d}"
    return f"{value:%Y-%m-%d}"


def birth_mismatch(label: str, given: date | None, born: date) -> str | None:
    """The message when a birth date column disagrees with the ID's birth date `born` (both
    values shown), else None."""
    if given is None or agrees(given, born):
        return None
    return f"{label}{show_date(given)}与身份证号中的{born:%Y-%m-%d}不一致"


_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DATE_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?P<y>\d{4})(?P<sep>[-./])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})[日号]?"),
    re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})月?"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月?(?:份|(?P<d>\d{1,2})[日号]?)?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?"),
    re.compile(r"(?P<y>\d{4})年?"),
)
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Lotus's phantom 1900-02-29
_SERIAL_MIN, _SERIAL_MAX = 61, 73415  # 1900-03-01 … 2100-12-31
_YEARS = range(1900, 2101)


def _ymd(year: int, month: int | None, day: int | None, shown: str) -> date:
    kind = date if day else MonthOnly if month else YearOnly
    try:
        result = kind(year, month or 1, day or 1)
    except ValueError:
        raise ValueError(f"日期无法识别：“{shown}”") from None
    if result.year not in _YEARS:
        raise ValueError(f"日期无法识别：“{shown}”（年份应在1900—2100之间）")
    return result


def _date_from_text(text: str) -> date:
    shown = text.strip()
    compact = re.sub(r"\s+", "", _TIME_SUFFIX.sub("", unicodedata.normalize("NFKC", shown))).rstrip(".。")
    for form in _DATE_FORMS:
        match = form.fullmatch(compact)
        if match:
            month = match.group("m") if "m" in form.groupindex else None
            day = match.group("d") if "d" in form.groupindex else None
            return _ymd(int(match.group("y")), month and int(month), day and int(day), shown)
    raise ValueError(f"日期无法识别：“{shown}”")


def _date_from_number(number: float) -> date:
    """A number in a date cell: 19650301, 196503, 1965.03 or 1965 typed without a date format, or a serial."""
    shown = _show(number)
    if number.is_integer():
        if len(shown) in (4, 6, 8) and (len(shown) != 4 or int(number) in _YEARS):
            return _date_from_text(shown)
        if _SERIAL_MIN <= number <= _SERIAL_MAX and not 1800 <= number <= 2200:
            return _EXCEL_EPOCH + timedelta(days=int(number))
        raise ValueError(f"日期无法识别：“{shown}”")
    if 1800 <= number <= 2200:
        year, _, fraction = repr(number).partition(".")
        # Excel turned 1965.10 into the number 1965.1, so a one-digit 1 may be October.
        if fraction == "1":
            raise ValueError(f"日期无法识别：“{shown}”是1月还是10月？请写成1965-01或1965-10这样的格式")
        if len(fraction) > 2:
            raise ValueError(f"日期无法识别：“{shown}”")
        return _ymd(int(year), int(fraction), None, shown)
    if _SERIAL_MIN <= number <= _SERIAL_MAX:
        return _EXCEL_EPOCH + timedelta(days=int(number))
    raise ValueError(f"日期无法识别：“{shown}”")


def parse_date(value: Any) -> date:
    """A date from a cell: a real date, an Excel serial, or text such as 1965.3.1 / 1965年3月 / 19650301.

    A date written to the month or the year comes back as MonthOnly / YearOnly (still a date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"日期无法识别：“{_show(value)}”")
    if isinstance(value, int | float):
        return _date_from_number(float(value))
    return _date_from_text(value)


def clean_id(value: Any) -> str:
    return validate_id(value)


def clean_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        number = parse_decimal(value)
    except ValueError:
        raise ValueError(f"不是整数：“{_show(value)}”") from None
    if number != number.to_integral_value():
        raise ValueError(f"不是整数：“{_show(value)}”")
    return int(number)


def clean_decimal(value: Any) -> Decimal:
    try:
        return parse_decimal(value)
    except ValueError:
        raise ValueError(f"不是数字：“{_show(value)}”") from None


# ASCII digits only: NFKC turns full-width digits into these, and other scripts' digits are no phone.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{2,3}-[0-9]{7,8}(-[0-9]{1,6})?")


def clean_phone(value: Any) -> str:
    """An 11-digit mobile (`13812341234`) or a landline with its area code (`010-12345678`)."""
    shown = _show(value)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", shown))
    text = re.sub(r"[—–]", "-", text)
    text = re.sub(r"^\((0\d{2,3})\)-?", r"\1-", text)
    digits = re.sub(r"^(\+?86|0086)(?=1\d{10}$)", "", text.replace("-", ""))
    if _MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(text):
        return text
    raise ValueError(f"电话号码无效：“{shown}”，应为11位手机号或带区号的固定电话（如010-12345678）")


def _choice_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def clean_choice(value: Any, choices: Sequence[str]) -> str:
    wanted = _choice_key(clean_text(value))
    for choice in choices:
        if _choice_key(choice) == wanted:
            return choice
    raise ValueError(f"“{clean_text(value)}”不是可选值，可选：{'、'.join(choices)}")


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "text": clean_text,
    "date": parse_date,
    "id": clean_id,
    "int": clean_int,
    "decimal": clean_decimal,
    "phone": clean_phone,
}


def clean_cell(column: Column, value: Any) -> Any:
    """The clean value of one cell (None when empty), or ValueError(reason)."""
    if _is_empty(value):
        if column.required:
            raise ValueError("必填项为空")
        return None
    if column.kind == "choice":
        return clean_choice(value, column.choices)
    return _CLEANERS[column.kind](value)


# Most cells of a real register are already clean: text in NFKC with no stray whitespace, a
# date cell, a choice spelled as listed, an 11-digit mobile. For those, `cell_cleaner` returns
# the value after one or two C-level checks, which gives the same result as clean_cell (tests
# check the two agree on arbitrary input); anything else takes clean_cell's full path.
_ANY_SPACE = re.compile(r"\s").search


def _plain_text(value: Any) -> bool:
    """A non-empty str that clean_text would return unchanged."""
    return type(value) is str and value != "" and unicodedata.is_normalized("NFKC", value) and _ANY_SPACE(value) is None


def _already_clean(column: Column) -> Callable[[Any], bool]:
    """Whether a non-empty cell of this column is already what clean_cell would make of it."""
    if column.kind == "text":
        return _plain_text
    if column.kind == "choice":
        exact = frozenset(column.choices)
        return lambda value: type(value) is str and value in exact
    if column.kind == "date":
        return lambda value: type(value) is date
    if column.kind == "phone":
        return lambda value: type(value) is str and _MOBILE.fullmatch(value) is not None
    return lambda value: False


def cell_cleaner(column: Column) -> Callable[[Any], Any]:
    """clean_cell for one column, with a shortcut for empty cells and cells already clean."""
    plain = _already_clean(column)

    def full(value: Any) -> Any:
        return clean_cell(column, value)

    if column.required:
        return lambda value: value if plain(value) else full(value)
    return lambda value: None if value is None or value == "" else value if plain(value) else full(value)


# ---------------------------------------------------------------------------------------------
# Finding the header row.


def normalize_header(text: Any) -> str:
    """`" *身份证号： "` → `身份证号`: NFKC, no whitespace at all, no `*` or colon marks, case-folded."""
    if _plain_text(text):
        return text.strip("*:").casefold()
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", "" if text is None else str(text)))
    return compact.strip("*:").casefold()


_BRACKETED = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")


def _header_lookup(columns: Sequence[Column]) -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            lookup.setdefault(normalize_header(name), column)
    return lookup


def _match_header(cell: Any, lookup: dict[str, Column]) -> Column | None:
    key = normalize_header(cell)
    if not key:
        return None
    # `出生日期（格式：1965-03-01）` and `身份证号[必填]` name the same column.
    return lookup.get(key) or lookup.get(normalize_header(_BRACKETED.sub("", key)))


def _map_header(cells: Sequence[Any], lookup: dict[str, Column]) -> dict[int, Column]:
    """Cell position → column, for the cells of one row that name a known column."""
    return {i: column for i, cell in enumerate(cells) if (column := _match_header(cell, lookup))}


def _qualifies(mapping: dict[int, Column], columns: Sequence[Column]) -> bool:
    found = {c.field for c in mapping.values()}
    required = {c.field for c in columns if c.required}
    return len(found) >= min(2, len(columns)) or bool(required) and required <= found


def _choose_header(
    scanned: list[tuple[int, list[Any]]], columns: Sequence[Column], lookup: dict[str, Column], max_scan: int
) -> tuple[int, dict[int, Column]]:
    """Position in `scanned` of the first row naming the most columns, and its mapping."""
    best: tuple[int, dict[int, Column]] | None = None
    best_score = 0
    for position, (_, cells) in enumerate(scanned):
        mapping = _map_header(cells, lookup)
        score = len({c.field for c in mapping.values()})
        if score > best_score and _qualifies(mapping, columns):
            best, best_score = (position, mapping), score
    if best is None:
        expected = "、".join(c.header for c in columns[:6])
        raise NoTable(f"在前{max_scan}行中没有找到表头行，表头应包含这些列名：{expected}等")
    return best


def _check_header(cells: list[Any], mapping: dict[int, Column], columns: Sequence[Column]) -> dict[str, str]:
    """Field → header text in the file; TabularError for duplicate or missing required columns."""
    headers: dict[str, str] = {}
    for i, column in mapping.items():
        text = clean_text(cells[i]).strip("*: ")
        if column.field in headers:
            fix = "请删除其中一列，或把它的表头改成别的名称"
            others = [c.header for c in columns if c.kind == "phone" and c.field != column.field]
            if column.kind == "phone" and others:
                fix = f"如果其中一列是{others[0]}，请把它的表头改为“{others[0]}”；否则请删除其中一列"
            raise TabularError(f"表头中“{headers[column.field]}”和“{text}”都表示“{column.header}”，{fix}")
        headers[column.field] = text
    missing = [c for c in columns if c.required and c.field not in headers
               and not any(f in headers for f in c.required_unless)]
    if missing:
        instead = {f for c in missing for f in c.required_unless}
        hint = "（或用一列“" + "”/“".join(c.header for c in columns if c.field in instead) + "”写全）" if instead else ""
        raise TabularError(f"缺少必填列：{'、'.join(c.header for c in missing)}{hint}")
    return headers


def _effective(columns: Sequence[Column], headers: dict[str, str]) -> list[Column]:
    """The columns with `required` lifted where a stand-in column is present."""
    return [replace(c, required=False) if c.required and any(f in headers for f in c.required_unless) else c
            for c in columns]


# ---------------------------------------------------------------------------------------------
# Opening the file and streaming raw rows as (Excel row number, cells).

_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
_ZIP_MAGIC, _OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


def _source_name(source: Source, filename: str | None) -> str:
    if filename:
        return filename
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "") or "")


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise TabularError(f"文件无法打开：{exc.strerror or exc}") from exc
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def _is_spreadsheet(name: str, data: bytes) -> bool:
    """Magic bytes first: many systems export tab-separated text or HTML under a `.xls` name."""
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        return True
    if Path(name).suffix.lower() in _SPREADSHEET_SUFFIXES:
        head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")):
            raise TabularError("这个文件实际上是网页（HTML）格式，请用Excel打开后另存为.xlsx再导入")
    return False


UNDECODABLE = "文件编码无法识别（既不是UTF-8，也不是GBK/GB18030），请另存为UTF-8或GBK编码的CSV，或直接上传Excel文件"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


def _plausible_gb(text: str) -> bool:
    """Whether text decoded as GB18030 reads as Chinese text rather than another encoding's bytes.

    Real GBK files (what Excel and WPS save on a Chinese Windows PC) hold only characters GBK can
    encode; GB18030's four-byte range, control characters and private-use code points appear
    when a Big5, Shift-JIS, Latin-1 or binary file is forced through GB18030."""
    if _CONTROL.search(text):
        return False
    odd = len(_PRIVATE_USE.findall(text))
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        odd += len(text.encode("gbk", "replace")) - len(text.encode("gbk", "ignore"))  # one "?" each
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return odd <= max(2, non_ascii // 200)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file: UTF-16 (with BOM), UTF-8 (with or without BOM) or GB18030 (GBK).

    Never a silent guess: a file that decodes as none of them, or decodes as GB18030 into what
    is no Chinese text (judged on its first million characters), raises TabularError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise TabularError(UNDECODABLE) from None
    if not _plausible_gb(text[:1_000_000]):
        raise TabularError(UNDECODABLE)
    return text, "gb18030"


def detect_encoding(data: bytes) -> str:
    return decode_text(data)[1]


class _CsvRows:
    """The rows of a CSV file, knowing the encoding they were decoded from."""

    def __init__(self, rows: Iterator[tuple[int, list[Any]]], encoding: str):
        self.rows, self.encoding = rows, encoding

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        return self.rows

    def __next__(self) -> tuple[int, list[Any]]:
        return next(self.rows)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text, encoding = decode_text(data)
    sample = text[:8192]
    # Excel's "Unicode text" export is tab-separated; everything else we meet uses commas.
    # Count the lines each delimiter splits into two or more non-blank cells, so stray tabs
    # or commas inside a title line do not decide it.
    def splits(delim: str) -> int:
        return sum(1 for line in sample.splitlines() if sum(1 for c in line.split(delim) if c.strip()) >= 2)

    delimiter = "\t" if splits("\t") > splits(",") else ","
    return _CsvRows(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1), encoding)


def _spreadsheet_rows(workbook: CalamineWorkbook, sheet: int | str, source: Source | None = None
                      ) -> Iterator[tuple[int, list[Any]]]:
    try:
        worksheet = (
            workbook.get_sheet_by_name(sheet)
            if isinstance(sheet, str)
            else workbook.get_sheet_by_index(sheet)
        )
    except (WorksheetNotFound, IndexError, CalamineError) as exc:
        names = "、".join(workbook.sheet_names)
        workbook.close()
        raise TabularError(f"找不到工作表“{sheet}”，文件中的工作表有：{names}") from exc

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # iter_rows() converts one row at a time and starts at sheet row 1 even when the
        # used range starts lower, so the count is the row number Excel shows.
        number = 0
        try:
            for number, cells in enumerate(worksheet.iter_rows(), start=1):  # noqa: B007
                yield number, cells
        except BaseException as exc:
            if not is_out_of_range(exc):  # Ctrl-C, a generator closed, a real error: as they are
                raise
            # A date or time out of range in row number + 1 (see lib.sheetstream).
            cells = cells_out_of_range(source, worksheet.name, number + 1) if source is not None else []
            raise TabularError(out_of_range_message(worksheet.name, number + 1, cells)) from None
        finally:
            workbook.close()

    return rows()


def _open_workbook(source: Source, data: bytes | None) -> CalamineWorkbook:
    try:
        if data is None:
            return CalamineWorkbook.from_path(str(source))
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise TabularError("文件设置了打开密码，请去掉密码后再导入") from exc
    except (CalamineError, OSError, ValueError) as exc:
        raise TabularError(f"文件无法读取，可能已损坏或不是Excel文件（{exc}）") from exc


def _raw_rows(source: Source, filename: str | None, sheet: int | str) -> Iterator[tuple[int, list[Any]]]:
    name = _source_name(source, filename)
    try:
        check_spreadsheet(source, name)  # bombs and look-alikes, before anything is parsed
    except UnsafeSpreadsheet as exc:
        raise TabularError(str(exc)) from exc
    if isinstance(source, str | Path):
        try:
            with open(source, "rb") as handle:
                head = handle.read(512)
        except OSError as exc:
            raise TabularError(f"文件无法打开：{exc.strerror or exc}") from exc
        if _is_spreadsheet(name, head):
            streamed = _streamed_rows(str(source), head, sheet)
            return streamed or _spreadsheet_rows(_open_workbook(source, None), sheet, source)
        return _csv_rows(_read_bytes(source))
    data = _read_bytes(source)
    if _is_spreadsheet(name, data):
        streamed = _streamed_rows(data, data[:4], sheet)
        return streamed or _spreadsheet_rows(_open_workbook(source, data), sheet, data)
    return _csv_rows(data)


def _streamed_rows(source: str | bytes, head: bytes, sheet: int | str) -> Iterator[tuple[int, list[Any]]] | None:
    """A big .xlsx sheet read piece by piece (lib.sheetstream), or None to parse it whole."""
    if not head.startswith(_ZIP_MAGIC):
        return None
    try:
        rows = open_stream(source, sheet)
    except StreamError as exc:
        raise TabularError(str(exc)) from exc
    if rows is None:
        return None

    def converted() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from rows
        except StreamError as exc:
            raise TabularError(str(exc)) from exc
        finally:
            rows.close()

    return converted()


def sheet_names(source: str | Path, filename: str | None = None) -> list[str]:
    """The worksheet names of a workbook, in order ([] for a CSV file).

    An .xlsx names them in xl/workbook.xml, read without parsing any sheet; other formats ask
    python-calamine."""
    name = _source_name(source, filename)
    try:
        check_spreadsheet(source, name)  # python-calamine reads the shared strings on opening
    except UnsafeSpreadsheet as exc:
        raise TabularError(str(exc)) from exc
    try:
        with open(source, "rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise TabularError(f"文件无法打开：{exc.strerror or exc}") from exc
    if not _is_spreadsheet(name, head):
        return []
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(source) as archive:
                info = archive.getinfo("xl/workbook.xml")
                if info.file_size < 1 << 20:
                    xml = archive.read(info).decode("utf-8", "replace")
                    return [html.unescape(n) for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', xml)]
        except (KeyError, zipfile.BadZipFile, OSError):
            pass
    workbook = _open_workbook(source, None)
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


class OpenedInBackground:
    """A file opened — for a spreadsheet, its sheet parsed — in a thread, to pass to read_table.

    python-calamine parses the whole sheet before the first row and releases the GIL while it
    does, so a process with other start-up work (imports) can do that work meanwhile. Errors
    are raised where read_table would raise them."""

    def __init__(self, source: str | Path, filename: str | None = None, sheet: int | str = 0):
        self.source, self.filename, self.sheet = source, filename, sheet
        self._raw: Iterator[tuple[int, list[Any]]] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._open, args=(source, filename, sheet), name="tabular-open", daemon=True)
        self._thread.start()

    def _open(self, source: str | Path, filename: str | None, sheet: int | str) -> None:
        try:
            self._raw = _raw_rows(source, filename, sheet)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the reading thread
            self._error = exc

    def raw_rows(self) -> Iterator[tuple[int, list[Any]]]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._raw


# ---------------------------------------------------------------------------------------------


class _RowCleaner:
    """Cleans the cells under our columns (in mapping order) into a Row or its RowErrors.

    Text columns are most of a register and their cells are usually already clean: all of a
    row's text cells are checked at once (joined by NUL, which NFKC never composes across and
    which is no whitespace), and only a row that fails that check cleans them one by one."""

    def __init__(self, mapping: dict[int, Column], columns: Sequence[Column], headers: dict[str, str]):
        self.fields = tuple(c.field for c in columns)
        self.headers = headers
        effective = {c.field: c for c in _effective(columns, headers)}
        mapped = [effective[c.field] for c in mapping.values()]
        self.ids = [(k, c.field) for k, c in enumerate(mapped) if c.kind == "id"]
        self.cleaners = [(k, c.field, cell_cleaner(c)) for k, c in enumerate(mapped)]
        self.texts = [(k, c.field, c.required) for k, c in enumerate(mapped) if c.kind == "text"]
        self.others = [cleaner for cleaner, c in zip(self.cleaners, mapped, strict=True) if c.kind != "text"]
        self.text_at = [k for k, _, _ in self.texts]

    def __call__(self, number: int, known: list[Any]) -> Row | list[RowError]:
        values: dict[str, Any] = dict.fromkeys(self.fields)
        cells = [known[k] for k in self.text_at]
        try:
            joined = "\x00".join(cells)
        except TypeError:
            joined = None
        if joined is not None and unicodedata.is_normalized("NFKC", joined) and _ANY_SPACE(joined) is None:
            todo = self.others
            for (_, name, required), value in zip(self.texts, cells, strict=True):
                if value:
                    values[name] = value
                elif required:
                    todo = self.cleaners  # let the cleaner say what is missing
        else:
            todo = self.cleaners
        errors: list[RowError] = []
        for k, name, clean in todo:
            try:
                values[name] = clean(known[k])
            except ValueError as exc:
                errors.append(RowError(number, self.headers[name], str(exc)))
        if not errors:
            notes = ()
            for k, name in self.ids:
                if values[name] is not None and was_upgraded(known[k]):
                    notes = (*notes, f"{self.headers[name]}：15位身份证号已升级为18位")
            return Row(number, values, self.headers, notes)
        bad = RowErrors(errors)
        failed = {e.column for e in errors}
        cleaned = {name for _, name, _ in self.cleaners}
        bad.partial = Row(number, {k: v for k, v in values.items() if k not in cleaned or self.headers[k] not in failed},
                          self.headers)
        return bad


def read_table(
    source: Source,
    columns: Sequence[Column],
    *,
    filename: str | None = None,
    sheet: int | str = 0,
    max_header_scan: int = 20,
) -> Iterator[Row | list[RowError]]:
    """Rows of a spreadsheet or CSV, each cleaned into a `Row` or rejected with its `RowError`s.

    Whole-file problems raise `TabularError` here, before the first row is yielded.
    """
    raw = source.raw_rows() if isinstance(source, OpenedInBackground) else _raw_rows(source, filename, sheet)
    scanned = [(n, cells) for n, cells in islice(raw, max_header_scan) if not all(map(_is_empty, cells))]
    if not scanned:
        raise NoTable("文件中没有数据")
    lookup = _header_lookup(columns)
    try:
        position, mapping = _choose_header(scanned, columns, lookup, max_header_scan)
    except NoTable as exc:
        if getattr(raw, "encoding", "") == "gb18030":
            # Big5 and other double-byte text also decodes as GB18030, into characters that name no column.
            raise NoTable(f"{exc}（文件按GBK/GB18030编码读取；如果它是其他编码，如繁体Big5，请另存为UTF-8编码的CSV）") from None
        raise
    header_cells = scanned[position][1]
    headers = _check_header(header_cells, mapping, columns)
    header_keys = [normalize_header(header_cells[i]) for i in mapping]
    return _data_rows(chain(scanned[position + 1 :], raw), mapping, columns, headers, header_keys)


def _data_rows(
    raw: Iterator[tuple[int, list[Any]]],
    mapping: dict[int, Column],
    columns: Sequence[Column],
    headers: dict[str, str],
    header_keys: list[str],
) -> Iterator[Row | list[RowError]]:
    clean_row = _RowCleaner(mapping, columns, headers)
    positions = list(mapping)
    pick = itemgetter(*positions) if len(positions) > 1 else lambda cells, at=positions[0]: (cells[at],)
    reach = max(positions) + 1
    first_key = header_keys[0]
    for number, cells in raw:
        # A spreadsheet's rows all span its used range; a CSV line may stop short.
        known = pick(cells) if len(cells) >= reach else [cells[i] if i < len(cells) else None for i in positions]
        # A row with nothing under our columns (blank, or a footnote such as 制表人) holds no record.
        if all(map(_is_empty, known)):
            continue
        # Rosters printed page by page repeat the header row; it is not a record either.
        if normalize_header(known[0]) == first_key and all(
            normalize_header(cell) == key for cell, key in zip(known, header_keys, strict=True)
        ):
            continue
        yield clean_row(number, known)
