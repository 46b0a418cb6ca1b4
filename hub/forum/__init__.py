"""The learning forum: site-wide forums in categories, one forum per course, topics
and posts, notifications, unread tracking and moderation.

Settings (``HUB_``-prefixed environment variables or config; defaults in ``settings.DEFAULTS``):
FORUM_EDIT_WINDOW_MINUTES (30), FORUM_TOPICS_PER_PAGE (25), FORUM_POSTS_PER_PAGE (20),
FORUM_UNREAD_DAYS (30: older activity counts as read), FORUM_ATTACHMENT_MAX_BYTES (5 MB),
FORUM_MAX_ATTACHMENTS (5), FORUM_POST_RATE_LIMIT, FORUM_NEW_MEMBER_RATE_LIMIT and
FORUM_NEW_MEMBER_DAYS (stricter limits for new accounts), FORUM_PREVIEW_RATE_LIMIT (the
editor's live preview, per member), FORUM_EMAIL ("auto": mail
only when MAIL_SERVER is set; True/False), DIGEST_HOUR (7: the daily digest's hour in the
site's time zone), FORUM_DRAFT_DAYS, FORUM_DRAFT_RATE_LIMIT.

Code: ``blueprint`` holds ``bp`` and the lookups the pages share; ``views`` (reading),
``views_write``, ``views_editor``, ``views_member``, ``views_moderation`` and ``views_admin`` attach their
routes to it and never import each other; the logic lives in ``services``, ``queries``,
``permissions``, ``notifications``, ``bell`` (the bell's drop-down), ``moderation`` and
``structure``.

Operations: ``hub forum seed`` creates missing default forums (``hub setup`` does it
on a fresh site); ``hub serve`` sends the daily digest itself (``digests``, ``hub.schedule``);
``hub forum send-digests`` sends it now."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Forum pages, settings defaults, template helpers and ``hub forum``. Everything
    is wired here, once per app; nothing relies on a module's import side effects.
    (The forum has no signal receivers or course hooks: it only sends
    ``signals.forum_post_created``.)"""
    from . import (  # noqa: F401  (routes on bp)
        permissions,  # noqa: F401  (registers the forum.* permission rules)
        views,
        views_admin,
        views_editor,
        views_member,
        views_moderation,
        views_write,
    )
    from .blueprint import bp, template_helpers
    from .cli import forum_cli
    from .search import register as register_search
    from .settings import DEFAULTS

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
    register_search()  # what the search index takes from this feature (idempotent)
    app.context_processor(template_helpers)
    from .structure import forum_description, forum_title, shown
    app.add_template_filter(forum_title, "forum_title")
    app.add_template_filter(forum_description, "forum_description")
    app.add_template_filter(shown, "forum_text")
    from .attachments import inline_image_names
    app.add_template_filter(inline_image_names, "inline_image_names")
    app.cli.add_command(forum_cli)
    from .digests import register as register_digest
    from .notifications import forum_mail_enabled
    register_digest(app)  # the daily digest, sent by the server's scheduler (hub.schedule)
    app.add_template_global(forum_mail_enabled, "forum_mail_enabled")  # no email choices while mail is off
