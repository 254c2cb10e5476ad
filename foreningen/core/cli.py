"""The kernel's commands: flask init-db, purge, outbox send, rotate-keys. All idempotent.
Features add their own (`commands` in their cli module); create_app registers them."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from foreningen.core.extensions import db

outbox_cli = AppGroup("outbox", help="The mail outbox.")


def init_app(app) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(purge)
    app.cli.add_command(rotate_keys)
    app.cli.add_command(outbox_cli)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema by running the migrations."""
    before = _schema_revisions()
    upgrade()
    after = _schema_revisions()
    if before == after:
        click.echo(f"Database is up to date (revision {', '.join(after) or 'none'}).")
    else:
        click.echo(f"Database upgraded to revision {', '.join(after)}.")


def _schema_revisions() -> tuple[str, ...]:
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


@click.command("purge")
@with_appcontext
def purge():
    """Apply every feature's retention rules (anonymise or delete what has expired)."""
    from foreningen.core import clock, privacy

    results = privacy.purge(clock.today())
    db.session.commit()
    for name, count in results.items():
        click.echo(f"{privacy.RETENTION[name].description}: {count}")


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True)
def outbox_send(limit):
    """Send queued mail that is due; failures are retried later with backoff."""
    from foreningen.core.outbox import send_pending

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
