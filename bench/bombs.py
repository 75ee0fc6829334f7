"""Peak memory and time of an import handed a decompression bomb, one of each kind.

    python bench/bombs.py [--kinds ratio,shared,...]

Each bomb is written once into a temp folder (the big ones streamed, so this process stays
small), then each runs in its own subprocess: Django set up on a fresh SQLite database (the
"idle server"), then the roster import's plan (`member_import_plan`, what /members/import/ runs
on upload) given the file. Printed: file size, how long until the Chinese refusal, the peak RSS
above the idle process, and the message. The probe's own figures for these files were 8.4 GB
(sheet of 1.1 GB) and 12.5 GB (shared strings of 1.1 GB). Timings are never asserted anywhere.

Measured 2026-11-30 (2 shared cores under load, python-calamine 0.9.1):

    kind           file     refused in  peak above idle
    entries         5.7 MB    0.88 s      26 MB   50,006 zip entries
    sheet-1.1GB     1.1 MB    0.01 s       0 MB   the probe's sheet bomb (part over 512 MB)
    rows-1.1GB    107.2 MB    0.01 s       0 MB   1.1 GB of genuine rows
    rows-500MB     48.7 MB    1.89 s      90 MB   under the part limit: refused while scanning
    shared-1.1GB    2.3 MB    0.00 s       0 MB   the probe's shared-strings bomb
    shared-copies   0.5 MB    0.48 s      24 MB   one 32,000-character string in 100,660 cells (~9 GB)
    forged-size     0.5 MB    0.03 s      16 MB   directory claims 4 KB, data inflates to 512 MB
    dimension       0.0 MB    0.01 s       0 MB   declared A1:XFD1048576
    far-corner      0.0 MB    0.00 s       0 MB   cells at A1 and XFD1048576, no declaration
    beyond-excel    0.0 MB    0.01 s       0 MB   declared A1:XFE2000000

Measured 2026-12-01 (2 shared cores, load ~15):

    xls-corner      0.0 MB    0.05 s       0 MB   .xls, numbers in A1 and IV65536 (parsed: 1 GB)

For scale, a genuine 200,000-row residents register (bench/grid_import.py's file, 19 MB, sheet
XML 227 MB) passes the check in ~6 s and python-calamine's parse of it peaks at ~330 MB; the
limits admit files up to an estimated 768 MB of parse (MAX_PARSE_BYTES), about 1.6× that register.
Measured 2026-12-01 on the same register (19 MB): the residents reader (grid.register.
prepared_batches, what the import's reading process runs) peaks 315 MB above idle, and
python-calamine's get_sheet_by_index alone peaks 315 MB (204 MB held while the rows are read):
everything is calamine's parse of the whole sheet, which python-calamine 0.9 cannot do lazily
(iter_rows only converts the parsed rows one at a time). 100,000 rows: 157 MB.

Since then a sheet over 24 MB of XML is read piece by piece (lib.sheetstream: ~4 MB of sheet
XML at a time, each piece parsed by python-calamine as a workbook of its own). The genuine
registers are kinds of their own, read by the residents reader (every batch), not a bomb:

    register-200k       the 200,000-row register above (text written inline, as openpyxl does)
    register-200k-sst   the same rows as Excel or WPS saves them: every text a shared string

Measured 2026-12-01 (2 shared cores, load 6–12 from other benchmarks; "refused in" is the whole
read, here the wall clock of a loaded machine):

    kind                 file     read in   peak above idle   before (whole-sheet parse)
    register-200k       19.1 MB   67.0 s        54 MB          314 MB
    register-200k-sst   16.8 MB   80.0 s       112 MB          260 MB

The rest of register-200k-sst's peak is its 516,409 shared strings, held as their XML for the
pieces (python-calamine held them too). The import itself, `bench/grid_import.py --sizes 200000
--modes ours` at load ~9–10: 211.4 s before, 211.9 s after (the writer, in SQLite, decides it);
the reading process's CPU 31.7 s → 29.9 s and its peak RSS 429 → 215 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = Path(tempfile.gettempdir()) / "dangjian-bench-bombs"
MB = 1 << 20


def _stream_workbook(path: Path, sheet_parts, shared_parts) -> None:
    """An .xlsx whose sheet and shared strings are written piece by piece (never whole in memory)."""
    from dangjian.testing import bombs

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", bombs._CONTENT_TYPES)
        archive.writestr("_rels/.rels", bombs._RELS)
        archive.writestr("xl/workbook.xml", bombs._WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", bombs._WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            for piece in shared_parts:
                part.write(piece)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(bombs._SHEET_HEAD.encode())
            for piece in sheet_parts:
                part.write(piece)
            part.write(b"</worksheet>")


def _sst(strings_parts) -> list:
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return [head, *strings_parts, b"</sst>"]


def build(kind: str) -> Path:
    from dangjian.lib import sheetcheck
    from dangjian.testing import bombs

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{kind}.{'xls' if kind.startswith('xls-') else 'xlsx'}"
    if path.exists():
        return path
    one_row = b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'
    if kind == "entries":
        path.write_bytes(bombs.many_entries(50_000))
    elif kind == "sheet-1.1GB":  # the probe's: a sheet that inflates to 1.1 GB
        pad = b"<!--" + b" " * MB + b"-->"
        _stream_workbook(path, [one_row, *(pad for _ in range(1100))], _sst([b"<si><t>x</t></si>"]))
    elif kind == "rows-1.1GB":  # 1.1 GB of real rows (no padding): caught by the ratio, else by the estimate
        row = b"".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>'.encode() for r in range(1, 20_001))
        _stream_workbook(path, [b"<sheetData>", *(row for _ in range(1100 * MB // len(row))), b"</sheetData>"],
                         _sst([b"<si><t>x</t></si>"]))
    elif kind == "rows-500MB":  # just under the part limit: only the scan of the sheet refuses it
        row = b"".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>'.encode() for r in range(1, 20_001))
        _stream_workbook(path, [b"<sheetData>", *(row for _ in range(500 * MB // len(row))), b"</sheetData>"],
                         _sst([b"<si><t>x</t></si>"]))
    elif kind == "shared-1.1GB":  # the probe's: shared strings of 1.1 GB
        item = b"<si><t>" + b"x" * 1000 + b"</t></si>"
        _stream_workbook(path, [one_row], _sst([item * 1024 for _ in range(1100)]))
    elif kind == "shared-copies":  # one Excel-legal string in every cell of a small sheet
        path.write_bytes(bombs.shared_strings_bomb(sheetcheck.MAX_PARSE_BYTES // 32_000 * 4))
    elif kind == "forged-size":
        path.write_bytes(bombs.forged_size(512))
    elif kind == "dimension":
        path.write_bytes(bombs.far_corner())
    elif kind == "far-corner":
        path.write_bytes(bombs.far_corner("A1", "XFD1048576"))
    elif kind == "beyond-excel":
        path.write_bytes(bombs.declared_beyond())
    elif kind == "xls-corner":  # an .xls with numbers in A1 and IV65536: calamine's grid alone is 1 GB
        path.write_bytes(bombs.xls_far_corner())
    elif kind.startswith("register-"):  # no bomb: a genuine residents register, bench/grid_import.py's file
        rows = int(kind.removeprefix("register-").removesuffix("-sst").removesuffix("k")) * 1000
        made = Path(tempfile.gettempdir()) / "dangjian-bench-grid" / f"register-{rows}.xlsx"
        if not made.exists():
            from bench.grid_import import generate

            made.parent.mkdir(exist_ok=True)
            generate(made, rows)
        if not kind.endswith("-sst"):
            return made
        _shared_strings_copy(made, path)
    else:
        raise SystemExit(f"unknown kind {kind}")
    return path


def _shared_strings_copy(source: Path, path: Path) -> None:
    """The register as Excel or WPS saves it: every text cell a reference into one shared-strings
    table (openpyxl's write-only mode writes each text inline), converted piece by piece."""
    import html
    import re

    inline = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>(.*?)</t></is></c>')
    index: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        # Excel writes the characters themselves, openpyxl's inline text has them as &#…; references.
        text = html.escape(html.unescape(match[2].decode()), quote=False).encode()
        k = index.setdefault(text, len(index))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match[1], k)

    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in original.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with original.open(info) as part, archive.open(info.filename, "w", force_zip64=True) as out:
                    carry = b""
                    while block := part.read(8 * MB):
                        block = carry + block
                        cut = block.rfind(b"</row>") + len(b"</row>")
                        out.write(inline.sub(shared, block[:cut]))
                        carry = block[cut:]
                    out.write(inline.sub(shared, carry))
            else:
                archive.writestr(info, original.read(info))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                      b'spreadsheetml/2006/main" uniqueCount="%d">' % len(index))
            for text in index:
                out.write(b"<si><t>%s</t></si>" % text)
            out.write(b"</sst>")  # python-calamine opens xl/sharedStrings.xml by its name


