"""Self-enrolment: open, key, window, capacity, closed, checks from other features;
each refusal with its message. Unenrolling keeps history."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hub import signals
from hub.courses import hooks
from hub.courses.models import Enrolment, LessonProgress
from hub.database import utcnow
from hub.extensions import db
from tests.course_helpers import import_folder, write_course


def make(tmp_path, **enrolment):
    return import_folder(write_course(tmp_path, "demo", meta={"enrolment": enrolment} if enrolment else None))


def enrolment_of(user, course):
    db.session.expire_all()
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))


def enrol(client, data=None):
    return client.post("/courses/demo/enrol", data=data or {}, follow_redirects=True)


def test_anonymous_is_sent_to_log_in(client, app, tmp_path):
    make(tmp_path)
    page = client.get("/courses/demo").get_data(as_text=True)
    assert "Log in to enrol" in page
    response = client.post("/courses/demo/enrol")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_open_enrolment_sends_signal(client, login, tmp_path):
    course = make(tmp_path)
    learner = login()
    received = []
    with signals.enrolled.connected_to(
            lambda sender, **kw: received.append((kw["user"].id, kw["enrolment"].id, kw["enrolment"].status))):
        response = enrol(client)
    assert "You are enrolled in" in response.get_data(as_text=True)
    row = enrolment_of(learner, course)
    assert row.status == "active"
    assert received == [(learner.id, row.id, "active")]
    page = client.get("/courses/demo").get_data(as_text=True)
    assert "You enrolled on" in page and "Start the course" in page and "Leave this course" in page
    # enrolling twice is harmless and does not signal again
    with signals.enrolled.connected_to(lambda sender, **kw: received.append(kw["user"].id)):
        enrol(client)
    assert len(received) == 1


def test_key_required_wrong_and_right(client, login, tmp_path):
    course = make(tmp_path, mode="key", key="Open-Sesame")
    learner = login()
    page = client.get("/courses/demo").get_data(as_text=True)
    assert 'name="key"' in page and "Your trainer gives you the key." in page
    assert "This course needs an enrolment key" in enrol(client).get_data(as_text=True)
    assert "That enrolment key is not correct" in enrol(client, {"key": "open-sesame"}).get_data(as_text=True)
    assert enrolment_of(learner, course) is None
    assert "You are enrolled" in enrol(client, {"key": " Open-Sesame "}).get_data(as_text=True)
    assert enrolment_of(learner, course).status == "active"


def test_window_not_open_yet(client, login, tmp_path):
    opens = date.today() + timedelta(days=10)
    course = make(tmp_path, opens=opens.isoformat())
    learner = login()
    page = client.get("/courses/demo").get_data(as_text=True)
    assert "Enrolment opens on" in page and "Enrol in this course" not in page
    assert "Enrolment opens on" in enrol(client).get_data(as_text=True)
    assert enrolment_of(learner, course) is None


def test_window_closed(client, login, tmp_path):
    course = make(tmp_path, opens="2020-01-01", closes="2020-06-30")
    learner = login()
    response = enrol(client)
    assert "Enrolment closed on" in response.get_data(as_text=True) and "2020" in response.get_data(as_text=True)
    assert enrolment_of(learner, course) is None


def test_window_open_today(client, login, tmp_path):
    today = utcnow().date().isoformat()
    course = make(tmp_path, opens=today, closes=today)
    learner = login()
    enrol(client)
    assert enrolment_of(learner, course).status == "active"


def test_capacity(client, auth, login, make_user, tmp_path):
    course = make(tmp_path, capacity=2)
    first = make_user()
    db.session.add(Enrolment(user_id=first.id, course_id=course.id))
    left = make_user()
    db.session.add(Enrolment(user_id=left.id, course_id=course.id, status="unenrolled"))  # does not count
    db.session.commit()
    second = login()
    assert "1 place left" in client.get("/courses/demo").get_data(as_text=True)
    enrol(client)
    assert enrolment_of(second, course).status == "active"
    auth.logout()
    third = login()
    page = client.get("/courses/demo").get_data(as_text=True)
    assert "This course is full: all 2 places are taken." in page and "Enrol in this course" not in page
    assert "This course is full" in enrol(client).get_data(as_text=True)
    assert enrolment_of(third, course) is None


def test_closed_enrolment(client, login, tmp_path):
    course = make(tmp_path, mode="closed")
    learner = login()
    assert "Self-enrolment is closed for this course" in enrol(client).get_data(as_text=True)
    assert enrolment_of(learner, course) is None


def test_enrolment_checks_from_other_features(client, login, tmp_path, monkeypatch):
    course = make(tmp_path)
    learner = login()
    seen = []

    def prerequisite(user, checked):
        seen.append((user.id, checked.slug))
        return "Complete “Introduction” before you enrol in this course."

    monkeypatch.setattr(hooks, "enrolment_checks", hooks.enrolment_checks + [prerequisite])
    assert "Complete “Introduction” before you enrol" in client.get("/courses/demo").get_data(as_text=True)
    assert "Complete “Introduction” before you enrol" in enrol(client).get_data(as_text=True)
    assert enrolment_of(learner, course) is None and (learner.id, "demo") in seen
    monkeypatch.setattr(hooks, "enrolment_checks", [lambda user, c: None])
    enrol(client)
    assert enrolment_of(learner, course).status == "active"


def test_unenrol_keeps_history_and_reenrol_restores_it(client, login, tmp_path):
    course = make(tmp_path)
    learner = login()
    enrol(client)
    first = course.lessons[0]
    client.get(f"/courses/demo/lessons/{first.slug}")
    client.post(f"/courses/demo/lessons/{first.slug}/complete")
    row = enrolment_of(learner, course)
    row_id = row.id

    response = client.post("/courses/demo/unenrol", follow_redirects=True)
    assert "Your progress is kept" in response.get_data(as_text=True)
    row = enrolment_of(learner, course)
    assert row.status == "unenrolled" and row.unenrolled_at is not None
    progress = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == learner.id)).all()
    assert len(progress) == 1 and progress[0].completed_at is not None
    page = client.get("/courses/demo").get_data(as_text=True)
    assert "You left this course on" in page

    received = []
    with signals.enrolled.connected_to(lambda sender, **kw: received.append(kw)):
        enrol(client)
    row = enrolment_of(learner, course)
    assert row.id == row_id and row.status == "active" and row.unenrolled_at is None
    assert len(received) == 1
    assert "Done" in client.get("/courses/demo").get_data(as_text=True)


def test_unenrol_requires_post_and_login(client, app, tmp_path):
    make(tmp_path)
    assert client.get("/courses/demo/unenrol").status_code == 405
    response = client.post("/courses/demo/unenrol")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_cannot_enrol_in_unpublished_course(client, login, tmp_path):
    import_folder(write_course(tmp_path, "demo", meta={"published": False}))
    login()
    assert client.post("/courses/demo/enrol").status_code == 404


@pytest.mark.parametrize("field", ["opens", "closes"])
def test_window_dates_are_shown(client, login, tmp_path, field):
    day = date.today() + timedelta(days=30)
    make(tmp_path, **{field: day.isoformat()})
    login()
    page = client.get("/courses/demo").get_data(as_text=True)
    assert ("Enrolment opens on" if field == "opens" else "Enrolment closes on") in page


def test_trainer_enrols_members_in_a_closed_course_and_unenrols_them(app, client, make_user):
    from hub.courses.models import ENROLMENT_ACTIVE, Enrolment
    from hub.mail import OutboxMessage
    from tests.factories import make_course, name_trainer
    from tests.web.forum_helpers import login_as

    course = make_course("closed-course", title="Closed course")
    course.enrolment_mode = "closed"
    db.session.commit()
    trainer = make_user("trainer", display_name="Tina Trainer")
    name_trainer(course, trainer)
    ana = make_user(display_name="Ana", email="ana@example.org", language="es")
    bo = make_user(display_name="Bo", email="bo@example.org")
    outsider = make_user("trainer")
    login_as(client, ana)
    client.post("/courses/closed-course/enrol")
    assert db.session.scalar(db.select(Enrolment.id).where(Enrolment.user_id == ana.id)) is None  # no way in alone
    login_as(client, outsider)  # a trainer of other courses
    assert client.get("/courses/closed-course/participants").status_code == 403
    login_as(client, trainer)
    response = client.post("/courses/closed-course/participants", follow_redirects=True,
                           data={"addresses": "ANA@example.org, bo@example.org\nnobody@example.org; bo@example.org"})
    page = response.get_data(as_text=True)
    assert "2 members enrolled and told by mail." in page and "nobody@example.org" in page
    active = set(db.session.scalars(db.select(Enrolment.user_id).where(
        Enrolment.course_id == course.id, Enrolment.status == ENROLMENT_ACTIVE)))
    assert active == {ana.id, bo.id}
    mails = {m.recipient: m for m in db.session.scalars(db.select(OutboxMessage))}
    assert "Tina Trainer" in mails["ana@example.org"].body and "Closed course" in mails["ana@example.org"].subject
    assert "/courses/closed-course" in mails["bo@example.org"].body
    again = client.post("/courses/closed-course/participants", data={"addresses": "bo@example.org"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Already enrolled: Bo." in again
    assert client.post(f"/courses/closed-course/participants/{bo.id}/unenrol").status_code == 302
    assert "no longer enrolled" in db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.recipient == "bo@example.org").order_by(OutboxMessage.id.desc())).first().subject
    assert client.post(f"/courses/closed-course/participants/{bo.id}/unenrol").status_code == 404
    login_as(client, ana)
    assert client.get("/courses/closed-course").status_code == 200
