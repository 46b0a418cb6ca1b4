"""The shape of the forum, managed by administrators: categories, site-wide forums,
their order, the shipped defaults, and the one forum each course has."""
from __future__ import annotations

import re
from typing import Literal, overload

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import ANNOUNCEMENTS, FORUM_KINDS, QA, STANDARD, Forum, ForumCategory, Topic

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def N_(text: str) -> str:
    """Marks a text for the catalogues without translating it here (gettext_noop)."""
    return text


# (category, [(slug, title, description, kind, case discussion, Q&A post first)]).
# Stored in English; shown in the reader's language while an administrator has not
# renamed them (see shown()).
DEFAULTS = [
    (N_("General"), N_("Meet colleagues and talk about the work."), [
        ("general", N_("General discussion"), N_("Anything about supporting people into society and work."),
         STANDARD, False, True),
        ("announcements", N_("News and announcements"), N_("News from the hub's trainers and administrators."),
         ANNOUNCEMENTS, False, True),
        ("ask-a-trainer", N_("Ask a trainer"), N_("Questions for the trainers; the best answer is marked."),
         QA, False, False),
    ]),
    (N_("Case discussions"), N_("Anonymised cases from practice: what would you do?"), [
        ("case-discussions", N_("Case discussions"), N_("Bring an anonymised case and think it through with peers."),
         STANDARD, True, True),
    ]),
    (N_("Country boards"), N_("Local services, law and practice, in the country's language or English."), [
        ("spain", "Spain", "España: servicios, normativa y práctica.", STANDARD, True, True),
        ("italy", "Italy", "Italia: servizi, normativa e pratica.", STANDARD, True, True),
        ("denmark", "Denmark", "Danmark: tilbud, regler og praksis.", STANDARD, True, True),
        ("france", "France", "France : services, droit et pratiques.", STANDARD, True, True),
        ("greece", "Greece", "Ελλάδα: υπηρεσίες, νομοθεσία και πρακτική.", STANDARD, True, True),
        ("czechia", "Czechia", "Česko: služby, předpisy a praxe.", STANDARD, True, True),
    ]),
]
SHIPPED_TEXT = {text for category, description, forums in DEFAULTS
                for text in (category, description, *(t for f in forums for t in f[1:3]))}
COUNTRY_BOARDS = {"Spain": "ES", "Italy": "IT", "Denmark": "DK", "France": "FR", "Greece": "GR", "Czechia": "CZ"}


def shown(text: str) -> str:
    """A stored category or forum text in the reader's language when it is one the hub
    shipped and nobody has renamed (the ``forum_text`` filter); country boards take the
    country's name from CLDR."""
    if text in COUNTRY_BOARDS:
        from ..i18n import country_name
        return country_name(COUNTRY_BOARDS[text])
    return _(text) if text in SHIPPED_TEXT else text


class StructureError(ValueError):
    """A user-facing problem with a category or forum; ``str()`` is the message."""


def tables_exist() -> bool:
    # The session's own connection: a second connection would wait for the write lock
    # this transaction may hold on SQLite (BEGIN IMMEDIATE outside requests).
    return inspect(db.session.connection()).has_table(Forum.__tablename__)


def needs_seed() -> bool:
    """True on a fresh site: the forum tables exist but hold no forum yet."""
    return tables_exist() and not db.session.scalar(select(func.count(Forum.id)))


def seed_defaults() -> int:
    """Create the default categories and forums that are missing (by slug); returns
    how many forums were created. Running it again creates nothing."""
    created = 0
    for position, (cat_title, cat_description, forums) in enumerate(DEFAULTS):
        category = db.session.scalar(select(ForumCategory).where(ForumCategory.title == cat_title))
        if category is None:
            category = ForumCategory(title=cat_title, description=cat_description, position=position)
            db.session.add(category)
            db.session.flush()
        for forum_position, (slug, title, description, kind, case, post_first) in enumerate(forums):
            if db.session.scalar(select(Forum.id).where(Forum.slug == slug)) is not None:
                continue
            db.session.add(Forum(category_id=category.id, slug=slug, title=title, description=description, kind=kind,
                                 case_discussion=case, qa_post_first=post_first, position=forum_position))
            created += 1
    db.session.flush()
    return created


