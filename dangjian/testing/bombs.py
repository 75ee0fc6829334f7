"""Hostile spreadsheets, built in memory for the tests and bench/bombs.py.

Each is a valid .xlsx archive a few hundred KB to a few MB big (or a 10 KB .xls) whose parse would
take far more memory than its size suggests: the kinds a probe of the demo uploaded.
"""

from __future__ import annotations

import io
import struct
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _shared(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


def workbook(sheet_xml: bytes | str, shared: bytes | str = _shared(["姓名"]), extra: dict[str, bytes] | None = None) -> bytes:
    """An .xlsx archive around one sheet's XML (everything after <worksheet …>)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", shared)
        body = sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD.encode() + body + b"</worksheet>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def many_entries(count: int) -> bytes:
    """A workbook with `count` extra (tiny) parts: a directory that takes long to walk."""
    return workbook("<sheetData/>", extra={f"xl/media/pad{i}.bin": b"" for i in range(count)})


def inflating_sheet(megabytes: int) -> bytes:
    """A sheet whose XML inflates to `megabytes` of one repeated row (a ratio of about 1000×)."""
    row = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    pad = b"<!--" + b" " * (1 << 20) + b"-->"
    return workbook(b"<sheetData>" + row + b"</sheetData>" + pad * megabytes)


def shared_strings_bomb(cells: int, length: int = 32_000) -> bytes:
    """One Excel-legal long string referenced by `cells` cells: each cell holds its own copy."""
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, cells + 1))
    return workbook(f"<sheetData>{rows}</sheetData>", _shared(["长" * length]))


def huge_shared_strings(megabytes: int) -> bytes:
    """A shared-strings part of `megabytes` (many short strings), referenced from one cell."""
    strings = ["x" * 1000] * (megabytes * 1024)
    return workbook('<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>', _shared(strings))


def far_corner(dimension: str = "A1:XFD1048576", corner: str = "XFD1048576") -> bytes:
    """Two cells, at A1 and at a far corner: a dense grid of (rows × columns) cells to parse."""
    row = "".join(c for c in corner if c.isdigit())
    return workbook(
        f'<dimension ref="{dimension}"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        f'<row r="{row}"><c r="{corner}"><v>1</v></c></row></sheetData>'
    )


def declared_beyond(dimension: str = "A1:XFE2000000") -> bytes:
    """A sheet whose declared dimension lies beyond what Excel allows, with one real cell."""
    return workbook(f'<dimension ref="{dimension}"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')


def forged_size(real_megabytes: int = 64) -> bytes:
    """A sheet whose directory entry claims a tiny size while its data inflates to much more."""
    data = bytearray(inflating_sheet(real_megabytes))
    # Patch the central directory's uncompressed size of the sheet to 4 KB.
    name = b"xl/worksheets/sheet1.xml"
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    data[at + 24 : at + 28] = (4096).to_bytes(4, "little")
    return bytes(data)


# ---------------------------------------------------------------------------------------------
# .xls: BIFF8 records in an OLE2 compound file ([MS-XLS], [MS-CFB]), one sheet


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _biff(cells: list[tuple[str, int, int]]) -> bytes:
    """A workbook stream: the globals (BOF, code page, one BOUNDSHEET, padding past the
    compound file's 4 KB mini-stream cutoff, EOF), then the sheet's BOF, cells and EOF."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    head = _record(0x0809, bof) + _record(0x0042, struct.pack("<H", 1200))
    tail = _record(0x1FFF, bytes(8000)) + _record(0x000A)
    name = "Sheet1".encode("utf-16-le")

    def boundsheet(position: int) -> bytes:
        return _record(0x0085, struct.pack("<IBBBB", position, 0, 0, 6, 1) + name)

    sheet_at = len(head) + len(boundsheet(0)) + len(tail)
    stream = head + boundsheet(sheet_at) + tail + _record(0x0809, bof[:2] + struct.pack("<H", 0x0010) + bof[4:])
    for kind, row, col in cells:
        if kind == "number":
            stream += _record(0x0203, struct.pack("<HHHd", row, col, 15, 1.0))
        else:  # a formatted blank cell
            stream += _record(0x0201, struct.pack("<HHH", row, col, 15))
    return stream + _record(0x000A)


def _compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    end, free, fat_sector, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    size = len(stream)
    stream += bytes(-size % 512)
    sectors = len(stream) // 512  # sector 0: the FAT, 1: the directory, 2…: the stream
    fat = [fat_sector, end, *range(3, 2 + sectors), end]
    fat += [free] * (128 - len(fat))

    def entry(label: str, kind: int, child: int = nostream, start: int = end, length: int = 0) -> bytes:
        encoded = label.encode("utf-16-le") + b"\x00\x00"
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBBIII", len(encoded), kind, 1, nostream, nostream, child)
                + bytes(20) + bytes(16) + struct.pack("<III", start, length, 0))

    unused = bytes(64) + struct.pack("<HBBIII", 0, 0, 0, nostream, nostream, nostream) + bytes(48)
    directory = entry("Root Entry", 5, child=1) + entry(name, 2, start=2, length=size) + unused + unused
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0) + struct.pack("<109I", 0, *[free] * 108))
    return header + struct.pack("<128I", *fat) + directory + stream


def xls(cells: list[tuple[str, int, int]]) -> bytes:
    """An .xls with these cells ("number" or "blank", 0-based row, column)."""
    return _compound_file(_biff(cells))


def xls_far_corner() -> bytes:
    """A 10 KB .xls with a number in A1 and one in IV65536: calamine's grid spans 65,536 × 256
    cells, about 1 GB."""
    return xls([("number", 0, 0), ("number", 65535, 255)])
