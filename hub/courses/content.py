"""Load ``content/modules/<course>/`` folders into the database.

Keyed by slugs, so a re-import updates text and keeps enrolments, progress and quiz
attempts; a lesson that disappeared from disk is archived, never deleted. A course
folder is validated completely before anything is written, and written inside a
savepoint, so a folder with a problem changes nothing of its course."""
from __future__ import annotations

import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from flask import current_app
from sqlalchemy import func, select

from .. import signals
from ..database import utcnow
from ..extensions import db
from ..markdown import render_markdown
from . import hooks, media
from .content_parse import ContentError, ContentProblems, ParsedCourse, course_folders, parse_course_folder
from .front_matter import Problems, read_front_matter
from .models import Course, CourseTranslation, Lesson, LessonTranslation, Section

__all__ = ["ContentError", "ContentProblems", "ImportFailed", "ImportReport", "import_path", "import_folders",
           "import_zip", "import_upload", "import_checked", "site_is_empty", "split_front_matter", "media_base"]

ZIP_MAX_FILES = 2000
ZIP_MAX_BYTES = 200 * 1024 * 1024


@dataclass
class ImportReport:
    courses: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    lessons: int = 0
    archived: int = 0
    errors: list[ContentError] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{_plural(len(self.courses), 'course')} ({len(self.created)} new), {_plural(self.lessons, 'lesson')}"
        if self.archived:
            text += f", {_plural(self.archived, 'lesson')} archived"
        if self.failed:
            text += f"; not imported because of errors: {', '.join(self.failed)}"
        return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class ImportFailed(ContentProblems):
    """Some course folders had problems; the others were imported (``report``)."""

    def __init__(self, errors: list[ContentError], report: ImportReport):
        super().__init__(errors)
        self.report = report
        if len(errors) == 1:
            ValueError.__init__(self, str(errors[0]))


def site_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Course))


def media_base(slug: str) -> str:
    """Where ``images/x.png`` links of a course point (the media route)."""
    return f"/courses/{slug}/media"


def split_front_matter(path: Path) -> tuple[dict, str]:
    """``(meta, body)`` of one file; raises ContentError naming the line."""
    problems = Problems(Path(path).parent)
    fm = read_front_matter(Path(path), problems)
    if problems.errors:
        raise ContentError.collect(problems.errors)
    assert fm is not None  # read_front_matter records a problem whenever it returns None
    return fm.meta, fm.body


def import_path(path: str | Path) -> ImportReport:
    """Import a course folder, a folder of course folders (or its ``modules/``), or
    a .zip. Good folders are written to the session; if any folder had problems,
    raises :class:`ImportFailed` listing them after that. The caller commits, also
    after ``ImportFailed`` (its ``report`` lists the courses that are in)."""
    root = Path(path)
    if root.is_file() and root.suffix.lower() == ".zip":
        with root.open("rb") as fh:
            return import_zip(fh)
    if not root.is_dir():
        raise ContentError(root, None, "no such folder")
    report = import_folders(course_folders(root))
    _raise_problems(report)
    return report


def import_zip(fileobj, *, may_update: Callable[[Course], bool] | None = None) -> ImportReport:
    """Import the course folders of a zip archive (the caller commits, as for
    :func:`import_path`). ``may_update`` refuses the whole archive when it would
    change a course the uploader may not edit."""
    with tempfile.TemporaryDirectory(prefix="hub-import-") as tmp:
        extract_zip(fileobj, Path(tmp))
        folders = course_folders(Path(tmp))
        if not folders:
            raise ContentError("(upload)", None, "no course in the archive: a course folder contains course.md")
        return import_checked(folders, may_update=may_update)


def import_checked(folders: list[Path], *, may_update: Callable[[Course], bool] | None = None) -> ImportReport:
    """Import course folders an uploader sent: refused as a whole when one would
    change a course ``may_update`` says no to; :class:`ImportFailed` as for
    :func:`import_path`."""
    if may_update is not None:
        _check_may_update(folders, may_update)
    report = import_folders(folders)
    _raise_problems(report)
    return report


import_upload = import_zip


