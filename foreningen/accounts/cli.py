"""flask create-user: an account from the command line, or more roles for one."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from flask_babel import force_locale

from foreningen.core.extensions import db
from foreningen.core.security import Role


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
    from foreningen.accounts import services
    from foreningen.accounts.passwords import password_problems
    from foreningen.accounts.queries import user_by_email
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
            raise click.UsageError(_cli_error(exc)) from exc
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
        raise click.UsageError(_cli_error(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} with roles {', '.join(sorted(user.role_names))}.")


def _cli_error(exc) -> str:
    if exc.code == "municipality_required":
        return "Reviewers and social workers need --municipality CODE."
    with force_locale("en"):  # the command speaks English, like the rest of the CLI
        return exc.message


commands = (create_user,)
