"""The kernel's commands: flask init-db, purge, outbox send, rotate-keys. All idempotent.
Features add their own (`commands` in their cli module); create_app registers them."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select, text

from foreningen.core.db import analyze
from foreningen.core.extensions import db

outbox_cli = AppGroup("outbox", help="The mail outbox.")


def init_app(app) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(grant_app_role)
    app.cli.add_command(purge)
    app.cli.add_command(rotate_keys)
    app.cli.add_command(outbox_cli)


@click.command("init-db")
@with_appcontext
@click.option("--app-role", help="PostgreSQL: also grant this (existing) role what the "
                                 "application needs, and no more (see grant-app-role).")
def init_db(app_role):
    """Create or upgrade the database schema by running the migrations."""
    before = _schema_revisions()
    upgrade()
    after = _schema_revisions()
    analyze()
    db.session.commit()
    if before == after:
        click.echo(f"Database is up to date (revision {', '.join(after) or 'none'}).")
    else:
        click.echo(f"Database upgraded to revision {', '.join(after)}.")
    if app_role:
        _grant(app_role)


# What the application's own database role may do: read and write its tables, but only add
# to the audit log. The schema's owner (who runs the migrations) is another role, so the
# application can neither drop the audit log's triggers nor TRUNCATE it.
APP_ROLE_GRANTS = (
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_event FROM {role}",
    "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
)


@click.command("grant-app-role")
@with_appcontext
@click.argument("role")
def grant_app_role(role):
    """PostgreSQL: grant ROLE (the application's login) exactly what it needs; on the audit
    log only SELECT and INSERT. Run as the schema's owner after every migration."""
    _grant(role)


def _grant(role: str) -> None:
    if db.engine.dialect.name != "postgresql":
        raise click.UsageError("Roles and grants are PostgreSQL's; SQLite has none.")
    if not role.replace("_", "").isalnum() or not role[:1].isalpha():
        raise click.BadParameter("letters, digits and underscores, starting with a letter",
                                 param_hint="ROLE")
    exists = db.session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"),
                                {"role": role}).scalar()
    if not exists:
        raise click.UsageError(f"No role {role!r}: create it first (CREATE ROLE {role} LOGIN "
                               "PASSWORD '…').")
    quoted = db.engine.dialect.identifier_preparer.quote(role)
    for statement in APP_ROLE_GRANTS:
        db.session.execute(text(statement.format(role=quoted)))
    db.session.commit()
    click.echo(f"Granted {role} the application's rights; on audit_event only SELECT and "
               "INSERT.")


def _schema_revisions() -> tuple[str, ...]:
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


@click.command("purge")
@with_appcontext
def purge():
    """Apply every feature's retention rules (anonymise or delete what has expired)."""
    from foreningen.core import clock, privacy
    from foreningen.core.signals import housekeeping

    results = privacy.purge(clock.today())
    housekeeping.send(current_app._get_current_object())
    analyze()  # SQLite: the planner's statistics follow the data (core/db.py)
    db.session.commit()
    for name, count in results.items():
        click.echo(f"{privacy.RETENTION[name].description}: {count}")


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True)
def outbox_send(limit):
    """Carry out deferred requests (applications, password resets), then send the mail
    that is due; failures are retried later with backoff."""
    from foreningen.core.jobs import run_pending
    from foreningen.core.outbox import send_pending

    done, failed_jobs = run_pending(limit=limit)
    if done or failed_jobs:
        click.echo(f"Requests carried out {done}, failed {failed_jobs} (will retry).")
    sent, failed = send_pending(limit=limit)
    db.session.commit()
    click.echo(f"Sent {sent}, failed {failed} (will retry).")
    if failed:
        raise SystemExit(1)


@click.command("rotate-keys")
@with_appcontext
def rotate_keys():
    """Re-encrypt every sensitive field with the first key of FIELD_ENCRYPTION_KEY."""
    from foreningen.core.db import EncryptedText

    count = 0
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedText)]
        if not columns:
            continue
        pk = table.primary_key.columns.values()[0]
        rows = db.session.execute(select(pk, *columns)).all()
        for row in rows:
            values = {c.name: row._mapping[c] for c in columns}
            db.session.execute(table.update().where(pk == row[0]).values(**values))
            count += 1
    db.session.commit()
    current_app.logger.info("rotate-keys: re-encrypted %d row(s)", count)
    click.echo(f"Re-encrypted {count} row(s).")
