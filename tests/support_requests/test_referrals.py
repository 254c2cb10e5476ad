"""A social worker refers one or more parents at placement; the crisis clock sets the due
time; the coordinators are told at once, without content; the social worker follows only
the state of their own referrals."""

from __future__ import annotations

from sqlalchemy import select

from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from foreningen.support import crisis_clock
from foreningen.support.models import SupportRequest
from tests import factories
from tests.support import signed_in, submit

REFERRAL = {"reason": "substance_use", "legal_basis": "sol", "contact_decided": "not_yet",
            "child_age": "3", "referrer_phone": "08-123 456 78", "agreed": "y",
            "parents-0-name": "Amal", "parents-0-phone": "070 123 45 67",
            "parents-0-language": "ar", "parents-0-relation": "parent",
            "parents-1-name": "Johan", "parents-1-email": "johan@example.org",
            "parents-1-language": "sv", "parents-1-relation": "step_parent"}


def test_a_social_worker_refers_two_parents_together(app, db):
    worker = factories.user(app, ["social_worker"], municipality_code="1281")
    factories.user(app, ["coordinator"], email="samordnare@example.org")
    browser = signed_in(app, worker)
    response = submit(browser, "/referrals/new", REFERRAL, action_contains="/referrals/new")
    assert response.status_code == 302
    with app.app_context():
        made = _db.session.scalar(select(SupportRequest))
        assert made.origin == "referral" and made.urgency == 0
        assert made.municipality_id == worker.municipality_id
        assert made.due_at == crisis_clock.first_contact_due(made.received_at)
        assert [p.relation for p in made.parents] == ["parent", "step_parent"]
        assert [p.channel for p in made.parents] == ["phone", "email"]
        mail = _db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.template == "support_new_referral"))
        assert "Amal" not in mail.body and "substance" not in mail.body.lower()
    page = browser.get("/referrals/").get_data(as_text=True)
    assert made.reference in page and "Received" in page and "Amal" not in page


def test_a_referral_needs_a_parent_and_keeps_what_was_typed(app, db):
    worker = factories.user(app, ["social_worker"], municipality_code="1281")
    browser = signed_in(app, worker)
    empty = {k: "" for k in REFERRAL if k.startswith("parents-") and "language" not in k
             and "relation" not in k}
    response = submit(browser, "/referrals/new", {**REFERRAL, **empty},
                      action_contains="/referrals/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Give at least one parent" in page
    assert 'value="+46812345678"' in page  # kept, in the form it is stored in
    bad = submit(browser, "/referrals/new", {**REFERRAL, "parents-0-phone": "123"},
                 action_contains="/referrals/new").get_data(as_text=True)
    assert "Enter a phone number we can call" in bad and 'value="Amal"' in bad
    with app.app_context():
        assert _db.session.scalar(select(SupportRequest)) is None


def test_a_social_worker_sees_only_their_own_referrals(app, db):
    mine = factories.user(app, ["social_worker"], municipality_code="1281")
    theirs = factories.user(app, ["social_worker"], municipality_code="1281")
    own = factories.referral(app, mine)
    other = factories.referral(app, theirs)
    page = signed_in(app, mine).get("/referrals/").get_data(as_text=True)
    assert own.reference in page and other.reference not in page


def test_remind_overdue_tells_the_coordinators_a_count(app, db, runner):
    from datetime import UTC, datetime

    worker = factories.user(app, ["social_worker"], municipality_code="1281")
    factories.user(app, ["coordinator"], locale="en")
    factories.referral(app, worker, at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    result = runner.invoke(args=["support", "remind-overdue"])
    assert result.exit_code == 0 and "1 crisis referral(s) overdue" in result.output
    with app.app_context():
        mail = _db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.template == "support_overdue"))
        assert "1 crisis referral is past its time" in mail.body
