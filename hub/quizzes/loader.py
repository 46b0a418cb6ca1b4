"""Quizzes in course folders: the ``quizzes:`` list of course.md and the GIFT (or
Moodle XML) files it names. ``hub.quizzes.init_app`` adds :data:`loader` to
``hub.courses.hooks.content_loaders``.

Re-importing keeps attempts: questions are found again by course + category + name
and updated in place; slots are kept per question. Questions of a quiz's own
category that left the file are archived (hidden from new attempts, kept for history)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from . import bank, editing, gift, moodle_xml, translations
from .models import Question, Quiz, QuizSlot
from .services import QuizError

KNOWN_KEYS = {"slug", "file", "draw", *editing.SETTING_KEYS}


def _content_error(path, line, problem):
    from ..courses.content import ContentError
    return ContentError(path, line, problem)


class QuizContentLoader:
    def load(self, course, folder, meta: dict, errors: list) -> None:
        folder = Path(folder)
        items = meta.get("quizzes") or []
        course_md = f"{folder.name}/course.md"
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
        result = bank.read_file(path.name, path.read_bytes())
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
        own = bank.category(course, slug)
        kept = {q.id for q in questions}
        # Only the quiz's own category is the file's alone; $CATEGORY ones may be shared.
        for stale in db.session.scalars(select(Question).where(Question.category_id == own.id,
                                                               Question.archived_at.is_(None))):
            if stale.id not in kept:
                bank.delete_question(stale)
        source = own
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
        for slot in list(quiz.slots):
            if slot not in wanted:
                quiz.slots.remove(slot)
                db.session.delete(slot)
        for position, slot in enumerate(wanted):
            slot.position = position
            if slot not in quiz.slots:
                quiz.slots.append(slot)

    def export(self, course, folder) -> dict:
        folder = Path(folder)
        out = []
        for quiz in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id, Quiz.archived_at.is_(None))
                                       .order_by(Quiz.position, Quiz.id)):
            fixed = [s.question for s in quiz.slots if s.question is not None]
            randoms = [s for s in quiz.slots if s.is_random]
            drafts = []
            draw = None
            sources = {s.random_category_id for s in randoms}
            if randoms and not fixed and len(sources) == 1:
                draw = len(randoms)
                fixed = list(db.session.scalars(select(Question).where(
                    Question.category_id == sources.pop(), Question.archived_at.is_(None)).order_by(Question.id)))
            for question in fixed:
                draft = bank.draft_of(question)
                if draft.category == quiz.slug:
                    draft.category = None
                drafts.append(draft)
            if any(not gift.can_write(d) for d in drafts):
                name = Path(quiz.source_file or quiz.slug).stem + ".xml"
                text = moodle_xml.dumps(drafts)
            else:
                gift_file = quiz.source_file or ""
                name = gift_file if gift_file.endswith(".gift") else f"{quiz.slug}.gift"
                text = gift.dumps(drafts, comment=f"Questions of the quiz “{quiz.title}” (Moodle GIFT format).")
            (folder / name).write_text(text, encoding="utf-8")
            if name.endswith(".gift"):
                languages = {t.language for q in fixed for t in q.translations}
                for language in sorted(languages):
                    translated = translations.drafts_in(fixed, language)
                    if translated and all(gift.can_write(d) for d in translated):
                        for draft, original in zip(translated, drafts, strict=True):
                            draft.category = original.category
                        (folder / f"{Path(name).stem}.{language}.gift").write_text(
                            gift.dumps(translated, comment=f"“{quiz.title}” in {language}."), encoding="utf-8")
            meta = {"slug": quiz.slug, "file": name, **editing.settings_of(quiz)}
            meta["position"] = quiz.position
            if draw:
                meta["draw"] = draw
            if not meta["intro"]:
                meta.pop("intro")
            out.append(meta)
        return {"quizzes": out} if out else {}


loader = QuizContentLoader()
