"""Retention as code (`flask purge`): declined and withdrawn requests go after 30 days;
a closed assignment's parent details are erased after 12 months, keeping what the fee and
the indicators need; and each person's data download holds their part."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from foreningen.core import clock, privacy
from foreningen.core.extensions import db as _db
from foreningen.support.models import Assignment, Contact, SupportParent, SupportRequest
from tests import factories
from tests.support import signed_in, submit


def purge(app, days: int = 0) -> dict:
    with app.test_request_context(method="POST"):
        done = privacy.purge(clock.today() + timedelta(days=days))
        _db.session.commit()
        return done


def test_declined_and_withdrawn_requests_are_deleted_after_30_days(app, db):
    lund = factories.municipality(app, "1281", "Lund")
    declined = factories.support_request(app, lund)
    kept = factories.support_request(app, lund)
    from foreningen.support import services

    with app.test_request_context(method="POST"):
        services.decline(None, _db.session.get(SupportRequest, declined.id), "other")
        _db.session.commit()
    assert purge(app, 29)["support.ended_requests"] == 0
    assert purge(app, 31)["support.ended_requests"] == 1
    with app.app_context():
        assert _db.session.get(SupportRequest, declined.id) is None
        assert _db.session.get(SupportRequest, kept.id) is not None
        assert _db.session.scalar(select(func.count()).select_from(SupportParent)) == 1


def test_a_closed_assignment_keeps_its_figures_and_loses_the_parent(app, db):
    lund = factories.municipality(app, "1281", "Lund")
    made = factories.support_request(app, lund)
    lena = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    assignment_id = factories.assignment(app, made.id, lena.id)
    client = signed_in(app, lena.account)
    submit(client, f"/support/mine/assignments/{assignment_id}",
           {"occurred_on": clock.today().isoformat(), "minutes": "60", "form": "in_person",
            "reached": "yes", "km": "8", "note": "Privat."}, action_contains="/contacts")
    submit(client, f"/support/mine/assignments/{assignment_id}", {"reason": "completed"},
           action_contains="/close")
    assert purge(app, 300)["support.closed_parent_details"] == 0
    assert purge(app, 400)["support.closed_parent_details"] == 1
    with app.app_context():
        found = _db.session.get(SupportRequest, made.id)
        assert found.erased_at is not None and found.facts is None and found.code_hash is None
        assert all(p.contact is None for p in found.parents)
        contact = _db.session.scalar(select(Contact))
        assert contact.minutes == 60 and float(contact.km) == 8 and contact.note is None
        assert found.municipality_id == lund
        assert _db.session.scalar(select(Assignment)).close_reason == "completed"
        raw = _db.session.execute(text("SELECT contact FROM support_parent")).scalar()
        assert raw is None
    assert purge(app, 800)["support.closed_parent_details"] == 0  # once


def test_the_data_download_holds_the_stodpersons_and_the_social_workers_part(app, db):
    lund = factories.municipality(app, "1281", "Lund")
    worker = factories.user(app, ["social_worker"], municipality_code="1281")
    referred = factories.referral(app, worker)
    lena = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    assignment_id = factories.assignment(app, referred.id, lena.id)
    client = signed_in(app, lena.account)
    submit(client, f"/support/mine/assignments/{assignment_id}",
           {"occurred_on": clock.today().isoformat(), "minutes": "30", "form": "phone",
            "reached": "yes", "note": "Min anteckning."}, action_contains="/contacts")
    from foreningen.accounts import queries as accounts

    with app.test_request_context():
        theirs = privacy.everything_about(accounts.user(lena.user_id))
        assert theirs["support_contacts"][0]["your_private_note"] == "Min anteckning."
        assert theirs["support_assignments"][0]["request_reference"] == referred.reference
        assert "Amal" not in str(theirs)
        worker_part = privacy.everything_about(accounts.user(worker.id))
        assert worker_part["support_referrals_made"][0]["state"] == "contacted"
        assert "Amal" not in str(worker_part)
