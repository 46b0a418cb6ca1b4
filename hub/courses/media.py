"""Images stored with a course: outside static, under the instance upload folder,
typed by their content (never by the name a browser sent), with server-made names."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

# SVG comes only with course folders (content import, checked by :func:`svg_problem`);
# uploads through the browser are PNG, JPEG, GIF or WebP.
IMAGE_EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp", ".svg": "svg"}
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
                 "svg": "image/svg+xml"}
EXTENSION_FOR = {"png": ".png", "jpeg": ".jpg", "gif": ".gif", "webp": ".webp", "svg": ".svg"}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MEDIA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}\.(png|jpe?g|gif|webp|svg)$", re.IGNORECASE)
COVER_STEM = "cover"  # the course image is the media file cover.<ext>: no database column
SVG_NS = "{http://www.w3.org/2000/svg}"
SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object", "use", "image", "feImage", "animate",
                 "set", "animateTransform", "animateMotion", "style"}


class MediaError(ValueError):
    """An upload the hub refuses; ``code`` is one of empty, too_large, not_image."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def sniff_image(head: bytes) -> str | None:
    """The image type from the file's first bytes (PNG, JPEG, GIF, WebP), else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def svg_problem(data: bytes) -> str | None:
    """Why ``data`` is not an SVG image the hub serves, or None. Only drawing is
    allowed: no DOCTYPE or entities (XML bombs), no scripts, event handlers, foreign
    content, external references or animation. The media route adds a sandboxing CSP
    as a second wall."""
    from xml.etree import ElementTree

    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        return "SVG files may not contain a DOCTYPE or entities"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return f"not well-formed SVG ({error})"
    if root.tag != f"{SVG_NS}svg":
        return "the file is not an SVG image (its root element must be <svg> in the SVG namespace)"
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag in SVG_FORBIDDEN:
            return f"SVG images may not contain <{tag}> elements"
        for key, value in element.attrib.items():
            name = key.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                return f"SVG images may not contain event handlers ({name})"
            if name == "href" and not value.startswith("#"):
                return "SVG images may only link inside themselves"
            if "javascript:" in value.lower() or ("url(" in value.lower() and "url(#" not in value.lower()):
                return f"SVG images may not refer to other files ({name})"
    return None


@dataclass
class MediaFile:
    name: str
    size: int

    @property
    def content_type(self) -> str:
        return content_type(self.name)


def content_type(name: str) -> str:
    return CONTENT_TYPES[IMAGE_EXTENSIONS[Path(name).suffix.lower()]]


def media_root(upload_path: str | Path, course_id: int) -> Path:
    return Path(upload_path) / "courses" / str(int(course_id))


def media_file(upload_path: str | Path, course_id: int, name: str) -> Path | None:
    """The stored file called ``name``, or None (bad name, missing file)."""
    if not MEDIA_NAME.match(name or ""):
        return None
    path = media_root(upload_path, course_id) / name
    return path if path.is_file() else None


def list_media(upload_path: str | Path, course_id: int) -> list[MediaFile]:
    folder = media_root(upload_path, course_id)
    if not folder.is_dir():
        return []
    return [MediaFile(p.name, p.stat().st_size) for p in sorted(folder.iterdir())
            if p.is_file() and MEDIA_NAME.match(p.name)]


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


def checked_image_kind(data: bytes, max_bytes: int) -> str:
    """The image type of ``data``; MediaError when it is empty, too large or no image."""
    if not data:
        raise MediaError("empty", "The file is empty.")
    if len(data) > max_bytes:
        raise MediaError("too_large", f"The image is larger than {max_bytes // 1024} KB.")
    kind = sniff_image(data[:16])
    if kind is None:
        raise MediaError("not_image", "Only PNG, JPEG, GIF and WebP images can be uploaded.")
    return kind


def store_upload(upload_path: str | Path, course_id: int, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Save an uploaded image and return its new name. Raises MediaError for files
    that are too large or not a PNG, JPEG, GIF or WebP image."""
    kind = checked_image_kind(data, max_bytes)
    name = secrets.token_hex(8) + EXTENSION_FOR[kind]
    _write_atomically(media_root(upload_path, course_id) / name, data)
    return name


def store_by_content(upload_path: str | Path, course_id: int, data: bytes,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Like :func:`store_upload`, named by a hash of the content, so storing the same
    image again (a question file imported twice) writes nothing new."""
    kind = checked_image_kind(data, max_bytes)
    name = hashlib.sha256(data).hexdigest()[:24] + EXTENSION_FOR[kind]
    target = media_root(upload_path, course_id) / name
    if not target.is_file():
        _write_atomically(target, data)
    return name


# --- the course image (catalogue cards) ------------------------------------------------

def cover_name(upload_path: str | Path, course_id: int) -> str | None:
    """The course image's file name (``cover.<ext>``), or None. Looks at the disk only."""
    folder = media_root(upload_path, course_id)
    for extension in dict.fromkeys(EXTENSION_FOR.values()):
        if (folder / f"{COVER_STEM}{extension}").is_file():
            return f"{COVER_STEM}{extension}"
    return None


def _drop_covers(folder: Path, keep: str | None = None) -> None:
    for extension in dict.fromkeys(EXTENSION_FOR.values()):
        path = folder / f"{COVER_STEM}{extension}"
        if path.name != keep and path.is_file():
            path.unlink()


def store_cover(upload_path: str | Path, course_id: int, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A trainer's upload becomes the course image (replacing the previous one). The
    same checks as lesson images: MediaError when empty, too large or not an image."""
    kind = checked_image_kind(data, max_bytes)
    name = COVER_STEM + EXTENSION_FOR[kind]
    folder = media_root(upload_path, course_id)
    _write_atomically(folder / name, data)
    _drop_covers(folder, keep=name)
    return name


def use_as_cover(upload_path: str | Path, course_id: int, name: str) -> str | None:
    """Make the stored image ``name`` (a course folder's ``image:``) the course image."""
    source = media_file(upload_path, course_id, name)
    if source is None:
        return None
    folder = media_root(upload_path, course_id)
    cover = COVER_STEM + source.suffix.lower().replace(".jpeg", ".jpg")
    if source.name != cover:
        _write_atomically(folder / cover, source.read_bytes())
    _drop_covers(folder, keep=cover)
    return cover


def delete_cover(upload_path: str | Path, course_id: int) -> bool:
    had = cover_name(upload_path, course_id) is not None
    _drop_covers(media_root(upload_path, course_id))
    return had


def delete_media(upload_path: str | Path, course_id: int, name: str) -> bool:
    path = media_file(upload_path, course_id, name)
    if path is None:
        return False
    path.unlink()
    return True


def copy_in(upload_path: str | Path, course_id: int, images: list[Path]) -> None:
    """Imported images (already validated) replace stored files of the same name."""
    for image in images:
        _write_atomically(media_root(upload_path, course_id) / image.name, image.read_bytes())


def copy_out(upload_path: str | Path, course_id: int, folder: Path) -> list[str]:
    files = list_media(upload_path, course_id)
    if files:
        (folder / "images").mkdir(parents=True, exist_ok=True)
    for item in files:
        shutil.copyfile(media_root(upload_path, course_id) / item.name, folder / "images" / item.name)
    return [item.name for item in files]
