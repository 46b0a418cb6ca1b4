"""Registration, login/logout, sessions, password reset, profile, deletion."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

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


def mails_to(address: str) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                              .order_by(OutboxMessage.id)).all()


def link_in(message: OutboxMessage, prefix: str) -> str:
    return re.search(r"https?://[^/\s]+(" + prefix + r"\S+)", message.body).group(1)


def test_register_opens_an_unconfirmed_account_and_mails_the_link(client):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/check-your-email")
    assert "Check your email" in client.get(response.headers["Location"]).get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "ana.garcia@example.org"))
    assert user is not None and user.role == "learner" and user.country == "ES" and user.language == "es"
    assert user.password_hash != TEST_PASSWORD and user.email_confirmed_at is None
    assert client.get("/account").status_code == 302  # not logged in yet
    [mail] = mails_to("ana.garcia@example.org")
    assert "Inclusion Hub" in mail.subject and "3" in mail.body  # in Spanish, the member's language

    path = link_in(mail, "/confirm/")
    page = client.get(path)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "ana.garcia@example.org" in page.get_data(as_text=True)
    assert db.session.get(User, user.id).email_confirmed_at is None
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert db.session.get(User, user.id).email_confirmed_at is not None
    assert client.get("/account").status_code == 200
    again = client.application.test_client().get(path, follow_redirects=True)
    assert "already confirmed" in again.get_data(as_text=True)


def test_an_unconfirmed_account_cannot_log_in_and_gets_a_new_link(client, auth):
    register(client, language="en")
    response = auth.login("ana.garcia@example.org", follow=True)
    assert "Confirm your email address first" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    first, second = mails_to("ana.garcia@example.org")
    assert client.post(link_in(second, "/confirm/")).status_code == 302
    assert client.get("/account").status_code == 200


def test_a_known_address_gets_the_same_answer_and_its_owner_a_mail(app, client, make_user):
    owner = make_user(email="ana.garcia@example.org", language="da")
    password_before = owner.password_hash
    taken = register(client, email="ANA.garcia@example.org")
    fresh = register(app.test_client(), email="someone.new@example.org")
    assert (taken.status_code, taken.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.email == "ana.garcia@example.org")) == 1
    assert db.session.get(User, owner.id).password_hash == password_before
    [mail] = mails_to("ana.garcia@example.org")
    assert "/login" in mail.body and "/reset" in mail.body and "/confirm/" not in mail.body
    assert mail.subject == "Nogen prøvede at oprette en konto med din e-mailadresse"  # the owner's language


def test_resetting_the_password_takes_over_an_account_someone_else_opened(client, auth):
    """A stranger registers with Ana's address; Ana cannot confirm it (her mail says
    the address is taken), but a password reset confirms it with her password."""
    register(client, email="ana@example.org", password="strangers own passphrase", confirm="strangers own passphrase")
    register(client, email="ana@example.org")
    assert "/confirm/" not in mails_to("ana@example.org")[-1].body
    client.post("/reset", data={"email": "ana@example.org"})
    path = link_in(mails_to("ana@example.org")[-1], "/reset/")
    mine = "marigold harbour lantern seven"
    assert client.post(path, data={"password": mine, "confirm": mine}).status_code == 302
    assert auth.login("ana@example.org", "strangers own passphrase").status_code == 200
    assert auth.login("ana@example.org", mine).status_code == 302


def test_a_confirmation_link_is_refused_when_expired_or_tampered(app, client):
    register(client)
    path = link_in(mails_to("ana.garcia@example.org")[0], "/confirm/")
    page = client.get(path + "x", follow_redirects=True).get_data(as_text=True)
    assert "This confirmation link is not valid" in page
    app.config["EMAIL_CONFIRM_MAX_AGE"] = -1
    page = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert "This confirmation link has expired" in page
    assert db.session.scalar(select(User.email_confirmed_at).where(User.email == "ana.garcia@example.org")) is None


@pytest.mark.parametrize("changes, message", [
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


def test_account_mails_follow_the_recipients_language_not_the_pages(app, client, make_user):
    """A Danish-preferring member gets Danish mails, though the pages that caused them
    were in English (a reset mail once went out in the requesting page's language)."""
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 2
    member = make_user(email="dansk@example.org", language="da")
    english = {"Accept-Language": "en"}
    client.post("/reset", data={"email": member.email}, headers=english)
    client.post("/register", data=dict(GOOD, email=member.email, language="en"), headers=english)
    for _ in range(2):
        client.post("/login", data={"email": member.email, "password": "wrong password"}, headers=english)
    subjects = [mail.subject for mail in mails_to(member.email)]
    assert subjects == ["Nulstil din adgangskode til Inclusion Hub",
                        "Nogen prøvede at oprette en konto med din e-mailadresse",
                        "Din konto på Inclusion Hub er blevet låst"], subjects
