"""Completion rules and combinations, completing in the request that meets the last
rule, prerequisites, and re-evaluation after a rule change."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hub import signals
from hub.certificates.models import Certificate
from hub.courses.models import Enrolment
from hub.extensions import db
from hub.progress import services
from tests.factories import name_trainer
from tests.progress_factories import complete_all_lessons, complete_lesson, enrol, grade_attempt, make_course, make_quiz


def enrolment_of(user, course) -> Enrolment:
    db.session.expire_all()
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))


def certificates(user=None) -> list[Certificate]:
    stmt = select(Certificate)
    if user is not None:
        stmt = stmt.where(Certificate.user_id == user.id)
    return list(db.session.scalars(stmt))


@pytest.fixture
def completions():
    """Records course_completed signals."""
    seen = []

    def record(sender, **kw):
        seen.append((kw["user"].id, kw["course"].id))

    signals.course_completed.connect(record)
    yield seen
    signals.course_completed.disconnect(record)


# --- single rules ------------------------------------------------------------------------

def test_all_lessons_rule(app, make_user, completions):
    user = make_user()
    course = make_course(lessons=3)
    enrol(user, course)
    complete_lesson(user, course.lessons[0])
    progress = services.course_progress(user, course)
    assert (progress.done, progress.required, progress.percent) == (1, 3, 33)
    assert progress.next_step.title == "Lesson 2"
    assert enrolment_of(user, course).completed_at is None
    complete_lesson(user, course.lessons[1])
    complete_lesson(user, course.lessons[2])
    assert enrolment_of(user, course).completed_at is not None
    assert completions == [(user.id, course.id)]


def test_archived_and_unpublished_lessons_are_not_required(app, make_user):
    from hub.database import utcnow
    user = make_user()
    course = make_course(lessons=3)
    course.lessons[1].published = False
    course.lessons[2].archived_at = utcnow()
    db.session.commit()
    enrol(user, course)
    complete_lesson(user, course.lessons[0])
    assert enrolment_of(user, course).completed_at is not None


def test_quiz_rule_needs_a_pass(app, make_user, completions):
    user = make_user()
    course = make_course(lessons=1, rules={"lessons": "none", "quizzes": ["final"], "forum_posts": 0})
    quiz = make_quiz(course, "final", pass_grade=70)
    enrol(user, course)
    complete_all_lessons(user, course)  # lessons are optional here
    assert enrolment_of(user, course).completed_at is None
    grade_attempt(user, quiz, 50)
    progress = services.course_progress(user, course)
    assert progress.items[0].grade == 50 and not progress.items[0].done
    assert enrolment_of(user, course).completed_at is None
    grade_attempt(user, quiz, 85)
    assert enrolment_of(user, course).completed_at is not None
    assert completions == [(user.id, course.id)]


def test_quiz_grading_method_is_the_quizzes_feature_rule(app, make_user):
    """Average of 50 and 80 is 65: below a pass grade of 70 although one attempt passed."""
    user = make_user()
    course = make_course(lessons=0, rules={"lessons": "none", "quizzes": ["q"], "forum_posts": 0})
    quiz = make_quiz(course, "q", pass_grade=70, grading_method="average")
    enrol(user, course)
    grade_attempt(user, quiz, 50)
    grade_attempt(user, quiz, 80)
    assert enrolment_of(user, course).completed_at is None
    assert services.course_progress(user, course).items[0].grade == pytest.approx(65)
    grade_attempt(user, quiz, 100)  # (50+80+100)/3 = 76.7
    assert enrolment_of(user, course).completed_at is not None


def test_unknown_quiz_slug_is_ignored_not_blocking(app, make_user):
    user = make_user()
    course = make_course(lessons=1, rules={"lessons": "all", "quizzes": ["no-such-quiz"], "forum_posts": 0})
    enrol(user, course)
    assert services.unknown_quiz_slugs(course) == ["no-such-quiz"]
    complete_all_lessons(user, course)
    assert enrolment_of(user, course).completed_at is not None


def write_post(user, course, topic=None):
    """A post in the course forum through the forum feature (which fires
    ``forum_post_created``), committed like the request would."""
    from hub.forum import services as forum
    from hub.forum.structure import course_forum

    if topic is None:
        post = forum.create_topic(course_forum(course), user, "Question", "How do I start?", "en")
    else:
        post = forum.reply(topic, user, "Thanks!", "en")
    db.session.commit()
    return post


def test_forum_posts_rule(app, make_user, completions):
    user = make_user()
    course = make_course(lessons=1, rules={"lessons": "none", "quizzes": [], "forum_posts": 2})
    enrol(user, course)
    first = write_post(user, course)
    progress = services.course_progress(user, course)
    assert progress.items[0].count == 1 and progress.percent == 0
    assert enrolment_of(user, course).completed_at is None
    write_post(make_user(), course, first.topic)  # someone else's post does not count
    assert enrolment_of(user, course).completed_at is None
    write_post(user, course, first.topic)
    assert enrolment_of(user, course).completed_at is not None
    assert completions == [(user.id, course.id)]


def test_posts_in_other_forums_do_not_count(app, make_user):
    user = make_user()
    course = make_course(lessons=0, rules={"lessons": "none", "quizzes": [], "forum_posts": 1})
    other = make_course(lessons=0)
    enrol(user, course)
    write_post(user, other)
    assert enrolment_of(user, course).completed_at is None
    write_post(user, course)
    assert enrolment_of(user, course).completed_at is not None


def test_combination_of_all_three_rules(app, make_user):
    user = make_user()
    course = make_course(lessons=2, rules={"lessons": "all", "quizzes": ["q"], "forum_posts": 1})
    quiz = make_quiz(course, "q", pass_grade=60)
    enrol(user, course)
    write_post(user, course)
    grade_attempt(user, quiz, 90)
    complete_lesson(user, course.lessons[0])
    progress = services.course_progress(user, course)
    assert (progress.done, progress.required, progress.percent) == (3, 4, 75)
    assert enrolment_of(user, course).completed_at is None
    complete_lesson(user, course.lessons[1])  # the last rule, met last
    assert enrolment_of(user, course).completed_at is not None


def test_forum_rule_counts_in_bulk_for_reports(app, make_user):
    course = make_course(lessons=0, rules={"lessons": "none", "quizzes": [], "forum_posts": 2})
    a, b = make_user(), make_user()
    for user in (a, b):
        enrol(user, course)
    topic = write_post(a, course).topic
    write_post(b, course, topic)
    write_post(b, course, topic)
    enrolments = list(db.session.scalars(select(Enrolment).where(Enrolment.course_id == course.id)))
    progress = services.learners_progress(course, enrolments)
    assert (progress[a.id].items[0].count, progress[b.id].items[0].count) == (1, 2)
    assert enrolment_of(b, course).completed_at is not None and enrolment_of(a, course).completed_at is None


@pytest.mark.parametrize("order", ["quiz-last", "lessons-last"])
def test_lessons_and_quiz_complete_on_whichever_comes_last(app, make_user, order):
    user = make_user()
    course = make_course(lessons=1, rules={"lessons": "all", "quizzes": ["q"], "forum_posts": 0})
    quiz = make_quiz(course, "q")
    enrol(user, course)
    first, last = ((lambda: complete_all_lessons(user, course)), (lambda: grade_attempt(user, quiz, 100)))
    if order == "lessons-last":
        first, last = last, first
    first()
    assert enrolment_of(user, course).completed_at is None
    last()
    assert enrolment_of(user, course).completed_at is not None


def test_course_without_rules_never_completes_by_itself(app, make_user):
    user = make_user()
    course = make_course(lessons=1, rules={"lessons": "none", "quizzes": [], "forum_posts": 0})
    enrol(user, course)
    complete_all_lessons(user, course)
    progress = services.course_progress(user, course)
    assert not progress.tracked and enrolment_of(user, course).completed_at is None


def test_completed_course_is_announced_once(app, make_user, completions):
    user = make_user()
    course = make_course(lessons=1)
    enrol(user, course)
    complete_all_lessons(user, course)
    services.evaluate(user, course)
    services.evaluate(user, course)
    db.session.commit()
    assert completions == [(user.id, course.id)]


def test_unenrolled_learner_is_not_completed(app, make_user):
    from hub.courses import enrolment as enrolments
    user = make_user()
    course = make_course(lessons=1)
    enrol(user, course)
    enrolments.unenrol(user, course)
    db.session.commit()
    assert services.evaluate(user, course) is None


# --- in the same request -----------------------------------------------------------------------

def test_last_lesson_completes_course_and_certificate_in_the_same_request(app, make_user, client, auth):
    user = make_user()
    course = make_course(lessons=1)
    enrol(user, course)
    auth.login(user)
    lesson = course.lessons[0]
    response = client.post(f"/courses/{course.slug}/lessons/{lesson.slug}/complete")
    assert response.status_code == 302
    assert enrolment_of(user, course).completed_at is not None
    assert len(certificates(user)) == 1  # committed by that request, not later
    page = client.get("/dashboard").get_data(as_text=True)
    assert course.title in page and "Completed courses" in page


def test_receiver_errors_roll_back_with_the_request(app, make_user, monkeypatch):
    """Progress receivers run inside the sender's transaction: nothing is committed
    by them (a failing commit leaves no completion behind)."""
    user = make_user()
    course = make_course(lessons=1)
    enrol(user, course)
    from hub.courses import enrolment as enrolments
    enrolments.complete_lesson(user, course.lessons[0])
    db.session.rollback()
    assert enrolment_of(user, course).completed_at is None
    assert certificates(user) == []


# --- prerequisites -----------------------------------------------------------------------------

def test_prerequisite_refuses_enrolment_naming_the_missing_course(app, make_user, client, auth):
    basics = make_course("basics", title="Basics of inclusion", lessons=1)
    advanced = make_course("advanced", lessons=1, prerequisites=["basics"])
    user = make_user()
    auth.login(user)
    response = client.post("/courses/advanced/enrol", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Basics of inclusion" in page and "before you enrol" in page
    assert enrolment_of(user, advanced) is None
    # the locked course page says why and links to what is missing
    assert services.missing_prerequisites(user, advanced) == [basics]
    enrol(user, basics)
    complete_all_lessons(user, basics)
    assert services.missing_prerequisites(user, advanced) == []
    client.post("/courses/advanced/enrol")
    assert enrolment_of(user, advanced).status == "active"


def test_lock_notice_partial_links_to_missing_courses(app, make_user):
    from flask import render_template_string
    from flask_login import login_user

    make_course("basics", title="Basics of inclusion", lessons=1)
    advanced = make_course("advanced", lessons=1, prerequisites=["basics", "gone-course"])
    user = make_user()
    with app.test_request_context("/courses/advanced"):
        login_user(user)
        html = render_template_string('{% include "progress/_course_progress.html" %}', course=advanced,
                                      enrolment=None)
    assert "This course is locked" in html
    assert 'href="/courses/basics"' in html and "Basics of inclusion" in html
    assert "gone-course" not in html  # a prerequisite that does not exist is not demanded


def test_prerequisites_cannot_form_a_cycle(app, make_user):
    a = make_course("a", lessons=1)
    make_course("b", lessons=1, prerequisites=["a"])
    with pytest.raises(services.ProgressError):
        services.update_rules(a, lessons="all", quizzes=[], forum_posts=0, prerequisites=["b"],
                              certificate_mode="auto")
    with pytest.raises(services.ProgressError):
        services.update_rules(a, lessons="all", quizzes=[], forum_posts=0, prerequisites=["a"],
                              certificate_mode="auto")


# --- rule changes ------------------------------------------------------------------------------

def test_rule_change_completes_learners_now_meeting_the_rules(app, make_user, completions):
    course = make_course(lessons=2, rules={"lessons": "all", "quizzes": ["q"], "forum_posts": 0})
    quiz = make_quiz(course, "q")
    done, halfway, idle = make_user(), make_user(), make_user()
    for user in (done, halfway, idle):
        enrol(user, course)
    complete_all_lessons(done, course)
    complete_lesson(halfway, course.lessons[0])
    grade_attempt(halfway, quiz, 30)
    assert enrolment_of(done, course).completed_at is None  # the quiz is still missing

    services.update_rules(course, lessons="all", quizzes=[], forum_posts=0, prerequisites=[],
                          certificate_mode="auto")
    db.session.commit()
    assert enrolment_of(done, course).completed_at is not None
    assert enrolment_of(halfway, course).completed_at is None
    assert enrolment_of(idle, course).completed_at is None
    assert completions == [(done.id, course.id)]
    assert [c.user_id for c in certificates()] == [done.id]


def test_stricter_rules_keep_earlier_completions(app, make_user):
    course = make_course(lessons=1)
    user = make_user()
    enrol(user, course)
    complete_all_lessons(user, course)
    completed_at = enrolment_of(user, course).completed_at
    assert completed_at is not None
    make_quiz(course, "new-quiz")
    services.update_rules(course, lessons="all", quizzes=["new-quiz"], forum_posts=3, prerequisites=[],
                          certificate_mode="auto")
    db.session.commit()
    assert enrolment_of(user, course).completed_at == completed_at
    progress = services.course_progress(user, course)
    assert progress.completed_at == completed_at and progress.next_step is None
    assert len(certificates(user)) == 1


def test_rules_page_saves_and_reevaluates(app, make_user, client, auth):
    course = make_course(lessons=2, rules={"lessons": "all", "quizzes": ["q"], "forum_posts": 0})
    make_quiz(course, "q")
    other = make_course("other-course", title="Other course", lessons=1)
    learner = make_user()
    enrol(learner, course)
    complete_all_lessons(learner, course)
    assert enrolment_of(learner, course).completed_at is None
    trainer = make_user("trainer")
    name_trainer(course, trainer)
    auth.login(trainer)
    page = client.get(f"/progress/{course.slug}/rules").get_data(as_text=True)
    assert "Quiz q" in page and "Other course" in page
    response = client.post(f"/progress/{course.slug}/rules", data={
        "lessons": "all", "forum_posts": "0", "prerequisites": ["other-course"], "certificate_mode": "manual"})
    assert response.status_code == 302
    db.session.expire_all()
    assert course.completion_rules == {"lessons": "all", "quizzes": [], "forum_posts": 0}
    assert course.prerequisite_slugs == [other.slug] and course.certificate_mode == "manual"
    assert enrolment_of(learner, course).completed_at is not None
    assert certificates(learner) == []  # manual mode: no automatic certificate


def test_rules_page_keeps_input_on_error(app, make_user, client, auth):
    course = make_course(lessons=1)
    auth.login(make_user("admin"))
    response = client.post(f"/progress/{course.slug}/rules", data={
        "lessons": "all", "forum_posts": "-4", "certificate_mode": "auto"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "from 0 to 100" in page and 'value="-4"' in page


@pytest.mark.parametrize("role, status", [("learner", 403), ("moderator", 403), ("trainer", 200), ("admin", 200)])
def test_rules_page_permissions(app, make_user, client, auth, role, status):
    course = make_course(lessons=1)
    user = make_user(role)
    if role == "trainer":
        name_trainer(course, user)
    auth.login(user)
    assert client.get(f"/progress/{course.slug}/rules").status_code == status


def test_rules_page_for_a_course_someone_else_trains(app, make_user, client, auth):
    from hub.courses.models import CourseTrainer
    course = make_course(lessons=1)
    owner = make_user("trainer")
    db.session.add(CourseTrainer(course_id=course.id, user_id=owner.id))
    db.session.commit()
    auth.login(make_user("trainer"))
    assert client.get(f"/progress/{course.slug}/rules").status_code == 403
    assert client.post(f"/progress/{course.slug}/rules", data={"lessons": "none"}).status_code == 403
