"""The resource centre's pages: toolbox, resource overview, glossary."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import get_locale
from sqlalchemy import select

from ..extensions import db
from ..page_cache import public_page
from . import library, vocab
from .blueprint import bp
from .models_library import ToolboxPage


@bp.route("/toolbox/")
@public_page
def toolbox():
    return render_template("practices/toolbox.html", questions=library.toolbox_by_question(), vocab=vocab)


@bp.route("/toolbox/<slug>")
@public_page
def toolbox_page(slug: str):
    page = db.session.scalar(select(ToolboxPage).where(ToolboxPage.slug == slug))
    if page is None:
        abort(404)
    siblings = db.session.scalars(select(ToolboxPage).order_by(ToolboxPage.position, ToolboxPage.title)).all()
    index = siblings.index(page)
    return render_template("practices/toolbox_page.html", page=page, vocab=vocab,
                           question=library.QUESTIONS.get(page.question, ""),
                           previous=siblings[index - 1] if index > 0 else None,
                           next=siblings[index + 1] if index + 1 < len(siblings) else None)


@bp.route("/resources/")
@public_page
def resources():
    kind = request.args.get("type", "")
    kind = kind if kind in library.RESOURCE_KINDS else ""
    choices = library.resource_choices()
    language = request.args.get("language", "").lower()
    language = language if language in choices["language"] else ""
    country = request.args.get("country", "").upper()
    country = country if country in choices["country"] else ""
    topic = request.args.get("topic", "")
    topic = topic if topic in choices["topic"] else ""
    items = library.resources_filtered(kind, language, country, topic)
    active = {k: v for k, v in {"type": kind, "language": language, "country": country, "topic": topic}.items() if v}
    return render_template("practices/resources.html", items=items, choices=choices, active=active,
                           kinds=library.RESOURCE_KINDS)


@bp.route("/glossary/")
@public_page
def glossary():
    reader_language = str(get_locale() or "en")
    return render_template("practices/glossary.html", letters=library.glossary_by_letter(),
                           reader_language=reader_language)
