"""On PostgreSQL the application runs as a role that may only add to the audit log: it can
neither change, delete nor TRUNCATE it, nor drop its triggers; even the owner's TRUNCATE is
refused by a trigger."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from foreningen import create_app
from foreningen.core.extensions import db
from tests.support import base_config, postgres_url, scratch_database

pytestmark = pytest.mark.skipif(not postgres_url(), reason="roles and grants are PostgreSQL's")
ROLE, PASSWORD = "foreningen_app_probe", "probe-password-2026"


@pytest.fixture
def owner_and_app(tmp_path, smtp):
    url = scratch_database(tmp_path, "grants")
    app = create_app(base_config(url, smtp[1]))
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                            {"r": ROLE}).scalar():  # left over from an interrupted run
                conn.execute(sa.text(f"DROP OWNED BY {ROLE}"))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {ROLE}"))
            conn.execute(sa.text(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"))
    result = app.test_cli_runner().invoke(args=["grant-app-role", ROLE])
    assert result.exit_code == 0, result.output
    as_app = sa.create_engine(sa.engine.make_url(url).set(username=ROLE, password=PASSWORD))
    yield app, as_app
    as_app.dispose()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"DROP OWNED BY {ROLE}"))
            conn.execute(sa.text(f"DROP ROLE {ROLE}"))
        db.engine.dispose()


def test_the_application_role_may_only_add_to_the_audit_log(owner_and_app):
    app, as_app = owner_and_app
    with as_app.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_event (occurred_at, action) "
                             "VALUES (now(), 'probe.insert')"))
        assert conn.execute(sa.text("SELECT count(*) FROM audit_event")).scalar() >= 1
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event",
                      "TRUNCATE audit_event",
                      "DROP TRIGGER audit_event_append_only ON audit_event"):
        with pytest.raises(sa.exc.ProgrammingError), as_app.begin() as conn:
            conn.execute(sa.text(statement))
    with as_app.begin() as conn:  # its own tables as usual
        conn.execute(sa.text("INSERT INTO municipality (code, name, active, created_at, "
                             "updated_at) VALUES ('9999', 'Prov', true, now(), now())"))


def test_even_the_owner_cannot_truncate_the_audit_log(owner_and_app):
    app, _as_app = owner_and_app
    with app.app_context(), pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE audit_event"))
