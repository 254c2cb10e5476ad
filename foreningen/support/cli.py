"""flask support remind-overdue: tell the coordinators how many crisis referrals are past
their due time (safe to run every hour; the mail holds a count and a link, no content)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from foreningen.core import clock
from foreningen.core.extensions import db

support_cli = AppGroup("support", help="Support requests and crisis referrals.")


@support_cli.command("remind-overdue")
def remind_overdue():
    """Mail the coordinators when crisis referrals are overdue for a first contact."""
    from foreningen.support import services

    overdue = services.remind_overdue(clock.utcnow())
    db.session.commit()
    click.echo(f"{overdue} crisis referral(s) overdue; `flask outbox send` sends the mail.")


@support_cli.command("remind-meetings")
def remind_meetings():
    """Remind the stödperson and the parents of tomorrow's meetings (once each; safe to run
    more than once a day and on several hosts)."""
    from foreningen.support import services

    reminded = services.remind_meetings(clock.utcnow())
    db.session.commit()
    click.echo(f"{reminded} meeting(s) reminded of; `flask outbox send` sends the messages.")


commands = (support_cli,)
