"""Refusing, before it is parsed, a spreadsheet that would take far more memory than any real
register: a look at the archive (entries, sizes, compression ratio) and at each sheet's extent.

python-calamine reads a whole sheet into one dense grid of cells (rows × columns of the used
range, each cell ~32 bytes, each text cell its own copy of its string). A 3 MB file can declare a
grid of a billion cells, or one long shared string repeated in every cell, and take gigabytes.
So every limit below is far beyond what an Excel-made register reaches (Excel itself stops at
1,048,576 rows × 16,384 columns and 32,767 characters a cell) and the estimate of the parse is
kept under `MAX_PARSE_BYTES`, which is what bounds the memory of any import. (A sheet over
sheetstream.STREAM_FROM_BYTES of XML is then parsed piece by piece, far below that estimate;
the limits stay, for smaller sheets and every .xls and .ods.)

Only the file's own bytes are read here: the zip directory, then the sheets and the shared
strings streamed in chunks (never more than `CHUNK` of a sheet in memory at once), each entry
capped at its declared size so a forged directory cannot make us inflate more than it says.

An .xls (BIFF8 records in an OLE2 compound file) is not compressed, so its cells cost about what
the file weighs — except the grid: calamine allocates rows × columns from the first to the last
cell, and a 10 KB file with one number in A1 and one in IV65536 takes a gigabyte. So the
workbook stream is found in the compound file and its cell records are scanned (never more than
the file in memory, and a file over `MAX_XLS_BYTES` is refused unread) for each sheet's extent.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

MAX_ENTRIES = 5_000  # a workbook has a few dozen parts; one with a hundred sheets and images a few hundred
MAX_ENTRY_BYTES = 512 << 20  # one part uncompressed (a 200,000-row register sheet: ~230 MB)
MAX_TOTAL_BYTES = 1 << 30  # all parts uncompressed
MAX_RATIO = 200  # uncompressed ÷ compressed of one part over RATIO_FLOOR; sheet XML compresses 10–30×
RATIO_FLOOR = 1 << 20
MAX_SHARED_STRINGS_BYTES = 256 << 20
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's own limits
MAX_TEXT_BYTES = 128 << 20  # a CSV is read whole and decoded (about 3× its size); 200,000 register rows are ~40 MB
MAX_PARSE_BYTES = 768 << 20  # the estimated memory of parsing one sheet (a 200,000-row register: ~480 MB)
CHUNK = 8 << 20
MAX_XLS_BYTES = 100 << 20  # an .xls stops at 65,536 rows a sheet; a full register sheet is ~20 MB
# calamine's grid for an .xls, measured with python-calamine 0.9: 64 bytes a cell (65,536 × 256
# cells: 1 GB).
XLS_CELL_BYTES = 64

CELL_BYTES = 32  # calamine's Data enum: a dense grid cell
SPARSE_CELL_BYTES = 40  # a read cell with its position, before the grid is built
STRING_OVERHEAD = 32  # a Rust String's header and allocation rounding

_MAGIC_NAMES = (
    (b"%PDF", "PDF文档"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPEG图片"),
    (b"GIF8", "GIF图片"),
    (b"Rar!", "RAR压缩包"),
    (b"7z\xbc\xaf", "7z压缩包"),
    (b"\x1f\x8b", "gzip压缩包"),
    (b"{\\rtf", "RTF文档"),
)
_ZIP_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
_SPREADSHEET_SUFFIXES = _ZIP_SUFFIXES | {".xls", ".et"}
_ZIP_MAGIC, _OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_ROWS_AND_WIDE = re.compile(rb'r="(?:(\d+)"|([A-Z]{2,})\d)')
_SHARED_REF = re.compile(rb'\bt="s"[^>]*>\s*<(?:\w+:)?v>(\d+)<')
_SHARED_ITEM = re.compile(rb"<(?:\w+:)?si\b(?:[^>]*/>|.*?</(?:\w+:)?si>)", re.S)
_ROW_BODY = re.compile(rb"<(?:\w+:)?row\b[^>]*>(.*?)</(?:\w+:)?row>", re.S)


class UnsafeSpreadsheet(ValueError):
    """The file is refused before parsing; the message says why, in words for the user."""


def column_number(letters: bytes | str) -> int:
    """A1-style column letters → 1-based number (A → 1, XFD → 16384)."""
    number = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(ch) - 64
    return number


def _mb(n: float) -> str:
    return f"{n / (1 << 20):,.0f} MB"


def check_spreadsheet(source: str | Path | bytes | BinaryIO, name: str) -> None:
    """Raise UnsafeSpreadsheet when `source` (named `name`) must not be parsed; return otherwise.

    Files that are no spreadsheet at all but carry a spreadsheet's name get a message saying what
    they are; text (CSV, tab-separated) under any name is left to the reader."""
    suffix = Path(name).suffix.lower()
    key = _passed_key(source, suffix)
    if key is not None and key in _PASSED:
        return  # the same file, unchanged, passed a moment ago (a workbook read sheet by sheet)
    opened = _open(source)
    try:
        head = opened.read(4096)
        if head.startswith(_ZIP_MAGIC):
            opened.seek(0)
            _check_zip(opened, suffix)
        elif head.startswith(_OLE_MAGIC):
            opened.seek(0)
            _check_xls(opened)
        elif not head.startswith(_OLE_MAGIC):
            what = _binary_kind(head) if suffix in _SPREADSHEET_SUFFIXES else None
            if what:
                raise UnsafeSpreadsheet(
                    f"文件“{Path(name).name}”的扩展名是{suffix}，但内容不是Excel工作簿（{what}），"
                    "请用Excel打开原表格后另存为.xlsx再导入"
                )
            size = opened.seek(0, io.SEEK_END)
            if size > MAX_TEXT_BYTES:
                raise UnsafeSpreadsheet(f"文本文件有{_mb(size)}，超过上限{_mb(MAX_TEXT_BYTES)}，请拆分后再导入")
    finally:
        if isinstance(source, str | Path):
            opened.close()
    if key is not None:
        _PASSED[key] = None
        while len(_PASSED) > 64:
            _PASSED.pop(next(iter(_PASSED)))


_PASSED: dict[tuple, None] = {}


def _passed_key(source, suffix: str) -> tuple | None:
    if not isinstance(source, str | Path):
        return None
    try:
        stat = Path(source).stat()
    except OSError:
        return None
    return (str(Path(source).resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino, suffix)


def _open(source: str | Path | bytes | BinaryIO) -> BinaryIO:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str | Path):
        return open(source, "rb")  # noqa: SIM115 — closed by the caller
    source.seek(0)
    return source


def _binary_kind(head: bytes) -> str | None:
    for magic, what in _MAGIC_NAMES:
        if head.startswith(magic):
            return f"实际是{what}"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text
    if b"\x00" in head:
        return "是无法识别的二进制文件"
    return None


def _check_zip(handle: BinaryIO, suffix: str) -> None:
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeSpreadsheet("文件无法读取：压缩结构已损坏，请用Excel打开后另存为.xlsx再导入") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise UnsafeSpreadsheet(f"文件包含{len(infos):,}个压缩条目，超过上限{MAX_ENTRIES:,}，不是正常的Excel文件，已拒绝导入")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_ENTRY_BYTES:
                raise UnsafeSpreadsheet(
                    f"文件中的“{info.filename}”解压后有{_mb(info.file_size)}，超过上限{_mb(MAX_ENTRY_BYTES)}，已拒绝导入"
                )
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UnsafeSpreadsheet(
                    f"文件中的“{info.filename}”压缩比异常（{info.compress_size:,}字节解压为{_mb(info.file_size)}），"
                    "疑似压缩炸弹，已拒绝导入"
                )
        if total > MAX_TOTAL_BYTES:
            raise UnsafeSpreadsheet(f"文件解压后共{_mb(total)}，超过上限{_mb(MAX_TOTAL_BYTES)}，已拒绝导入")
        names = {info.filename for info in infos}
        if suffix in _SPREADSHEET_SUFFIXES and not names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
            kind = "Word文档" if "word/document.xml" in names else "PowerPoint文档" if "ppt/presentation.xml" in names else "压缩包"
            raise UnsafeSpreadsheet(f"这个文件是{kind}，不是Excel工作簿，请上传.xlsx、.xls或.csv文件")
        try:
            _check_xlsx_parts(archive, infos)
        except zipfile.BadZipFile as exc:
            # zipfile stops at the declared size and checks the CRC: a forged size ends here.
            raise UnsafeSpreadsheet("文件已损坏（压缩数据与目录不符），已拒绝导入") from exc


def _check_xlsx_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    shared = next((i for i in infos if i.filename.lower() == "xl/sharedstrings.xml"), None)
    sheets = [i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
    lengths = array("I")
    if shared is not None:
        if shared.file_size > MAX_SHARED_STRINGS_BYTES:
            raise UnsafeSpreadsheet(
                f"文件的共享字符串表解压后有{_mb(shared.file_size)}，超过上限{_mb(MAX_SHARED_STRINGS_BYTES)}，已拒绝导入"
            )
        lengths = _shared_lengths(archive, shared)
    for info in sheets:
        _check_sheet(archive, info, lengths, shared_bytes=shared.file_size if shared else 0)


def _shared_lengths(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> array:
    """The byte length of each shared string's XML (an upper bound of its text), by index."""
    lengths = array("I")
    for chunk in _chunks(archive, info, b"</si>"):
        lengths.extend(len(m) for m in _SHARED_ITEM.findall(chunk))
    for length in lengths:
        if length > 32_767 * 4 + 4096:
            raise UnsafeSpreadsheet("文件中有一个单元格文字超过Excel允许的32,767个字符，不是正常的Excel文件，已拒绝导入")
    return lengths


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cut: bytes = b">") -> Iterator[bytes]:
    """The part in pieces of about CHUNK bytes, each ending just after a `cut` so no tag is split."""
    carry = b""
    with archive.open(info) as part:
        while block := part.read(CHUNK):
            block = carry + block
            end = block.rfind(cut)
            if end < 0:
                carry = block
                if len(carry) > 4 * CHUNK:
                    raise UnsafeSpreadsheet(f"文件中的“{info.filename}”结构异常，已拒绝导入")
                continue
            end += len(cut)
            carry = block[end:]
            yield block[:end]
    if carry:
        yield carry


