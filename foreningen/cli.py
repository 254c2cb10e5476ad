"""flask init-db / create-user / demo-data / outbox send / rotate-keys. All idempotent."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import inspect, select

from foreningen.extensions import db
from foreningen.security import Role

outbox_cli = AppGroup("outbox", help="The mail outbox.")


def init_app(app) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(create_user)
    app.cli.add_command(demo_data)
    app.cli.add_command(rotate_keys)
    app.cli.add_command(outbox_cli)
    from foreningen.dues.cli import dues_cli, purge

    app.cli.add_command(dues_cli)
    app.cli.add_command(purge)


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


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([str(r) for r in Role]), help="Repeat for several roles.")
@click.option("--municipality", "municipality_code", help="Kommun code, e.g. 0180.")
@click.option("--name", "display_name", help="Display name (defaults to the email's first part).")
@click.option("--password", envvar="FORENINGEN_NEW_PASSWORD",
              help="Password; prompted for when not given (or set FORENINGEN_NEW_PASSWORD).")
def create_user(email, roles, municipality_code, display_name, password):
    """Create an account, or add roles to an existing one."""
    from foreningen.auth import services
    from foreningen.auth.passwords import password_problems
    from foreningen.auth.queries import user_by_email
    from foreningen.municipalities.queries import by_code

    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    municipality = None
    if municipality_code:
        municipality = by_code(municipality_code)
        if municipality is None:
            raise click.UsageError(f"No municipality with code {municipality_code}. "
                                   "Add it on the admin page or with `flask demo-data`.")
    existing = user_by_email(email)
    if existing is not None:
        wanted = sorted(existing.role_names | set(roles))
        municipality_id = municipality.id if municipality else existing.municipality_id
        try:
            services.set_roles(existing, wanted, municipality_id)
        except services.AccountError as exc:
            raise click.UsageError(_cli_error(exc.code)) from exc
        db.session.commit()
        click.echo(f"{existing.email} exists; roles now: {', '.join(wanted)}.")
        if password:
            click.echo("The password was not changed; the person can reset it from the "
                       "sign-in page.")
        return
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # The command speaks English, like the rest of the CLI, whatever the site default.
    with force_locale("en"):
        problems = [str(p) for p in password_problems(password, email)]
    if problems:
        raise click.UsageError(" ".join(problems))
    try:
        user = services.create_user(email, display_name or email.split("@")[0], list(roles),
                                    municipality_id=municipality.id if municipality else None,
                                    password=password)
    except services.AccountError as exc:
        raise click.UsageError(_cli_error(exc.code)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} with roles {', '.join(sorted(user.role_names))}.")


def _cli_error(code: str) -> str:
    return {
        "municipality_required": "Reviewers and social workers need --municipality CODE.",
        "email_taken": "That email address is taken.",
    }.get(code, code)


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when there are already accounts.")
@click.option("--members", type=click.IntRange(min=1), default=None,
              help="Add this many invented members every time (for measurements); without "
                   "it a demo register of a few hundred is added once.")
def demo_data(if_empty, members):
    """Load realistic Swedish demo data: municipalities, one account per role, members."""
    from foreningen import demo

    if current_app.config["PRODUCTION"]:
        # Eight accounts with a published password, one of them an administrator.
        raise click.UsageError("Demo data is for development, not in production.")
    if not inspect(db.engine).has_table("user_account"):
        raise click.UsageError("The database has no tables yet: run `flask init-db` first.")
    from foreningen.auth.models import User

    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo(demo.summary(None))
        return
    created = demo.load(members=members)
    db.session.commit()
    click.echo(demo.summary(created))


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True)
def outbox_send(limit):
    """Send queued mail that is due; failures are retried later with backoff."""
    from foreningen.mail import send_pending

    sent, failed = send_pending(limit=limit)
    db.session.commit()
    click.echo(f"Sent {sent}, failed {failed} (will retry).")
    if failed:
        raise SystemExit(1)


@click.command("rotate-keys")
@with_appcontext
def rotate_keys():
    """Re-encrypt every sensitive field with the first key of FIELD_ENCRYPTION_KEY."""
    from foreningen.db import EncryptedText

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