def _check_may_update(folders: list[Path], may_update: Callable[[Course], bool]) -> None:
    refused = []
    for folder in folders:
        try:
            slug = split_front_matter(folder / "course.md")[0].get("slug")
        except ContentError:
            continue  # reported in full by the import
        existing = db.session.scalar(select(Course).where(Course.slug == str(slug))) if slug else None
        if existing is not None and not may_update(existing):
            refused.append(ContentError(f"{folder.name}/course.md", None,
                                        f"the course '{slug}' exists and you are not one of its trainers"))
    if refused:
        raise ContentError.collect(refused)


def _raise_problems(report: ImportReport) -> None:
    if report.errors:
        raise ImportFailed(report.errors, report)


def import_folders(folders: list[Path]) -> ImportReport:
    """Import each folder on its own (no commit): a broken folder leaves its course
    untouched and does not stop the others."""
    report = ImportReport()
    seen: dict[str, str] = {}
    for folder in folders:
        try:
            parsed = _validated(folder, seen)
            _import_parsed(parsed, report)
        except ContentError as error:
            report.errors.extend(error.errors)
            report.failed.append(folder.name)
    return report


def _validated(folder: Path, seen: dict[str, str]) -> ParsedCourse:
    extra = [name for loader in hooks.content_loaders for name in getattr(loader, "course_fields", ())]
    max_bytes = int(current_app.config.get("COURSE_IMAGE_MAX_BYTES", media.DEFAULT_MAX_BYTES))
    parsed, errors = parse_course_folder(folder, root=folder.parent, extra_course_fields=extra,
                                         image_max_bytes=max_bytes)
    if parsed is not None and parsed.slug:
        if parsed.slug in seen:
            errors.append(ContentError(f"{folder.name}/course.md", None,
                                       f"duplicate course slug '{parsed.slug}' (also used in {seen[parsed.slug]})"))
        seen.setdefault(parsed.slug, folder.name)
    if errors or parsed is None:
        raise ContentError.collect(errors)
    return parsed


def _import_parsed(parsed: ParsedCourse, report: ImportReport) -> Course:
    savepoint = db.session.begin_nested()
    try:
        course, created, archived = _write_course(parsed)
        db.session.flush()
        errors: list[ContentError] = []
        for loader in hooks.content_loaders:
            try:
                loader.load(course, parsed.folder, parsed.meta, errors)
            except ContentError as error:
                errors.extend(error.errors)
        db.session.flush()
        if errors:
            raise ContentError.collect(errors)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    media.copy_in(current_app.config["UPLOAD_PATH"], course.id, parsed.images)
    if parsed.image:
        media.use_as_cover(current_app.config["UPLOAD_PATH"], course.id, parsed.image)
    report.courses.append(course.slug)
    if created:
        report.created.append(course.slug)
    report.lessons += len(parsed.lessons)
    report.archived += archived
    return course