def _check_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, lengths: array, *, shared_bytes: int) -> None:
    label = f"工作表“{info.filename.rsplit('/', 1)[-1].removesuffix('.xml')}”"
    first = True
    max_row = max_col = row_tags = cells = refs = shared_cells = inline = 0
    for chunk in _chunks(archive, info):
        if first:
            first = False
            if m := _DIMENSION.search(chunk, 0, 4096):
                end_col, end_row = (m[3], m[4]) if m[3] else (m[1], m[2])
                rows, cols = int(end_row or 1), column_number(end_col or b"A")
                declared = m[0].decode(errors="replace").split('"')[1][:40]
                if rows > MAX_ROWS or cols > MAX_COLUMNS:
                    raise UnsafeSpreadsheet(f"{label}声明的范围{declared}超出Excel的行列上限，已拒绝导入")
                if rows * cols * CELL_BYTES > MAX_PARSE_BYTES * 4:
                    raise UnsafeSpreadsheet(f"{label}声明的范围{declared}有{rows * cols:,}个单元格，远超真实表格，已拒绝导入")
            cells -= chunk.count(b"<col")  # the <cols> widths come before the cells
        # One pass finds row numbers and cells beyond column Z; the usual `<row r="…"` form is
        # fast to search, and a chunk whose rows are written otherwise is searched again.
        found = _ROWS_AND_WIDE.findall(chunk)
        numbers = [int(n) for n, _ in found if n]
        tags = chunk.count(b"<row")
        if len(numbers) < tags and (found_any := _ROW_NUMBER.findall(chunk)):
            numbers = [int(n) for n in found_any]
        row_tags += tags
        if numbers:
            max_row = max(max_row, *numbers)
        for letters in {w for _, w in found if w}:
            max_col = max(max_col, column_number(letters))
        cells += chunk.count(b"<c")
        refs += chunk.count(b'<c r="')
        if shared_bytes:
            shared_cells += chunk.count(b't="s"')
        inline += chunk.count(b"<is>")
        # Refuse as soon as the part read so far is already too much, not after the whole sheet.
        _check_extent(label, max(max_row, row_tags), max_col)
        so_far = cells * SPARSE_CELL_BYTES + max(max_row, row_tags) * (max_col or 26) * CELL_BYTES
        if so_far > MAX_PARSE_BYTES:
            raise UnsafeSpreadsheet(
                f"{label}展开后需要超过{_mb(so_far)}内存（已读到第{max(max_row, row_tags):,}行），"
                f"超过上限{_mb(MAX_PARSE_BYTES)}，请删去多余的行列或拆分文件后再导入")
    max_row = max(max_row, row_tags, 1)
    max_col = max_col or 26  # no cell beyond column Z
    if refs < cells:
        # Some writers leave out cell positions; then the widest row decides the width.
        max_col = max(max_col, _widest_row(archive, info))
    dense = max_row * max_col
    strings = _shared_text_bytes(archive, info, lengths, shared_cells)
    # Inline text is at most half the sheet's XML (its tags take the rest).
    texts = strings + inline * STRING_OVERHEAD + info.file_size // 2
    estimate = cells * SPARSE_CELL_BYTES + dense * CELL_BYTES + texts + shared_bytes + len(lengths) * STRING_OVERHEAD
    if estimate > MAX_PARSE_BYTES:
        raise UnsafeSpreadsheet(
            f"{label}展开后需要约{_mb(estimate)}内存（{max_row:,}行×最多{max_col:,}列，文字约{_mb(texts)}），"
            f"超过上限{_mb(MAX_PARSE_BYTES)}，请删去多余的行列或拆分文件后再导入"
        )


