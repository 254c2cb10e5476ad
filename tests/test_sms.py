"""Text messages: queued in the outbox, sent through a gateway that speaks 46elks' API on
loopback, retried with backoff, written to files in development, encrypted at rest."""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select, text, update
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.validators import Optional

from foreningen.core import config, outbox, phone
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from tests.support import TEST_FIELD_KEY, TEST_SECRET, free_port

USERNAME, PASSWORD = "u0123456789abcdef", "elks-secret"
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
NUMBER = "+46701234567"


class Gateway:
    """What the loopback 46elks received, and the errors it is told to answer first."""

    def __init__(self):
        self.received: list[dict[str, str]] = []
        self.failures: list[int] = []
        self.lock = threading.Lock()


class _Elks(BaseHTTPRequestHandler):
    def do_POST(self):
        gateway: Gateway = self.server.gateway
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        if self.path != "/a1/sms":
            return self._answer(404, "Not found")
        if self.headers.get("Authorization") != expected:
            return self._answer(401, "Unauthorized")
        with gateway.lock:
            failure = gateway.failures.pop(0) if gateway.failures else None
        if failure:
            return self._answer(failure, "Internal error")
        if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return self._answer(400, "Form-encoded fields expected")
        fields = {key: values[0] for key, values in
                  parse_qs(body, keep_blank_values=True, strict_parsing=True).items()}
        if set(fields) != {"from", "to", "message"}:
            return self._answer(400, "Missing key from, to or message")
        if not E164.fullmatch(fields["to"]):
            return self._answer(400, "Invalid to")
        if not fields["message"] or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,10}",
                                                     fields["from"]):
            return self._answer(400, "Invalid from or message")
        with gateway.lock:
            gateway.received.append(fields)
            number = len(gateway.received)
        return self._answer(200, json.dumps({
            "status": "created", "direction": "outgoing", "id": f"s{number:032x}",
            "from": fields["from"], "to": fields["to"], "message": fields["message"],
            "created": "2026-11-23T12:00:00.000000", "parts": 1, "estimated_cost": 5200}),
            "application/json")

    def _answer(self, status: int, body: str, kind: str = "text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(app, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Elks)
    server.gateway = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for key, value in {"SMS_API_URL": f"http://127.0.0.1:{server.server_address[1]}",
                       "SMS_USERNAME": USERNAME, "SMS_PASSWORD": PASSWORD,
                       "SMS_SENDER": "Foreningen", "SMS_TIMEOUT": 5}.items():
        monkeypatch.setitem(app.config, key, value)
    try:
        yield server.gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _queue(app, to="070-123 45 67", template="support_assigned", **context):
    with app.test_request_context(method="POST"):
        message = outbox.queue_sms(to, template, locale="en", **context)
        db.session.commit()
        return message is not None


def _send(app):
    with app.app_context():
        result = outbox.send_pending()
        db.session.commit()
        return result


def _messages(app):
    with app.app_context():
        return list(db.session.scalars(select(outbox.OutboxMessage)))


def _make_due(app):
    with app.app_context():
        db.session.execute(update(outbox.OutboxMessage).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_a_queued_text_message_reaches_the_gateway(app, db, gateway):
    assert _queue(app)
    assert _send(app) == (1, 0)
    assert gateway.received == [{
        "from": "Foreningen", "to": NUMBER,
        "message": "You have a support person from the association. They will contact you "
                   "soon. /Föreningen"}]
    [message] = _messages(app)
    assert message.channel == "sms" and message.sent_at is not None and message.attempts == 1
    assert _send(app) == (0, 0), "a sent message is not sent again"
    assert len(gateway.received) == 1


def test_the_reminder_carries_the_time_it_was_given(app, db, gateway):
    assert _queue(app, template="meeting_reminder", when="Tuesday 1 December at 18:00")
    assert _send(app) == (1, 0)
    assert gateway.received[0]["message"] == (
        "Reminder: you have a meeting with your support person on Tuesday 1 December at "
        "18:00. /Föreningen")


def test_a_refused_message_is_kept_and_retried_after_the_backoff(app, db, gateway):
    assert _queue(app)
    gateway.failures = [500]
    assert _send(app) == (0, 1)
    [queued] = _messages(app)
    assert queued.sent_at is None
    assert queued.attempts == 1
    assert queued.next_attempt_at > utcnow()
    assert queued.last_error == "HTTP 500"
    assert _send(app) == (0, 0), "not due before its backoff is over"
    _make_due(app)
    assert _send(app) == (1, 0)
    assert [m["to"] for m in gateway.received] == [NUMBER]
    [sent] = _messages(app)
    assert sent.sent_at is not None and sent.attempts == 2


def test_wrong_credentials_keep_the_message_and_record_only_the_status(app, db, gateway,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PASSWORD", "wrong")
    assert _queue(app)
    assert _send(app) == (0, 1)
    [queued] = _messages(app)
    assert queued.sent_at is None and queued.last_error == "HTTP 401"
    assert gateway.received == []


def test_a_gateway_out_of_reach_fails_the_batch_and_keeps_it(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_API_URL", f"http://127.0.0.1:{free_port()}")
    assert _queue(app) and _queue(app, to="+46 70 765 43 21")
    assert _send(app) == (0, 2)
    assert {(m.attempts, m.last_error, m.sent_at) for m in _messages(app)} == {
        (1, "URLError", None)}


def test_mail_and_text_messages_go_out_in_one_run(app, db, gateway, inbox):
    from flask_babel import lazy_gettext as _l

    with app.test_request_context(method="POST"):
        outbox.queue("anna@example.org", "password_reset", _l("Reset your password"),
                     locale="sv", link="http://localhost/x", hours=1)
        db.session.commit()
    assert _queue(app)
    assert _send(app) == (2, 0)
    assert len(inbox.to("anna@example.org")) == 1
    assert [m["to"] for m in gateway.received] == [NUMBER]


def test_development_without_a_gateway_writes_text_files(app, db, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "SMS_API_URL", "")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    assert _queue(app)
    assert _send(app) == (1, 0)
    [written] = (tmp_path / "sms").glob("*.txt")
    content = written.read_text(encoding="utf-8")
    assert f"To: {NUMBER}" in content
    assert "They will contact you soon" in content
    assert _messages(app)[0].sent_at is not None


def test_production_without_a_gateway_keeps_the_messages(app, db, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "SMS_API_URL", "")
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    assert _queue(app)
    assert _send(app) == (0, 1)
    [queued] = _messages(app)
    assert queued.sent_at is None and queued.last_error == "NotConfigured"
    assert not (tmp_path / "sms").exists()


def test_the_message_and_number_are_encrypted_at_rest(app, db):
    assert _queue(app)
    with app.app_context():
        raw = db.session.execute(text(
            "SELECT channel, recipient, body FROM outbox_message")).one()
    assert raw.channel == "sms"
    assert "701234567" not in raw.recipient
    assert "support person" not in raw.body


def test_neither_number_nor_message_reaches_the_log(app, db, gateway, caplog):
    caplog.set_level(logging.DEBUG)
    gateway.failures = [500]
    assert _queue(app)
    assert _send(app) == (0, 1)
    _make_due(app)
    assert _send(app) == (1, 0)
    assert caplog.records, "the outbox logs what it did"
    assert "701234567" not in caplog.text
    assert "support person" not in caplog.text


def test_a_message_over_480_characters_is_refused(app, db):
    with pytest.raises(ValueError, match="480"):
        _queue(app, template="meeting_reminder", when="x" * 480)
    assert _messages(app) == []


def test_one_number_gets_at_most_three_of_a_kind_a_day(app, db):
    assert all(_queue(app, to=to) for to in ("070-123 45 67", NUMBER, "+46 70 123 45 67"))
    assert not _queue(app), "the fourth to the same number (written any way) is not queued"
    assert _queue(app, template="meeting_reminder", when="Monday"), "another kind is"
    assert _queue(app, to="070-765 43 21"), "and so is another number"


def test_a_fixed_line_gets_no_text_message(app, db):
    assert not _queue(app, to="08-123 456 78")
    assert _messages(app) == []


@pytest.mark.parametrize(("typed", "e164"), [
    ("070-123 45 67", NUMBER), ("+46 70 123 45 67", NUMBER), ("0046701234567", NUMBER),
    ("08-123 456 78", "+46812345678"), ("+47 412 34 567", "+4741234567")])
def test_phone_numbers_are_read_as_e164(typed, e164):
    assert phone.normalise(typed) == e164


@pytest.mark.parametrize("typed", ["123", "abc", "", "   ", "070-123 45 67 89 01",
                                   "0900-123 45 67", "020-123 456", "1" * 500])
def test_what_is_no_personal_phone_number_is_refused(typed):
    with pytest.raises(ValueError):
        phone.normalise(typed)


class _PhoneForm(Form):
    mobile = StringField(validators=[phone.phone_number(mobile=True)])
    other = StringField(validators=[Optional(), phone.phone_number()])


def test_the_form_validator_stores_e164_and_explains_a_refusal(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = _PhoneForm(MultiDict({"mobile": "070-123 45 67", "other": ""}))
        assert form.validate(), form.errors
        assert form.mobile.data == NUMBER
        form = _PhoneForm(MultiDict({"mobile": "08-123 456 78", "other": "abc"}))
        assert not form.validate()
        assert [str(e) for e in form.mobile.errors] == [
            "Enter a mobile number, for example 070-123 45 67."]
        assert [str(e) for e in form.other.errors] == [
            "Enter a valid phone number, for example 070-123 45 67."]


def _settings(tmp_path, **overrides):
    return config.load(tmp_path, {"TESTING": True, "SECRET_KEY": TEST_SECRET,
                                  "FIELD_ENCRYPTION_KEY": TEST_FIELD_KEY, **overrides})


def test_text_message_settings_have_safe_defaults_and_refuse_a_bad_sender(tmp_path):
    settings = _settings(tmp_path)
    assert settings["SMS_API_URL"] == "" and settings["SMS_SENDER"] == "Foreningen"
    assert settings["SMS_TIMEOUT"] == 10
    for sender in ("Foreningen12", "Föreningen", "1Forening", ""):
        with pytest.raises(config.ConfigError, match="SMS_SENDER"):
            _settings(tmp_path, SMS_SENDER=sender)
    assert _settings(tmp_path, SMS_SENDER="+46701234567")["SMS_SENDER"] == NUMBER
    with pytest.raises(config.ConfigError, match="SMS_API_URL"):
        _settings(tmp_path, SMS_API_URL="ftp://api.46elks.com")


def test_production_asks_for_https_and_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")
    monkeypatch.setenv("ALLOW_SQLITE_IN_PRODUCTION", "1")
    base = {"ENV_NAME": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "FIELD_ENCRYPTION_KEY": TEST_FIELD_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    assert config.load(tmp_path, base)["SMS_API_URL"] == ""
    with pytest.raises(config.ConfigError) as error:
        config.load(tmp_path, {**base, "SMS_API_URL": "http://api.46elks.com"})
    assert "https" in str(error.value) and "SMS_USERNAME" in str(error.value)
    settings = config.load(tmp_path, {**base, "SMS_API_URL": "https://api.46elks.com",
                                      "SMS_USERNAME": USERNAME, "SMS_PASSWORD": PASSWORD})
    assert settings["SMS_API_URL"] == "https://api.46elks.com"
