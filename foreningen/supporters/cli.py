"""flask supporters notify-expiring / resume-paused: the daily stödperson commands. Both are
safe to run more than once a day and on several hosts at once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from foreningen.core import clock
from foreningen.core.extensions import db

supporters_cli = AppGroup("supporters", help="Support persons (stödpersoner).")


@supporters_cli.command("notify-expiring")
def notify_expiring():
    """Tell stödpersoner (and the coordinators) about items 60, 14 and 0 days from lapsing,
    once per item and threshold."""
    from foreningen.supporters import queries, services

    told = services.notify_expiring(clock.today(), queries.coordinators_to_tell())
    db.session.commit()
    click.echo(f"{told} support person(s) told; `flask outbox send` sends the mail.")


@supporters_cli.command("resume-paused")
def resume_paused():
    """Make everyone whose pause has ended active again."""
    from foreningen.supporters import services

    resumed = services.resume_due(clock.today())
    db.session.commit()
    click.echo(f"{resumed} support person(s) active again.")


commands = (supporters_cli,)
