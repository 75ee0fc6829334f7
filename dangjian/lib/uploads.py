"""Uploaded import files, kept between the preview and the confirmation.

An upload is written once into the data folder under a random token; the confirmation
finds it by that token (never by a client-supplied path) and removes it when done.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.http import Http404


def _folder() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(upload, *, prefix: str = "") -> tuple[str, Path]:
    """Save an UploadedFile; returns (token, path)."""
    token = secrets.token_hex(16)
    path = _folder() / f"{prefix}{token}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return token, path


def stashed_upload(token: str, *, prefix: str = "") -> Path | None:
    """The file saved under `token`, or None when it has expired; 404 on a malformed token."""
    if not token.isalnum():
        raise Http404
    return next(iter(_folder().glob(f"{prefix}{token}.*")), None)
