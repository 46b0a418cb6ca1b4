"""The course question bank: categories, tags, saving parsed questions (with their
HTML rendered once, on save), importing and exporting GIFT / Moodle XML files.

Questions are keyed by course + category + name, so importing a file again updates
the questions in place and keeps every attempt that refers to them."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Literal, overload

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import func, select

from ..courses.models import Course
from ..database import utcnow
from ..extensions import db
from ..markdown import render_html, render_markdown
from ..uploads import megabytes
from . import cloze, gift, moodle_xml, question_files, rich_text
from .models import Question, QuestionCategory, QuestionTag, QuizSlot, Response
from .parsed import ParseResult, Problem, QuestionDraft

DEFAULT_CATEGORY = "Default"


class BankError(ValueError):
    """A bank action cannot be done; the message is meant for the user."""


# --- rendering: the one Markdown pipeline, once, on save ----------------------------------

def render_text(text: str, text_format: str = "markdown") -> str:
    """HTML for question texts and feedback in any of Moodle's four formats; all of
    them pass the hub's sanitising Markdown renderer."""
    text = text or ""
    if not text.strip():
        return ""
    if text_format == "plain":
        escaped = str(escape(text))
        text = re.sub(r"([\\`*_{}\[\]()#+\-.!|>])", r"\\\1", escaped).replace("\n", "  \n")
    elif text_format == "moodle":
        text = text.replace("\n", "  \n")
    elif text_format == "html":
        return str(render_html(text))
    return str(render_markdown(text))


_ONE_PARAGRAPH = re.compile(r"^<p>((?:(?!</?p>).)*)</p>$", re.DOTALL)


def render_inline(text: str, text_format: str = "markdown") -> str:
    """Like :func:`render_text` without the paragraph around a one-line text (answers)."""
    html = render_text(text, text_format).strip()
    match = _ONE_PARAGRAPH.match(html)
    return match.group(1) if match else html


def with_html(qtype: str, data: dict, text_format: str) -> dict:
    """A copy of ``data`` with ``*_html`` beside every text a page shows."""
    data = copy.deepcopy(data or {})

    def fmt(item: dict) -> str:
        return item.get("format", text_format)

    if qtype == "multichoice":
        for item in data.get("answers", []):
            item["text_html"] = render_inline(item.get("text", ""), fmt(item))
            item["feedback_html"] = render_inline(item.get("feedback", ""), fmt(item))
    elif qtype in ("shortanswer", "numerical"):
        for item in data.get("answers", []):
            item["feedback_html"] = render_inline(item.get("feedback", ""), text_format)
    elif qtype == "truefalse":
        data["feedback_true_html"] = render_inline(data.get("feedback_true", ""), text_format)
        data["feedback_false_html"] = render_inline(data.get("feedback_false", ""), text_format)
    elif qtype == "match":
        for pair in data.get("pairs", []):
            pair["question_html"] = render_inline(pair.get("question", ""), fmt(pair))
    elif qtype == "essay":
        data["grader_info_html"] = render_text(data.get("grader_info", ""), text_format)
    elif qtype == "multianswer":
        for part in data.get("parts", []):
            for item in part.get("answers", []):
                item["feedback_html"] = str(escape(item.get("feedback", "")))
    for key in rich_text.COMBINED_FEEDBACK:
        if data.get(key):
            data[f"{key}_html"] = render_text(data[key], text_format)
    for hint in data.get("hints", []):
        hint["text_html"] = render_text(hint.get("text", ""), text_format)
    return data


def strip_html_keys(data: dict) -> dict:
    """``data`` without the rendered HTML (what files and editors carry)."""
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not k.endswith("_html")}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return clean(data or {})


# --- categories and tags -----------------------------------------------------------------

def clean_path(path: str) -> str:
    return "/".join(part.strip() for part in (path or "").split("/") if part.strip())[:500]


@overload
def category(course, path: str, create: Literal[True] = True) -> QuestionCategory: ...
@overload
def category(course, path: str, create: bool) -> QuestionCategory | None: ...