# ---------------------------------------------------------------------------------------------
# .xls: the workbook stream of the compound file, then its cell records

_OLE_END = 0xFFFFFFFE
# BIFF records that hold a cell calamine reads (its grid spans them); blanks (0x0201, 0x00BE)
# it skips. MULRK (0x00BD) spans columns first..last in one record.
_XLS_CELLS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205, 0x0006, 0x0003, 0x0004, 0x0005, 0x007E})
_XLS_MULRK, _XLS_BOF = 0x00BD, 0x0809


def _check_xls(handle: BinaryIO) -> None:
    size = handle.seek(0, io.SEEK_END)
    if size > MAX_XLS_BYTES:
        raise UnsafeSpreadsheet(f".xls文件有{_mb(size)}，超过上限{_mb(MAX_XLS_BYTES)}，请另存为.xlsx或拆分后再导入")
    handle.seek(0)
    try:
        stream = _ole_stream(handle.read(), ("Workbook", "Book"))
    except (ValueError, IndexError, struct.error) as exc:
        raise UnsafeSpreadsheet("文件无法读取：.xls文件结构已损坏，请用Excel打开后另存为.xlsx再导入") from exc
    if stream is None:
        raise UnsafeSpreadsheet("这个文件不是Excel工作簿（其中没有工作表数据），请上传.xlsx、.xls或.csv文件")
    sheet, extent = 0, None
    at = 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        body = at + 4
        at = body + length
        if kind == _XLS_BOF:
            if extent is not None:
                _check_xls_extent(sheet, extent)
            sheet, extent = sheet + 1, None
        elif (kind in _XLS_CELLS or kind == _XLS_MULRK) and length >= 4:
            row, first = struct.unpack_from("<HH", stream, body)
            last = struct.unpack_from("<H", stream, at - 2)[0] if kind == _XLS_MULRK else first
            extent = ((row, row, first, last) if extent is None else
                      (min(extent[0], row), max(extent[1], row), min(extent[2], first), max(extent[3], last)))
    if extent is not None:
        _check_xls_extent(sheet, extent)


