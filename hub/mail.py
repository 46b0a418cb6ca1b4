"""Outgoing mail. Every message is written to the outbox table in the caller's
transaction; after commit it is sent through SMTP when a server is configured.
Without SMTP, administrators read the outbox page and the log shows each message."""
from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage

from flask import current_app, g, has_request_context
from sqlalchemy import String, Text, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from .database import UTCDateTime, utcnow
from .extensions import Model, db


class OutboxMessage(Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(500))



def queue_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    if has_request_context():
        g.hub_mail_queued = True  # the request sends it once committed (see init_app)
    current_app.logger.info("Mail to %s: %s\n%s", recipient, subject, body)
    return message


def queue_mails(messages: list[tuple[str, str, str]]) -> None:
    """Many (recipient, subject, body) messages in one INSERT: what a forum post sends
    to its subscribers costs one statement whatever their number."""
    if not messages:
        return
    now = utcnow()
    db.session.execute(insert(OutboxMessage), [
        {"recipient": recipient, "subject": subject, "body": body, "created_at": now}
        for recipient, subject, body in messages])
    if has_request_context():
        g.hub_mail_queued = True
    for recipient, subject, body in messages:
        current_app.logger.info("Mail to %s: %s\n%s", recipient, subject, body)


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def deliver_pending(limit: int = 50) -> int:
    """Send unsent outbox messages; returns how many were sent. Called after commit
    (end of request, CLI jobs, the daily digest). Failures stay in the outbox with
    their error. The rows stay locked until sent (PostgreSQL: ``FOR UPDATE SKIP
    LOCKED``, so another worker or host delivering at the same moment takes other
    messages; SQLite: the write transaction lets one sender in at a time), so no
    message is sent twice."""
    if not smtp_configured():
        return 0
    pending = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.error.is_(None))
        .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not pending:
        return 0
    cfg = current_app.config
    sent = 0
    try:
        with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=10) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            for message in pending:
                email = EmailMessage()
                email["From"] = cfg["MAIL_SENDER"]
                email["To"] = message.recipient
                email["Subject"] = message.subject
                email.set_content(message.body)
                smtp.send_message(email)
                message.sent_at = utcnow()
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("SMTP delivery failed: %s", exc)
        for message in pending[sent:sent + 1]:
            message.error = str(exc)[:500]
    db.session.commit()
    return sent


def init_app(app) -> None:
    """Send what a request queued once the page has gone to the browser: the outbox is
    the queue, and the WSGI server closing the response runs the delivery, so a slow or
    unreachable SMTP server never delays a page. Requests that queued nothing do no
    outbox query. Without SMTP the messages stay in the outbox."""

    @app.after_request
    def send_queued_mail(response):
        if g.get("hub_mail_queued") and smtp_configured() and response.status_code < 400:
            response.call_on_close(lambda: _deliver_after_response(app))
        return response


def _deliver_after_response(app) -> None:
    """In a fresh app context: the request's own session is gone, and it committed."""
    with app.app_context():
        try:
            deliver_pending()
        except Exception:  # a failed delivery stays in the outbox; the page was already sent
            app.logger.exception("Mail delivery failed")
            db.session.rollback()