KINDS = ("entries", "sheet-1.1GB", "rows-1.1GB", "rows-500MB", "shared-1.1GB", "shared-copies", "forged-size", "dimension",
         "far-corner", "beyond-excel", "xls-corner", "register-200k", "register-200k-sst")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS, so the
    peak measured next is the import's, not the migration's that built the idle server."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def child(file: str) -> dict:
    os.environ["DANGJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="dangjian-bench-bombs-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from dangjian.grid.register import prepared_batches
    from dangjian.lib.tabular import TabularError
    from dangjian.members.importing import member_import_plan
    from dangjian.orgs.models import Org, OrgKind

    org = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name="和平社区党总支", code="HP")
    _reset_peak()
    idle = _status_mb("VmRSS")
    started = time.perf_counter()
    try:
        if Path(file).name.startswith("register-"):
            # A genuine register: what the residents import's reading process runs, every batch.
            rows = sum(len(batch) for _, batch in prepared_batches(Path(file), Path(file).name, frozenset(), 500))
            message = f"(accepted: {rows:,} rows read by the residents reader)"
        else:
            member_import_plan(Path(file), org=org, filename=Path(file).name)
            message = "(accepted)"
    except TabularError as exc:
        message = str(exc)
    return {"seconds": time.perf_counter() - started, "above_idle_mb": _status_mb("VmHWM") - idle, "idle_mb": idle,
            "message": message}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child), ensure_ascii=False))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    print(f"{'kind':<14} {'file':>9} {'refused in':>10} {'peak above idle':>16}  message")
    for kind in args.kinds.split(","):
        path = build(kind)
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                             env=os.environ | {"PYTHONPATH": str(ROOT)})
        if out.returncode:
            print(kind, "FAILED", out.stderr[-800:])
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{kind:<14} {path.stat().st_size / MB:>7.1f}MB {r['seconds']:>9.2f}s {r['above_idle_mb']:>13.0f} MB  "
              f"{r['message'][:70]}")


if __name__ == "__main__":
    main()
