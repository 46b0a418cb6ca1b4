"""The learning forum: site-wide forums in categories, one forum per course, topics
and posts, notifications, unread tracking and moderation."""
