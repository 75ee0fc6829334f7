"""Reading a large .xlsx sheet in pieces, so its parse takes memory by the piece, not by the sheet.

python-calamine parses a whole sheet into one grid before the first row exists: a 200,000-row
register (sheet XML 227 MB) took 315 MB. Here the sheet's XML is inflated from the archive in
pieces of about `PIECE_BYTES`, each cut after a `</row>`, and each piece is handed to
python-calamine as a small workbook of its own: the piece as its one sheet, the original
styles (which number formats are dates) and date system, and a shared-strings table in which
the strings the piece may refer to keep their index and every other is empty. So each cell is
read by the same code that reads it in the whole file, and comes back the same value.

The rows differ from python-calamine's whole-sheet rows in their frame only: they start at
column A (calamine's start at the sheet's leftmost used column, which is known only at its end)
and a row is as wide as the widest seen so far. Rows missing between pieces come as empty
lists, so a row's position is still its row number. read_table maps columns by the header row's
positions, so it makes the same rows and the same errors of both; the tests compare them.

Only what Excel and the usual writers make is streamed: a worksheet found through the
workbook's relationships, every `<row>` with its `r` number. Anything else (and every sheet
smaller than `STREAM_FROM_BYTES`) is left to python-calamine's whole-sheet parse, which
sheetcheck has already bounded.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from itertools import repeat
from posixpath import normpath
from typing import Any, BinaryIO
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

STREAM_FROM_BYTES = 24 << 20  # sheet XML; python-calamine's parse takes ~1.4× it (~20,000 register rows)
PIECE_BYTES = 4 << 20  # of sheet XML a piece: ~3,500 register rows, ~15 MB while parsed
MAX_CARRY = 64 << 20  # a row longer than this (no `</row>` within it) is no register's

_OFFICE_DOC = "/relationships/officeDocument"
_SHEET_START = re.compile(rb"<(?P<p>(?:\w+:)?)sheetData\b[^>]*?(?P<empty>/?)>")
_ROOT_START = re.compile(rb"<(?P<p>(?:\w+:)?)worksheet\b[^>]*>")
_SST_START = re.compile(rb"<(?P<p>(?:\w+:)?)sst\b[^>]*>")
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_SHARED_ITEM = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>.*?</(?:\w+:)?si>)", re.S)
_DATE1904 = re.compile(rb'<(?:\w+:)?workbookPr\b[^>]*?\bdate1904="(?:1|true)"')

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)
# Each part's own type, which openpyxl wants besides (only to find the cell a piece fails on).
_PART_TYPES = {
    f"xl/{part}": f"application/vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml"
    for part, kind in (("workbook.xml", "sheet.main"), ("worksheets/sheet1.xml", "worksheet"),
                       ("styles.xml", "styles"), ("sharedStrings.xml", "sharedStrings"))
}
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    b' Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<workbookPr date1904="{date1904}"/><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
    b' Target="worksheets/sheet1.xml"/></Relationships>'
)


class StreamError(ValueError):
    """The sheet cannot be read on (its rows out of order, a row without its number, a piece
    python-calamine refuses); the message is for the user."""


# ---- A cell whose date or time python-calamine cannot make ------------------------------------
# A number under a date or time format (yyyy-mm-dd, [h]:mm:ss) that no date or duration holds
# (-1E+20; 1E+20 as a duration) makes python-calamine 0.9 panic in Rust while it converts the
# cell — pyo3's PanicException, a BaseException, which `except Exception` lets through — or
# overflow Python's timedelta. Both readers (the whole sheet, lib.tabular; a piece, here) turn it
# into a message naming the sheet, the row and, as openpyxl finds it, the cell.
_DATE_WARNING = re.compile(r"^Cell ([A-Z]{1,3}[0-9]+) is marked as a date")


def is_out_of_range(exc: BaseException) -> bool:
    """Whether python-calamine failed on a date or time out of range (not Ctrl-C or a real error)."""
    return type(exc).__name__ == "PanicException" or isinstance(exc, OverflowError)


def out_of_range_message(sheet: str, row: int | None, cells: list[str]) -> str:
    where = f"工作表“{sheet}”" + (f"第{row:,}行" if row else "") + (f"的{'、'.join(cells)}单元格" if cells else "中有单元格")
    return (f"{where}设置了日期或时间格式，但其中的数字过大或过小，超出了日期/时间能表示的范围，文件无法读取。"
            "请在Excel中把它改成正确的日期，或把该单元格设为“常规”或“文本”格式后再导入")


def cells_out_of_range(book: str | BinaryIO | bytes, sheet: int | str, row: int) -> list[str]:
    """The cells of `row` (Excel's number) in an .xlsx whose number no date or time holds under a
    date or time format, as openpyxl finds them (it warns of each by its coordinate, and reads
    only up to that row); [] when it cannot tell (an .xls or .ods, an unusual file)."""
    import warnings

    from openpyxl import load_workbook

    if isinstance(book, bytes):
        book = io.BytesIO(book)
    elif hasattr(book, "seek"):
        book.seek(0)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            workbook = load_workbook(book, read_only=True)
            try:
                worksheet = workbook[sheet] if isinstance(sheet, str) else workbook.worksheets[sheet]
                for _ in worksheet.iter_rows(min_row=row, max_row=row):
                    pass
            finally:
                workbook.close()
    except Exception:  # noqa: BLE001 — only the message is at stake: it names the row without the cell
        return []
    return list(dict.fromkeys(m[1] for w in caught if (m := _DATE_WARNING.match(str(w.message)))))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attr(element: ElementTree.Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _find_sheet(archive: zipfile.ZipFile, sheet: int | str) -> tuple[str, str, str] | None:
    """(the workbook folder, the worksheet's part, its name) of sheet `sheet` (its position or
    name), found as python-calamine finds it; None when anything about it is unusual."""
    names = {i.filename for i in archive.infolist()}
    if "_rels/.rels" not in names:
        return None
    package = ElementTree.fromstring(archive.read("_rels/.rels"))
    target = next((_attr(r, "Target") for r in package if (_attr(r, "Type") or "").endswith(_OFFICE_DOC)), None)
    if not target:
        return None
    folder = target[: target.rfind("/") + 1].lstrip("/") if "/" in target else ""
    if f"{folder}workbook.xml" not in names or f"{folder}_rels/workbook.xml.rels" not in names:
        return None
    rels = {_attr(r, "Id"): (_attr(r, "Target") or "", _attr(r, "Type") or "")
            for r in ElementTree.fromstring(archive.read(f"{folder}_rels/workbook.xml.rels"))}
    workbook = ElementTree.fromstring(archive.read(f"{folder}workbook.xml"))
    sheets = [(_attr(e, "name"), _attr(e, "id")) for e in workbook.iter() if _local(e.tag) == "sheet"]
    if isinstance(sheet, str):
        found = [k for k, (name, _) in enumerate(sheets) if name == sheet]
        if not found:
            return None
        sheet = found[0]
    if not 0 <= sheet < len(sheets) or sheets[sheet][1] not in rels:
        return None
    part, kind = rels[sheets[sheet][1]]
    if not kind.endswith("/worksheet"):
        return None
    path = part[1:] if part.startswith("/") else f"{folder}{part}"
    return (folder, path, sheets[sheet][0] or "") if path in names and normpath(path) == path else None


def open_stream(source: str | BinaryIO | bytes, sheet: int | str = 0) -> Iterator[tuple[int, list[Any]]] | None:
    """The rows of a big worksheet of an .xlsx, piece by piece: (Excel row number, cells);
    None when the sheet is small or unusual, to be parsed whole.

    The first piece is read here, so a sheet whose rows are unusual is still parsed whole."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    try:
        found = _find_sheet(archive, sheet)
        if found is None or archive.getinfo(found[1]).file_size < STREAM_FROM_BYTES:
            archive.close()
            return None
        reader = _SheetPieces(archive, *found)
        first = reader.first_piece()
    except (ElementTree.ParseError, KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        archive.close()
        return None
    if first is None:
        archive.close()
        return None
    return reader.rows(first)


class _SheetPieces:
    def __init__(self, archive: zipfile.ZipFile, folder: str, path: str, name: str = ""):
        self.archive, self.folder, self.path, self.name = archive, folder, path, name
        names = {i.filename for i in archive.infolist()}
        workbook = archive.read(f"{folder}workbook.xml")
        self.date1904 = _DATE1904.search(workbook) is not None
        self.styles = archive.read(f"{folder}styles.xml") if f"{folder}styles.xml" in names else None
        self.strings: list[bytes] | None = None
        self.sst_start = b""
        if f"{folder}sharedStrings.xml" in names:
            # The strings' own XML, by the index cells refer to (sheetcheck bounds its size).
            table = archive.read(f"{folder}sharedStrings.xml")
            start = _SST_START.search(table)
            if start is None:
                raise ValueError("no sst")
            self.sst_start = start[0]
            self.strings = _SHARED_ITEM.findall(table, start.end())
            self.sst_end = b"</" + start["p"] + b"sst>"
            del table
        self.part = archive.open(path)
        self.root_start = self.sheet_start = b""
        self.prefix = b""

    def first_piece(self) -> bytes | None:
        head = b""
        while (match := _SHEET_START.search(head)) is None:
            block = self.part.read(min(PIECE_BYTES, 1 << 16))
            if not block or len(head) > MAX_CARRY:
                return None
            head += block
        root = _ROOT_START.search(head, 0, match.start())
        if root is None or match["empty"]:
            return None
        self.root_start, self.sheet_start, self.prefix = root[0], match[0], match["p"]
        self.root_end = b"</" + root["p"] + b"worksheet>"
        self.row_end = b"</" + self.prefix + b"row>"
        self.sheet_end = b"</" + self.prefix + b"sheetData>"
        self.row_open = b"<" + self.prefix + b"row"
        self.row_number = re.compile(rb"<" + re.escape(self.prefix) + rb"row\b[^>]*?\br=[\"'](\d+)")
        self.first_row_number = re.compile(rb"\s*<" + re.escape(self.prefix) + rb"row\b[^>]*?\br=[\"']")
        self.value = re.compile(rb"<" + re.escape(self.prefix) + rb"v>(\d+)</")
        v = re.escape(self.prefix) + rb"v>"
        self.shared_cell = re.compile(rb'(t="s"[^>]*>\s*<' + v + rb")(\d+)</" + v)
        self.value_end = b"%d</" + self.prefix + b"v>"  # what the split takes off after the number
        self.carry = head[match.end():]
        self.done = False
        return self._next_piece()

    def _next_piece(self) -> bytes | None:
        while not self.done:
            block = self.part.read(PIECE_BYTES)
            data = self.carry + block
            end = data.find(self.sheet_end)
            if end >= 0 or not block:
                self.done = True
                self.part.close()
                self.carry = b""
                return data[:end] if end >= 0 else data
            cut = data.rfind(self.row_end)
            if cut < 0:
                if len(data) > MAX_CARRY:
                    raise StreamError("工作表中有一行超过64 MB，不是正常的Excel文件，请用Excel打开后另存为.xlsx再导入")
                self.carry = data
                continue
            cut += len(self.row_end)
            self.carry = data[cut:]
            return data[:cut]
        return None

    def _numbered(self, piece: bytes, after: int) -> tuple[bytes, int]:
        """The piece, numbered as in the whole sheet, and the row number of its last row.

        python-calamine numbers a row without an `r` after the row before it (`after`, the last
        row of the piece before), in a piece as in the whole sheet; only a piece that starts with
        such a row would start over at row 1, so an empty row numbered `after` goes first."""
        if after and self.row_open in piece and self.first_row_number.match(piece) is None:
            piece = b'<%brow r="%d"></%brow>' % (self.prefix, after, self.prefix) + piece
        at, unnumbered = len(piece), 0
        while (at := piece.rfind(self.row_open, 0, at)) >= 0:
            if numbered := self.row_number.match(piece, at):
                return piece, int(numbered[1]) + unnumbered
            unnumbered += 1
        return piece, after + unnumbered

    def _workbook(self, piece: bytes, for_openpyxl: bool = False) -> io.BytesIO:
        """The piece as a workbook python-calamine reads as the original reads (`for_openpyxl`:
        that openpyxl reads too)."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as book:
            if not for_openpyxl:
                book.writestr("[Content_Types].xml", _CONTENT_TYPES)
            book.writestr("_rels/.rels", _RELS)
            book.writestr("xl/workbook.xml", _WORKBOOK.format(date1904="1" if self.date1904 else "0"))
            book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            if self.styles is not None:
                book.writestr("xl/styles.xml", self.styles)
            if self.strings is not None:
                renumbered = self._renumbered(piece)
                if renumbered is None:
                    book.writestr("xl/sharedStrings.xml", self._strings_for(piece))
                else:
                    piece, strings = renumbered
                    book.writestr("xl/sharedStrings.xml", strings)
            with book.open("xl/worksheets/sheet1.xml", "w") as part:
                for bit in (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', self.root_start,
                            self.sheet_start, piece, self.sheet_end, self.root_end):
                    part.write(bit)
            if for_openpyxl:
                overrides = "".join(f'<Override PartName="/{name}" ContentType="{kind}"/>'
                                    for name, kind in _PART_TYPES.items() if name in book.namelist())
                book.writestr("[Content_Types].xml", _CONTENT_TYPES.replace(b"</Types>", overrides.encode() + b"</Types>"))
        out.seek(0)
        return out

    def _renumbered(self, piece: bytes) -> tuple[bytes, bytes] | None:
        """(the piece, its shared strings): the strings its cells use, renumbered in order of
        index, and each shared-string cell's `<v>` the new number; None when a cell is written
        otherwise (then _strings_for). The splitting and joining run in C: a piece has tens of
        thousands of such cells."""
        parts = self.shared_cell.split(piece)
        if len(parts) // 3 != piece.count(b't="s"'):
            return None
        used = list(map(int, parts[2::3]))
        wanted = sorted(set(used))
        if wanted and wanted[-1] >= len(self.strings):
            return None  # python-calamine refuses the file: let it say so
        renumbered = dict(zip(wanted, map(self.value_end.__mod__, range(len(wanted))), strict=True))
        parts[2::3] = map(renumbered.__getitem__, used)
        strings = b"".join(map(self.strings.__getitem__, wanted))
        return b"".join(parts), b"".join((_XML_DECLARATION, self.sst_start, strings, self.sst_end))

    def _strings_for(self, piece: bytes) -> bytes:
        """The shared strings with those the piece may use in place: every string whose index is
        a `<v>` number of the piece (a superset of its shared-string cells) and string 0 (what
        calamine takes for an index it cannot read); empty strings hold the other indexes."""
        strings = self.strings
        n = len(strings)
        wanted = {int(v) for v in self.value.findall(piece)}
        wanted.add(0)
        wanted = sorted(k for k in wanted if k < n)
        parts: list[bytes] = []
        at = 0
        for k in wanted:
            if k > at:
                parts.append(b"<si/>" * (k - at))
            parts.append(strings[k])
            at = k + 1
        if at < n:
            parts.append(b"<si/>" * (n - at))
        return b"".join((_XML_DECLARATION, self.sst_start, *parts, self.sst_end))

    def _parse(self, piece: bytes) -> tuple[tuple[int, int] | None, list[list[Any]]]:
        try:
            workbook = CalamineWorkbook.from_filelike(self._workbook(piece))
            try:
                sheet = workbook.get_sheet_by_index(0)
                start = sheet.start
                return start, (sheet.to_python() if start is not None else [])
            finally:
                workbook.close()
        except (CalamineError, ValueError) as exc:
            raise StreamError(f"文件无法读取，可能已损坏或不是Excel文件（{exc}）") from exc
        except BaseException as exc:
            if not is_out_of_range(exc):
                raise
            raise StreamError(self._out_of_range(piece)) from None

    def _out_of_range(self, piece: bytes) -> str:
        """The message for a piece python-calamine could not convert: its rows read again one at a
        time (the whole piece at once failed) up to the one that fails, and that row's cells
        asked of openpyxl."""
        done, row = 0, None
        workbook = CalamineWorkbook.from_filelike(self._workbook(piece))
        try:
            # Its rows from sheet row 1, as numbered in the whole sheet (see _numbered).
            for done, _ in enumerate(workbook.get_sheet_by_index(0).iter_rows(), start=1):  # noqa: B007
                pass
        except BaseException as exc:
            if not is_out_of_range(exc):
                raise
            row = done + 1
        finally:
            workbook.close()
        cells = cells_out_of_range(self._workbook(piece, for_openpyxl=True), 0, row) if row else []
        return out_of_range_message(self.name, row, cells)

    def _parsed(self, piece: bytes | None) -> Iterator[tuple[tuple[int, int] | None, list[list[Any]]]]:
        """Each piece parsed: (its top-left cell, its rows)."""
        after = 0
        while piece is not None:
            piece, after = self._numbered(piece, after)
            parsed = self._parse(piece)
            piece = None
            yield parsed
            piece = self._next_piece()

    def rows(self, piece: bytes | None) -> Iterator[tuple[int, list[Any]]]:
        last, width = 0, 0
        pieces = self._parsed(piece)
        try:
            for start, rows in pieces:
                if start is None:
                    continue
                first, left = start[0] + 1, start[1]
                if first <= last:
                    raise StreamError(f"工作表的第{first:,}行出现在第{last:,}行之后，请用Excel打开后另存为.xlsx再导入")
                while last + 1 < first:
                    last += 1
                    yield last, []
                # calamine's rows of a piece are all as wide as the piece's used range.
                width = max(width, left + len(rows[0]))
                lead, tail = [""] * left, [""] * (width - left - len(rows[0]))
                if lead:
                    rows = [lead + cells + tail for cells in rows]
                elif tail:
                    deque(map(list.extend, rows, repeat(tail, len(rows))), maxlen=0)
                yield from zip(range(first, first + len(rows)), rows, strict=True)
                last = first + len(rows) - 1
                del rows
        finally:
            pieces.close()
            self.part.close()
            self.archive.close()

