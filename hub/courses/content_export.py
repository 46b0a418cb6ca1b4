"""Write a course back to the on-disk format (docs/authoring.md): a folder or a zip
that ``hub content import`` reads back into the same course."""
from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import yaml
from flask import current_app

from . import hooks, media
from .content_parse import ContentError
from .models import Course, Lesson

EXPORTED_SUFFIXES = {".md", ".gift", ".xml", ".txt"}


def folder_name(course: Course) -> str:
    name = course.source_path or f"{course.position:02d}-{course.slug}"
    return name if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", name) else course.slug


def _dump(meta: dict, body: str) -> str:
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    body = (body or "").strip("\n")
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


def course_meta(course: Course) -> dict:
    rules = course.completion_rules or {}
    meta: dict = {"slug": course.slug, "title": course.title, "summary": course.summary or "", "kind": course.kind}
    if course.zone is not None:
        meta["zone"] = course.zone
    meta.update({
        "language": course.language, "order": course.position,
        "estimated_hours": _number(course.estimated_hours), "published": bool(course.published),
        "enrolment": {"mode": course.enrolment_mode, "key": course.enrolment_key, "opens": course.enrol_opens,
                      "closes": course.enrol_closes, "capacity": course.capacity},
        "completion": {"lessons": rules.get("lessons", "all"), "quizzes": list(rules.get("quizzes") or []),
                       "forum_posts": int(rules.get("forum_posts") or 0), "certificate": course.certificate_mode,
                       "prerequisites": list(course.prerequisite_slugs or [])},
        "sections": [{"slug": s.slug, "title": s.title} for s in live_sections(course)],
    })
    return meta


def _number(value: float) -> int | float:
    return int(value) if float(value or 0).is_integer() else float(value)


def live_sections(course: Course) -> list:
    return [s for s in sorted(course.sections, key=lambda s: s.position) if s.archived_at is None]


def exported_lessons(course: Course) -> list[Lesson]:
    """Lessons in reading order (section by section, unsectioned first)."""
    order = {s.id: i for i, s in enumerate(live_sections(course))}
    lessons = [lesson for lesson in course.lessons if lesson.archived_at is None]
    return sorted(lessons, key=lambda lesson: (order.get(lesson.section_id, -1) if lesson.section_id else -1,
                                               lesson.position, lesson.id or 0))


def lesson_file_names(lessons: list[Lesson]) -> list[str]:
    """Keep the imported file names while they still sort in reading order (so an
    export over the shipped folder changes only what changed); otherwise number
    the files afresh."""
    names = [lesson.source_file or "" for lesson in lessons]
    stems = [Path(name).stem for name in names]
    keep = (all(name.endswith(".md") and name.count(".") == 1 and name != "course.md" for name in names)
            and stems == sorted(stems) and len(set(names)) == len(names))
    if keep:
        return names
    return [f"{index + 1:02d}-{lesson.slug}.md" for index, lesson in enumerate(lessons)]


def export_course(course: Course, folder: Path, *, replace: bool = False) -> Path:
    """Write ``course`` into ``folder`` (new or empty; with ``replace`` an existing
    course folder's files are replaced). Returns the folder."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        if not replace:
            raise ContentError(folder, None, "the folder is not empty: choose a new folder, a .zip file, "
                                             "or replace an existing course folder")
        if not (folder / "course.md").is_file():
            raise ContentError(folder, None, "only a course folder (with course.md) can be replaced")
        for path in folder.iterdir():
            if path.is_file() and path.suffix.lower() in EXPORTED_SUFFIXES:
                path.unlink()
        shutil.rmtree(folder / "images", ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)

    meta = course_meta(course)
    cover = media.cover_name(current_app.config["UPLOAD_PATH"], course.id)
    if cover:  # after ``published``, where docs/authoring.md shows it; copy_out writes the file
        keys = list(meta)
        at = keys.index("published") + 1
        meta = {**{k: meta[k] for k in keys[:at]}, "image": f"images/{cover}", **{k: meta[k] for k in keys[at:]}}
    for loader in hooks.content_loaders:
        meta.update(loader.export(course, folder) or {})
    (folder / "course.md").write_text(_dump(meta, course.description_md), encoding="utf-8")
    for tr in sorted(course.translations, key=lambda t: t.language):
        tmeta: dict = {"title": tr.title, "summary": tr.summary or ""}
        if tr.section_titles:
            tmeta["sections"] = dict(tr.section_titles)
        if tr.quiz_titles:
            tmeta["quizzes"] = dict(tr.quiz_titles)
        (folder / f"course.{tr.language}.md").write_text(_dump(tmeta, tr.description_md), encoding="utf-8")

    lessons = exported_lessons(course)
    for lesson, name in zip(lessons, lesson_file_names(lessons), strict=False):
        lmeta: dict = {"slug": lesson.slug, "title": lesson.title}
        if lesson.section is not None and lesson.section.archived_at is None:
            lmeta["section"] = lesson.section.slug
        lmeta["minutes"] = lesson.minutes
        if lesson.reviewed_on:
            lmeta["reviewed"] = lesson.reviewed_on
        if not lesson.published:
            lmeta["published"] = False
        (folder / name).write_text(_dump(lmeta, lesson.body_md), encoding="utf-8")
        stem = Path(name).stem
        for lesson_tr in sorted(lesson.translations, key=lambda t: t.language):
            tmeta = {"title": lesson_tr.title, "minutes": lesson_tr.minutes}
            if lesson_tr.reviewed_on:
                tmeta["reviewed"] = lesson_tr.reviewed_on
            (folder / f"{stem}.{lesson_tr.language}.md").write_text(_dump(tmeta, lesson_tr.body_md), encoding="utf-8")
    media.copy_out(current_app.config["UPLOAD_PATH"], course.id, folder)
    return folder


def export_zip(course: Course) -> bytes:
    """The course folder as a zip (one top-level folder named like the course's)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="hub-export-") as tmp:
        folder = export_course(course, Path(tmp) / folder_name(course))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(Path(tmp)).as_posix())
    return buffer.getvalue()


def export_to_path(course: Course, target: str | Path, *, replace: bool = False) -> Path:
    target = Path(target)
    if target.suffix.lower() == ".zip":
        if target.exists() and not replace:
            raise ContentError(target, None, "the file exists already (use --replace to overwrite it)")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(export_zip(course))
        return target
    return export_course(course, target, replace=replace)
