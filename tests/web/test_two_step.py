"""Two-step verification: turning it on with an authenticator app, logging in with a
code or a recovery code, replayed and guessed codes, turning it off, and the roles
that must use it."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from hub.accounts import twofactor
from hub.accounts.models import User
from hub.extensions import db
from hub.mail import OutboxMessage
from tests.conftest import TEST_PASSWORD


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What the member's authenticator app shows (``steps_ahead`` 30-second steps on)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def turn_on(client) -> tuple[str, list[str]]:
    """Through the settings page, as a member does; the key and the recovery codes."""
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "<svg" in page  # the QR code
    secret = re.search(r'<code class="setup-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    response = client.post("/account/two-step/enable", data={"code": app_code(secret), "password": TEST_PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def log_in_with_password(client, user, **extra):
    return client.post("/login" + extra.pop("query", ""), data={"email": user.email, "password": TEST_PASSWORD,
                                                                  **extra})


def test_turning_it_on_needs_the_apps_code_and_the_password(client, login):
    user = login()
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = re.search(r'<code class="setup-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    wrong = client.post("/account/two-step/enable", data={"code": "000000", "password": TEST_PASSWORD})
    assert wrong.status_code == 400 and "That code does not match" in wrong.get_data(as_text=True)
    bad_password = client.post("/account/two-step/enable", data={"code": app_code(secret), "password": "nope nope"})
    assert bad_password.status_code == 400 and "Your password is not correct" in bad_password.get_data(as_text=True)
    assert db.session.get(User, user.id).totp_secret is None
    # the same key stays on offer between attempts, so the app's entry keeps working
    assert twofactor.grouped(secret) in client.get("/account/two-step").get_data(as_text=True)
    client.post("/account/two-step/enable", data={"code": app_code(secret), "password": TEST_PASSWORD})
    assert db.session.get(User, user.id).totp_secret == secret
    assert "On" in client.get("/account").get_data(as_text=True)


def test_login_takes_a_code_after_the_password_and_keeps_where_it_was_going(client, login, auth):
    user = login()
    secret, _codes = turn_on(client)
    auth.logout()
    response = log_in_with_password(client, user, query="?next=/forum/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert client.get("/account").status_code == 302  # not logged in after the password alone
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.get_data(as_text=True)
    right = client.post("/login/code", data={"code": app_code(secret, 1)})
    assert right.status_code == 302 and right.headers["Location"].endswith("/forum/")
    assert client.get("/account").status_code == 200


def test_a_used_code_does_not_work_twice(app, client, login, auth):
    user = login()
    secret, _codes = turn_on(client)
    code = app_code(secret, 1)
    auth.logout()
    log_in_with_password(client, user)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    other = app.test_client()  # someone who saw the code over the member's shoulder
    log_in_with_password(other, user)
    replay = other.post("/login/code", data={"code": code})
    assert replay.status_code == 200 and "used already" in replay.get_data(as_text=True)


def test_a_recovery_code_logs_in_once(app, client, login, auth):
    user = login()
    _secret, codes = turn_on(client)
    auth.logout()
    log_in_with_password(client, user)
    assert client.post("/login/code", data={"code": codes[3].upper().replace("-", " ")}).status_code == 302
    assert "9 recovery codes left" in client.get("/account/two-step").get_data(as_text=True)
    again = app.test_client()
    log_in_with_password(again, user)
    assert again.post("/login/code", data={"code": codes[3]}).status_code == 200


def test_guessing_codes_locks_the_account_even_across_fresh_passwords(app, client, login, auth):
    """A right password does not reset the count of wrong codes, so an attacker with
    the password gets ten guesses in all, not ten per login."""
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 4
    user = login()
    secret, _codes = turn_on(client)
    auth.logout()
    for _ in range(2):
        log_in_with_password(client, user)
        client.post("/login/code", data={"code": "111111"})
        client.post("/login/code", data={"code": "222222"})
    assert db.session.get(User, user.id).locked_until is not None
    log_in_with_password(client, user)
    page = client.post("/login/code", data={"code": app_code(secret, 1)}, follow_redirects=True)
    assert "This account is locked" in page.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_the_code_step_expires(app, client, login, auth, monkeypatch):
    user = login()
    secret, _codes = turn_on(client)
    auth.logout()
    log_in_with_password(client, user)
    later = time.time() + 6 * 60
    monkeypatch.setattr("hub.accounts.two_step_views.time.time", lambda: later)
    response = client.post("/login/code", data={"code": app_code(secret, 1)}, follow_redirects=True)
    assert "within five minutes" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_remember_me_survives_the_code_step(client, login, auth):
    user = login()
    secret, _codes = turn_on(client)
    auth.logout()
    log_in_with_password(client, user, remember="y")
    response = client.post("/login/code", data={"code": app_code(secret, 1)})
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_new_recovery_codes_replace_the_old(client, login, auth):
    user = login()
    _secret, old = turn_on(client)
    response = client.post("/account/two-step/recovery-codes", data={"password": TEST_PASSWORD})
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    auth.logout()
    log_in_with_password(client, user)
    assert client.post("/login/code", data={"code": old[0]}).status_code == 200
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


def test_turning_it_off_needs_a_code_and_mails_the_member(client, login):
    user = login()
    secret, _codes = turn_on(client)
    refused = client.post("/account/two-step/disable", data={"code": "999999", "password": TEST_PASSWORD})
    assert refused.status_code == 400 and db.session.get(User, user.id).totp_secret == secret
    response = client.post("/account/two-step/disable", data={"code": app_code(secret, 1), "password": TEST_PASSWORD})
    assert response.status_code == 302 and db.session.get(User, user.id).totp_secret is None
    subjects = db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == user.email)).all()
    assert "Two-step verification is off for your Inclusion Hub account" in subjects


def test_a_required_role_must_turn_it_on_first_and_cannot_turn_it_off(app, client, login):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("admin",)
    login("admin")
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step")
    assert client.post("/forum/f/general/new", data={"title": "x"}).status_code == 302
    assert "Your role needs two-step verification" in client.get("/account/two-step").get_data(as_text=True)
    secret, _codes = turn_on(client)
    assert client.get("/admin/users").status_code == 200
    client.post("/account/two-step/disable", data={"code": app_code(secret, 1), "password": TEST_PASSWORD})
    assert client.get("/admin/users").status_code == 200  # still on


def test_a_learner_is_not_asked_when_only_administrators_must(app, client, login):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("admin",)
    login()
    assert client.get("/account").status_code == 200


def test_an_administrator_turns_it_off_for_a_member_who_lost_everything(app, client, login, make_user, auth):
    member_client = app.test_client()
    member = make_user(email="lost.phone@example.org")
    member_client.post("/login", data={"email": member.email, "password": TEST_PASSWORD})
    turn_on(member_client)
    login("admin")
    page = client.get("/admin/users?q=lost.phone").get_data(as_text=True)
    assert "Two-step verification on" in page
    assert client.post(f"/admin/users/{member.id}/two-step/off").status_code == 302
    assert db.session.get(User, member.id).totp_secret is None
    fresh = app.test_client()
    assert log_in_with_password(fresh, member).headers["Location"].endswith("/")


def test_an_administrator_confirms_an_address_whose_mail_never_came(client, login, make_user):
    member = make_user(email_confirmed_at=None)
    login("admin")
    assert "Email not confirmed" in client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{member.id}/confirm-email")
    assert db.session.get(User, member.id).email_confirmed_at is not None


@pytest.mark.parametrize("path", ["/account/two-step/enable", "/account/two-step/recovery-codes",
                                  "/account/two-step/disable"])
def test_the_settings_need_a_login(client, path):
    response = client.post(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
