"""Quizzes in other languages: ``quiz.<lang>.gift`` (or ``.xml``) beside a quiz's file.

A translation names the same questions (same ``::title::``), in the same order, with the
same answers in the same order and the same weights; only the words differ. The content
loader refuses a file that strays, naming the question. Pages show a question in the
reader's language when it has one; grading works on positions and weights, which are the
same in every language, and a short answer is right in any of the quiz's languages. So a
grade never depends on the language an attempt was taken in."""
from __future__ import annotations

import copy
import re
from pathlib import Path

from .bank import render_text, strip_html_keys, with_html
from .models import Question, QuestionTranslation
from .parsed import QuestionDraft

TRANSLATABLE = ("multichoice", "truefalse", "shortanswer", "numerical", "match", "essay", "description")


def files_for(folder: Path, quiz_file: str) -> dict[str, Path]:
    """{language: path} of the translations of ``quiz_file`` in ``folder``."""
    stem, suffix = Path(quiz_file).stem, Path(quiz_file).suffix
    pattern = re.compile(rf"^{re.escape(stem)}\.(?P<lang>[a-z]{{2}}){re.escape(suffix)}$")
    found = {}
    for path in sorted(folder.iterdir()):
        match = pattern.match(path.name)
        if match and path.is_file():
            found[match["lang"]] = path
    return found


def _weights(items: list) -> list[float]:
    return [round(float(item.get("fraction", 0)), 5) for item in items]


def mismatch(original: QuestionDraft, translated: QuestionDraft) -> str | None:
    """Why ``translated`` cannot stand for ``original`` (None when it can)."""
    if translated.qtype != original.qtype:
        return f"is a {translated.qtype} question here but a {original.qtype} question in the original"
    if original.qtype not in TRANSLATABLE:
        return f"{original.qtype} questions cannot be translated yet; leave the question out of this file"
    a, b = original.data, translated.data
    if original.qtype == "multichoice":
        if a.get("single", True) != b.get("single", True) or _weights(a.get("answers", [])) != _weights(
                b.get("answers", [])):
            return "needs the same answers in the same order with the same weights as the original"
    elif original.qtype == "truefalse" and bool(a.get("correct")) != bool(b.get("correct")):
        return "says TRUE where the original says FALSE, or the other way round"
    elif original.qtype == "match" and len(a.get("pairs", [])) != len(b.get("pairs", [])):
        return "needs as many pairs as the original, in the same order"
    elif original.qtype == "numerical" and [(i.get("value"), i.get("tolerance")) for i in a.get("answers", [])] != [
            (i.get("value"), i.get("tolerance")) for i in b.get("answers", [])]:
        return "needs the same numbers and tolerances as the original"
    elif original.qtype == "shortanswer" and not b.get("answers"):
        return "has no accepted answers"
    return None


def save(question: Question, language: str, draft: QuestionDraft) -> None:
    translation = next((t for t in question.translations if t.language == language), None)
    if translation is None:
        translation = QuestionTranslation(language=language)
        question.translations.append(translation)
    fmt = translation.text_format = draft.text_format
    translation.text_md, translation.general_feedback_md = draft.text, draft.general_feedback
    translation.text_html = render_text(draft.text, fmt)
    translation.general_feedback_html = render_text(draft.general_feedback,
                                                    (draft.data or {}).get("general_feedback_format", fmt))
    translation.data = with_html(draft.qtype, draft.data, fmt)


def keep_only(question: Question, languages: set[str]) -> None:
    """Drop the translations whose file is gone."""
    for translation in list(question.translations):
        if translation.language not in languages:
            question.translations.remove(translation)


def drafts_in(questions: list[Question], language: str) -> list[QuestionDraft] | None:
    """The questions as drafts in ``language`` (for export); None unless all have it."""
    drafts = []
    for question in questions:
        translation = next((t for t in question.translations if t.language == language), None)
        if translation is None:
            return None
        drafts.append(QuestionDraft(qtype=question.qtype, name=question.name, text=translation.text_md,
                                    text_format=translation.text_format,
                                    general_feedback=translation.general_feedback_md,
                                    data=strip_html_keys(translation.data), default_mark=question.default_mark))
    return drafts


# --- attempts ----------------------------------------------------------------------------

def snapshot(question: Question) -> dict:
    """What an attempt keeps of the question's translations (it keeps the original too)."""
    return {t.language: {"text_html": t.text_html, "general_feedback_html": t.general_feedback_html,
                         "data": t.data} for t in question.translations}


def graded_data(question: Question) -> dict:
    """The data an attempt grades with: the question's own, and for short answers the
    accepted answers of every language too (Moodle's first match counts: the original's
    come first)."""
    if question.qtype != "shortanswer" or not question.translations:
        return question.data
    data = copy.deepcopy(question.data)
    for translation in sorted(question.translations, key=lambda t: t.language):
        data["answers"] = data.get("answers", []) + copy.deepcopy(translation.data.get("answers", []))
    return data


def localized(qtype: str, data: dict, translated: dict | None) -> dict:
    """``data`` with the words of ``translated`` (positions and weights stay the original's)."""
    if not translated:
        return data
    shown = copy.deepcopy(data)
    if qtype == "multichoice":
        for item, other in zip(shown.get("answers", []), translated.get("answers", []), strict=False):
            for key in ("text", "text_html", "feedback", "feedback_html"):
                if key in other:
                    item[key] = other[key]
    elif qtype == "truefalse":
        for key in ("feedback_true_html", "feedback_false_html"):
            if key in translated:
                shown[key] = translated[key]
    elif qtype == "match":
        for pair, other in zip(shown.get("pairs", []), translated.get("pairs", []), strict=False):
            pair["question_html"] = other.get("question_html", pair.get("question_html"))
            pair["answer_shown"] = other.get("answer", pair.get("answer"))
    elif qtype == "numerical":
        for item, other in zip(shown.get("answers", []), translated.get("answers", []), strict=False):
            item["feedback_html"] = other.get("feedback_html", item.get("feedback_html"))
    elif qtype == "shortanswer":
        shown["answers_shown"] = translated.get("answers", [])
    elif qtype == "essay" and "grader_info_html" in translated:
        shown["grader_info_html"] = translated["grader_info_html"]
    return shown
