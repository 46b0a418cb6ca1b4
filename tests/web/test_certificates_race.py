"""Completion events racing for one learner and course end with exactly one
certificate: the database constraint refuses the second, the service catches it."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from hub.accounts.models import User
from hub.certificates import services
from hub.certificates.models import Certificate
from hub.courses.models import Course, Enrolment
from hub.extensions import db
from tests.progress_factories import enrol, make_course

THREADS = 4


def run_together(target, count: int = THREADS) -> list:
    """Start ``count`` threads that call ``target(i)`` at the same moment; return
    what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i):
        barrier.wait()
        try:
            results[i] = target(i)
        except Exception as error:  # reported to the test, not swallowed
            results[i] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def live_count(user_id: int, course_id: int) -> int:
    db.session.commit()  # end this session's read snapshot: see what the threads committed
    return db.session.scalar(select(func.count(Certificate.id)).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id, Certificate.live.is_(True)))


def test_concurrent_requests_completing_the_course_issue_one_certificate(app, make_user, auth):
    from tests.conftest import Auth

    course = make_course("race", lessons=2)
    user = make_user()
    enrol(user, course)
    clients = []
    for _ in range(THREADS):
        client = app.test_client()
        assert Auth(client).login(user).status_code == 302
        clients.append(client)
    lessons = [lesson.slug for lesson in course.lessons]

    def complete(i):
        return clients[i].post(f"/courses/race/lessons/{lessons[i % 2]}/complete").status_code

    assert run_together(complete) == [302] * THREADS
    db.session.commit()  # end this session's read snapshot
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
    assert enrolment.completed_at is not None
    assert live_count(user.id, course.id) == 1
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_concurrent_issuing_past_a_stale_check_is_stopped_by_the_constraint(app, make_user, monkeypatch):
    """Every thread's "is there one already?" check answers no (as it can when the
    other transaction has not committed yet); all of them insert; one wins."""
    course = make_course("race", lessons=1, certificate_mode="manual")
    user = make_user()
    enrol(user, course)
    user_id, course_id = user.id, course.id
    monkeypatch.setattr(services, "live_certificate", lambda *args: None)

    def issue(i):
        with app.app_context():
            learner = db.session.get(User, user_id)
            target = db.session.get(Course, course_id)
            try:
                cert = services.issue(learner, target, note=f"thread {i}")
            except services.CertificateError:
                db.session.commit()
                return "refused"
            db.session.commit()
            return cert.id

    results = run_together(issue)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results, key=str).count("refused") == THREADS - 1
    assert live_count(user_id, course_id) == 1
