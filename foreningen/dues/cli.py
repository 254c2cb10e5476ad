"""flask dues remind / flask dues lapse / flask purge: the scheduled membership commands."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup, with_appcontext

from foreningen.extensions import db

dues_cli = AppGroup("dues", help="Membership dues.")


@dues_cli.command("remind")
@click.option("--year", type=int, help="Dues year (default: this year).")
def remind(year):
    """Email members who are not paid up (at most once per DUES_REMINDER_INTERVAL_DAYS)."""
    from foreningen.dues.services import send_reminders

    count = send_reminders(year or date.today().year)
    db.session.commit()
    click.echo(f"Queued {count} reminder(s); `flask outbox send` sends them.")


@dues_cli.command("lapse")
def lapse():
    """After DUES_LAPSE_DATE, mark active members who have not paid this year as lapsed."""
    from foreningen.dues.services import lapse_unpaid

    count = lapse_unpaid()
    db.session.commit()
    click.echo(f"{count} member(s) lapsed.")


@click.command("purge")
@with_appcontext
def purge():
    """Apply the retention rules: anonymise former members, delete stale applications and
    payments older than the accounting period."""
    from foreningen.members.retention import purge as run

    result = run()
    db.session.commit()
    click.echo("Anonymised {anonymised} former member(s), deleted {deleted_applications} "
               "application(s) and {deleted_payments} old payment(s).".format(**result))