def category(course, path: str, create: bool = True) -> QuestionCategory | None:
    """The course's category at ``path`` (parents created too)."""
    path = clean_path(path) or DEFAULT_CATEGORY
    found = db.session.scalar(select(QuestionCategory).where(QuestionCategory.course_id == course.id,
                                                             QuestionCategory.path == path))
    if found or not create:
        return found
    parts = path.split("/")
    for depth in range(1, len(parts)):
        parent = "/".join(parts[:depth])
        if not db.session.scalar(select(QuestionCategory.id).where(QuestionCategory.course_id == course.id,
                                                                   QuestionCategory.path == parent)):
            db.session.add(QuestionCategory(course_id=course.id, path=parent))
    found = QuestionCategory(course_id=course.id, path=path)
    db.session.add(found)
    db.session.flush()
    return found


def categories(course) -> list[QuestionCategory]:
    return list(db.session.scalars(select(QuestionCategory).where(QuestionCategory.course_id == course.id)
                                   .order_by(QuestionCategory.path)))


def category_choices(course) -> list[tuple[str, str]]:
    """(id, label) pairs for category menus: indented by depth, with the count of live questions."""
    counts = dict(db.session.execute(select(Question.category_id, func.count()).where(
        Question.course_id == course.id, Question.archived_at.is_(None)).group_by(Question.category_id)).all())
    return [(str(c.id), f"{'— ' * c.depth}{c.name} ({counts.get(c.id, 0)})") for c in categories(course)]


def subcategory_ids(cat: QuestionCategory, include_sub: bool) -> list[int]:
    if not include_sub:
        return [cat.id]
    return list(db.session.scalars(select(QuestionCategory.id).where(
        QuestionCategory.course_id == cat.course_id,
        (QuestionCategory.path == cat.path) | QuestionCategory.path.startswith(cat.path + "/"))))


def rename_category(cat: QuestionCategory, new_path: str) -> None:
    new_path = clean_path(new_path)
    if not new_path:
        raise BankError(_("Give the category a name."))
    if new_path == cat.path:
        return
    if db.session.scalar(select(QuestionCategory.id).where(QuestionCategory.course_id == cat.course_id,
                                                           QuestionCategory.path == new_path)):
        raise BankError(_("A category with that name exists already."))
    old = cat.path
    for other in db.session.scalars(select(QuestionCategory).where(
            QuestionCategory.course_id == cat.course_id, QuestionCategory.path.startswith(old + "/"))):
        other.path = new_path + other.path[len(old):]
    cat.path = new_path


def delete_category(cat: QuestionCategory) -> None:
    used = db.session.scalar(select(func.count()).select_from(Question).where(Question.category_id == cat.id))
    children = db.session.scalar(select(func.count()).select_from(QuestionCategory).where(
        QuestionCategory.course_id == cat.course_id, QuestionCategory.path.startswith(cat.path + "/")))
    if used or children:
        raise BankError(_("Only an empty category can be deleted: "
                          "move or delete its questions and subcategories first."))
    if db.session.scalar(select(QuizSlot.id).where(QuizSlot.random_category_id == cat.id)):
        raise BankError(_("A quiz draws random questions from this category."))
    db.session.delete(cat)


def set_tags(question: Question, names: list[str]) -> None:
    wanted: list[str] = []
    for name in names:
        name = " ".join((name or "").split())[:100]
        if name and name.lower() not in [w.lower() for w in wanted]:
            wanted.append(name)
    tags = []
    for name in wanted:
        tag = db.session.scalar(select(QuestionTag).where(QuestionTag.course_id == question.course_id,
                                                          func.lower(QuestionTag.name) == name.lower()))
        if tag is None:
            tag = QuestionTag(course_id=question.course_id, name=name)
            db.session.add(tag)
        tags.append(tag)
    question.tags = tags


def tags_of(course) -> list[QuestionTag]:
    return list(db.session.scalars(select(QuestionTag).where(QuestionTag.course_id == course.id)
                                   .order_by(QuestionTag.name)))


# --- saving questions -----------------------------------------------------------------------

def find_question(course, cat: QuestionCategory, name: str) -> Question | None:
    return db.session.scalar(select(Question).where(Question.course_id == course.id, Question.category_id == cat.id,
                                                    Question.name == name).order_by(Question.id).limit(1))


