"""Outbox: mail and text messages are queued in the request's transaction and sent
afterwards, with retries.

Bodies are encrypted at rest (they may hold a reset link) and never carry sensitive
content: a notification says that something happened and links to the portal. A text
message (channel "sms") goes to a phone number in E.164 through the gateway of core/sms.py.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
from datetime import datetime, timedelta
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, g, render_template
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from flask_mail import Message
from sqlalchemy import Index, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from foreningen.core import privacy, sms
from foreningen.core.db import EncryptedText, UTCDateTime, check_in, utcnow
from foreningen.core.extensions import db, mail
from foreningen.core.phone import is_mobile, normalise

log = logging.getLogger(__name__)


EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),
                      Index("ix_outbox_message_recipient_day", "recipient_key", "template",
                            "created_at"),
                      check_in("channel", CHANNELS))

    id: Mapped[int] = mapped_column(primary_key=True)
    # "email": recipient is an address; "sms": a phone number in E.164 (and no subject).
    channel: Mapped[str] = mapped_column(String(8), default=EMAIL, server_default=EMAIL,
                                         nullable=False)
    recipient: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    # A keyed hash of the address: how many mails one address got today, without the address.
    recipient_key: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    template: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))


# Mail that anyone can cause by typing someone's address into a public form: at most this
# many of each kind to one address a day, so that nobody can bomb an inbox through us.
DAILY_CAP = {"password_reset": 3, "already_member": 3, "application_confirm": 3,
             "totp_enrol": 3}


def recipient_key(address: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()


def queue(recipient: str, template: str, subject: str, locale: str | None = None,
          **context) -> OutboxMessage | None:
    """Render `templates/email/<template>.txt` in the recipient's language and queue it;
    None when the address already had the day's share of this kind (DAILY_CAP).

    `subject` is a lazy_gettext string (so that the extractor finds it), translated here in
    the recipient's locale; a plain string is refused, as it would reach nobody's catalog."""
    if not isinstance(subject, LazyString):
        raise TypeError("a mail subject must be a lazy_gettext string")
    key = recipient_key(recipient)
    cap = DAILY_CAP.get(template)
    if cap is not None and _sent_today(key, template) >= cap:
        log.info("outbox: daily cap of %s mail reached for one address", template)
        return None
    translated_subject, body = render(template, subject, locale, **context)
    message = OutboxMessage(
        recipient=recipient, recipient_key=key, subject=translated_subject, body=body,
        template=template,
    )
    db.session.add(message)
    g.mail_queued = True
    return message


# Every text message costs money and reaches someone's pocket: at most this many of one
# kind to one number a day, whoever asks.
SMS_DAILY_CAP = 3
# Three messages of 160 characters (fewer in an alphabet beyond GSM's: Arabic takes 70 a
# message); a notification that needs more belongs in the portal.
SMS_MAX_LENGTH = 480


def queue_sms(phone: str, template: str, locale: str | None = None,
              **context) -> OutboxMessage | None:
    """Render `templates/sms/<template>.txt` in the recipient's language and queue it as a
    text message to `phone` (any form core.phone.normalise() reads; stored in E.164). None when
    the number is not a mobile or already had the day's share of this kind (SMS_DAILY_CAP).

    ValueError for a number that is no phone number, or a message over SMS_MAX_LENGTH
    characters: both are the caller's mistake, found before anything is queued."""
    number = normalise(phone)
    body = render_sms(template, locale, **context)
    if len(body) > SMS_MAX_LENGTH:
        raise ValueError(f"the text message {template!r} is {len(body)} characters, "
                         f"over {SMS_MAX_LENGTH}")
    if not is_mobile(number):
        log.info("outbox: %s not queued, the number is not a mobile", template)
        return None
    key = recipient_key(number)
    if _sent_today(key, template) >= SMS_DAILY_CAP:
        log.info("outbox: daily cap of %s text messages reached for one number", template)
        return None
    message = OutboxMessage(channel=SMS, recipient=number, recipient_key=key, subject="",
                            body=body, template=template)
    db.session.add(message)
    g.mail_queued = True  # sent after the response, as mail is
    return message


def render_sms(template: str, locale: str | None = None, **context) -> str:
    """A text message as its recipient will read it, without the template's trailing
    line break."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template(f"sms/{template}.txt", **context).strip()


def _sent_today(key: str, template: str) -> int:
    since = utcnow() - timedelta(days=1)
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient_key == key, OutboxMessage.template == template,
        OutboxMessage.created_at >= since)) or 0


def render(template: str, subject, locale: str | None = None, **context) -> tuple[str, str]:
    """(subject, body) of a mail as its recipient will read it: for queue(), and for a
    preview shown before anything is sent."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(subject), render_template(f"email/{template}.txt", **context)


def backoff(attempts: int) -> timedelta:
    cap = current_app.config["OUTBOX_MAX_BACKOFF_MINUTES"]
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), cap))