def _check_xls_extent(sheet: int, extent: tuple[int, int, int, int]) -> None:
    rows, columns = extent[1] - extent[0] + 1, extent[3] - extent[2] + 1
    need = rows * columns * XLS_CELL_BYTES
    if need > MAX_PARSE_BYTES:
        raise UnsafeSpreadsheet(
            f"第{max(sheet - 1, 1)}个工作表的数据从第{extent[0] + 1:,}行到第{extent[1] + 1:,}行、跨{columns:,}列，"
            f"展开后需要约{_mb(need)}内存，超过上限{_mb(MAX_PARSE_BYTES)}，请删去多余的行列或拆分文件后再导入")


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """The named stream of an OLE2 compound file (the Workbook of an .xls), or None.

    [MS-CFB]: a 512-byte header, a FAT of sector chains (its sectors listed in the header's
    DIFAT and further DIFAT sectors), directory entries of 128 bytes; a stream smaller than the
    mini-stream cutoff lives in 64-byte mini sectors inside the root entry's stream. Chains are
    followed at most as many steps as the file has sectors, so a loop in a forged FAT ends."""
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if not 7 <= shift <= 16 or mini_shift >= shift:
        raise ValueError("sector size")
    sector = 1 << shift
    first_dir, _, cutoff, first_minifat, _, first_difat, difat_count = struct.unpack_from("<7I", data, 48)
    limit = len(data) // sector + 1

    def read(n: int) -> bytes:
        start = (n + 1) * sector
        if start >= len(data):
            raise ValueError("sector beyond the file")
        return data[start:start + sector]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 76) if n < _OLE_END - 2]
    n = first_difat
    for _ in range(min(difat_count, limit)):
        if n >= _OLE_END - 2:
            break
        entries = struct.unpack(f"<{sector // 4}I", read(n))
        fat_sectors += [e for e in entries[:-1] if e < _OLE_END - 2]
        n = entries[-1]
    fat = array("I")
    for n in fat_sectors[:limit]:
        fat.frombytes(read(n))

    def chain(start: int, table: array, get) -> bytes:
        parts, n = [], start
        for _ in range(len(table) + 1):
            if n >= len(table):
                break
            parts.append(get(n))
            n = table[n]
        return b"".join(parts)

    directory = chain(first_dir, fat, read)
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise ValueError("no directory")
    for entry in entries:
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(length - 2, 0)].decode("utf-16-le", errors="replace")
        if entry[66] != 2 or name not in names:
            continue
        start, size = struct.unpack_from("<II", entry, 116)
        if size >= cutoff:
            return chain(start, fat, read)[:size]
        root_start = struct.unpack_from("<I", entries[0], 116)[0]
        mini_stream = chain(root_start, fat, read)
        minifat = array("I", chain(first_minifat, fat, read))
        mini = 1 << mini_shift
        return chain(start, minifat, lambda k, s=mini_stream, m=mini: s[k * m:(k + 1) * m])[:size]
    return None


