"""A practice's tools and documents: PDFs and images, checked by their content, stored
under ``<UPLOAD_PATH>/practices`` with random names (the original name is only shown)."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import gettext as _

from ..extensions import db
from ..uploads import HEAD_BYTES, safe_filename, sniff
from .models import Practice, PracticeDocument

SANDBOX_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


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
    name = getattr(storage, "filename", "") or ""
    if not name:
        raise DocumentError(_("Choose a file to upload."))
    limit = max_bytes()
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(_("%(name)s is larger than %(mb)s MB.", name=name, mb=f"{limit / (1024 * 1024):.3g}"))
    if not data:
        raise DocumentError(_("%(name)s is empty.", name=name))
    kind = sniff(data[:HEAD_BYTES])
    if kind is None:
        raise DocumentError(_("%(name)s is not an image (PNG, JPEG, GIF, WebP) or a PDF document.", name=name))
    content_type, extension = kind
    stored_name = secrets.token_hex(16)
    path = _root() / stored_name[:2] / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)  # a rolled-back request leaves an orphan file at worst, never a row without one
    document = PracticeDocument(practice_id=practice.id, title=(title or "").strip()[:200],
                                filename=safe_filename(name, extension), stored_name=stored_name,
                                content_type=content_type, size=len(data), uploaded_by_id=user.id)
    db.session.add(document)
    return document


def remove(document: PracticeDocument) -> None:
    path = path_of(document)
    db.session.delete(document)
    path.unlink(missing_ok=True)


def serve(document: PracticeDocument):
    """Images inline, PDFs as downloads; the browser may not sniff or run anything."""
    path = path_of(document)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=document.content_type, as_attachment=not document.is_image,
                         download_name=document.filename, max_age=3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_CSP
    return response
