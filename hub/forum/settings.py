"""Default values of the forum's settings; ``init_app`` applies them with
``app.config.setdefault``, so config and ``HUB_`` environment variables win."""

DEFAULTS = {
    "FORUM_EDIT_WINDOW_MINUTES": 30,
    "FORUM_TOPICS_PER_PAGE": 25,
    "FORUM_POSTS_PER_PAGE": 20,
    "FORUM_UNREAD_DAYS": 30,
    "FORUM_ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
    "FORUM_MAX_ATTACHMENTS": 5,
    "FORUM_POST_RATE_LIMIT": "10 per minute;120 per hour",
    "FORUM_NEW_MEMBER_RATE_LIMIT": "3 per minute;20 per hour",
    "FORUM_PREVIEW_RATE_LIMIT": "60 per minute;1000 per hour",
    "FORUM_NEW_MEMBER_DAYS": 3,
    "FORUM_EMAIL": "auto",
    "DIGEST_HOUR": 7,  # the daily digest leaves at this hour, site time zone (BABEL_DEFAULT_TIMEZONE)
    "FORUM_DRAFT_DAYS": 7,
    "FORUM_DRAFT_RATE_LIMIT": "10 per hour",
}
