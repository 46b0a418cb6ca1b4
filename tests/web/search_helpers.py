"""Helpers for the search tests: content made through the models and services (each
commit reaches the index through the outbox, drained inline), and the search page
read as a user reads it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from hub.courses.models import Course, Lesson, LessonTranslation, Section
from hub.extensions import db
from hub.practices.models import PUBLISHED, Practice, PracticeFacet
from tests import factories


@dataclass
class Found:
    status: int
    total: int
    titles: list[str]
    urls: list[str]
    html: str

    @property
    def plain_note(self) -> bool:
        return "could not be read as search syntax" in self.html

    @property
    def suggestion(self) -> str | None:
        match = re.search(r'Did you mean <a href="[^"]*">([^<]*)</a>', self.html)
        return match.group(1) if match else None


def search(client, q: str, **params) -> Found:
    response = client.get("/search", query_string={"q": q, **params})
    html = response.get_data(as_text=True)
    total = re.search(r"(\d+) results?", html)
    items = re.findall(r'<h2><a href="([^"]+)"[^>]*>(.*?)</a></h2>', html, re.S)
    return Found(response.status_code, int(total.group(1)) if total else 0,
                 [re.sub(r"<[^>]+>", "", title) for _url, title in items], [url for url, _t in items], html)


def lesson(course: Course, title: str, body: str, *, published: bool = True, translations: dict | None = None) -> Lesson:
    """A lesson with ``body`` (plain text) in ``course``, committed."""
    section = db.session.scalar(select(Section).where(Section.course_id == course.id)) or Section(
        slug="main", title="Main", course=course)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    item = Lesson(slug=slug, title=title, course=course, section=section, position=len(course.lessons),
                  body_md=body, body_html=f"<p>{body}</p>", published=published)
    for language, (tr_title, tr_body) in (translations or {}).items():
        item.translations.append(LessonTranslation(language=language, title=tr_title, body_md=tr_body,
                                                   body_html=f"<p>{tr_body}</p>"))
    db.session.add(item)
    db.session.commit()
    return item


def course_with_lesson(slug: str, title: str, body: str, **course_fields) -> tuple[Course, Lesson]:
    course = factories.make_course(slug, **course_fields)
    return course, lesson(course, title, body)


def practice(title: str, description: str, *, status: str = PUBLISHED, country: str = "DK",
             zones=(), tags=()) -> Practice:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    item = Practice(slug=slug, title=title, country=country, status=status, summary="",
                    description_md=description, description_html=f"<p>{description}</p>")
    item.facets = ([PracticeFacet(kind="zone", value=z, position=i) for i, z in enumerate(zones)]
                   + [PracticeFacet(kind="tag", value=t, position=i) for i, t in enumerate(tags)])
    db.session.add(item)
    db.session.commit()
    return item
