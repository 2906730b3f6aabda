"""A workbook uploaded on planeación's Excel page waits here between its preview and the
confirmation: in a private temporary folder, under a random token kept in the person's
session, with the preview's result beside it. It is deleted once imported or cancelled, and
leftovers older than a day go with the next upload."""

import secrets
import tempfile
import time
from pathlib import Path

from poa.services.imports.run import ImportResult

FOLDER = "poa-importaciones"
MAX_AGE_SECONDS = 24 * 60 * 60


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _paths(token):
    # Only our own tokens name files: anything else (a forged session) names none.
    if not (isinstance(token, str) and len(token) == 32 and token.isalnum()):
        raise FileNotFoundError(token)
    return _folder() / f"{token}.xlsx", _folder() / f"{token}.json"


def upload_store(uploaded) -> str:
    """Saves an uploaded file (Django's UploadedFile) by chunks; returns its token."""
    _discard_old()
    token = secrets.token_hex(16)
    path, _ = _paths(token)
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return token


def upload_path(token) -> Path:
    path, _ = _paths(token)
    if not path.exists():
        raise FileNotFoundError(path)
    return path


def result_store(token, result: ImportResult):
    _, path = _paths(token)
    path.write_text(result.to_json(), encoding="utf-8")


def result_load(token) -> ImportResult:
    _, path = _paths(token)
    return ImportResult.from_json(path.read_text(encoding="utf-8"))


def upload_discard(token):
    try:
        paths = _paths(token)
    except FileNotFoundError:
        return
    for path in paths:
        path.unlink(missing_ok=True)


def _discard_old():
    limit = time.time() - MAX_AGE_SECONDS
    for path in _folder().glob("*.*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass  # another process removed it
