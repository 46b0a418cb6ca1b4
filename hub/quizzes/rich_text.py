"""The texts of a question that pages show (question text, feedback, hints, choices),
and converting a text from one of Moodle's formats to HTML. Pure: no Flask.

Moodle keeps a format for every text of a question; the hub keeps one per question.
An import whose texts share a format keeps it; otherwise every text becomes HTML,
converted from its own format the way Moodle displays it, so it looks the same."""
from __future__ import annotations

import re
from collections.abc import Iterator

from markupsafe import escape

from ..markdown import render_markdown

# Feedback for the whole response (Moodle's "combined feedback"), by response state.
COMBINED_FEEDBACK = ("correct_feedback", "partial_feedback", "incorrect_feedback")
COMBINED_TYPES = ("multichoice", "match")


def fields(qtype: str, data: dict) -> Iterator[tuple[dict, str]]:
    """(container, key) of every formatted text in a question's ``data``: what pages
    show as HTML. Short and numerical answers and matching answers are plain words."""
    for key in COMBINED_FEEDBACK:
        if key in data:
            yield data, key
    for hint in data.get("hints", []):
        yield hint, "text"
    if qtype == "multichoice":
        for item in data.get("answers", []):
            yield item, "text"
            yield item, "feedback"
    elif qtype in ("shortanswer", "numerical"):
        for item in data.get("answers", []):
            yield item, "feedback"
    elif qtype == "truefalse":
        yield data, "feedback_true"
        yield data, "feedback_false"
    elif qtype == "match":
        for pair in data.get("pairs", []):
            yield pair, "question"
    elif qtype == "essay":
        yield data, "grader_info"
        yield data, "template"


def _paragraphs(text: str) -> str:
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", text.strip("\n")) if b.strip()]
    return "".join(f"<p>{b.replace(chr(10), '<br>' + chr(10))}</p>" for b in blocks)


def to_html(text: str, text_format: str) -> str:
    """``text`` written in ``text_format`` as HTML that shows what Moodle shows:
    plain text escaped with its line breaks and runs of spaces, Moodle's auto-format
    (HTML allowed) in paragraphs and line breaks, Markdown rendered."""
    if not text or text_format == "html":
        return text or ""
    if text_format == "plain":
        escaped = str(escape(text)).replace("  ", "&nbsp; ")
        return _paragraphs(escaped)
    if text_format == "moodle":
        return _paragraphs(text)
    return str(render_markdown(text))