def apply_draft(question: Question, draft: QuestionDraft) -> None:
    """Copy a draft's content onto a question, rendering its HTML."""
    question.qtype = draft.qtype
    question.name = draft.name[:255]
    question.idnumber = draft.idnumber
    question.text_format = draft.text_format
    question.text_md = draft.text
    if draft.qtype == "multianswer":
        template, parts, errors = cloze.parse(draft.text)
        if errors:
            raise BankError("; ".join(errors))
        data = {"parts": parts}
        question.text_html = render_text(template, draft.text_format)
    else:
        data = draft.data
        question.text_html = render_text(draft.text, draft.text_format)
    general_format = (draft.data or {}).get("general_feedback_format", draft.text_format)
    question.general_feedback_md = draft.general_feedback
    question.general_feedback_html = render_text(draft.general_feedback, general_format)
    question.default_mark = draft.default_mark
    question.data = with_html(draft.qtype, data, draft.text_format)
    question.archived_at = None


# What Moodle XML carries and GIFT (the editor's box) cannot: kept when a trainer edits.
EXTRA_KEYS = (*rich_text.COMBINED_FEEDBACK, "show_num_correct", "hints", "units", "unit_grading",
              "unit_penalty", "show_units", "units_left")


def keep_extras(question: Question, draft: QuestionDraft) -> None:
    """Give an edited question's draft back what the editor cannot show (hints,
    combined feedback, units), as long as the question keeps its type."""
    if question.qtype != draft.qtype:
        return
    kept = strip_html_keys({k: v for k, v in (question.data or {}).items() if k in EXTRA_KEYS})
    for key, value in kept.items():
        draft.data.setdefault(key, value)


def save_draft(course, draft: QuestionDraft, default_category: str = DEFAULT_CATEGORY,
               user=None) -> tuple[Question, bool]:
    """Create or update (same course, category and name) → (question, created)."""
    cat = category(course, draft.category or default_category)
    question = find_question(course, cat, draft.name[:255])
    created = question is None
    if question is None:
        question = Question(course_id=course.id, category_id=cat.id, created_by_id=getattr(user, "id", None))
        db.session.add(question)
    apply_draft(question, draft)
    set_tags(question, draft.tags)
    return question, created


def draft_of(question: Question) -> QuestionDraft:
    """A question as a draft (what the writers and the editor work from)."""
    data = strip_html_keys(question.data)
    if question.qtype == "multianswer":
        data = {}
    if question.general_feedback_md and "general_feedback_format" in (question.data or {}):
        data["general_feedback_format"] = question.data["general_feedback_format"]
    return QuestionDraft(qtype=question.qtype, name=question.name, text=question.text_md,
                         text_format=question.text_format, general_feedback=question.general_feedback_md,
                         data=data, category=question.category.path, idnumber=question.idnumber,
                         tags=list(question.tag_names), default_mark=question.default_mark)


def is_used(question: Question) -> bool:
    return bool(db.session.scalar(select(Response.id).where(Response.question_id == question.id).limit(1)))


def delete_question(question: Question) -> str:
    """Delete an unused question; a question with attempts is archived (hidden) instead."""
    for slot in list(db.session.scalars(select(QuizSlot).where(QuizSlot.question_id == question.id))):
        quiz = slot.quiz
        quiz.slots.remove(slot)  # delete-orphan removes the row
        for position, other in enumerate(sorted(quiz.slots, key=lambda s: s.position)):
            other.position = position
    if is_used(question):
        question.archived_at = utcnow()
        return "archived"
    db.session.delete(question)
    return "deleted"


# --- files ----------------------------------------------------------------------------------

@dataclass
class ImportOutcome:
    result: ParseResult
    created: int = 0
    updated: int = 0
    saved: list[Question] = field(default_factory=list)
    skipped: bool = False  # nothing saved because the file has errors

    @property
    def total(self) -> int:
        return self.created + self.updated


