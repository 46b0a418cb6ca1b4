"""Profile pictures: one small square WebP per member at ``<UPLOAD_PATH>/avatars/<id>.webp``.

There is no database column: pages ask the file system whether the file exists, and
its modification time is the version in the picture's address (a new picture gets a
new address, so browsers may keep the old one cached for long). That costs a stat per
author on a page and never a query. Uploads are decoded and re-encoded by Pillow, so
what is served is always a clean image: no EXIF (a phone photo's GPS position), no
trailing bytes, whatever the member sent."""
from __future__ import annotations

import hashlib
import io
import os
import warnings
from pathlib import Path

from flask import current_app, has_request_context, request
from flask_babel import gettext as _

from ..uploads import HEAD_BYTES, UploadError, megabytes, sniff

ALLOWED = {"image/png", "image/jpeg", "image/webp"}
SIZE = 256  # pixels, square
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
COLOURS = 8  # avatar-c0 … avatar-c7 in hub.css


def max_bytes() -> int:
    return int(current_app.config.get("AVATAR_MAX_BYTES", DEFAULT_MAX_BYTES))


def folder() -> Path:
    return Path(current_app.config["UPLOAD_PATH"]) / "avatars"


def path_for(user_id: int) -> Path:
    return folder() / f"{int(user_id)}.webp"


def version(user_id: int) -> int | None:
    """The picture's modification time (ns), or None without a picture. Remembered
    for the request, so a thread with 20 posts by one author stats once."""
    cache = request.environ.setdefault("hub.avatar_versions", {}) if has_request_context() else {}
    if user_id not in cache:
        try:
            cache[user_id] = path_for(user_id).stat().st_mtime_ns
        except OSError:
            cache[user_id] = None
    return cache[user_id]


def _decode(data: bytes):
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise UploadError(_("This picture has too many pixels; use a smaller one."))
            image.load()
    except UploadError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise UploadError(_("This picture has too many pixels; use a smaller one.")) from None
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError...)
        raise UploadError(_("This file could not be read as a picture.")) from None
    upright = ImageOps.exif_transpose(image)
    square = ImageOps.fit(upright.convert("RGBA" if "A" in upright.getbands() else "RGB"), (SIZE, SIZE))
    square.info = {}  # nothing of the original file travels on (EXIF, ICC, comments)
    return square


def save(user_id: int, storage) -> None:
    """Store ``storage`` (an uploaded file) as the member's picture. Raises
    :class:`UploadError` with a message for the member: too large, not PNG, JPEG or
    WebP, or not decodable."""
    limit = max_bytes()
    data = storage.stream.read(limit + 1) if storage is not None else b""
    if not data:
        raise UploadError(_("Choose a picture to upload."))
    if len(data) > limit:
        raise UploadError(_("The picture is larger than %(mb)s MB.", mb=megabytes(limit)))
    kind = sniff(data[:HEAD_BYTES])
    if kind is None or kind[0] not in ALLOWED:
        raise UploadError(_("The picture must be a PNG, JPEG or WebP image."))
    store(user_id, _decode(data))


def store(user_id: int, image) -> None:
    """Write the picture whole or not at all (a reader never sees half a file)."""
    target = path_for(user_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    image.save(temporary, "WEBP", quality=85)
    os.replace(temporary, target)
    _forget(user_id)


def remove(user_id: int) -> bool:
    """Delete the member's picture (their choice, or their account deleted)."""
    try:
        path_for(user_id).unlink()
    except FileNotFoundError:
        return False
    _forget(user_id)
    return True


def _forget(user_id: int) -> None:
    if has_request_context():
        request.environ.get("hub.avatar_versions", {}).pop(user_id, None)


def initials(name: str) -> str:
    """"Maria Jensen" → "MJ", "Sofía García" → "SG", "kim" → "K"."""
    words = [w for w in (name or "").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][:1] + (words[-1][:1] if len(words) > 1 else "")
    return letters.upper()


def colour(user_id: int) -> int:
    """A colour number that stays the same for a member on every page and process
    (Python's own ``hash`` changes between runs)."""
    return hashlib.blake2b(str(int(user_id)).encode(), digest_size=2).digest()[0] % COLOURS