def _write_course(parsed: ParsedCourse) -> tuple[Course, bool, int]:
    course = db.session.scalar(select(Course).where(Course.slug == parsed.slug))
    created = course is None
    if course is None:
        course = Course(slug=parsed.slug)
        db.session.add(course)
    old_rules = (dict(course.completion_rules or {}), list(course.prerequisite_slugs or []))
    base = media_base(parsed.slug)
    glossary: dict[str, dict[str, str]] = {}  # language -> terms, looked up once per course

    def terms_in(language: str) -> dict[str, str]:
        if language not in glossary:
            glossary[language] = hooks.glossary_terms(language)
        return glossary[language]

    course.title, course.summary = parsed.title, parsed.summary
    course.description_md = parsed.body
    course.description_html = str(render_markdown(parsed.body, media_base=base))
    course.kind, course.zone, course.language = parsed.kind, parsed.zone, parsed.language
    course.position, course.estimated_hours, course.published = parsed.order, parsed.estimated_hours, parsed.published
    course.enrolment_mode = parsed.enrolment["mode"]
    course.enrolment_key = parsed.enrolment["key"]
    course.enrol_opens, course.enrol_closes = parsed.enrolment["opens"], parsed.enrolment["closes"]
    course.capacity = parsed.enrolment["capacity"]
    course.completion_rules = dict(parsed.completion)
    course.certificate_mode = parsed.certificate
    course.prerequisite_slugs = list(parsed.prerequisites)
    course.source_path = parsed.folder.name
    course.archived_at = None

    now = utcnow()
    sections = {s.slug: s for s in course.sections}
    for position, item in enumerate(parsed.sections):
        section = sections.get(item.slug)
        if section is None:
            section = sections[item.slug] = Section(slug=item.slug, course=course)
            db.session.add(section)
        section.title, section.position, section.archived_at = item.title, position, None
    wanted = {s.slug for s in parsed.sections}
    for section in sections.values():
        if section.slug not in wanted and section.archived_at is None:
            section.archived_at = now

    lessons = {lesson.slug: lesson for lesson in course.lessons}
    for position, lesson_item in enumerate(parsed.lessons):
        lesson = lessons.get(lesson_item.slug)
        if lesson is None:
            lesson = lessons[lesson_item.slug] = Lesson(slug=lesson_item.slug, course=course)
            db.session.add(lesson)
        lesson.title, lesson.position, lesson.minutes = lesson_item.title, position, lesson_item.minutes
        lesson.section = sections[lesson_item.section] if lesson_item.section else None
        lesson.body_md = lesson_item.body
        lesson.body_html = str(render_markdown(lesson_item.body, media_base=base, terms=terms_in(parsed.language)))
        lesson.published, lesson.source_file, lesson.archived_at = lesson_item.published, lesson_item.file, None
        lesson.reviewed_on = lesson_item.reviewed
        lesson_trs = {t.language: t for t in lesson.translations}
        for lang, tr_item in lesson_item.translations.items():
            lesson_tr = lesson_trs.get(lang)
            if lesson_tr is None:
                lesson_tr = LessonTranslation(language=lang, lesson=lesson)
                db.session.add(lesson_tr)
            lesson_tr.title, lesson_tr.minutes, lesson_tr.body_md = tr_item.title, tr_item.minutes, tr_item.body
            lesson_tr.reviewed_on = tr_item.reviewed
            lesson_tr.body_html = str(render_markdown(tr_item.body, media_base=base, terms=terms_in(lang)))
        for lang, lesson_tr in lesson_trs.items():
            if lang not in lesson_item.translations:
                lesson.translations.remove(lesson_tr)
    archived = 0
    wanted = {lesson.slug for lesson in parsed.lessons}
    for lesson in lessons.values():
        if lesson.slug not in wanted and lesson.archived_at is None:
            lesson.archived_at = now
            archived += 1

    existing = {t.language: t for t in course.translations}
    for lang, course_tr_item in parsed.translations.items():
        tr = existing.get(lang)
        if tr is None:
            tr = CourseTranslation(language=lang, course=course)
            db.session.add(tr)
        tr.title, tr.summary, tr.description_md = course_tr_item.title, course_tr_item.summary, course_tr_item.body
        tr.section_titles = dict(course_tr_item.sections)
        tr.quiz_titles = dict(course_tr_item.quizzes)
        tr.description_html = str(render_markdown(course_tr_item.body, media_base=base))
    for lang, tr in existing.items():
        if lang not in parsed.translations:
            course.translations.remove(tr)

    if not created and old_rules != (course.completion_rules, course.prerequisite_slugs):
        db.session.flush()
        signals.completion_rules_changed.send(signals.app(), course=course)
    return course, created, archived


def extract_zip(fileobj, target: Path) -> None:
    """Unpack an uploaded zip safely: no absolute paths, no '..', no links, and
    limits on the number and total size of files (zip bombs)."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError):
        raise ContentError("(upload)", None, "the file is not a valid .zip archive") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > ZIP_MAX_FILES:
            raise ContentError("(upload)", None, f"the archive has more than {ZIP_MAX_FILES} files")
        if sum(m.file_size for m in members) > ZIP_MAX_BYTES:
            raise ContentError("(upload)", None, f"the archive unpacks to more than {ZIP_MAX_BYTES // 2**20} MB")
        for member in members:
            name = PurePosixPath(member.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or ":" in member.filename:
                raise ContentError(member.filename, None, "unsafe path in the archive")
            if stat.S_ISLNK(member.external_attr >> 16):
                raise ContentError(member.filename, None, "links are not allowed in the archive")
            if name.parts[0] == "__MACOSX" or any(part.startswith(".") for part in name.parts):
                continue
            destination = target.joinpath(*name.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, destination.open("wb") as out:
                remaining = member.file_size
                while chunk := source.read(65536):
                    remaining -= len(chunk)
                    if remaining < 0:
                        raise ContentError(member.filename, None, "the file is larger than the archive says")
                    out.write(chunk)
