"""The schema refuses what it should: codes outside their enum, changes to the audit log;
and keeps what it must: encrypted notes, unique member numbers under concurrency."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from foreningen import create_app
from foreningen.accounts.models import User
from foreningen.core import audit
from foreningen.core.extensions import db as _db
from foreningen.members import services as members
from tests.dues import make_member, pay
from tests.support import base_config, postgres_url, scratch_database

BAD_CODES = [
    ("member", "status", "member_of_honour"),
    ("member", "category", "gold"),
    ("member_status_change", "to_status", "vanished"),
    ("member_consent", "purpose", "marketing"),
    ("dues_rate", "category", "gold"),
    ("dues_payment", "method", "cash_in_envelope"),
    ("user_role", "role", "superuser"),
    ("account_token", "purpose", "anything"),
    ("outbox_message", "channel", "fax"),
]


@pytest.mark.parametrize(("table", "column", "value"), BAD_CODES)
def test_every_enum_like_column_has_its_check_in_the_database(app, db, table, column, value):
    """The migrated database itself (not only the model) holds the rule."""
    name = f"ck_{table}_{column}_valid"
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            definition = _db.session.scalar(sa.text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :name"),
                {"name": name})
        else:
            sql = _db.session.scalar(sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"),
                {"table": table})
            definition = sql[sql.index(name):].split("\n")[0] if name in sql else None
    assert definition is not None, f"{name} is missing from the database"
    assert column in definition and value not in definition


def test_an_invalid_member_status_cannot_be_written(app, db):
    member = make_member(app)
    with app.app_context(), pytest.raises(IntegrityError):
        _db.session.execute(sa.text("UPDATE member SET status = 'member_of_honour' "
                                    "WHERE id = :id"), {"id": member.id})
        _db.session.flush()


def test_an_invalid_role_cannot_be_written(app, db, make_user):
    user = make_user("member")
    with app.app_context(), pytest.raises(IntegrityError):
        _db.session.execute(sa.text("INSERT INTO user_role (user_id, role) VALUES (:u, 'root')"),
                            {"u": user.id})


def test_a_user_with_audit_events_can_be_deleted_and_the_events_stay(app, db, make_user):
    user = make_user("member")
    with app.app_context():
        account = _db.session.get(User, user.id)
        audit.record("test.event", account, actor=account)
        _db.session.commit()
        _db.session.delete(account)
        _db.session.commit()
        events = _db.session.execute(sa.text(
            "SELECT actor_id FROM audit_event WHERE action = 'test.event'")).all()
    assert events == [(user.id,)]


def test_payment_notes_are_encrypted_at_rest(app, db):
    member = make_member(app)
    pay(app, member, 25000, note="Betalt av Kalle Anka")
    with app.app_context():
        raw = _db.session.execute(sa.text("SELECT note FROM dues_payment")).scalar_one()
    assert raw and "Kalle" not in raw


def test_member_numbers_come_from_the_counter(app, db):
    with app.app_context():
        numbers = members.reserve_numbers(3)
        more = members.reserve_numbers(1)
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert more[0] > numbers[-1] >= members.FIRST_NUMBER


@pytest.mark.skipif(not postgres_url(), reason="concurrency is proven on PostgreSQL")
def test_simultaneous_applications_get_different_numbers(tmp_path, smtp):
    """Real threads, real transactions: 8 applications at once, 8 different numbers."""
    app = create_app(base_config(scratch_database(tmp_path, "numbers"), smtp[1]))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    barrier = threading.Barrier(8)
    numbers, errors = [], []

    def apply(n: int):
        with app.test_request_context(method="POST"):
            try:
                barrier.wait(timeout=10)
                member = members.submit_application(
                    first_name="Sam", last_name=f"Samtidig{n}", email=f"samtidig{n}@example.org",
                    category="supporting", locale="sv")
                _db.session.commit()
                numbers.append(member.number)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=apply, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with app.app_context():
        _db.engine.dispose()
    assert not errors, errors
    assert len(numbers) == 8 and len(set(numbers)) == 8
