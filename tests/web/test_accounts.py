"""Registration, login/logout, sessions, password reset, profile, deletion."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from hub.accounts import services
from hub.accounts.models import User, UserSession
from hub.extensions import db
from hub.mail import OutboxMessage
from tests.conftest import TEST_PASSWORD

GOOD = {
    "display_name": "Ana García",
    "email": "Ana.Garcia@Example.org",
    "password": TEST_PASSWORD,
    "confirm": TEST_PASSWORD,
    "country": "ES",
    "organisation": "Solidaridad Sin Fronteras",
    "profession": "job_coach",
    "language": "es",
}


def register(client, **changes):
    data = dict(GOOD, **changes)
    return client.post("/register", data={k: v for k, v in data.items() if v is not None})


def test_register_creates_account_and_logs_in(client):
    response = register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ana.garcia@example.org"))
    assert user is not None and user.role == "learner" and user.country == "ES" and user.language == "es"
    assert user.password_hash != TEST_PASSWORD
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("changes, message", [
    ({"email": "ANA.garcia@example.ORG"}, b"already exists"),
    ({"email": "not-an-email"}, b"valid email"),
    ({"password": "short", "confirm": "short"}, b"at least 10 characters"),
    ({"password": "password123", "confirm": "password123"}, b"too common"),
    ({"password": "qwertyuiop", "confirm": "qwertyuiop"}, b"too common"),
    ({"confirm": "something else entirely"}, b"do not match"),
    ({"display_name": ""}, b"This field is required"),
    ({"organisation": ""}, b"This field is required"),
    ({"country": ""}, b"Choose your country"),
    ({"profession": "astronaut"}, b"Not a valid choice"),
])
def test_registration_errors_keep_input(client, make_user, changes, message):
    make_user(email="ana.garcia@example.org")
    response = register(client, **changes)
    assert response.status_code == 200
    assert message in response.data
    # what was typed is still there (except passwords)
    if changes.get("organisation") != "":
        assert b"Solidaridad Sin Fronteras" in response.data
    assert TEST_PASSWORD.encode() not in response.data


def test_login_and_logout(client, make_user, auth):
    user = make_user()
    assert auth.login(user, "wrong password").status_code == 200
    response = auth.login(user)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    auth.logout()
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_email_is_case_insensitive(client, make_user, auth):
    make_user(email="mixed@example.org")
    assert auth.login("MIXED@Example.org").status_code == 302


def test_logout_ends_the_session_even_for_a_replayed_cookie(app, client, make_user, auth):
    user = make_user()
    auth.login(user)
    with client.session_transaction() as sess:
        stolen = dict(sess)
    auth.logout()
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None
    with client.session_transaction() as sess:
        sess.update(stolen)  # an old copy of the cookie comes back
    assert client.get("/account").status_code == 302


def test_login_rotates_the_session(client, make_user, auth):
    user = make_user()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        sess["lang"] = "da"
    auth.login(user)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["lang"] == "da"


def test_remember_me_sets_a_lasting_cookie(client, make_user, auth):
    user = make_user()
    response = auth.login(user, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]
    plain = auth.client.application.test_client()
    assert "remember_token=" not in " ".join(
        plain.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).headers.getlist("Set-Cookie"))


def test_remember_cookie_alone_logs_in_until_logout(app, client, make_user, auth):
    user = make_user()
    response = auth.login(user, remember=True)
    token = re.search(r"remember_token=([^;]+)", " ".join(response.headers.getlist("Set-Cookie"))).group(1)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", token, domain="hub.test")
    assert fresh.get("/account").status_code == 200
    auth.logout()
    again = app.test_client()
    again.set_cookie("remember_token", token, domain="hub.test")
    assert again.get("/account").status_code == 302


def test_change_password_ends_other_sessions(app, client, make_user, auth):
    user = make_user()
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert other.get("/account").status_code == 200
    auth.login(user)
    new = "violet ocean compass lantern"
    response = client.post("/account/password", data={"current": TEST_PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this device stays logged in
    assert other.get("/account").status_code == 302  # the other device is out
    assert services.authenticate(user.email, new) is not None


def test_change_password_wrong_current(client, login):
    login()
    new = "violet ocean compass lantern"
    response = client.post("/account/password", data={"current": "nope", "password": new, "confirm": new})
    assert b"current password is not correct" in response.data


def _reset_link(app) -> str:
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://hub\.test(/reset/\S+)", message.body).group(1)


def test_password_reset_works_once(app, client, make_user):
    user = make_user()
    response = client.post("/reset", data={"email": user.email.upper()})
    assert response.status_code == 302
    link = _reset_link(app)
    new = "violet ocean compass lantern"
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert services.authenticate(user.email, new) is not None
    # the same link again: refused
    response = client.get(link, follow_redirects=True)
    assert b"already been used" in response.data
    response = client.post(link, data={"password": "another long passphrase here", "confirm": "another long passphrase here"},
                           follow_redirects=True)
    assert b"already been used" in response.data
    assert services.authenticate(user.email, new) is not None


def test_password_reset_expires(app, client, make_user):
    user = make_user()
    client.post("/reset", data={"email": user.email})
    link = _reset_link(app)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(link, follow_redirects=True)
    assert b"expired" in response.data


def test_password_reset_tampered_token(client):
    response = client.get("/reset/not-a-token", follow_redirects=True)
    assert b"not valid" in response.data


def test_password_reset_does_not_reveal_accounts(client):
    response = client.post("/reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert b"If an account exists" in response.data
    assert db.session.scalar(select(OutboxMessage)) is None


def test_profile_edit(client, login):
    user = login()
    response = client.post("/account", data={"display_name": "Jonas B.", "country": "DK", "organisation": "Jobcenter Aarhus",
                                             "profession": "public_employment_service", "language": "da", "bio": "Hej"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.display_name == "Jonas B." and user.language == "da"


def test_delete_account_anonymises_and_logs_out(client, login):
    user = login(display_name="Karin Holm")
    response = client.post("/account/delete", data={"password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.is_deleted and user.public_name == "Deleted member" and "Karin" not in user.email
    assert client.get("/account").status_code == 302


def test_delete_account_needs_password(client, login):
    login()
    response = client.post("/account/delete", data={"password": "wrong", "confirm": "y"})
    assert b"password is not correct" in response.data


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "////evil.example", "https:evil.example",
                                    "https://evil.example/", "/\\evil", "javascript:alert(1)", "/\t/evil.example",
                                    "/\n/evil.example", "\\\\evil.example"])
def test_login_never_redirects_off_site(client, make_user, auth, target):
    user = make_user()
    response = client.post("/login?next=" + quote(target, safe=""), data={"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/"


def test_login_follows_local_next(client, make_user):
    user = make_user()
    response = client.post("/login?next=/account", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/account"


def test_language_switch(client):
    response = client.post("/language", data={"lang": "da", "next": "/"})
    assert response.status_code == 302
    assert 'lang="da"' in client.get("/").get_data(as_text=True)