def categories() -> list[ForumCategory]:
    return list(db.session.scalars(select(ForumCategory).order_by(ForumCategory.position, ForumCategory.id)))


def site_forums() -> list[Forum]:
    return list(db.session.scalars(select(Forum).where(Forum.course_id.is_(None))
                                   .order_by(Forum.category_id, Forum.position, Forum.id)))


def get_by_slug(slug: str) -> Forum | None:
    return db.session.scalar(select(Forum).where(Forum.slug == slug))


def save_category(category: ForumCategory | None, *, title: str, description: str) -> ForumCategory:
    if category is None:
        last = db.session.scalar(select(func.max(ForumCategory.position))) or 0
        category = ForumCategory(position=last + 1)
        db.session.add(category)
    category.title, category.description = title.strip(), description.strip()
    db.session.flush()
    return category


def save_forum(forum: Forum | None, *, title: str, slug: str, description: str, category_id: int | None,
               kind: str, case_discussion: bool, qa_post_first: bool) -> Forum:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise StructureError(_("Use lower-case letters, digits and hyphens for the address."))
    if slug.startswith("course-") and (forum is None or forum.course_id is None):
        raise StructureError(_("Addresses starting with “course-” are kept for course forums."))
    clash = db.session.scalar(select(Forum.id).where(Forum.slug == slug))
    if clash is not None and (forum is None or clash != forum.id):
        raise StructureError(_("Another forum already uses this address."))
    if kind not in FORUM_KINDS:
        raise StructureError(_("Choose a forum type."))
    if forum is None:
        last = db.session.scalar(select(func.max(Forum.position)).where(Forum.category_id == category_id)) or 0
        forum = Forum(position=last + 1)
        db.session.add(forum)
    forum.title, forum.slug, forum.description = title.strip(), slug, description.strip()
    if forum.course_id is None:
        forum.category_id = category_id
    forum.kind, forum.case_discussion, forum.qa_post_first = kind, case_discussion, qa_post_first
    db.session.flush()
    return forum


def _swap(items: list, item, direction: int) -> None:
    """Move ``item`` one place up (-1) or down (+1) and renumber the positions."""
    index = items.index(item)
    other = index + direction
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position


def move_category(category: ForumCategory, direction: int) -> None:
    _swap(categories(), category, direction)


def move_forum(forum: Forum, direction: int) -> None:
    siblings = list(db.session.scalars(select(Forum).where(Forum.course_id.is_(None),
                                                           Forum.category_id == forum.category_id)
                                       .order_by(Forum.position, Forum.id)))
    _swap(siblings, forum, direction)


def delete_category(category: ForumCategory) -> None:
    if category.forums:
        raise StructureError(_("Move or delete the forums of this category first."))
    db.session.delete(category)


def delete_forum(forum: Forum) -> None:
    if db.session.scalar(select(func.count(Topic.id)).where(Topic.forum_id == forum.id)):
        raise StructureError(_("Only an empty forum can be deleted; move its topics elsewhere first."))
    db.session.delete(forum)


@overload
def course_forum(course, create: Literal[True] = True) -> Forum: ...
@overload
def course_forum(course, create: bool) -> Forum | None: ...


def course_forum(course, create: bool = True) -> Forum | None:
    """The course's forum, made on first use (callers in GET views wrap this in
    ``write_transaction``)."""
    forum = db.session.scalar(select(Forum).where(Forum.course_id == course.id))
    if forum is None and create:
        try:
            with db.session.begin_nested():
                # No description stored: forum_description() says it in each reader's language.
                forum = Forum(course_id=course.id, slug=f"course-{course.slug}"[:80], title=course.title,
                              description="", kind=STANDARD)
                db.session.add(forum)
        except IntegrityError:  # another request made it first
            forum = db.session.scalar(select(Forum).where(Forum.course_id == course.id))
    return forum


def forum_title(forum: Forum) -> str:
    """A course's forum is named after its course, in the reader's language (the row
    keeps the title of the moment it was made, in the course's language)."""
    if forum.course_id is None or forum.course is None:
        return shown(forum.title)
    from ..courses.services import course_text
    return course_text(forum.course, str(get_locale() or "en"))["title"]


def forum_description(forum: Forum) -> str:
    if forum.course_id is not None and not forum.description:
        return _("Questions and discussion for participants of this course.")
    return shown(forum.description)
