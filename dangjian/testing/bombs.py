"""Hostile spreadsheets, built in memory for the tests and bench/bombs.py.

Each is a valid .xlsx archive a few hundred KB to a few MB big whose parse would take far more
memory than its size suggests: the kinds a probe of the demo uploaded.
"""

from __future__ import annotations

import io
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
