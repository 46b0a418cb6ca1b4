"""The authorization matrix: every route of the app (``app.url_map``) × seven roles ×
the answer each role must get.

Each matrix entry is keyed by the rule's method (GET when the rule has one, else
POST) and its rule string, and gives the path to request (filled from the world's
ids, slugs and tokens) and one character per role, in ``ROLES`` order:

- ``+`` allowed: status < 400, or 400/409/413/422 (a form error is not a refusal),
  and not a redirect to the login page;
- ``L`` a redirect (302/303) to ``/login``;
- ``x`` refused: 403 or 404.

Any 5xx fails. A rule with GET is requested with GET by every role; when it takes
POST too, the roles expected to be refused also POST (empty form: refusals must hold
for writes). A POST-only rule is posted (empty form) by every role: the refused ones
on the first world, each allowed role on a world of its own, because an allowed POST
may change the world (delete the post, remove the trainer, deactivate the owner...).

A new route without an entry fails ``test_every_route_is_in_the_matrix``."""
from __future__ import annotations

import io
import itertools
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import current_app
from werkzeug.datastructures import FileStorage

from hub.extensions import db
from tests.conftest import POSTGRES_URL, TEST_PASSWORD

ROLES = ("anonymous", "owner", "other", "trainer2", "trainer", "moderator", "admin")
ACCOUNT_ROLE = {"owner": "learner", "other": "learner", "trainer2": "trainer", "trainer": "trainer",
                "moderator": "moderator", "admin": "admin"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}

# The recurring rows.
PUBLIC = "+++++++"
MEMBERS = "L++++++"
ADMINS = "Lxxxxx+"
MODERATORS = "Lxxxx++"  # forum moderators; administrators hold every role
COURSE_STAFF = "Lxxx+x+"  # the course's own trainers and administrators
TRAINERS = "Lxx++x+"  # anyone with the trainer role (new courses, practice reviewers)
PARTICIPANTS = "L+xx+++"  # the course forum: enrolled learners, its trainers, moderators, administrators
OWNER = "L+xxxxx"  # the owner's own, personal things
# The owner's draft practice: the owner and reviewers (the trainer role, any course:
# practices belong to no course). Not moderators: they moderate the forum only.
DRAFT_PAGE = "x+x++x+"  # a draft is unknown (404) to who may not see it, visitors included
DRAFT_WORK = "L+x++x+"  # the @login_required pages: visitors are sent to log in first

