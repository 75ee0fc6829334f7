"""Which code drew a drawing: a fingerprint of the package's source and templates (names, sizes and
modification times), taken once per process. An upgrade changes it, and drawings made by the code
before are redrawn as they are next visited."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import dangjian

SOURCES = ("*.py", "*.html")


@cache
def fingerprint() -> str:
    root = Path(dangjian.__file__).parent
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(p for pattern in SOURCES for p in root.rglob(pattern)):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()
