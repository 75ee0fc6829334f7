"""How big is an uploaded table, before reading it: decides whether an import runs in a worker."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from django.conf import settings


def estimate_rows(path: str | Path) -> int:
    """About how many data rows the file has, without reading it (0 when unknown)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
        if head.startswith(b"PK"):
            with zipfile.ZipFile(path) as zf:
                sheets = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
                if not sheets:
                    return 0
                info = zf.getinfo(sheets[0])
                with zf.open(info) as fh:
                    chunk = fh.read(256 * 1024)
                found = re.search(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', chunk)
                if found:
                    return max(int(found.group(1)) - 1, 0)
                rows = chunk.count(b"<row ")
                if not rows:
                    return 0
                return max(int(info.file_size / (len(chunk) / rows)) - 1, 0)
        if head.startswith(b"\xd0\xcf"):
            return 0
        with path.open("rb") as fh:
            return max(sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")) - 1, 0)
    except (OSError, zipfile.BadZipFile):
        return 0


def runs_in_background(path: str | Path) -> bool:
    """From settings.DANGJIAN_BACKGROUND_ROWS rows an import is confirmed into a worker."""
    return estimate_rows(path) >= settings.DANGJIAN_BACKGROUND_ROWS
