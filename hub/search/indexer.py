"""Build and update the Whoosh index from the database."""
from __future__ import annotations

import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from whoosh import index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ..extensions import db
from ..markdown import plain_text

SCHEMA = Schema(
    key=ID(unique=True, stored=True),  # "<type>:<id>[:<lang>]"
    doc_type=ID(stored=True),
    language=ID(stored=True),
    course=ID(stored=True),
    title=TEXT(stored=True, analyzer=StemmingAnalyzer(), field_boost=2.0),
    body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
    tags=KEYWORD(commas=True, lowercase=True),
    url=STORED,
)


def index_path() -> Path:
    return Path(current_app.config["SEARCH_INDEX_PATH"])


def index_exists() -> bool:
    path = index_path()
    return path.exists() and index.exists_in(str(path))


def _course_documents():
    from ..courses.models import Course

    for course in db.session.scalars(select(Course).where(Course.published.is_(True), Course.archived_at.is_(None))):
        yield dict(key=f"course:{course.id}", doc_type="course", language=course.language, course=course.slug,
                   title=course.title, body=plain_text(course.description_html), url=f"/courses/{course.slug}")
        for lesson in course.lessons:
            if not lesson.published or lesson.archived_at is not None:
                continue
            yield dict(key=f"lesson:{lesson.id}", doc_type="lesson", language=course.language, course=course.slug,
                       title=lesson.title, body=plain_text(lesson.body_html),
                       url=f"/courses/{course.slug}/lessons/{lesson.slug}")
            for tr in lesson.translations:
                yield dict(key=f"lesson:{lesson.id}:{tr.language}", doc_type="lesson", language=tr.language,
                           course=course.slug, title=tr.title, body=plain_text(tr.body_html),
                           url=f"/courses/{course.slug}/lessons/{lesson.slug}?lang={tr.language}")


DOCUMENT_SOURCES = [_course_documents]


def rebuild() -> int:
    """Write a fresh index beside the old one and swap it in; returns documents."""
    path = index_path()
    fresh = path.with_name(path.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    ix = index.create_in(str(fresh), SCHEMA)
    count = 0
    with ix.writer() as writer:
        for source in DOCUMENT_SOURCES:
            for doc in source():
                writer.add_document(**doc)
                count += 1
    ix.close()
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    fresh.rename(path)
    shutil.rmtree(old, ignore_errors=True)
    return count
