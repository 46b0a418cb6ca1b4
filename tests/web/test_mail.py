"""Mail goes through SMTP when configured and always stays in the outbox."""
from __future__ import annotations

from sqlalchemy import select

from hub.extensions import db
from hub.mail import OutboxMessage


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        self.user = user

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def test_reset_mail_is_sent_through_smtp(make_app, make_user, monkeypatch):
    monkeypatch.setattr("hub.mail.smtplib.SMTP", FakeSMTP)
    FakeSMTP.sent = []
    app = make_app(MAIL_SERVER="smtp.example.org", MAIL_USERNAME="hub")
    user = make_user(email="smtp@example.org")
    response = app.test_client().post("/reset", data={"email": user.email})
    assert FakeSMTP.sent == []  # the page does not wait for SMTP ...
    response.close()  # ... delivery runs once the server has sent it and closes the response
    assert len(FakeSMTP.sent) == 1
    assert FakeSMTP.sent[0]["To"] == "smtp@example.org" and "/reset/" in FakeSMTP.sent[0].get_content()
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is not None


def test_smtp_failure_keeps_message_and_page(make_app, make_user, monkeypatch):
    class Broken(FakeSMTP):
        def __enter__(self):
            raise OSError("connection refused")

    monkeypatch.setattr("hub.mail.smtplib.SMTP", Broken)
    app = make_app(MAIL_SERVER="smtp.example.org")
    user = make_user(email="down@example.org")
    response = app.test_client().post("/reset", data={"email": user.email})
    assert response.status_code == 302
    response.close()
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and "connection refused" in message.error
