"""Per-account lockout after repeated failed logins (Moodle's lockout threshold)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.accounts.models import User
from hub.database import utcnow
from hub.extensions import db
from hub.mail import OutboxMessage
from tests.conftest import TEST_PASSWORD

WRONG = "not the right password"


@pytest.fixture
def app(make_app):
    app = make_app(LOGIN_LOCKOUT_THRESHOLD=3, LOGIN_LOCKOUT_WINDOW=600, LOGIN_LOCKOUT_DURATION=900)
    with app.app_context():
        yield app


def _login(client, email, password):
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=True)


def _unlock_path(user) -> str:
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)
                                 .order_by(OutboxMessage.id.desc())).first()
    assert message is not None, "no lockout mail was queued"
    return re.search(r"http://hub\.test(/unlock/\S+)", message.body).group(1)


def test_wrong_passwords_lock_the_account_and_mail_the_owner(client, make_user):
    user = make_user()
    for _ in range(2):
        assert b"Email or password is not correct" in _login(client, user.email, WRONG).data
    page = _login(client, user.email, WRONG).get_data(as_text=True)
    assert "locked for 15 more minutes" in page
    db.session.refresh(user)
    assert user.is_locked(utcnow())
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).one()
    assert "locked" in mail.subject and "for 15 minutes" in mail.body
    # the right password is refused while locked, and says why
    page = _login(client, user.email, TEST_PASSWORD).get_data(as_text=True)
    assert "locked for" in page and "You are logged in" not in page


def test_unlock_link_shows_a_button_then_unlocks_once(client, make_user):
    user = make_user()
    for _ in range(3):
        _login(client, user.email, WRONG)
    path = _unlock_path(user)
    assert client.get(path).status_code == 200  # opening the link changes nothing
    db.session.refresh(user)
    assert user.is_locked(utcnow())
    response = client.post(path, follow_redirects=True)
    assert b"Your account is unlocked" in response.data
    assert b"You are logged in" in _login(client, user.email, TEST_PASSWORD).data
    client.post("/logout")
    assert b"already been used" in client.post(path, follow_redirects=True).data


def test_tampered_unlock_link_is_refused(client):
    response = client.get("/unlock/not-a-token", follow_redirects=True)
    assert response.status_code == 200 and b"not valid" in response.data


def test_password_reset_unlocks(app, client, make_user):
    user = make_user()
    for _ in range(3):
        _login(client, user.email, WRONG)
    client.post("/reset", data={"email": user.email})
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    link = re.search(r"http://hub\.test(/reset/\S+)", message.body).group(1)
    new = "violet ocean compass lantern"
    client.post(link, data={"password": new, "confirm": new})
    assert b"You are logged in" in _login(client, user.email, new).data


def test_failures_outside_the_window_start_a_new_count(client, make_user):
    user = make_user()
    for _ in range(2):
        _login(client, user.email, WRONG)
    user.last_failed_login_at = utcnow() - timedelta(seconds=601)
    db.session.commit()
    for _ in range(2):
        assert b"not correct" in _login(client, user.email, WRONG).data
    db.session.refresh(user)
    assert user.locked_until is None and user.failed_logins == 2


def test_lock_ends_by_itself(client, make_user):
    user = make_user()
    for _ in range(3):
        _login(client, user.email, WRONG)
    user = db.session.get(User, user.id)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert b"You are logged in" in _login(client, user.email, TEST_PASSWORD).data
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_successful_login_resets_the_count(client, make_user):
    user = make_user()
    for _ in range(2):
        _login(client, user.email, WRONG)
    _login(client, user.email, TEST_PASSWORD)
    client.post("/logout")
    for _ in range(2):
        assert b"not correct" in _login(client, user.email, WRONG).data


def test_administrator_unlocks_from_the_user_list(client, make_user, auth):
    user = make_user(display_name="Locked Person")
    for _ in range(3):
        _login(client, user.email, WRONG)
    admin = make_user("admin")
    auth.login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Locked after failed logins" in page
    response = client.post(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    assert b"Locked Person can log in again" in response.data
    db.session.refresh(user)
    assert not user.is_locked(utcnow())


def test_lockout_can_be_turned_off(make_app, make_user):
    app = make_app(LOGIN_LOCKOUT_THRESHOLD=0)
    client = app.test_client()
    with app.app_context():
        user = make_user()
        for _ in range(5):
            _login(client, user.email, WRONG)
        assert b"You are logged in" in _login(client, user.email, TEST_PASSWORD).data


def test_unknown_email_is_not_counted_or_locked(client):
    for _ in range(4):
        page = _login(client, "nobody@example.org", WRONG).get_data(as_text=True)
        assert "Email or password is not correct" in page
    assert db.session.scalar(select(OutboxMessage.id)) is None
