"""flask dues remind / flask dues lapse: the scheduled dues commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from foreningen.core import clock
from foreningen.core.extensions import db

dues_cli = AppGroup("dues", help="Membership dues.")


@dues_cli.command("remind")
@click.option("--year", type=int, help="Dues year (default: this year).")
def remind(year):
    """Email members who are not paid up (at most once per DUES_REMINDER_INTERVAL_DAYS)."""
    from foreningen.dues.services import send_reminders

    count = send_reminders(year or clock.today().year)
    db.session.commit()
    click.echo(f"Queued {count} reminder(s); `flask outbox send` sends them.")


@dues_cli.command("lapse")
def lapse():
    """After DUES_LAPSE_DATE, mark active members who have not paid this year as lapsed."""
    from foreningen.dues.services import lapse_unpaid

    count = lapse_unpaid()
    db.session.commit()
    click.echo(f"{count} member(s) lapsed.")


commands = (dues_cli,)
