"""Full-text search with Whoosh across courses, lessons, practices, the library and
the forum. The database is the source of truth: every change search must see writes
an outbox row in its own transaction (``outbox``), and an indexer applies the rows to
the index after the commit (``indexer``, ``worker``). The index can always be rebuilt
from the database (``hub search rebuild``).

Features describe what they index in their own ``search`` module (``registry``); this
package never imports them.

Settings: SEARCH_INDEX_PATH (<instance>/search-index), SEARCH_INDEXER ("thread",
"inline" or "off"), SEARCH_POLL_SECONDS (2), SEARCH_LOCK_TIMEOUT (0: a busy index is
left to whoever holds it), SEARCH_OUTBOX_GAP_SECONDS (60), SEARCH_OUTBOX_RETENTION_DAYS
(7), SEARCH_RATE_LIMIT ("120/minute")."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The search page, ``hub search``, the outbox listeners and the indexer thread."""
    from . import outbox  # noqa: F401  (session listeners that write the outbox)
    from .cli import search_cli
    from .views import bp
    from .worker import start_with_requests

    if "search" in app.blueprints:
        return
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    start_with_requests(app)
