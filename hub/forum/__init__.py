"""The learning forum: site-wide forums in categories, one forum per course, topics
and posts, notifications, unread tracking and moderation.

Settings (``HUB_``-prefixed environment variables or config; defaults in ``views.DEFAULTS``):
FORUM_EDIT_WINDOW_MINUTES (30), FORUM_TOPICS_PER_PAGE (25), FORUM_POSTS_PER_PAGE (20),
FORUM_UNREAD_DAYS (30: older activity counts as read), FORUM_ATTACHMENT_MAX_BYTES (5 MB),
FORUM_MAX_ATTACHMENTS (5), FORUM_POST_RATE_LIMIT, FORUM_NEW_MEMBER_RATE_LIMIT and
FORUM_NEW_MEMBER_DAYS (stricter limits for new accounts), FORUM_EMAIL ("auto": mail
only when MAIL_SERVER is set; True/False), FORUM_DRAFT_DAYS, FORUM_DRAFT_RATE_LIMIT.

Operations: ``hub forum seed`` creates missing default forums (``hub setup`` does it
on a fresh site); run ``hub forum send-digests`` once a day (cron, systemd timer)."""
