"""The operator's commands: flask init-db, create-user, demo-data and outbox send."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from foreningen import create_app, demo
from foreningen.accounts.models import User
from foreningen.core import outbox
from foreningen.core.db import utcnow
from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from foreningen.municipalities.models import Municipality
from tests import factories
from tests.support import base_config, scratch_database, submit

STRONG = "stark-och-lang-fras-2026"


def invoke(runner, *args, ok=True):
    result = runner.invoke(args=list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def count(app, db, stmt):
    with app.app_context():
        return db.session.scalar(stmt)


def signs_in(client, email, password) -> bool:
    response = submit(client, "/auth/sign-in", {"email": email, "password": password})
    return response.status_code == 302


# --- init-db ------------------------------------------------------------------------------

def test_init_db_builds_an_empty_database_and_then_says_up_to_date(tmp_path, smtp):
    fresh = create_app(base_config(scratch_database(tmp_path, "initdb"), smtp[1]))
    runner = fresh.test_cli_runner()
    try:
        first = invoke(runner, "init-db")
        assert "Database upgraded to revision" in first.output
        with fresh.app_context():
            tables = set(sa.inspect(_db.engine).get_table_names())
        assert {"user_account", "audit_event", "municipality", "outbox_message"} <= tables

        second = invoke(runner, "init-db")
        assert "Database is up to date" in second.output
        assert "upgraded" not in second.output
    finally:
        with fresh.app_context():
            _db.engine.dispose()


def test_init_db_on_the_migrated_database_changes_nothing(app, db, runner, make_user):
    person = make_user("member")
    result = invoke(runner, "init-db")
    assert "Database is up to date" in result.output
    assert count(app, db, select(User.email).where(User.id == person.id)) == person.email


# --- create-user --------------------------------------------------------------------------

def test_create_user_makes_an_account_that_can_sign_in(app, db, runner, client):
    result = invoke(runner, "create-user", "Ops@Example.org", "--role", "admin",
                    "--password", STRONG)
    assert "Created ops@example.org with roles admin." in result.output
    assert signs_in(client, "ops@example.org", STRONG)
    assert client.get("/admin/users").status_code == 200


def test_create_user_again_adds_the_role(app, db, runner, client):
    invoke(runner, "create-user", "ops@example.org", "--role", "member", "--password", STRONG)
    again = invoke(runner, "create-user", "ops@example.org", "--role", "admin",
                   "--password", "ett-annat-losenord-99")
    assert "roles now: admin, member" in again.output
    assert "password was not changed" in again.output
    assert count(app, db, select(func.count(User.id))) == 1
    assert signs_in(client, "ops@example.org", STRONG)
    assert client.get("/admin/users").status_code == 200


def test_reviewer_needs_a_municipality(app, db, runner):
    result = invoke(runner, "create-user", "granskare@example.org", "--role", "reviewer",
                    "--password", STRONG, ok=False)
    assert result.exit_code != 0
    assert "need --municipality CODE" in result.output
    assert count(app, db, select(func.count(User.id))) == 0

    factories.municipality(app, "0180", "Stockholm")
    ok = invoke(runner, "create-user", "granskare@example.org", "--role", "reviewer",
                "--municipality", "0180", "--password", STRONG)
    assert "Created granskare@example.org" in ok.output
    assert count(app, db, select(Municipality.code).join(
        User, User.municipality_id == Municipality.id)) == "0180"


def test_adding_a_municipal_role_to_an_existing_account_needs_a_municipality(app, db,
                                                                              runner):
    invoke(runner, "create-user", "ops@example.org", "--role", "member", "--password", STRONG)
    result = invoke(runner, "create-user", "ops@example.org", "--role", "social_worker",
                    ok=False)
    assert result.exit_code != 0
    assert "need --municipality CODE" in result.output
    with app.app_context():
        assert _db.session.scalar(select(User).where(
            User.email == "ops@example.org")).role_names == {"member"}


def test_unknown_municipality_code_is_explained(app, db, runner):
    result = invoke(runner, "create-user", "granskare@example.org", "--role", "reviewer",
                    "--municipality", "9999", "--password", STRONG, ok=False)
    assert result.exit_code != 0
    assert "No municipality with code 9999" in result.output
    assert count(app, db, select(func.count(User.id))) == 0


@pytest.mark.parametrize(("password", "message"), [
    ("kort", "Use at least 10 characters."),
    ("password123", "This password is too common."),
    ("ops@example.org", "Do not use your email address as password."),
])
def test_weak_password_is_refused(app, db, runner, password, message):
    result = invoke(runner, "create-user", "ops@example.org", "--role", "admin",
                    "--password", password, ok=False)
    assert result.exit_code != 0
    assert message in result.output
    assert count(app, db, select(func.count(User.id))) == 0


def test_invalid_email_is_refused(app, db, runner):
    result = invoke(runner, "create-user", "not-an-address", "--role", "admin",
                    "--password", STRONG, ok=False)
    assert result.exit_code != 0
    assert "EMAIL" in result.output
    assert count(app, db, select(func.count(User.id))) == 0


def test_password_can_come_from_the_prompt(app, db, runner, client):
    result = runner.invoke(args=["create-user", "ops@example.org", "--role", "member"],
                           input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert STRONG not in result.output
    assert signs_in(client, "ops@example.org", STRONG)


# --- demo-data ----------------------------------------------------------------------------

DEMO_EMAILS = sorted(email for email, *_ in demo.ACCOUNTS)


def test_demo_data_creates_one_account_per_role_and_is_idempotent(app, db, runner, client):
    first = invoke(runner, "demo-data")
    assert "8 municipalities and 8 accounts added" in first.output
    with app.app_context():
        # The demo accounts have the password; the demo stödpersoner drawn from the register
        # have accounts too, invited ones (without a password).
        emails = sorted(_db.session.scalars(select(User.email).where(
            User.password_hash.is_not(None))))
        accounts = _db.session.scalar(select(func.count(User.id)))
        codes = sorted(_db.session.scalars(select(Municipality.code)))
        roles = set().union(*(u.role_names for u in _db.session.scalars(select(User))))
    assert emails == DEMO_EMAILS and len(emails) == 8 and accounts == 8 + 40
    assert codes == sorted(code for code, _ in demo.MUNICIPALITIES)
    assert roles == {"admin", "board", "coordinator", "supporter", "parent", "member",
                     "reviewer", "social_worker"}

    second = invoke(runner, "demo-data")
    assert "0 municipalities and 0 accounts added" in second.output
    assert "0 support persons" in second.output
    assert count(app, db, select(func.count(User.id))) == accounts
    assert count(app, db, select(func.count(Municipality.id))) == 8

    assert signs_in(client, "granskare@example.org", demo.DEMO_PASSWORD)


def test_demo_data_refuses_to_run_in_production(app, db, runner, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    result = invoke(runner, "demo-data", "--if-empty", ok=False)
    assert result.exit_code != 0
    assert "not in production" in result.output
    assert count(app, db, select(func.count(User.id))) == 0


def test_demo_data_if_empty_skips_when_there_are_accounts(app, db, runner, make_user):
    make_user("admin")
    result = invoke(runner, "demo-data", "--if-empty")
    assert "already has accounts; nothing loaded" in result.output
    assert count(app, db, select(func.count(User.id))) == 1
    assert count(app, db, select(func.count(Municipality.id))) == 0


def test_demo_data_if_empty_loads_into_an_empty_database(app, db, runner):
    result = invoke(runner, "demo-data", "--if-empty")
    assert "8 accounts added" in result.output
    assert count(app, db, select(func.count(User.id))) == 8 + 40


# --- outbox send --------------------------------------------------------------------------

def queue_mail(app, db, recipient="mottagare@example.org"):
    with app.app_context():
        message = outbox.queue(recipient, "invitation", _l("You are invited to Föreningen"),
                             locale="en", link="http://localhost/auth/invitation/abc",
                             hours=72)
        db.session.commit()
        return message.id


def outbox_row(app, db, message_id):
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        return message.attempts, message.next_attempt_at, message.sent_at


def test_outbox_send_delivers_queued_mail(app, db, runner, inbox):
    message_id = queue_mail(app, db)
    result = invoke(runner, "outbox", "send")
    assert "Sent 1, failed 0" in result.output
    received = inbox.to("mottagare@example.org")
    assert len(received) == 1
    assert received[0]["Subject"] == "You are invited to Föreningen"
    assert "http://localhost/auth/invitation/abc" in inbox.body(received[0])
    attempts, _, sent_at = outbox_row(app, db, message_id)
    assert attempts == 1 and sent_at is not None

    again = invoke(runner, "outbox", "send")
    assert "Sent 0, failed 0" in again.output
    assert len(inbox.to("mottagare@example.org")) == 1  # never sent twice


def test_refused_mail_stays_queued_and_is_sent_on_a_later_run(app, db, runner, inbox):
    message_id = queue_mail(app, db)
    inbox.refuse = True
    refused = invoke(runner, "outbox", "send", ok=False)
    assert refused.exit_code == 1
    assert "Sent 0, failed 1" in refused.output
    attempts, next_attempt_at, sent_at = outbox_row(app, db, message_id)
    assert attempts == 1 and sent_at is None
    assert next_attempt_at > utcnow()
    assert inbox.to("mottagare@example.org") == []

    inbox.refuse = False
    too_soon = invoke(runner, "outbox", "send")
    assert "Sent 0, failed 0" in too_soon.output  # waits for its backoff
    assert inbox.to("mottagare@example.org") == []

    with app.app_context():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    later = invoke(runner, "outbox", "send")
    assert "Sent 1, failed 0" in later.output
    assert len(inbox.to("mottagare@example.org")) == 1
    attempts, _, sent_at = outbox_row(app, db, message_id)
    assert attempts == 2 and sent_at is not None


def test_grant_app_role_explains_itself(app, runner):
    result = runner.invoke(args=["grant-app-role", "foreningen_app"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert result.exit_code != 0 and "PostgreSQL" in result.output
    else:  # no such role in the test cluster: told how to make it
        assert result.exit_code != 0 and "CREATE ROLE foreningen_app" in result.output
