"""Cross-feature events (blinker, shipped with Flask). Senders fire them inside the
request's transaction, before the commit, so reactions (progress, completion,
certificates) land in the same commit. Receivers must not commit.

Every signal is sent with ``sender=current_app._get_current_object()`` and keyword
arguments as documented below."""
from blinker import Namespace

_signals = Namespace()

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
