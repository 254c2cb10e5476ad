from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text, update

from foreningen.core import outbox
from foreningen.core.db import utcnow
from foreningen.core.extensions import db


def _queue(app, to="anna@example.org"):
    with app.test_request_context(method="POST"):
        outbox.queue(to, "password_reset", _l("Reset your password"), locale="sv",
                   link="http://localhost/x", hours=1)
        db.session.commit()


def _send(app):
    with app.app_context():
        result = outbox.send_pending()
        db.session.commit()
        return result


def _messages(app):
    with app.app_context():
        return list(db.session.scalars(select(outbox.OutboxMessage)))


def test_queued_mail_is_sent_to_the_smtp_server(app, db, inbox):
    _queue(app)
    assert _send(app) == (1, 0)
    [message] = inbox.to("anna@example.org")
    assert message["Subject"]
    assert "http://localhost/x" in inbox.body(message)
    assert _messages(app)[0].sent_at is not None
    assert _send(app) == (0, 0), "a sent message is not sent again"


def test_mail_is_kept_and_retried_when_the_server_refuses(app, db, inbox):
    _queue(app)
    inbox.refuse = True
    assert _send(app) == (0, 1)
    [queued] = _messages(app)
    assert queued.sent_at is None
    assert queued.attempts == 1
    assert queued.next_attempt_at > utcnow()
    assert queued.last_error == "SMTPRecipientsRefused"
    # Not due yet: nothing is tried.
    inbox.refuse = False
    assert _send(app) == (0, 0)
    with app.app_context():
        db.session.execute(update(outbox.OutboxMessage).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _send(app) == (1, 0)
    assert len(inbox.to("anna@example.org")) == 1


def test_mail_is_kept_when_the_server_is_down(app, db, inbox, monkeypatch):
    from tests.support import free_port

    # Flask-Mail reads its settings once, at init_app.
    monkeypatch.setattr(app.extensions["mail"], "port", free_port())
    _queue(app)
    assert _send(app) == (0, 1)
    [queued] = _messages(app)
    assert queued.sent_at is None and queued.attempts == 1


def test_backoff_grows_and_is_capped(app):
    with app.app_context():
        steps = [outbox.backoff(n) for n in range(1, 15)]
    assert steps[0] == timedelta(minutes=1)
    assert steps[1] == timedelta(minutes=2)
    assert steps == sorted(steps)
    assert steps[-1] == timedelta(minutes=app.config["OUTBOX_MAX_BACKOFF_MINUTES"])


def test_mail_body_is_encrypted_at_rest(app, db):
    _queue(app)
    with app.app_context():
        raw = db.session.execute(text("SELECT recipient, body FROM outbox_message")).one()
    assert "anna@example.org" not in raw.recipient
    assert "http://localhost/x" not in raw.body


def test_development_without_smtp_writes_mail_files(app, db, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    _queue(app)
    assert _send(app) == (1, 0)
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