def _check_extent(label: str, rows: int, columns: int) -> None:
    if rows > MAX_ROWS:
        raise UnsafeSpreadsheet(f"{label}有第{rows:,}行，超出Excel的行数上限{MAX_ROWS:,}，已拒绝导入")
    if columns > MAX_COLUMNS:
        raise UnsafeSpreadsheet(f"{label}有第{columns:,}列的单元格，超出Excel的列数上限{MAX_COLUMNS:,}，已拒绝导入")


def _widest_row(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    widest = 0
    for chunk in _chunks(archive, info, b"</row>"):
        for body in _ROW_BODY.findall(chunk):
            widest = max(widest, body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/>"))
    return widest


def _shared_text_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, lengths: array, shared_cells: int) -> int:
    """Bytes of text the parse copies into cells from the shared strings (each cell its own copy).

    When every reference could take the longest string and still fit, that bound is enough;
    otherwise the references are counted (a second pass over the sheet)."""
    if not lengths or not shared_cells:
        return 0
    if shared_cells * (max(lengths) + STRING_OVERHEAD) <= MAX_PARSE_BYTES // 4:
        return shared_cells * (max(lengths) + STRING_OVERHEAD)
    counts: Counter[bytes] = Counter()
    for chunk in _chunks(archive, info):
        counts.update(_SHARED_REF.findall(chunk))
    size = len(lengths)
    return sum(n * ((lengths[int(k)] if int(k) < size else 0) + STRING_OVERHEAD) for k, n in counts.items())
