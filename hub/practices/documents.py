"""A practice's tools and documents: PDFs and images, checked by their content, stored
under ``<UPLOAD_PATH>/practices`` with random names (the original name is only shown)."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..uploads import UploadError, read_checked, send_stored
from .models import Practice, PracticeDocument


class DocumentError(ValueError):
    """An upload refused; ``str()`` is the message for the form."""


def max_bytes() -> int:
    return int(current_app.config["PRACTICE_DOCUMENT_MAX_BYTES"])


def _root() -> Path:
    return Path(current_app.config["UPLOAD_PATH"]) / "practices"


def path_of(document: PracticeDocument) -> Path:
    return _root() / document.stored_name[:2] / document.stored_name


def add(practice: Practice, user, storage, title: str = "") -> PracticeDocument:
    """Check and store one uploaded file (the caller commits)."""
    if len(practice.documents) >= int(current_app.config["PRACTICE_MAX_DOCUMENTS"]):
        raise DocumentError(_("A practice can have at most %(num)d documents: remove one first.",
                              num=int(current_app.config["PRACTICE_MAX_DOCUMENTS"])))
    if not getattr(storage, "filename", ""):
        raise DocumentError(_("Choose a file to upload."))
    try:
        data, content_type, filename = read_checked(storage, max_bytes())
    except UploadError as error:
        raise DocumentError(str(error)) from None
    stored_name = secrets.token_hex(16)
    path = _root() / stored_name[:2] / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)  # a rolled-back request leaves an orphan file at worst, never a row without one
    document = PracticeDocument(practice_id=practice.id, title=(title or "").strip()[:200],
                                filename=filename, stored_name=stored_name,
                                content_type=content_type, size=len(data), uploaded_by_id=user.id)
    db.session.add(document)
    return document


def remove(document: PracticeDocument) -> None:
    path = path_of(document)
    db.session.delete(document)
    path.unlink(missing_ok=True)


def serve(document: PracticeDocument):
    return send_stored(path_of(document), document.content_type, document.filename)
