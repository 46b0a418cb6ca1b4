"""Load ``content/modules/<course>/`` folders into the database (and back).

Keyed by slugs, so a re-import updates text and keeps enrolments, progress and
attempts. Basic version: the courses issue extends validation and export."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import func, select

from ..database import utcnow
from ..extensions import db
from ..markdown import render_markdown
from .models import Course, CourseTranslation, Lesson, LessonTranslation, Section

_TRANSLATION = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.md$")


class ContentError(ValueError):
    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


@dataclass
class ImportReport:
    courses: list[str] = field(default_factory=list)
    lessons: int = 0

    def summary(self) -> str:
        return f"{len(self.courses)} courses, {self.lessons} lessons"


def site_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Course))


def split_front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise ContentError(path, 1, "missing front matter (the file must start with ---)")
    parts = text.split("\n---", 1)
    if len(parts) < 2:
        raise ContentError(path, 1, "front matter is not closed with ---")
    try:
        meta = yaml.safe_load(parts[0][3:]) or {}
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", 0) + 2
        raise ContentError(path, line, f"front matter is not valid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "front matter must be a mapping of fields")
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return meta, body


def import_path(path: str | Path) -> ImportReport:
    report = ImportReport()
    root = Path(path)
    folders = [root] if (root / "course.md").exists() else sorted(p for p in (root / "modules").glob("*")
                                                                  if (p / "course.md").exists())
    if not folders:
        folders = sorted(p for p in root.glob("*") if (p / "course.md").exists())
    for folder in folders:
        import_course(folder, report)
    db.session.commit()
    return report


def import_course(folder: Path, report: ImportReport) -> Course:
    meta, body = split_front_matter(folder / "course.md")
    slug = meta["slug"]
    course = db.session.scalar(select(Course).where(Course.slug == slug)) or Course(slug=slug)
    db.session.add(course)
    completion = meta.get("completion") or {}
    enrolment = meta.get("enrolment") or {}
    course.title = meta["title"]
    course.summary = meta.get("summary", "")
    course.description_md = body
    course.description_html = str(render_markdown(body))
    course.kind = meta.get("kind", "zone")
    course.zone = meta.get("zone")
    course.language = meta.get("language", "en")
    course.position = int(meta.get("order", 0))
    course.estimated_hours = float(meta.get("estimated_hours", 0))
    course.published = bool(meta.get("published", True))
    course.enrolment_mode = enrolment.get("mode", "open")
    course.enrolment_key = enrolment.get("key")
    course.capacity = enrolment.get("capacity")
    course.completion_rules = {"lessons": completion.get("lessons", "all"),
                               "quizzes": list(completion.get("quizzes") or []),
                               "forum_posts": int(completion.get("forum_posts") or 0)}
    course.certificate_mode = completion.get("certificate", "auto")
    course.prerequisite_slugs = list(completion.get("prerequisites") or [])
    course.source_path = folder.name
    sections = {s.slug: s for s in course.sections}
    for position, item in enumerate(meta.get("sections") or []):
        section = sections.get(item["slug"]) or Section(slug=item["slug"], course=course)
        section.title, section.position = item["title"], position
        sections[section.slug] = section
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    position = 0
    for file in sorted(folder.glob("*.md")):
        if file.name.startswith("course.") or file.name == "quiz.md":
            continue
        if _TRANSLATION.match(file.name):
            continue
        lmeta, lbody = split_front_matter(file)
        lesson = lessons.get(lmeta["slug"]) or Lesson(slug=lmeta["slug"], course=course)
        lesson.title = lmeta["title"]
        lesson.section = sections.get(lmeta.get("section"))
        lesson.position = position
        lesson.body_md = lbody
        lesson.body_html = str(render_markdown(lbody))
        lesson.minutes = int(lmeta.get("minutes") or max(1, len(lbody.split()) // 200))
        lesson.source_file = file.name
        lesson.archived_at = None
        position += 1
        report.lessons += 1
        lessons[lesson.slug] = lesson
        for tfile in sorted(folder.glob(f"{file.stem}.*.md")):
            lang = _TRANSLATION.match(tfile.name)["lang"]
            tmeta, tbody = split_front_matter(tfile)
            existing = {t.language: t for t in lesson.translations}
            tr = existing.get(lang) or LessonTranslation(language=lang, lesson=lesson)
            tr.title, tr.body_md = tmeta.get("title", lesson.title), tbody
            tr.body_html = str(render_markdown(tbody))
            tr.minutes = int(tmeta.get("minutes") or lesson.minutes)
    for tfile in sorted(folder.glob("course.*.md")):
        lang = tfile.name.split(".")[1]
        tmeta, tbody = split_front_matter(tfile)
        existing = {t.language: t for t in course.translations}
        tr = existing.get(lang) or CourseTranslation(language=lang, course=course)
        tr.title, tr.summary, tr.description_md = tmeta.get("title", course.title), tmeta.get("summary", ""), tbody
        tr.description_html = str(render_markdown(tbody))
    report.courses.append(slug)
    return course


def archive_missing(course: Course, seen: set[str]) -> None:
    for lesson in course.lessons:
        if lesson.slug not in seen and lesson.archived_at is None:
            lesson.archived_at = utcnow()
