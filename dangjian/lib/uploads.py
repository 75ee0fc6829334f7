"""Uploaded import files, kept between the preview and the confirmation.

An upload is written once into the data folder under a random token, readable by the server's
account only (0600); the confirmation finds it by that token (never by a client-supplied path)
and removes it when done. A preview nobody confirms, or a file a finished job left behind, is
removed after `KEEP` (each new upload sweeps the folder; so does the daily job). Reasons shown
for rejected rows never carry a full ID number or phone (`mask_personal`).
"""

import os
import re
import secrets
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.http import Http404

from .idnumbers import mask_id, mask_phone

KEEP = timedelta(days=1)


def _folder() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def stash_upload(upload, *, prefix: str = "") -> tuple[str, Path]:
    """Save an UploadedFile (owner-only); returns (token, path)."""
    purge_uploads()
    token = secrets.token_hex(16)
    path = _folder() / f"{prefix}{token}{Path(upload.name).suffix.lower()[:10]}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return token, path


def stashed_upload(token: str, *, prefix: str = "") -> Path | None:
    """The file saved under `token`, or None when it has expired; 404 on a malformed token."""
    if not token.isalnum():
        raise Http404
    return next((p for p in _folder().glob(f"{prefix}{token}.*") if _CLAIMED not in p.name), None)


_CLAIMED = ".claimed"


def claim_upload(token: str, *, prefix: str = "") -> Path | None:
    """Take the file saved under `token` for its confirmation, or None when it has expired or
    another confirmation of the same preview (a double click, a second tab) already took it.
    The rename is atomic: of any number of concurrent confirmations exactly one proceeds."""
    path = stashed_upload(token, prefix=prefix)
    if path is None:
        return None
    claimed = path.with_name(f"{path.stem}{_CLAIMED}{path.suffix}")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        return None
    return claimed


def discard_upload(path: str | Path | None) -> None:
    """Remove an upload once its job is done (the data is in the database or was refused)."""
    if path and Path(path).parent == _folder():
        Path(path).unlink(missing_ok=True)


def purge_uploads(*, older_than: timedelta = KEEP) -> int:
    """Remove uploads older than `older_than`; returns how many."""
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in _folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


_DIGIT_RUN = re.compile(r"\d{7,}[\dXx]?")
_ID_RUN = re.compile(r"\d{14,}[\dXx]")
_QUOTED = re.compile(r"“([^”]*)”")


def _mask_run(m: re.Match) -> str:
    return mask_id(m[0]) if len(m[0]) >= 15 else mask_phone(m[0])


def mask_personal(text: str) -> str:
    """A message with the cell values it quotes (“…”) masked where they hold seven or more digits
    in a row (a phone, an ID number), and any ID-number-long run masked wherever it stands."""
    text = _QUOTED.sub(lambda q: "“" + _DIGIT_RUN.sub(_mask_run, q[1]) + "”", text)
    return _ID_RUN.sub(_mask_run, text)