def read_file(filename: str, content: bytes | str, default_format: str = "markdown") -> ParseResult:
    """Parse an uploaded file by its extension: ``.xml`` is Moodle XML, anything else GIFT."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            result = ParseResult()
            result.errors.append(Problem(0, f"the file is not UTF-8 text (byte {error.start}); save it as UTF-8 "
                                            f"and upload it again"))
            return result
    if (filename or "").lower().endswith(".xml") or content.lstrip().startswith("<?xml"):
        return moodle_xml.parse(content)
    return gift.parse(content, default_format=default_format)


IMPORT_MAX_BYTES = 2 * 1024 * 1024  # QUIZ_IMPORT_MAX_BYTES: Moodle's own exports of 1,000 questions are ~0.5 MB
IMPORT_MAX_QUESTIONS = 2000  # QUIZ_IMPORT_MAX_QUESTIONS
IMPORT_BATCH = 100  # questions saved per transaction: other writers wait for one batch, not the file


def import_limits() -> tuple[int, int]:
    config = current_app.config
    return (int(config.get("QUIZ_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)),
            int(config.get("QUIZ_IMPORT_MAX_QUESTIONS", IMPORT_MAX_QUESTIONS)))


def read_upload(filename: str, stream, default_format: str = "moodle") -> ParseResult:
    """Read and parse an uploaded question file within the size and count limits,
    before anything is written: a refusal is an error of the result, never a long
    write transaction."""
    max_bytes, max_questions = import_limits()
    raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        result = ParseResult()
        result.errors.append(Problem(0, _("the file is larger than %(mb)s MB: split it into smaller files (for "
                                          "example one per category) and import them one after another",
                                          mb=megabytes(max_bytes))))
        return result
    result = read_file(filename, raw, default_format=default_format)
    if len(result.questions) > max_questions:
        count = len(result.questions)
        result.questions = []
        result.errors.append(Problem(0, _("the file holds %(count)d questions; import at most %(max)d at a time",
                                          count=count, max=max_questions)))
    return result


def import_questions(course, result: ParseResult, default_category: str, only_valid: bool = False,
                     user=None, end_batch=None) -> ImportOutcome:
    """Save the questions of a parsed file. Nothing is saved while the file has errors,
    unless ``only_valid``: then the questions without errors are saved. ``end_batch``
    (the caller's commit) runs after every IMPORT_BATCH questions."""
    outcome = ImportOutcome(result)
    if result.errors and not only_valid:
        outcome.skipped = True
        return outcome
    for path in result.categories:
        cat = category(course, path)
        meta = result.category_meta.get(path)
        if meta:
            cat.info, cat.info_format, cat.idnumber = meta["info"], meta["info_format"], meta["idnumber"]
    for number, draft in enumerate(result.questions, start=1):
        if end_batch is not None and number % IMPORT_BATCH == 0:
            db.session.flush()
            end_batch()
        question_files.store(course, draft, result.warnings)
        try:
            question, created = save_draft(course, draft, default_category, user)
        except BankError as error:
            result.errors.append(Problem(draft.line, str(error), draft.name))
            continue
        outcome.saved.append(question)
        if created:
            outcome.created += 1
        else:
            outcome.updated += 1
    db.session.flush()
    return outcome


def export(questions: list[Question], file_format: str = "gift") -> str:
    drafts = [draft_of(q) for q in questions]
    if file_format == "xml":
        course = db.session.get(Course, questions[0].course_id) if questions else None
        if course is None:
            return moodle_xml.dumps(drafts)
        for draft in drafts:
            question_files.attach(course, draft)
        meta = {c.path: {"info": c.info, "info_format": c.info_format, "idnumber": c.idnumber}
                for c in categories(course) if c.info or c.idnumber}
        return moodle_xml.dumps(drafts, meta)
    # Explicit [markdown] tags: Moodle's default for untagged GIFT text is its own format.
    return gift.dumps(drafts, default_format="moodle",
                      comment="Exported from Inclusion Hub in Moodle's GIFT format.")


def questions_for_export(course, category_id: int | None = None) -> list[Question]:
    stmt = (select(Question).join(QuestionCategory).where(Question.course_id == course.id,
                                                          Question.archived_at.is_(None))
            .order_by(QuestionCategory.path, Question.id))
    if category_id:
        stmt = stmt.where(Question.category_id == category_id)
    return list(db.session.scalars(stmt))


def safe_html(html: str) -> Markup:
    """Stored HTML was sanitised on save."""
    return Markup(html or "")
