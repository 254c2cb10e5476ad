"""One transaction per request: the view commits once; nothing commits for it. The sign-in
bookkeeping (idle timeout, revocation) is a unit of work of its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_migrate import upgrade
from sqlalchemy import func, select, update

from foreningen import create_app
from foreningen.accounts.models import User, UserSession
from foreningen.core import audit, outbox
from foreningen.core.audit import AuditEvent
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from foreningen.core.outbox import OutboxMessage
from foreningen.municipalities import services as municipalities
from foreningen.municipalities.models import Municipality
from tests import factories
from tests.support import base_config, scratch_database, submit


@pytest.fixture(scope="module")
def own_app(tmp_path_factory, smtp):
    """An app of its own with two views that change things and never commit."""
    app = create_app(base_config(scratch_database(tmp_path_factory.mktemp("tx"), "tx"),
                                 smtp[1], OUTBOX_SEND_AFTER_REQUEST=True,
                                 WTF_CSRF_ENABLED=False))

    @app.route("/test/forgets-to-commit", methods=["POST"])
    def forgets_to_commit():
        audit.record("test.left_uncommitted")
        outbox.queue("someone@example.org", "invitation", _l("You are invited to Föreningen"),
                      link="http://localhost/x", hours=1)
        return "done"

    @app.route("/test/fails-after-writing", methods=["POST"])
    def fails_after_writing():
        audit.record("test.half_written")
        db.session.flush()
        abort(409)

    @app.route("/test/reads-then-fails")
    def reads_then_fails():
        audit.record("test.read_then_failed")
        abort(500)

    @app.route("/test/changes-on-a-get")
    def changes_on_a_get():
        municipalities.create("9999", "Testby")
        db.session.flush()
        return "changed"

    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def count(app, model, **where) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        total = db.session.scalar(stmt)
        db.session.remove()
        return total


def test_nothing_is_committed_for_a_view_that_does_not_commit(own_app, inbox):
    client = own_app.test_client()
    assert client.post("/test/forgets-to-commit").get_data(as_text=True) == "done"
    assert count(own_app, AuditEvent, action="test.left_uncommitted") == 0
    assert count(own_app, OutboxMessage) == 0
    assert inbox.to("someone@example.org") == []


def test_a_failed_request_leaves_nothing_half_written(own_app):
    client = own_app.test_client()
    assert client.post("/test/fails-after-writing").status_code == 409
    assert count(own_app, AuditEvent, action="test.half_written") == 0


def test_a_read_is_on_record_even_when_its_page_fails(own_app):
    """A GET changes nothing; the record of what it read is its own unit of work, committed
    before the page is shown, so a page that fails after reading is still on record."""
    client = own_app.test_client()
    assert client.get("/test/reads-then-fails").status_code == 500
    assert count(own_app, AuditEvent, action="test.read_then_failed") == 1


def test_a_get_that_would_change_state_is_refused(own_app):
    client = own_app.test_client()
    assert client.get("/test/changes-on-a-get").status_code == 500
    assert count(own_app, Municipality, code="9999") == 0


def test_the_idle_timeout_is_kept_although_a_page_only_reads(own_app):
    """Reading a page commits nothing of the view, yet the sign-in's last use is recorded
    (by its own unit of work), and an expired sign-in is revoked and audited."""
    user = factories.user(own_app, ["member"])
    client = own_app.test_client()
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    long_ago = utcnow() - timedelta(minutes=30)
    with own_app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                           .values(last_seen_at=long_ago))
        db.session.commit()
    assert client.get("/account/").status_code == 200
    with own_app.app_context():
        seen = db.session.scalar(select(UserSession.last_seen_at)
                                 .where(UserSession.user_id == user.id))
        db.session.remove()
    assert seen > long_ago + timedelta(minutes=29)

    with own_app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(disabled_at=utcnow()))
        db.session.commit()
    assert client.get("/account/").status_code == 302  # signed out
    with own_app.app_context():
        revoked = db.session.scalar(select(UserSession.revoked_reason)
                                    .where(UserSession.user_id == user.id))
        db.session.remove()
    assert revoked == "expired"
    assert count(own_app, AuditEvent, action="auth.session_revoke", subject_id=user.id) == 1
