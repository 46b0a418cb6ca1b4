"""Certificates: automatic, manual and bulk issuing, revocation and reissue, the
public verification page, downloads and their permissions, Open Badges."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.certificates import services
from hub.certificates.models import Certificate
from hub.database import utcnow
from hub.extensions import db
from tests.progress_factories import complete_all_lessons, enrol, make_course


def certs(user=None, course=None) -> list[Certificate]:
    db.session.expire_all()
    stmt = select(Certificate).order_by(Certificate.id)
    if user is not None:
        stmt = stmt.where(Certificate.user_id == user.id)
    if course is not None:
        stmt = stmt.where(Certificate.course_id == course.id)
    return list(db.session.scalars(stmt))


def completed_learner(make_user, course, **fields):
    user = make_user(**fields)
    enrol(user, course)
    complete_all_lessons(user, course)
    return user


# --- issuing ------------------------------------------------------------------------------

def test_auto_issue_on_completion_records_what_it_states(app, make_user):
    course = make_course("c", title="Working with newcomers", lessons=2, hours=4.5)
    user = completed_learner(make_user, course, display_name="Ana García")
    [cert] = certs(user)
    assert (cert.learner_name, cert.course_title, cert.hours, cert.issuer) == \
        ("Ana García", "Working with newcomers", 4.5, "Inclusion Hub")
    assert cert.issued_by_id is None and cert.live is True and not cert.is_revoked
    assert len(cert.code) == 20 and set(cert.code) <= set(services.CODE_ALPHABET)
    # later edits never change an issued certificate
    user.display_name, course.title = "Ana G. López", "Renamed course"
    db.session.commit()
    assert certs(user)[0].learner_name == "Ana García" and certs(user)[0].course_title == "Working with newcomers"


def test_codes_are_random_and_unguessable():
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 100 bits each: no collisions
    assert services.normalise_code(" abcde-fghjk olI ") == "ABCDEFGHJK011"


@pytest.mark.parametrize("mode", ["manual", "none"])
def test_no_auto_issue_for_manual_or_none(app, make_user, mode):
    course = make_course("c", lessons=1, certificate_mode=mode)
    user = completed_learner(make_user, course)
    assert certs(user) == []


def test_admin_issues_one_certificate_with_a_note(app, make_user, client, auth):
    course = make_course("c", lessons=2, certificate_mode="manual")
    learner = make_user(email="learner@example.org")
    enrol(learner, course)  # not completed: an administrator may still recognise prior learning
    admin = make_user("admin")
    auth.login(admin)
    page = client.get("/progress/c/report").get_data(as_text=True)
    link = "/certificates/issue?course=c&amp;email=learner@example.org"
    assert link in page  # one learner, from their row of the report
    page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="learner@example.org"' in page and '<option selected value="c">' in page
    response = client.post("/certificates/issue", data={"course": "c", "email": "Learner@Example.org",
                                                         "note": "Recognition of prior learning"})
    assert response.status_code == 302
    [cert] = certs(learner)
    assert cert.note == "Recognition of prior learning" and cert.issued_by_id == admin.id
    # a second one is refused with a clear message, the input is kept
    response = client.post("/certificates/issue", data={"course": "c", "email": "learner@example.org", "note": "x"})
    assert response.status_code == 400
    assert "already has a certificate" in response.get_data(as_text=True)
    response = client.post("/certificates/issue", data={"course": "c", "email": "nobody@example.org"})
    assert response.status_code == 400 and "No member has this email address" in response.get_data(as_text=True)
    assert 'value="nobody@example.org"' in response.get_data(as_text=True)


def test_issue_refuses_learner_not_enrolled_and_course_without_certificates(app, make_user):
    course = make_course("c", lessons=1)
    with pytest.raises(services.CertificateError, match="not enrolled"):
        services.issue(make_user(), course)
    none = make_course("n", lessons=1, certificate_mode="none")
    user = make_user()
    enrol(user, none)
    with pytest.raises(services.CertificateError, match="does not award"):
        services.issue(user, none)


def test_bulk_issue_from_the_report(app, make_user, client, auth):
    course = make_course("c", lessons=1, certificate_mode="manual")
    a, b, c = (completed_learner(make_user, course) for _ in range(3))
    services.issue(c, course)  # already has one
    db.session.commit()
    auth.login(make_user("admin"))
    page = client.get("/progress/c/report").get_data(as_text=True)
    assert 'form="bulk-issue"' in page and "Issue to the selected learners" in page
    response = client.post("/certificates/bulk-issue", data={
        "course_id": course.id, "user_ids": [a.id, b.id, c.id], "note": "Cohort spring 2026",
        "next": "/progress/c/report"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "2 certificates issued." in text and "already has a certificate" in text
    notes = {x.user_id: x.note for x in certs(course=course)}
    assert notes == {c.id: "", a.id: "Cohort spring 2026", b.id: "Cohort spring 2026"}


def test_bulk_issue_needs_a_selection_and_an_admin(app, make_user, client, auth):
    course = make_course("c", lessons=1)
    auth.login(make_user("trainer"))
    page = client.get("/progress/c/report").get_data(as_text=True)
    assert "bulk-issue" not in page  # trainers see the report, administrators issue
    assert client.post("/certificates/bulk-issue", data={"course_id": course.id}).status_code == 403
    auth.logout()
    auth.login(make_user("admin"))
    response = client.post("/certificates/bulk-issue", data={"course_id": course.id, "next": "/progress/c/report"},
                           follow_redirects=True)
    assert "Tick at least one learner." in response.get_data(as_text=True)


# --- revoke and reissue ----------------------------------------------------------------------------

def test_revoke_and_reissue(app, make_user, client, auth):
    course = make_course("c", lessons=1)
    user = completed_learner(make_user, course, display_name="Old Name")
    [old] = certs(user)
    admin = make_user("admin")
    auth.login(admin)
    response = client.post(f"/certificates/{old.id}/revoke", data={"reason": ""})
    assert response.status_code == 400
    response = client.post(f"/certificates/{old.id}/revoke", data={"reason": "Issued by mistake"})
    assert response.status_code == 302
    [old] = certs(user)
    assert old.is_revoked and old.live is None and old.revoked_reason == "Issued by mistake"
    assert old.revoked_by_id == admin.id
    # the revoked certificate does not block a new one
    user.display_name = "New Name"
    db.session.commit()
    response = client.post(f"/certificates/{old.id}/reissue", data={"note": "Name corrected"})
    assert response.status_code == 302
    old, new = certs(user)
    assert old.replaced_by_id == new.id and new.code != old.code
    assert new.learner_name == "New Name" and new.note == "Name corrected" and not new.is_revoked
    assert client.post(f"/certificates/{old.id}/reissue", data={}).status_code == 400  # already replaced


def test_reissue_of_a_live_certificate_revokes_it(app, make_user):
    course = make_course("c", lessons=1)
    user = completed_learner(make_user, course)
    [cert] = certs(user)
    new = services.reissue(cert, by=None)
    db.session.commit()
    old, new = certs(user)
    assert old.is_revoked and old.replaced_by_id == new.id and new.live


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_revoke_and_issue_are_for_administrators(app, make_user, client, auth, role):
    course = make_course("c", lessons=1)
    user = completed_learner(make_user, course)
    [cert] = certs(user)
    auth.login(make_user(role))
    assert client.post(f"/certificates/{cert.id}/revoke", data={"reason": "x"}).status_code == 403
    assert client.post(f"/certificates/{cert.id}/reissue").status_code == 403
    assert client.get("/certificates/manage").status_code == 403
    assert client.get("/certificates/issue").status_code == 403
    assert not certs(user)[0].is_revoked


def test_manage_list_filters(app, make_user, client, auth):
    course = make_course("c", lessons=1)
    a = completed_learner(make_user, course, display_name="Anna Berg")
    completed_learner(make_user, course, display_name="Zoe Kim")
    services.revoke(certs(a)[0], by=None, reason="test")
    db.session.commit()
    auth.login(make_user("admin"))
    page = client.get("/certificates/manage?state=revoked").get_data(as_text=True)
    assert "Anna Berg" in page and "Zoe Kim" not in page
    code = certs(a)[0].display_code
    page = client.get(f"/certificates/manage?q={code.lower()}").get_data(as_text=True)
    assert "Anna Berg" in page and "Zoe Kim" not in page


# --- verification page (public) ----------------------------------------------------------------

def test_verification_page_valid(app, make_user, client):
    course = make_course("c", title="Working with newcomers", lessons=1, hours=3)
    user = completed_learner(make_user, course, display_name="Søren Ærø", email="soren@example.org")
    [cert] = certs(user)
    response = client.get(f"/verify/{cert.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Valid" in page and "Søren Ærø" in page and "Working with newcomers" in page
    assert cert.display_code in page and "Inclusion Hub" in page
    assert "soren@example.org" not in page  # only what the certificate itself shows


def test_verification_page_revoked(app, make_user, client):
    course = make_course("c", lessons=1)
    user = completed_learner(make_user, course)
    [cert] = certs(user)
    services.revoke(cert, by=None, reason="Completion was recorded in error")
    db.session.commit()
    response = client.get(f"/verify/{cert.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Revoked" in page and "Completion was recorded in error" in page
    assert "This certificate was revoked on" in page and "is valid" not in page


def test_verification_page_unknown(app, client):
    response = client.get("/verify/ABCDEFGHJKMNPQRSTVWX")
    assert response.status_code == 404
    assert "Unknown" in response.get_data(as_text=True)
    response = client.get("/verify/<script>alert(1)</script>")
    assert response.status_code == 404 and "<script>alert" not in response.get_data(as_text=True)


def test_verification_by_typed_code(app, make_user, client):
    course = make_course("c", lessons=1)
    user = completed_learner(make_user, course)
    [cert] = certs(user)
    assert client.get("/verify").status_code == 200
    typed = cert.display_code.lower().replace("-", " ")
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{cert.code}")
    response = client.get(f"/verify/{cert.display_code.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{cert.code}")
    response = client.get("/verify", query_string={"code": ""})
    assert response.status_code == 400 and "Enter the code" in response.get_data(as_text=True)


# --- downloads ---------------------------------------------------------------------------------

def test_learner_lists_and_downloads_own_certificates_only(app, make_user, client, auth):
    course = make_course("c", lessons=1)
    owner = completed_learner(make_user, course)
    [cert] = certs(owner)
    auth.login(owner)
    page = client.get("/certificates/").get_data(as_text=True)
    assert cert.display_code in page and f"/certificates/{cert.id}/certificate.pdf" in page
    response = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    auth.logout()
    auth.login(make_user())
    assert client.get(f"/certificates/{cert.id}/certificate.pdf").status_code == 403
    assert client.get("/certificates/999/certificate.pdf").status_code == 404
    auth.logout()
    assert client.get(f"/certificates/{cert.id}/certificate.pdf").status_code == 302  # to login


def test_revoked_certificate_is_not_downloadable_by_the_learner(app, make_user, client, auth):
    course = make_course("c", lessons=1)
    owner = completed_learner(make_user, course)
    [cert] = certs(owner)
    services.revoke(cert, by=None, reason="x")
    db.session.commit()
    auth.login(owner)
    assert client.get(f"/certificates/{cert.id}/certificate.pdf").status_code == 403
    assert "Revoked" in client.get("/certificates/").get_data(as_text=True)
    auth.logout()
    auth.login(make_user("admin"))
    assert client.get(f"/certificates/{cert.id}/certificate.pdf").status_code == 200


# --- the database constraint -------------------------------------------------------------------

def _row(user, course, **extra) -> Certificate:
    values = dict(code=services.new_code(), user_id=user.id, course_id=course.id, live=True, learner_name="x",
                  course_title="y", hours=1, issuer="z", recipient_salt="s", recipient_hash="h")
    values.update(extra)
    return Certificate(**values)


def test_one_live_certificate_per_learner_and_course_is_a_database_constraint(app, make_user):
    course = make_course("c", lessons=1)
    user = make_user()
    db.session.add(_row(user, course))
    db.session.commit()
    db.session.add(_row(user, course))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # revoked ones do not count
    db.session.add(_row(user, course, live=None, revoked_at=utcnow(), revoked_reason="r"))
    db.session.add(_row(user, course, live=None, revoked_at=utcnow(), revoked_reason="r"))
    db.session.commit()
    assert len(certs(user)) == 3


def test_live_flag_must_match_revocation(app, make_user):
    course = make_course("c", lessons=1)
    user = make_user()
    db.session.add(_row(user, course, live=None))  # not revoked but not live
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_issue_turns_a_lost_race_into_already_issued(app, make_user, monkeypatch):
    """The check before inserting can miss a row another request is committing; the
    constraint then refuses the insert and the service reports 'already issued'
    without spoiling the request's transaction."""
    course = make_course("c", lessons=1, certificate_mode="manual")
    user = make_user()
    enrol(user, course)
    first = services.issue(user, course)
    db.session.commit()
    monkeypatch.setattr(services, "live_certificate", lambda *args: None)  # the stale check
    with pytest.raises(services.CertificateError, match="already has a certificate"):
        services.issue(user, course)
    assert services.issue_if_missing(user, course) is None
    db.session.commit()  # the transaction is still usable
    assert [c.id for c in certs(user)] == [first.id]
