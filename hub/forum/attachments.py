"""Storing and serving attachments. Files live under ``<UPLOAD_PATH>/forum`` with
random names; the original name is only shown, never used as a path."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from flask import current_app, url_for
from flask_babel import ngettext

from ..extensions import db
from ..uploads import UploadError, read_checked, send_stored
from .models import Attachment


class AttachmentError(ValueError):
    """An upload the forum refuses; ``str()`` is the message for the member."""


@dataclass
class Upload:
    data: bytes
    content_type: str
    filename: str


def max_bytes() -> int:
    return int(current_app.config.get("FORUM_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024))


def max_count() -> int:
    return int(current_app.config.get("FORUM_MAX_ATTACHMENTS", 5))


def check_uploads(files) -> list[Upload]:
    """Read and check every uploaded file before anything is saved."""
    files = [f for f in (files or []) if f and getattr(f, "filename", "")]
    if len(files) > max_count():
        raise AttachmentError(ngettext("Attach at most %(num)d file to one post.",
                                       "Attach at most %(num)d files to one post.", max_count()))
    uploads = []
    for storage in files:
        try:
            data, content_type, filename = read_checked(storage, max_bytes())
        except UploadError as error:
            raise AttachmentError(str(error)) from None
        uploads.append(Upload(data, content_type, filename))
    return uploads


def _root() -> Path:
    return Path(current_app.config["UPLOAD_PATH"]) / "forum"


def path_of(attachment: Attachment) -> Path:
    return _root() / attachment.stored_name[:2] / attachment.stored_name


def store(uploads: list[Upload], post, user) -> list[Attachment]:
    """Write the files and add their rows. A rolled-back post leaves an orphan file
    at worst, never a row without its file."""
    saved = []
    for upload in uploads:
        stored_name = secrets.token_hex(16)
        path = _root() / stored_name[:2] / stored_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.data)
        attachment = Attachment(post_id=post.id, user_id=user.id, filename=upload.filename, stored_name=stored_name,
                                content_type=upload.content_type, size=len(upload.data))
        db.session.add(attachment)
        saved.append(attachment)
    return saved


def inline_image_names(post) -> set[str]:
    """Names of the post's images its text shows (``![…](images/name)``, which the
    renderer points at ``/forum/post/<id>/images/name``): the attachment list below
    the post leaves them out."""
    base = re.escape(f"{url_for('forum.permalink', post_id=post.id)}/images/")
    return {unquote(unescape(name)) for name in re.findall(f'<img [^>]*src="{base}([^"/]+)"', post.body_html or "")}


def serve(attachment: Attachment):
    """Images inline, PDFs as downloads; the browser may not sniff or run anything."""
    return send_stored(path_of(attachment), attachment.content_type, attachment.filename)
