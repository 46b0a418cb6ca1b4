"""Quizzes in course folders: the ``quizzes:`` list of course.md and the GIFT (or
Moodle XML) files it names. ``hub.quizzes.init_app`` adds :data:`loader` to
``hub.courses.hooks.content_loaders``.

Re-importing keeps attempts: questions are found again by course + category + name
and updated in place; slots are kept per question. Questions of a quiz's own
category that left the file are archived (hidden from new attempts, kept for history).

An export carries everything a quiz is made of: its ``slots`` (see :mod:`.slot_spec`),
the questions of the categories it draws from, and, in ``question_bank:``, the bank's
other questions and categories, so a course moves between sites unchanged."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
from defusedxml.ElementTree import fromstring
from sqlalchemy import select

from ..extensions import db
from . import bank, editing, gift, moodle_xml, slot_spec, translations
from .models import Question, Quiz, QuizSlot
from .parsed import QuestionDraft
from .services import QuizError

KNOWN_KEYS = {"slug", "file", "draw", "slots", *editing.SETTING_KEYS}
BANK_FILE = "questions.xml"
XML_FORMATS = {"html": "html", "moodle": "moodle_auto_format", "plain": "plain_text", "markdown": "markdown"}


def _content_error(path, line, problem):
    from ..courses.content import ContentError
    return ContentError(path, line, problem)


class QuizContentLoader:
    course_fields = ("question_bank",)

    def load(self, course, folder, meta: dict, errors: list) -> None:
        folder = Path(folder)
        items = meta.get("quizzes") or []
        course_md = f"{folder.name}/course.md"
        if meta.get("question_bank"):
            self._load_bank(course, folder, meta["question_bank"], errors)
        if not isinstance(items, list):
            errors.append(_content_error(course_md, None, "quizzes: must be a list of quizzes"))
            return
        db.session.flush()
        sections = {s.slug: s for s in course.sections}
        seen: set[str] = set()
        for position, item in enumerate(items):
            problem = self._check_item(item, seen)
            if problem:
                errors.append(_content_error(course_md, None, problem))
                continue
            seen.add(item["slug"])
            self._load_quiz(course, folder, item, position, sections, errors)

    @staticmethod
    def _check_item(item, seen: set[str]) -> str | None:
        if not isinstance(item, dict):
            return "quizzes: each quiz is a mapping with slug, title and file"
        missing = [key for key in ("slug", "title", "file") if not item.get(key)]
        if missing:
            return f"quizzes: a quiz has no {missing[0]}"
        if not editing.SLUG.match(str(item["slug"])):
            return f"quizzes: slug “{item['slug']}” must use lower-case letters, digits and hyphens"
        if item["slug"] in seen:
            return f"quizzes: the slug “{item['slug']}” is used twice"
        if "slots" in item and "draw" in item:
            return f"quizzes ({item['slug']}): write either draw or slots, not both"
        unknown = sorted(set(item) - KNOWN_KEYS)
        if unknown:
            return (f"quizzes ({item['slug']}): unknown setting “{unknown[0]}”; known settings: "
                    f"{', '.join(sorted(KNOWN_KEYS))}")
        return None

    def _load_quiz(self, course, folder: Path, item: dict, position: int, sections: dict, errors: list) -> None:
        slug = item["slug"]
        path = folder / item["file"]
        if not path.is_file():
            errors.append(_content_error(f"{folder.name}/course.md", None,
                                         f"quizzes ({slug}): file {item['file']} not found"))
            return
        label = f"{folder.name}/{item['file']}"
        result = read_quiz_file(path)
        for problem in result.errors:
            if problem.unit == "line":
                errors.append(_content_error(label, problem.line or None, problem.message))
            else:
                errors.append(_content_error(label, None, str(problem)))
        if result.errors:
            return
        if not result.questions:
            errors.append(_content_error(label, None, "the file has no questions"))
            return
        quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == slug))
        if quiz is None:
            quiz = Quiz(course_id=course.id, slug=slug, title=item["title"], feedback_bands=[],
                        review_after_submit=None, review_after_close=None)
            db.session.add(quiz)
        settings = {key: item[key] for key in editing.SETTING_KEYS if key in item}
        settings.setdefault("position", position)
        settings.setdefault("published", True)
        for key in ("review_after_submit", "review_after_close"):
            settings.setdefault(key, None)
        try:
            editing.apply_settings(quiz, settings, sections)
            draw = item.get("draw")
            if draw is not None:
                draw = editing._int(draw, "draw", 1, len(result.questions))
        except QuizError as error:
            errors.append(_content_error(f"{folder.name}/course.md", None, f"quizzes ({slug}): {error}"))
            return
        quiz.source_file = item["file"]
        quiz.archived_at = None
        db.session.flush()
        questions = []
        for draft in result.questions:
            try:
                question, _created = bank.save_draft(course, draft, default_category=slug)
            except bank.BankError as error:
                errors.append(_content_error(label, draft.line or None, str(error)))
                return
            questions.append(question)
        if not self._load_translations(course, folder, item["file"], result.questions, questions, errors):
            return
        db.session.flush()
        own = bank.category(course, slug, create=False)  # none when every question names its category
        kept = {q.id for q in questions}
        # Only the quiz's own category is the file's alone; $CATEGORY ones may be shared.
        for stale in db.session.scalars(select(Question).where(Question.category_id == own.id,
                                                               Question.archived_at.is_(None))) if own else ():
            if stale.id not in kept:
                bank.delete_question(stale)
        if "slots" in item:
            try:
                slot_spec.apply(quiz, course, item["slots"], questions)
            except QuizError as error:
                errors.append(_content_error(f"{folder.name}/course.md", None, f"quizzes ({slug}): {error}"))
            return
        source = None
        if draw:
            used = {q.category_id for q in questions}
            if len(used) > 1:
                errors.append(_content_error(f"{folder.name}/course.md", None, f"quizzes ({slug}): draw needs "
                                             f"all the questions of {item['file']} in one category"))
                return
            source = questions[0].category
        self._set_slots(quiz, questions, source, draw)

    @staticmethod
    def _load_translations(course, folder: Path, quiz_file: str, drafts: list, questions: list, errors: list) -> bool:
        """Read ``quiz.<lang>.gift`` files; False (with the errors) when one strays from the original."""
        by_name = {draft.name: (draft, question) for draft, question in zip(drafts, questions, strict=True)}
        loaded: set[str] = set()
        ok = True
        for language, path in translations.files_for(folder, quiz_file).items():
            label = f"{folder.name}/{path.name}"
            if language == course.language:
                errors.append(_content_error(label, None, f"'{language}' is the course language: edit {quiz_file} "
                                                          "instead"))
                ok = False
                continue
            result = bank.read_file(path.name, path.read_bytes())
            problems = [_content_error(label, p.line or None if p.unit == "line" else None, p.message)
                        for p in result.errors]
            names = [d.name for d in result.questions]
            if not problems and names != [d.name for d in drafts]:
                missing = [n for n in by_name if n not in names]
                extra = [n for n in names if n not in by_name]
                problem = (f"needs the questions of {quiz_file}, with the same titles, in the same order"
                           + (f"; missing: {', '.join(missing)}" if missing else "")
                           + (f"; not in {quiz_file}: {', '.join(extra)}" if extra else ""))
                problems.append(_content_error(label, None, problem))
            for draft in result.questions if not problems else []:
                why = translations.mismatch(by_name[draft.name][0], draft)
                if why:
                    problems.append(_content_error(label, draft.line or None, f"“{draft.name}” {why}"))
            if problems:
                errors.extend(problems)
                ok = False
                continue
            for draft in result.questions:
                translations.save(by_name[draft.name][1], language, draft)
            loaded.add(language)
        for question in questions:
            translations.keep_only(question, loaded)
        return ok

    @staticmethod
    def _set_slots(quiz: Quiz, questions: list, source, draw: int | None) -> None:
        if draw:
            wanted: list[QuizSlot] = [s for s in quiz.slots if s.random_category_id == source.id][:draw]
            while len(wanted) < draw:
                wanted.append(QuizSlot(random_category=source, random_include_subcategories=False, mark=1.0))
        else:
            by_question = {s.question_id: s for s in quiz.slots if s.question_id is not None}
            wanted = [by_question.get(q.id) or QuizSlot(question=q) for q in questions]
        slot_spec.replace_slots(quiz, wanted)

    def export(self, course, folder) -> dict:
        folder = Path(folder)
        out = []
        in_files: set[int] = set()
        for quiz in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id, Quiz.archived_at.is_(None))
                                       .order_by(Quiz.position, Quiz.id)):
            described = slot_spec.describe(quiz)
            in_files.update(q.id for q in described.questions)
            name = self._export_questions(quiz, described.questions, folder)
            meta = {"slug": quiz.slug, "file": name, **editing.settings_of(quiz)}
            meta["position"] = quiz.position
            if described.draw:
                meta["draw"] = described.draw
            if described.slots is not None:
                meta["slots"] = described.slots
            if not meta["intro"]:
                meta.pop("intro")
            out.append(meta)
        result: dict = {"quizzes": out} if out else {}
        if self._export_bank(course, in_files, folder):
            result["question_bank"] = BANK_FILE
        return result

    @staticmethod
    def _export_questions(quiz: Quiz, questions: list[Question], folder: Path) -> str:
        """Write the quiz's file: GIFT when GIFT carries every question unchanged
        (marks included), else Moodle XML. Returns the file name."""
        drafts = []
        others = False  # after another category's questions, the quiz's own needs its $CATEGORY line
        for question in questions:
            draft = bank.draft_of(question)
            if draft.category == quiz.slug and not others:
                draft.category = None
            others = others or draft.category is not None
            drafts.append(draft)
        if not gift_keeps(drafts):
            name = Path(quiz.source_file or quiz.slug).stem + ".xml"
            (folder / name).write_text(moodle_xml.dumps(drafts), encoding="utf-8")
            return name
        gift_file = quiz.source_file or ""
        name = gift_file if gift_file.endswith(".gift") else f"{quiz.slug}.gift"
        text = gift.dumps(drafts, comment=f"Questions of the quiz “{quiz.title}” (Moodle GIFT format).")
        (folder / name).write_text(text, encoding="utf-8")
        languages = {t.language for q in questions for t in q.translations}
        for language in sorted(languages):
            translated = translations.drafts_in(questions, language)
            if translated and all(gift.can_write(d) for d in translated):
                for draft, original in zip(translated, drafts, strict=True):
                    draft.category = original.category
                (folder / f"{Path(name).stem}.{language}.gift").write_text(
                    gift.dumps(translated, comment=f"“{quiz.title}” in {language}."), encoding="utf-8")
        return name

    @staticmethod
    def _export_bank(course, in_files: set[int], folder: Path) -> bool:
        """The bank's questions no quiz file holds, its empty categories and the
        descriptions and ID numbers of its categories, in ``questions.xml``; False
        when there are none."""
        rest = [q for q in bank.questions_for_export(course) if q.id not in in_files]
        used = {q.category.path for q in bank.questions_for_export(course)}
        described = [c for c in bank.categories(course) if c.info or getattr(c, "idnumber", None)
                     or not any(path == c.path or path.startswith(c.path + "/") for path in used)]
        if not rest and not described:
            return False
        root = fromstring(moodle_xml.dumps([bank.draft_of(q) for q in rest]))
        for cat in described:  # after the questions: the reader keeps a category's last description
            element = ET.SubElement(root, "question", type="category")
            ET.SubElement(ET.SubElement(element, "category"), "text").text = f"$course$/top/{cat.path}"
            info = ET.SubElement(element, "info", format=XML_FORMATS.get(getattr(cat, "info_format", "moodle"),
                                                                         "moodle_auto_format"))
            ET.SubElement(info, "text").text = cat.info or ""
            ET.SubElement(element, "idnumber").text = getattr(cat, "idnumber", None) or ""
        ET.indent(root)
        (folder / BANK_FILE).write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                        + ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
        return True

    @staticmethod
    def _load_bank(course, folder: Path, name, errors: list) -> None:
        label = f"{folder.name}/{name}"
        path = folder / str(name)
        if not isinstance(name, str) or not path.is_file() or path.parent != folder:
            errors.append(_content_error(f"{folder.name}/course.md", None, f"question_bank: file {name} not found"))
            return
        result = read_quiz_file(path)
        errors.extend(_content_error(label, p.line or None if p.unit == "line" else None, p.message)
                      for p in result.errors)
        if result.errors:
            return
        for path_name in result.categories:
            bank.category(course, path_name)
        bank.import_questions(course, result, bank.DEFAULT_CATEGORY)  # categories' descriptions, files
        errors.extend(_content_error(label, p.line or None if p.unit == "line" else None, p.message)
                      for p in result.errors)


def gift_keeps(drafts: list[QuestionDraft]) -> bool:
    """True when writing ``drafts`` as GIFT and reading them back changes nothing
    (GIFT has no marks, Cloze, or per-answer formats of every kind)."""
    if not all(gift.can_write(d) for d in drafts):
        return False
    back = gift.parse(gift.dumps(drafts)).questions
    return len(back) == len(drafts) and all(_same(a, b) for a, b in zip(drafts, back, strict=True))


def _same(a: QuestionDraft, b: QuestionDraft) -> bool:
    keys = ("qtype", "name", "text", "text_format", "general_feedback", "data", "category", "idnumber", "tags",
            "default_mark", "files")
    return all(getattr(a, key, None) == getattr(b, key, None) for key in keys)


def read_quiz_file(path: Path):
    """Parse a quiz file of a course folder. A Cloze question keeps the mark its
    Moodle XML ``defaultgrade`` gives: Moodle recomputes it from the parts on import,
    the hub lets a trainer choose it (and a file Moodle wrote carries the sum anyway)."""
    content = path.read_bytes()
    result = bank.read_file(path.name, content)
    if result.errors or not any(d.qtype == "multianswer" for d in result.questions):
        return result
    try:
        elements = fromstring(content).findall("question")
    except (ET.ParseError, defusedxml.DefusedXmlException):
        return result
    for draft in result.questions:
        if draft.qtype != "multianswer" or not 0 < draft.line <= len(elements):
            continue
        element = elements[draft.line - 1]
        if " ".join((element.findtext("name/text") or "").split()) != draft.name:
            continue
        try:
            draft.default_mark = float(element.findtext("defaultgrade") or "")
        except ValueError:
            continue
    return result


loader = QuizContentLoader()
