"""The good-practice hub: practice records described with one template, scored by
reviewers on weighted indicators and ranked; the collection's pages and exports.

Settings: PRACTICE_LABEL_GOOD (60) and PRACTICE_LABEL_BEST (80) percent,
PRACTICE_EVIDENCE_MINIMUM (2.0: the mean score both evidence indicators need for
"best practice"), PRACTICES_PER_PAGE (20), PRACTICE_DOCUMENT_MAX_BYTES (10 MB) and
PRACTICE_MAX_DOCUMENTS (10) for a practice's tools and documents."""

from flask import Flask

DEFAULTS = {
    "PRACTICE_LABEL_GOOD": 60,
    "PRACTICE_LABEL_BEST": 80,
    "PRACTICE_EVIDENCE_MINIMUM": 2.0,
    "PRACTICES_PER_PAGE": 20,
    "PRACTICE_DOCUMENT_MAX_BYTES": 10 * 1024 * 1024,
    "PRACTICE_MAX_DOCUMENTS": 10,
}


def init_app(app: Flask) -> None:
    """Pages, ``hub practices``, and the shipped records for ``prepare_site``."""
    from ..courses import hooks
    from . import services, views, views_library, views_write  # noqa: F401  (rules; routes attach to bp)
    from .blueprint import bp
    from .cli import practices_cli
    from .content import shipped_content
    from .library import glossary_links, shipped_library
    from .search import register as register_search

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
    app.cli.add_command(practices_cli)
    register_search()  # what the search index takes from this feature (idempotent)
    for source in (shipped_library, shipped_content):  # the glossary first: practices link its terms
        if source not in hooks.site_content:
            hooks.site_content.append(source)
    if glossary_links not in hooks.glossary_providers:
        hooks.glossary_providers.append(glossary_links)
