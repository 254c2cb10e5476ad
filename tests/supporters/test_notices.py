"""Expiry warnings: at 60, 14 and 0 days before an item lapses the stödperson (and, in one
digest, the coordinators) are told, once per item and threshold however often the command
runs, with mail that says only that something needs renewing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from foreningen.core import clock
from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from foreningen.supporters.models import Completion, ExpiryNotice, Requirement
from tests import factories


def mails(app, template) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.template == template))


def test_each_threshold_is_told_once_as_the_clock_moves(app, db, runner, monkeypatch,
                                                        inbox):
    coordinator = factories.user(app, ["coordinator"])
    made = factories.ready_supporter(app, "active",
                                     account=factories.user(app, ["member"], locale="en"))
    with app.app_context():
        extract = _db.session.scalar(select(Completion).join(Requirement).where(
            Completion.supporter_id == made.id, Requirement.kind == "record_check"))
        lapses = extract.expires_on
    start = clock.today()
    told = []
    for day in (lapses - timedelta(days=61), lapses - timedelta(days=60),
                lapses - timedelta(days=59), lapses - timedelta(days=14),
                lapses - timedelta(days=3), lapses, lapses + timedelta(days=5)):
        assert day >= start
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        for _ in range(2):  # run twice the same day: nothing more is sent
            result = runner.invoke(args=["supporters", "notify-expiring"])
            assert result.exit_code == 0, result.output
        told.append(mails(app, "supporter_expiring"))
    # 61 days: nothing; 60: the first; 59: no more; 14: the second; 3: no more; 0: the last.
    assert told == [0, 1, 1, 2, 2, 3, 3]
    with app.app_context():
        thresholds = sorted(_db.session.scalars(select(ExpiryNotice.threshold).where(
            ExpiryNotice.supporter_id == made.id)))
    assert thresholds == [0, 14, 60]
    assert mails(app, "supporters_expiring_digest") == 3  # the coordinator, once per run
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    body = inbox.body(inbox.to(made.account.email)[-1])
    assert "needs renewing" in body and "/supporter/" in body
    assert "extract" not in body.lower() and "belastningsregist" not in body.lower()
    assert inbox.to(coordinator.email)


def test_a_renewed_item_is_told_again_for_its_new_expiry(app, db, runner, monkeypatch):
    made = factories.ready_supporter(app, "active")
    with app.app_context():
        extract = _db.session.scalar(select(Completion).join(Requirement).where(
            Completion.supporter_id == made.id, Requirement.kind == "record_check"))
        lapses, requirement_id = extract.expires_on, extract.requirement_id
    monkeypatch.setattr(clock, "today", lambda: lapses - timedelta(days=10))
    runner.invoke(args=["supporters", "notify-expiring"])
    assert mails(app, "supporter_expiring") == 1
    # Renewed: the new extract lapses a year later and is told about in its own time.
    renewed = lapses - timedelta(days=10)
    factories.completion(app, made.id, requirement_id, renewed, document_dated_on=renewed)
    runner.invoke(args=["supporters", "notify-expiring"])
    assert mails(app, "supporter_expiring") == 1
    monkeypatch.setattr(clock, "today", lambda: renewed + timedelta(days=365 - 20))
    runner.invoke(args=["supporters", "notify-expiring"])
    assert mails(app, "supporter_expiring") == 2


def test_the_start_page_notes_what_needs_doing(app, client, login):
    made = factories.supporter(app, "active")  # nothing done yet
    login(user=made.account)
    page = client.get("/").get_data(as_text=True)
    assert "Something in your support person profile needs doing or renewing." in page
