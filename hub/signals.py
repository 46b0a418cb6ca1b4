"""Cross-feature events (blinker, shipped with Flask). Senders fire them inside the
request's transaction, before the commit, so reactions (progress, completion,
certificates) land in the same commit. Receivers must not commit.

Every signal is sent with ``sender=app()`` (``current_app._get_current_object()``) and
keyword arguments as documented below."""
from typing import cast

from blinker import Namespace
from flask import Flask, current_app
from werkzeug.local import LocalProxy

_signals = Namespace()


def app() -> Flask:
    """The application object behind the ``current_app`` proxy, the sender of every signal.
    (Flask types ``current_app`` as ``Flask``, hiding the proxy's ``_get_current_object``.)"""
    return cast("LocalProxy[Flask]", current_app)._get_current_object()

# user, lesson — a learner marked a lesson complete
lesson_completed = _signals.signal("lesson-completed")
# user, enrolment — a learner enrolled in (or returned to) a course
enrolled = _signals.signal("enrolled")
# user, attempt — a quiz attempt was submitted or closed and graded (also regraded after essay marking)
quiz_attempt_graded = _signals.signal("quiz-attempt-graded")
# user, post — a forum post was written (course forums count toward completion)
forum_post_created = _signals.signal("forum-post-created")
# user, course, enrolment — all completion rules of a course are met
course_completed = _signals.signal("course-completed")
# course — a course's completion rules changed; learners are re-evaluated
completion_rules_changed = _signals.signal("completion-rules-changed")