def pending(now: datetime | None = None, limit: int = 100, session=None) -> list[OutboxMessage]:
    now = now or utcnow()
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((session or db.session).scalars(stmt))


def send_pending(limit: int = 100, session=None) -> tuple[int, int]:
    """Send what is due, mail and text messages. Returns (sent, failed). The caller
    commits (`session`, or the request's)."""
    messages = pending(limit=limit, session=session)
    sent = failed = 0
    for channel, send in ((EMAIL, _send_mail), (SMS, _send_texts)):
        batch = [message for message in messages if message.channel == channel]
        if batch:
            done, not_done = send(batch)
            sent, failed = sent + done, failed + not_done
    if failed:
        log.warning("outbox: %d message(s) not sent, will retry", failed)
    return sent, failed


def _send_mail(messages: list[OutboxMessage]) -> tuple[int, int]:
    if not current_app.config.get("MAIL_SERVER"):
        return _write_to_folder(messages), 0
    sent = failed = 0
    try:
        with mail.connect() as connection:
            for message in messages:
                try:
                    connection.send(_to_mail(message))
                except (smtplib.SMTPException, OSError) as exc:
                    _failed(message, exc)
                    failed += 1
                else:
                    message.sent_at = utcnow()
                    message.attempts += 1
                    sent += 1
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        for message in messages:
            if message.sent_at is None:
                _failed(message, exc)
                failed += 1
    return sent, failed


def _send_texts(messages: list[OutboxMessage]) -> tuple[int, int]:
    """Each message is one request to the gateway. A refusal (an HTTP status) fails that
    message; a gateway out of reach fails the rest of the batch without trying them."""
    if not sms.configured():
        if current_app.config["PRODUCTION"]:
            # Kept and retried until SMS_API_URL is set: never written to a file there.
            for message in messages:
                _failed(message, sms.NotConfigured())
            return 0, len(messages)
        return _write_texts_to_folder(messages), 0
    sent = failed = 0
    unreachable: Exception | None = None
    for message in messages:
        if unreachable is not None:
            _failed(message, unreachable)
            failed += 1
            continue
        try:
            sms.send(message.recipient, message.body)
        except sms.GatewayError as exc:
            _failed(message, exc)
            failed += 1
        except OSError as exc:  # URLError, TimeoutError, a refused connection
            unreachable = exc
            _failed(message, exc)
            failed += 1
        else:
            message.sent_at = utcnow()
            message.attempts += 1
            sent += 1
    return sent, failed


def _to_mail(message: OutboxMessage) -> Message:
    return Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body,
        extra_headers={"Message-ID": make_msgid(domain="foreningen.local")},
    )


def _failed(message: OutboxMessage, exc: Exception) -> None:
    message.attempts += 1
    # The HTTP status of a gateway's refusal, else the exception's class: never its text,
    # which may name the recipient.
    reason = exc.reason if isinstance(exc, sms.GatewayError) else type(exc).__name__
    message.last_error = reason[:200]
    message.next_attempt_at = utcnow() + backoff(message.attempts)


def _write_to_folder(messages: list[OutboxMessage]) -> int:
    """Development without MAIL_SERVER: write each mail as an .eml file to read."""
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    for message in messages:
        mime = _to_mail(message)
        mime.sender = current_app.config["MAIL_DEFAULT_SENDER"]
        path = folder / f"{message.id:06d}-{message.template}.eml"
        path.write_bytes(mime.as_bytes())
        message.sent_at = utcnow()
        message.attempts += 1
    log.info("outbox: wrote %d message(s) to %s", len(messages), folder)
    return len(messages)


def _write_texts_to_folder(messages: list[OutboxMessage]) -> int:
    """Development without SMS_API_URL: write each text message as a .txt file to read."""
    folder = Path(current_app.instance_path) / "sms"
    folder.mkdir(parents=True, exist_ok=True)
    for message in messages:
        path = folder / f"{message.id:06d}-{message.template}.txt"
        path.write_text(f"From: {current_app.config['SMS_SENDER']}\nTo: {message.recipient}\n"
                        f"\n{message.body}\n", encoding="utf-8")
        message.sent_at = utcnow()
        message.attempts += 1
    log.info("outbox: wrote %d text message(s) to %s", len(messages), folder)
    return len(messages)


SENT_MAIL_DAYS = 30


@privacy.retention_rule("outbox.sent_mail", tables=("outbox_message",),
                        description="Sent mail deleted from the outbox")
def delete_sent_mail(today) -> int:
    """A message that went out over 30 days ago is of no further use (its body may hold a
    link that named the person's address)."""
    from sqlalchemy import delete

    from foreningen.core.clock import start_of

    before = start_of(today - timedelta(days=SENT_MAIL_DAYS))
    return db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.sent_at < before)).rowcount


privacy.exempt("outbox_message", download="Notifications the person was sent; they carry no "
               "content beyond what the portal shows them.")
