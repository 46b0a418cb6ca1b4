"""Uploads shared by the forum's attachments and the practices' documents: the type
comes from the file's first bytes, never from its name or the browser's claim; stored
files go back to browsers that may not sniff or run them. Each feature decides where
its files live and who may see them."""
from __future__ import annotations

import re
import unicodedata

# (magic bytes test, content type, extension)
_SIGNATURES = (
    (lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"), "image/png", "png"),
    (lambda h: h.startswith(b"\xff\xd8\xff"), "image/jpeg", "jpg"),
    (lambda h: h.startswith((b"GIF87a", b"GIF89a")), "image/gif", "gif"),
    (lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP", "image/webp", "webp"),
    (lambda h: h.startswith(b"%PDF-"), "application/pdf", "pdf"),
)
HEAD_BYTES = 16


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an allowed file, or None."""
    for test, content_type, extension in _SIGNATURES:
        if test(head):
            return content_type, extension
    return None


def safe_filename(name: str, extension: str) -> str:
    """A display name without paths or odd characters, ending in the real extension."""
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/").split("/")[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w.\- ]+", "", stem, flags=re.UNICODE).strip(" .-")[:80] or "file"
    return f"{stem}.{extension}"


SANDBOX_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def megabytes(size: int) -> str:
    """``size`` bytes as the MB figure messages show ("5", "2.5", "0.25")."""
    return f"{size / (1024 * 1024):.3g}"


class UploadError(ValueError):
    """An upload refused; ``str()`` is the message for the member."""


def read_checked(storage, limit: int) -> tuple[bytes, str, str]:
    """(data, content type, safe display name) of an uploaded image or PDF; raises
    :class:`UploadError` when it is too large, empty or of another type."""
    from flask_babel import gettext as _

    name = getattr(storage, "filename", "") or "file"
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(_("%(name)s is larger than %(mb)s MB.", name=name, mb=megabytes(limit)))
    if not data:
        raise UploadError(_("%(name)s is empty.", name=name))
    kind = sniff(data[:HEAD_BYTES])
    if kind is None:
        raise UploadError(_("%(name)s is not an image (PNG, JPEG, GIF, WebP) or a PDF document.", name=name))
    content_type, extension = kind
    return data, content_type, safe_filename(name, extension)


def send_stored(path, content_type: str, filename: str):
    """Images inline, PDFs as downloads, sandboxed; 404 when the file is gone."""
    from flask import abort, send_file

    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=content_type, as_attachment=not content_type.startswith("image/"),
                         download_name=filename, max_age=3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_CSP
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
