"""Files embedded in questions: Moodle XML carries a question's images as base64
``<file>`` elements that its texts name ``@@PLUGINFILE@@/x.png``. Importing stores
them with the course's images (the same checks as an upload: PNG, JPEG, GIF or WebP,
within the size limit) and points the texts at the hub's address for them; exporting
turns those addresses back into ``@@PLUGINFILE@@`` names with the files beside them."""
from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from flask import current_app
from flask_babel import gettext as _

from ..courses import media
from ..courses.content import media_base
from .moodle_xml_writer import PLUGINFILE
from .parsed import Problem, QuestionDraft
from .rich_text import fields


def _rewrite(draft: QuestionDraft, change: Callable[[str], str]) -> None:
    """Apply ``change`` to every formatted text of the draft."""
    draft.text = change(draft.text or "")
    draft.general_feedback = change(draft.general_feedback or "")
    for container, key in fields(draft.qtype, draft.data or {}):
        if isinstance(container.get(key), str):
            container[key] = change(container[key])


def _limit() -> int:
    return int(current_app.config.get("COURSE_IMAGE_MAX_BYTES", media.DEFAULT_MAX_BYTES))


def store(course, draft: QuestionDraft, warnings: list[Problem]) -> None:
    """Store the draft's embedded files as course images and point its texts at them.
    A file the hub refuses is left out with a warning naming the question and the file."""
    if not draft.files:
        return
    upload, limit = current_app.config["UPLOAD_PATH"], _limit()
    urls: dict[str, str] = {}
    for key, data in draft.files.items():
        try:
            name = media.store_by_content(upload, course.id, data, limit)
        except media.MediaError as error:
            reason = {"empty": _("it is empty"),
                      "too_large": _("it is larger than %(kb)d KB", kb=limit // 1024)}.get(
                error.code, _("only PNG, JPEG, GIF and WebP images can be stored"))
            warnings.append(Problem(draft.line, _("the embedded file “%(name)s” was not imported: %(reason)s",
                                                  name=key, reason=reason), draft.name, "question"))
            continue
        urls[key] = f"{media_base(course.slug)}/{name}"
    _rewrite(draft, lambda text: PLUGINFILE.sub(lambda m: urls.get(unquote(m.group(1)), m.group(0)), text))
    draft.files = {}


def attach(course, draft: QuestionDraft) -> None:
    """The reverse of :func:`store` for an export: the course's image addresses in the
    draft's texts become ``@@PLUGINFILE@@/name`` and the images go into ``files``."""
    pattern = re.compile(re.escape(media_base(course.slug) + "/") + r"([A-Za-z0-9][A-Za-z0-9_-]{0,80}"
                                                                    r"\.(?:png|jpe?g|gif|webp))")
    upload = current_app.config["UPLOAD_PATH"]

    def change(text: str) -> str:
        def swap(match: re.Match) -> str:
            name = match.group(1)
            if name not in draft.files:
                path = media.media_file(upload, course.id, name)
                if path is None:
                    return match.group(0)
                draft.files[name] = path.read_bytes()
            return f"@@PLUGINFILE@@/{name}"
        return pattern.sub(swap, text)

    _rewrite(draft, change)