MATRIX: dict[tuple[str, str], tuple[str, str]] = {
    # --- main, search ---------------------------------------------------------------------
    ("GET", "/"): ("/", PUBLIC),
    ("GET", "/healthz"): ("/healthz", PUBLIC),
    ("GET", "/search"): ("/search?q=course", PUBLIC),

    # --- accounts -------------------------------------------------------------------------
    # Logged-in members are sent on from register/login (302 elsewhere than /login): allowed.
    ("GET", "/register"): ("/register", PUBLIC),
    ("GET", "/register/check-your-email"): ("/register/check-your-email", PUBLIC),
    ("GET", "/login"): ("/login", PUBLIC),
    # The code step exists only after a password: without a pending login everyone
    # is sent back to /login (not an authorization refusal, but that is the answer).
    ("GET", "/login/code"): ("/login/code", "LLLLLLL"),
    ("POST", "/logout"): ("/logout", PUBLIC),
    ("POST", "/language"): ("/language", PUBLIC),
    ("GET", "/reset"): ("/reset", PUBLIC),
    # Links from mails: the signed token is the credential, no login needed.
    ("GET", "/reset/<token>"): ("/reset/{reset_token}", PUBLIC),
    ("GET", "/confirm/<token>"): ("/confirm/{confirm_token}", PUBLIC),
    ("GET", "/unlock/<token>"): ("/unlock/{unlock_token}", PUBLIC),
    ("GET", "/account"): ("/account", MEMBERS),
    ("GET", "/account/password"): ("/account/password", MEMBERS),
    ("GET", "/account/delete"): ("/account/delete", MEMBERS),
    ("POST", "/account/picture"): ("/account/picture", MEMBERS),
    # A member's picture, beside their name in the forum: for members only.
    ("GET", "/members/<int:user_id>/picture"): ("/members/{owner_id}/picture", MEMBERS),
    ("GET", "/account/two-step"): ("/account/two-step", MEMBERS),
    ("POST", "/account/two-step/enable"): ("/account/two-step/enable", MEMBERS),
    ("POST", "/account/two-step/disable"): ("/account/two-step/disable", MEMBERS),
    ("POST", "/account/two-step/recovery-codes"): ("/account/two-step/recovery-codes", MEMBERS),

    # --- admin ------------------------------------------------------------------------------
    ("GET", "/admin/"): ("/admin/", ADMINS),
    ("GET", "/admin/users"): ("/admin/users", ADMINS),
    ("GET", "/admin/outbox"): ("/admin/outbox", ADMINS),
    ("POST", "/admin/users/<int:user_id>/active"): ("/admin/users/{owner_id}/active", ADMINS),
    ("POST", "/admin/users/<int:user_id>/confirm-email"): ("/admin/users/{unconfirmed_id}/confirm-email", ADMINS),
    ("POST", "/admin/users/<int:user_id>/role"): ("/admin/users/{owner_id}/role", ADMINS),
    ("POST", "/admin/users/<int:user_id>/two-step/off"): ("/admin/users/{owner_id}/two-step/off", ADMINS),
    ("POST", "/admin/users/<int:user_id>/unlock"): ("/admin/users/{locked_id}/unlock", ADMINS),

    # --- certificates and badges ---------------------------------------------------------
    ("GET", "/certificates/"): ("/certificates/", MEMBERS),
    # The learner's own PDF, and administrators'; the course's trainers see codes in the report.
    ("GET", "/certificates/<int:cert_id>/certificate.pdf"): ("/certificates/{cert}/certificate.pdf", "L+xxxx+"),
    ("GET", "/certificates/manage"): ("/certificates/manage", ADMINS),
    ("GET", "/certificates/issue"): ("/certificates/issue", ADMINS),
    ("POST", "/certificates/bulk-issue"): ("/certificates/bulk-issue", ADMINS),
    ("GET", "/certificates/<int:cert_id>"): ("/certificates/{cert}", ADMINS),
    ("POST", "/certificates/<int:cert_id>/revoke"): ("/certificates/{cert}/revoke", ADMINS),
    ("POST", "/certificates/<int:cert_id>/reissue"): ("/certificates/{cert}/reissue", ADMINS),
    ("GET", "/verify"): ("/verify", PUBLIC),
    ("GET", "/verify/<code>"): ("/verify/{cert_code}", PUBLIC),
    ("GET", "/badges/issuer"): ("/badges/issuer", PUBLIC),
    ("GET", "/badges/courses/<slug>"): ("/badges/courses/{course}", PUBLIC),
    ("GET", "/badges/courses/<slug>/image.svg"): ("/badges/courses/{course}/image.svg", PUBLIC),
    ("GET", "/badges/assertions/<code>"): ("/badges/assertions/{cert_code}", PUBLIC),

    # --- courses: learners ------------------------------------------------------------------
    ("GET", "/courses/"): ("/courses/", PUBLIC),
    ("GET", "/courses/<slug>"): ("/courses/{course}", PUBLIC),
    # An open course's lessons are readable by whoever sees the course (course.read).
    ("GET", "/courses/<slug>/lessons/<lesson_slug>"): ("/courses/{course}/lessons/{lesson}", PUBLIC),
    ("GET", "/courses/<slug>/media/<name>"): ("/courses/{course}/media/{image}", PUBLIC),
    ("POST", "/courses/<slug>/enrol"): ("/courses/{course}/enrol", MEMBERS),
    ("POST", "/courses/<slug>/unenrol"): ("/courses/{course}/unenrol", MEMBERS),
    ("POST", "/courses/<slug>/lessons/<lesson_slug>/complete"): ("/courses/{course}/lessons/{lesson}/complete",
                                                                  MEMBERS),

    # --- courses: authoring -----------------------------------------------------------------
    ("GET", "/courses/new"): ("/courses/new", TRAINERS),
    ("GET", "/courses/import"): ("/courses/import", TRAINERS),
    ("GET", "/courses/import-moodle"): ("/courses/import-moodle", TRAINERS),
    ("GET", "/courses/<slug>/author"): ("/courses/{course}/author", COURSE_STAFF),
    ("GET", "/courses/<slug>/settings"): ("/courses/{course}/settings", COURSE_STAFF),
    ("GET", "/courses/<slug>/export.zip"): ("/courses/{course}/export.zip", COURSE_STAFF),
    ("POST", "/courses/<slug>/publish"): ("/courses/{course}/publish", COURSE_STAFF),
    ("POST", "/courses/<slug>/preview"): ("/courses/{course}/preview", COURSE_STAFF),
    ("GET", "/courses/<slug>/participants"): ("/courses/{course}/participants", COURSE_STAFF),
    ("POST", "/courses/<slug>/participants/<int:user_id>/unenrol"): (
        "/courses/{course}/participants/{owner_id}/unenrol", COURSE_STAFF),
    ("POST", "/courses/<slug>/trainers"): ("/courses/{course}/trainers", COURSE_STAFF),
    ("POST", "/courses/<slug>/trainers/<int:user_id>/remove"): ("/courses/{course}/trainers/{trainer_id}/remove",
                                                                 COURSE_STAFF),
    ("POST", "/courses/<slug>/sections"): ("/courses/{course}/sections", COURSE_STAFF),
    ("POST", "/courses/<slug>/sections/<int:section_id>/move"): ("/courses/{course}/sections/{section}/move",
                                                                  COURSE_STAFF),
    ("POST", "/courses/<slug>/sections/<int:section_id>/remove"): ("/courses/{course}/sections/{section}/remove",
                                                                    COURSE_STAFF),
    ("POST", "/courses/<slug>/sections/<int:section_id>/rename"): ("/courses/{course}/sections/{section}/rename",
                                                                    COURSE_STAFF),
    ("GET", "/courses/<slug>/lessons/new"): ("/courses/{course}/lessons/new", COURSE_STAFF),
    ("GET", "/courses/<slug>/lessons/<lesson_slug>/edit"): ("/courses/{course}/lessons/{draft_lesson}/edit",
                                                            COURSE_STAFF),
    ("POST", "/courses/<slug>/lessons/<lesson_slug>/move"): ("/courses/{course}/lessons/{lesson}/move",
                                                             COURSE_STAFF),
    ("POST", "/courses/<slug>/lessons/<lesson_slug>/publish"): ("/courses/{course}/lessons/{draft_lesson}/publish",
                                                                COURSE_STAFF),
    ("POST", "/courses/<slug>/lessons/<lesson_slug>/archive"): ("/courses/{course}/lessons/{lesson}/archive",
                                                                COURSE_STAFF),
    ("GET", "/courses/<slug>/images"): ("/courses/{course}/images", COURSE_STAFF),
    ("POST", "/courses/<slug>/images/<name>/delete"): ("/courses/{course}/images/{image}/delete", COURSE_STAFF),
    ("POST", "/courses/<slug>/cover"): ("/courses/{course}/cover", COURSE_STAFF),
    ("POST", "/courses/<slug>/cover/delete"): ("/courses/{course}/cover/delete", COURSE_STAFF),

    # --- quizzes: learners ------------------------------------------------------------------
    ("GET", "/courses/<course_slug>/quizzes/<quiz_slug>"): ("/courses/{course}/quizzes/{quiz}", PUBLIC),
    # Attempting is for enrolled learners; trainers and administrators preview instead.
    ("POST", "/courses/<course_slug>/quizzes/<quiz_slug>/start"): ("/courses/{course}/quizzes/{quiz}/start", OWNER),
    # Taking an attempt is the learner's own business: others get 404, administrators too.
    ("GET", "/quiz-attempts/<int:attempt_id>"): ("/quiz-attempts/{attempt}", OWNER),
    ("GET", "/quiz-attempts/<int:attempt_id>/summary"): ("/quiz-attempts/{attempt}/summary", OWNER),
    # Save and submit check the attempt's own secret, not the login (an attempt outlives
    # a session): a visitor without the secret gets 400 (a form error here), another
    # member 404. The owner without the secret gets 400 too.
    ("POST", "/quiz-attempts/<int:attempt_id>/save"): ("/quiz-attempts/{attempt}/save", "++xxxxx"),
    ("POST", "/quiz-attempts/<int:attempt_id>/autosave"): ("/quiz-attempts/{attempt}/autosave", "++xxxxx"),
    ("POST", "/quiz-attempts/<int:attempt_id>/submit"): ("/quiz-attempts/{attempt}/submit", "++xxxxx"),
    # A finished attempt's review: the learner, the course's trainers, administrators.
    ("GET", "/quiz-attempts/<int:attempt_id>/review"): ("/quiz-attempts/{finished}/review", "L+xx+x+"),

    # --- quizzes: trainers ------------------------------------------------------------------
    ("GET", "/courses/<course_slug>/quizzes"): ("/courses/{course}/quizzes", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/quizzes/<quiz_slug>/settings"): ("/courses/{course}/quizzes/{quiz}/settings",
                                                                     COURSE_STAFF),
    ("POST", "/courses/<course_slug>/quizzes/<quiz_slug>/archive"): ("/courses/{course}/quizzes/{quiz}/archive",
                                                                     COURSE_STAFF),
    ("GET", "/courses/<course_slug>/quizzes/<quiz_slug>/questions"): ("/courses/{course}/quizzes/{quiz}/questions",
                                                                      COURSE_STAFF),
    ("POST", "/courses/<course_slug>/quizzes/<quiz_slug>/questions/add"): (
        "/courses/{course}/quizzes/{quiz}/questions/add", COURSE_STAFF),
    ("POST", "/courses/<course_slug>/quizzes/<quiz_slug>/questions/random"): (
        "/courses/{course}/quizzes/{quiz}/questions/random", COURSE_STAFF),
    ("POST", "/courses/<course_slug>/quizzes/<quiz_slug>/slots/<int:slot_id>/<action>"): (
        "/courses/{course}/quizzes/{quiz}/slots/{slot}/up", COURSE_STAFF),
    ("POST", "/courses/<course_slug>/quizzes/<quiz_slug>/preview"): ("/courses/{course}/quizzes/{quiz}/preview",
                                                                     COURSE_STAFF),
    ("GET", "/courses/<course_slug>/quizzes/<quiz_slug>/results"): ("/courses/{course}/quizzes/{quiz}/results",
                                                                    COURSE_STAFF),
    ("GET", "/courses/<course_slug>/quizzes/<quiz_slug>/statistics"): (
        "/courses/{course}/quizzes/{quiz}/statistics", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/quizzes/<quiz_slug>/grading"): ("/courses/{course}/quizzes/{quiz}/grading",
                                                                    COURSE_STAFF),
    ("GET", "/courses/<course_slug>/quizzes/<quiz_slug>/grading/<int:response_id>"): (
        "/courses/{course}/quizzes/{quiz}/grading/{essay}", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/questions"): ("/courses/{course}/questions", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/questions/new"): ("/courses/{course}/questions/new", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/questions/<int:question_id>/edit"): (
        "/courses/{course}/questions/{question}/edit", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/questions/<int:question_id>/preview"): (
        "/courses/{course}/questions/{question}/preview", COURSE_STAFF),
    ("POST", "/courses/<course_slug>/questions/<int:question_id>/delete"): (
        "/courses/{course}/questions/{question}/delete", COURSE_STAFF),
    ("POST", "/courses/<course_slug>/questions/<int:question_id>/restore"): (
        "/courses/{course}/questions/{question}/restore", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/questions/categories"): ("/courses/{course}/questions/categories", COURSE_STAFF),
    ("POST", "/courses/<course_slug>/questions/categories/<int:category_id>/<action>"): (
        "/courses/{course}/questions/categories/{category}/rename", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/questions/import"): ("/courses/{course}/questions/import", COURSE_STAFF),
    ("GET", "/courses/<course_slug>/questions/export"): ("/courses/{course}/questions/export", COURSE_STAFF),

    # --- progress ---------------------------------------------------------------------------
    ("GET", "/dashboard"): ("/dashboard", MEMBERS),
    ("GET", "/progress/<slug>/report"): ("/progress/{course}/report", COURSE_STAFF),
    ("GET", "/progress/<slug>/report.csv"): ("/progress/{course}/report.csv", COURSE_STAFF),
    ("GET", "/progress/<slug>/rules"): ("/progress/{course}/rules", COURSE_STAFF),
    ("GET", "/progress/overview"): ("/progress/overview", ADMINS),

    # --- forum: reading and writing (the course forum: its participants only) -----------
    ("GET", "/forum/"): ("/forum/", MEMBERS),
    ("GET", "/forum/course/<slug>"): ("/forum/course/{course}", PARTICIPANTS),
    ("GET", "/forum/f/<slug>"): ("/forum/f/{course_forum}", PARTICIPANTS),
    ("GET", "/forum/f/<slug>/new"): ("/forum/f/{course_forum}/new", PARTICIPANTS),
    ("POST", "/forum/f/<slug>/subscription"): ("/forum/f/{course_forum}/subscription", PARTICIPANTS),
    ("GET", "/forum/topic/<int:topic_id>"): ("/forum/topic/{topic}", PARTICIPANTS),
    ("GET", "/forum/topic/<int:topic_id>/unread"): ("/forum/topic/{topic}/unread", PARTICIPANTS),
    ("GET", "/forum/topic/<int:topic_id>/reply"): ("/forum/topic/{topic}/reply", PARTICIPANTS),
    ("POST", "/forum/topic/<int:topic_id>/subscription"): ("/forum/topic/{topic}/subscription", PARTICIPANTS),
    ("GET", "/forum/post/<int:post_id>"): ("/forum/post/{post}", PARTICIPANTS),
    ("GET", "/forum/attachments/<int:attachment_id>/<path:name>"): ("/forum/attachments/{attachment}/{attachment_name}",
                                                                    PARTICIPANTS),
    ("GET", "/forum/post/<int:post_id>/images/<path:name>"): ("/forum/post/{post}/images/{attachment_name}",
                                                              PARTICIPANTS),
    ("POST", "/forum/preview"): ("/forum/preview", "x++++++"),  # JSON for the editor: a visitor gets 403
    # The owner's post: its author edits it (within the edit window); moderators may
    # edit any post and see the edit history (an edit may have removed client details).
    ("GET", "/forum/post/<int:post_id>/edit"): ("/forum/post/{post}/edit", "L+xxx++"),
    ("GET", "/forum/post/<int:post_id>/history"): ("/forum/post/{post}/history", "L+xxx++"),
    # Deleting is the author's own act; moderators and administrators hide instead
    # (reversible and logged), so they are refused here.
    ("POST", "/forum/post/<int:post_id>/delete"): ("/forum/post/{post}/delete", OWNER),
    # A reply by another learner: whoever sees it, except its author, may flag it or
    # mark it helpful.
    ("GET", "/forum/post/<int:post_id>/flag"): ("/forum/post/{reply}/flag", PARTICIPANTS),
    ("POST", "/forum/post/<int:post_id>/helpful"): ("/forum/post/{reply}/helpful", PARTICIPANTS),
    # A reply in the site-wide Q&A forum, to the owner's question: the asker or the
    # forum's staff accept it. Staff of a site-wide forum is the trainer role (any
    # course's trainer), moderators and administrators.
    ("POST", "/forum/post/<int:post_id>/accept"): ("/forum/post/{qa_reply}/accept", "L+x++++"),

    # --- forum: moderation --------------------------------------------------------------------
    ("POST", "/forum/topic/<int:topic_id>/pin"): ("/forum/topic/{topic}/pin", MODERATORS),
    ("POST", "/forum/topic/<int:topic_id>/lock"): ("/forum/topic/{topic}/lock", MODERATORS),
    ("GET", "/forum/topic/<int:topic_id>/move"): ("/forum/topic/{topic}/move", MODERATORS),
    ("GET", "/forum/topic/<int:topic_id>/split"): ("/forum/topic/{topic}/split", MODERATORS),
    ("GET", "/forum/post/<int:post_id>/hide"): ("/forum/post/{reply}/hide", MODERATORS),
    ("POST", "/forum/post/<int:post_id>/restore"): ("/forum/post/{reply}/restore", MODERATORS),
    ("POST", "/forum/post/<int:post_id>/dismiss-flags"): ("/forum/post/{reply}/dismiss-flags", MODERATORS),
    ("GET", "/forum/moderation"): ("/forum/moderation", MODERATORS),
    ("GET", "/forum/moderation/log"): ("/forum/moderation/log", MODERATORS),

    # --- forum: the member's own pages ----------------------------------------------------
    ("GET", "/forum/notifications"): ("/forum/notifications", MEMBERS),
    ("GET", "/forum/notifications/menu"): ("/forum/notifications/menu", MEMBERS),
    # The owner's notification: 404 for everyone else, administrators included (opening
    # it marks it read; it is nobody else's).
    ("GET", "/forum/notifications/<int:note_id>"): ("/forum/notifications/{note}", OWNER),
    ("POST", "/forum/notifications/read"): ("/forum/notifications/read", MEMBERS),
    ("POST", "/forum/read"): ("/forum/read", MEMBERS),
    ("GET", "/forum/settings"): ("/forum/settings", MEMBERS),
    ("GET", "/forum/members/<int:user_id>"): ("/forum/members/{owner_id}", MEMBERS),
    ("GET", "/forum/members/lookup"): ("/forum/members/lookup?q=ow", MEMBERS),
    # Suspending a learner from writing: moderators and administrators.
    ("GET", "/forum/members/<int:user_id>/suspend"): ("/forum/members/{owner_id}/suspend", MODERATORS),
    ("POST", "/forum/members/<int:user_id>/suspension/lift"): (
        "/forum/members/{owner_id}/suspension/lift", MODERATORS),
    # The one-click link from forum mail: the signed token is the credential.
    ("GET", "/forum/unsubscribe/<token>"): ("/forum/unsubscribe/{unsubscribe_token}", PUBLIC),
    ("POST", "/forum/unsubscribe/<token>"): ("/forum/unsubscribe/{unsubscribe_token}", PUBLIC),

    # --- forum: administrators ------------------------------------------------------------
    ("GET", "/forum/manage"): ("/forum/manage", ADMINS),
    ("GET", "/forum/manage/categories/new"): ("/forum/manage/categories/new", ADMINS),
    ("GET", "/forum/manage/categories/<int:category_id>/edit"): ("/forum/manage/categories/{forum_category}/edit",
                                                                 ADMINS),
    ("POST", "/forum/manage/categories/<int:category_id>/move"): ("/forum/manage/categories/{forum_category}/move",
                                                                  ADMINS),
    ("POST", "/forum/manage/categories/<int:category_id>/delete"): (
        "/forum/manage/categories/{forum_category}/delete", ADMINS),
    ("GET", "/forum/manage/forums/new"): ("/forum/manage/forums/new", ADMINS),
    ("GET", "/forum/manage/forums/<int:forum_id>/edit"): ("/forum/manage/forums/{site_forum}/edit", ADMINS),
    ("POST", "/forum/manage/forums/<int:forum_id>/move"): ("/forum/manage/forums/{site_forum}/move", ADMINS),
    ("POST", "/forum/manage/forums/<int:forum_id>/delete"): ("/forum/manage/forums/{site_forum}/delete", ADMINS),

    # --- practices: the public collection ------------------------------------------------
    ("GET", "/practices/"): ("/practices/", PUBLIC),
    ("GET", "/practices/export.<any(csv, json):fmt>"): ("/practices/export.csv", PUBLIC),
    ("GET", "/practices/glossary/"): ("/practices/glossary/", PUBLIC),
    ("GET", "/practices/resources/"): ("/practices/resources/", PUBLIC),
    ("GET", "/practices/toolbox/"): ("/practices/toolbox/", PUBLIC),
    ("GET", "/practices/toolbox/<slug>"): ("/practices/toolbox/{toolbox}", PUBLIC),
    ("GET", "/practices/new"): ("/practices/new", MEMBERS),
    ("GET", "/practices/mine"): ("/practices/mine", MEMBERS),
    ("GET", "/practices/review"): ("/practices/review", TRAINERS),
    ("GET", "/practices/indicators"): ("/practices/indicators", ADMINS),

    # --- practices: the owner's draft -----------------------------------------------------
    ("GET", "/practices/<slug>"): ("/practices/{practice}", DRAFT_PAGE),
    ("GET", "/practices/<slug>/pdf"): ("/practices/{practice}/pdf", DRAFT_PAGE),
    ("GET", "/practices/<slug>/documents/<int:document_id>/<path:name>"): (
        "/practices/{practice}/documents/{document}/{document_name}", DRAFT_PAGE),
    ("GET", "/practices/<slug>/edit"): ("/practices/{practice}/edit", DRAFT_WORK),
    ("GET", "/practices/<slug>/history"): ("/practices/{practice}/history", DRAFT_WORK),
    ("GET", "/practices/<slug>/compare"): ("/practices/{practice}/compare?a=1&b=2", DRAFT_WORK),
    ("POST", "/practices/<slug>/step"): ("/practices/{practice}/step", DRAFT_WORK),
    ("POST", "/practices/<slug>/documents"): ("/practices/{practice}/documents", DRAFT_WORK),
    ("POST", "/practices/<slug>/documents/<int:document_id>/delete"): (
        "/practices/{practice}/documents/{document}/delete", DRAFT_WORK),
    # Scoring is for reviewers; the owner sees the draft but may not score it (403).
    ("GET", "/practices/<slug>/score"): ("/practices/{practice}/score", TRAINERS),
}

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
QUIZ_GIFT = "::Pick::Pick one.{=a ~b}\n\n::Essay::Describe your approach.{}"


def key_of(rule) -> tuple[str, str]:
    methods = rule.methods - IGNORED_METHODS
    return ("GET" if "GET" in methods else min(methods)), rule.rule


def app_keys(app) -> list[tuple[str, str]]:
    return [key_of(rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


# --- the world ---------------------------------------------------------------------------------

def build_world(n: int) -> dict:
    """Everything the routes need, with slugs and addresses unique to ``n``, so several
    worlds live in one database. Returns the ids, slugs and tokens the paths use, and
    each role's address as ``emails``."""
    from PIL import Image

    from hub.accounts import avatars, confirmation, lockout
    from hub.accounts import services as accounts
    from hub.certificates import services as certificates
    from hub.courses import media
    from hub.database import utcnow
    from hub.forum import notifications, services, structure
    from hub.forum.attachments import Upload
    from hub.practices import documents, workflow
    from hub.practices.models_library import ToolboxPage
    from hub.quizzes import attempts, bank
    from tests.factories import make_course, make_member, name_trainer
    from tests.web.forum_helpers import forum, make_forum, seed
    from tests.web.quiz_support import make_quiz

    tag = f"w{n}"
    users = {role: make_member(account, email=f"{role}-{tag}@example.org", display_name=f"{role.title()} {tag}")
             for role, account in ACCOUNT_ROLE.items()}
    owner = users["owner"]
    avatars.store(owner.id, Image.new("RGB", (8, 8), "teal"))
    bystander = make_member(email=f"bystander-{tag}@example.org", display_name=f"Bystander {tag}")
    unconfirmed = make_member(email=f"unconfirmed-{tag}@example.org", email_confirmed_at=None)
    locked = make_member(email=f"locked-{tag}@example.org", locked_until=utcnow() + timedelta(hours=1))

    make_course(f"elsewhere-{tag}", lessons=1, trainers=[users["trainer2"]])  # trainer2's only course
    course = make_course(f"course-{tag}", lessons=2, enrolled=[owner, bystander])
    name_trainer(course, users["trainer"])
    lessons = sorted(course.lessons, key=lambda lesson: lesson.position)
    lessons[1].published = False
    image = media.store_upload(current_app.config["UPLOAD_PATH"], course.id, PNG)

    quiz = make_quiz(course, QUIZ_GIFT, slug="final-quiz")
    finished, _started = attempts.start_attempt(owner, quiz)
    essay = next(r for r in finished.responses if r.qtype == "essay")
    attempts.save_answers(finished, {essay.position: {"text": "I would listen first."}})
    attempts.finish_attempt(finished)
    db.session.commit()
    attempt, _started = attempts.start_attempt(owner, quiz)
    db.session.commit()

    seed()
    course_forum = structure.course_forum(course)
    db.session.flush()
    opening = services.create_topic(course_forum, owner, f"Owner's topic {tag}", "Opening post.", "en",
                                    [Upload(PNG, "image/png", "picture.png")])
    reply = services.reply(opening.topic, bystander, "A reply by another learner.", "en")
    question = services.create_topic(forum("ask-a-trainer"), owner, f"Owner's question {tag}", "How?", "en")
    answer = services.reply(question.topic, bystander, "Like this.", "en")
    note = notifications.notify(owner.id, "Something happened", "/forum/")
    forum_category = structure.save_category(None, title=f"Category {tag}", description="")
    db.session.commit()
    site_forum = make_forum(f"site-{tag}")

    cert = certificates.issue(owner, course, issued_by=users["admin"])
    practice = workflow.create(owner, {"title": f"Owner's practice {tag}", "country": "DK"}, {}, {})
    db.session.flush()
    document = documents.add(practice, owner, FileStorage(io.BytesIO(b"%PDF-1.4 leaflet"), filename="leaflet.pdf"))
    workflow.record_revision(practice, owner, "edited")  # revision 2, to compare with 1
    toolbox = ToolboxPage(slug=f"toolbox-{tag}", title=f"Toolbox {tag}", question="getting-started")
    db.session.add(toolbox)
    db.session.commit()

    world = {
        "emails": {role: user.email for role, user in users.items()},
        "owner_id": owner.id, "trainer_id": users["trainer"].id, "unconfirmed_id": unconfirmed.id,
        "locked_id": locked.id,
        "course": course.slug, "lesson": lessons[0].slug, "draft_lesson": lessons[1].slug,
        "section": course.sections[0].id, "image": image,
        "quiz": quiz.slug, "question": quiz.slots[0].question_id, "slot": quiz.slots[0].id,
        "category": bank.categories(course)[0].id, "attempt": attempt.id, "finished": finished.id,
        "essay": essay.id,
        "course_forum": course_forum.slug, "topic": opening.topic_id, "post": opening.id, "reply": reply.id,
        "qa_reply": answer.id, "attachment": opening.attachments[0].id,
        "attachment_name": opening.attachments[0].filename, "note": note.id,
        "forum_category": forum_category.id, "site_forum": site_forum.id,
        "cert": cert.id, "cert_code": cert.code,
        "practice": practice.slug, "document": document.id, "document_name": document.filename,
        "toolbox": toolbox.slug,
        "confirm_token": confirmation.make_token(unconfirmed), "reset_token": accounts.make_reset_token(owner),
        "unlock_token": lockout.make_unlock_token(locked),
        "unsubscribe_token": notifications.unsubscribe_token(owner.id, "topic", opening.topic_id),
    }
    # Reading those back began a transaction; outside a request that one starts as a
    # writer on SQLite (BEGIN IMMEDIATE), and the requests would wait for it.
    db.session.commit()
    return world


# --- requests ------------------------------------------------------------------------------------

def client_as(app, world: dict, role: str):
    """A fresh client, logged in as ``role`` of ``world`` (anonymous: not logged in)."""
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/login", data={"email": world["emails"][role], "password": TEST_PASSWORD})
        assert response.status_code == 302 and urlsplit(response.location).path != "/login", \
            f"{role} could not log in"
    return client


def outcome(response) -> str:
    status = response.status_code
    if status in (302, 303) and urlsplit(response.location or "").path == "/login":
        return "L"
    if status in (403, 404):
        return "x"
    if status < 400 or status in (400, 409, 413, 422):
        return "+"
    return "?"  # 5xx and anything unexpected (401, 405, 429...): never right


def describe(response) -> str:
    location = response.location or ""
    return f"{response.status_code} {location}".strip()


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda key: f"{key[0]} {key[1]}")
def test_route_answers_each_role_as_expected(make_app, key):
    # Indexing every world's commits is slow and only the search page reads the index.
    app = make_app(SEARCH_INDEXER="inline" if key == ("GET", "/search") else "off")
    rule = next((r for r in app.url_map.iter_rules() if r.endpoint != "static" and key_of(r) == key), None)
    if rule is None:
        pytest.fail(f"{key} is in the matrix but not in app.url_map")
    template, expected = MATRIX[key]
    methods = rule.methods - IGNORED_METHODS
    counter = itertools.count(1)
    mismatches: list[str] = []

    def check(role: str, want: str, response) -> None:
        got = outcome(response)
        if got != want:
            mismatches.append(f"{role}: expected {want} got {describe(response)} ({response.request.method})")

    with app.app_context():
        world = build_world(next(counter))
        path = template.format(**world)
        clients = {}
        if "GET" in methods:
            for role, want in zip(ROLES, expected, strict=True):
                clients[role] = client_as(app, world, role)
                check(role, want, clients[role].get(path))
            if "POST" in methods:  # refusals hold for writes too
                for role, want in zip(ROLES, expected, strict=True):
                    if want != "+":
                        check(role, want, clients[role].post(path, data={}))
        else:  # a write-only rule (POST)
            for role, want in zip(ROLES, expected, strict=True):
                if want != "+":
                    check(role, want, client_as(app, world, role).open(path, method=key[0], data={}))
            allowed = [role for role, want in zip(ROLES, expected, strict=True) if want == "+"]
            if POSTGRES_URL:  # refusals are all checked; of the allowed writes, the least privileged (CI time)
                allowed = allowed[:1]
            for role in allowed:  # an allowed write may change the world: a world of its own
                own = build_world(next(counter))
                check(role, "+", client_as(app, own, role).open(template.format(**own), method=key[0], data={}))
    assert not mismatches, f"{key[0]} {path}:\n" + "\n".join(mismatches)


def test_every_route_is_in_the_matrix(app):
    malformed = [key for key, (_path, row) in MATRIX.items() if len(row) != len(ROLES) or set(row) - set("+Lx")]
    assert not malformed, f"rows need one of + L x per role ({', '.join(ROLES)}): {malformed}"
    keys = app_keys(app)
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"two rules share a matrix key: {duplicates}"
    missing = sorted(set(keys) - set(MATRIX))
    extra = sorted(set(MATRIX) - set(keys))
    assert not missing and not extra, (
        "the authorization matrix must list every route exactly:\n"
        + "".join(f"  missing: {key}\n" for key in missing)
        + "".join(f"  extra (no such route): {key}\n" for key in extra))
