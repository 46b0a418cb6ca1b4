"""Upload checks shared by the forum's attachments and the practices' documents: the
type comes from the file's first bytes, never from its name or the browser's claim.
Pure functions; each feature stores its files itself."""
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
