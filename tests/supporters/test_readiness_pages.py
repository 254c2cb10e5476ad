"""Readiness in the portal: requirements are versioned, the pledge is signed against the
text in force (and again when it changes), and the "needs attention" page lists who is
expiring, expired, missing something, paused or approved but never active."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from foreningen.core import clock
from foreningen.core.extensions import db as _db
from foreningen.supporters.models import Completion, Requirement
from tests import factories
from tests.members.test_register import audit_events
from tests.support import submit


def current(app, key):
    with app.app_context():
        row = _db.session.scalar(select(Requirement).where(Requirement.key == key,
                                                           Requirement.retired_at.is_(None)))
        _db.session.expunge(row)
        return row


def test_a_new_pledge_text_asks_everyone_to_sign_again(app, client, login):
    made = factories.ready_supporter(app, "active")
    login(user=made.account)
    page = client.get("/supporter/").get_data(as_text=True)
    assert "You are ready to support a parent." in page
    assert "You have signed this version of the pledge." in page
    # A coordinator changes the text: a new version, the old one retired.
    with app.test_request_context(method="POST"):
        from foreningen.supporters import services

        old = _db.session.get(Requirement, current(app, "pledge").id)
        services.revise_requirement(old, None, name=None, required=True, validity_months=None,
                                    body="Ny text: jag lovar att tiga.")
        _db.session.commit()
    page = client.get("/supporter/").get_data(as_text=True)
    assert "You are not ready yet." in page and "Ny text: jag lovar att tiga." in page
    signed = submit(client, "/supporter/", {"agree": "y"}, action_contains="/pledge",
                    follow_redirects=True)
    assert "Your confidentiality pledge is signed." in signed.get_data(as_text=True)
    assert "You are ready to support a parent." in signed.get_data(as_text=True)
    event = audit_events(app, "supporter.pledge_sign", made.id)[-1]
    assert event.detail == "version 2"


def test_a_pledge_signed_while_the_text_changed_is_refused(app, client, login):
    made = factories.supporter(app, "in_training")
    login(user=made.account)
    stale = client.get("/supporter/")  # the form carries version 1
    assert stale.status_code == 200
    with app.test_request_context(method="POST"):
        from foreningen.supporters import services

        services.revise_requirement(_db.session.get(Requirement, current(app, "pledge").id),
                                    None, name=None, required=True, validity_months=None,
                                    body="Version två.")
        _db.session.commit()
    from tests.support import forms_in

    form = [f for f in forms_in(stale.get_data(as_text=True)) if "/pledge" in f["action"]][0]
    data = {k: v for k, v in form["fields"].items()} | {"agree": ["y"]}
    response = client.post("/supporter/pledge", data=data, follow_redirects=True)
    assert "The pledge was changed while you read it." in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(Completion.id)).where(
            Completion.supporter_id == made.id)) == 0


def test_a_changed_module_keeps_what_was_done_under_it(app, client, login):
    module = factories.training_module(app, "Grundkurs", validity_months=12)
    made = factories.supporter(app, "active")
    factories.completion(app, made.id, module, clock.today() - timedelta(days=30))
    login("coordinator")
    response = submit(client, f"/supporters/requirements/{module}",
                      {"name": "Grundkurs", "validity_months": "6", "required": "y"})
    assert response.status_code == 302
    revised = current(app, factories_key(app, module))
    assert revised.version == 2 and revised.validity_months == 6
    with app.app_context():
        done = _db.session.scalar(select(Completion).where(Completion.supporter_id == made.id))
        # Recorded under version 1 (12 months): its expiry is not rewritten.
        assert (done.expires_on - done.completed_on).days > 300
    page = client.get(f"/supporters/{made.id}").get_data(as_text=True)
    assert "Grundkurs" in page and "Valid" in page
    bad = submit(client, f"/supporters/requirements/{revised.id}",
                 {"name": "Grundkurs", "validity_months": "0"})
    assert bad.status_code == 400 and "between 1 and 120" in bad.get_data(as_text=True)


def factories_key(app, requirement_id):
    with app.app_context():
        return _db.session.get(Requirement, requirement_id).key


def test_needs_attention_lists_each_kind_with_counts(app, client, login):
    window = app.config["SUPPORTER_RENEWAL_DAYS"]
    extract = current(app, "record_check")
    today = clock.today()
    expiring = factories.ready_supporter(app, "active", display_name="Expiring")
    expired = factories.ready_supporter(app, "active", display_name="Expired")
    with app.app_context():
        # Their extracts: one lapses inside the window, one lapsed yesterday.
        for made, months_ago_days in ((expiring, 365 - window + 5), (expired, 366)):
            row = _db.session.scalar(select(Completion).where(
                Completion.supporter_id == made.id,
                Completion.requirement_id == extract.id))
            _db.session.delete(row)
            _db.session.flush()
            dated = today - timedelta(days=months_ago_days)
            _db.session.commit()
            factories.completion(app, made.id, extract.id, dated, document_dated_on=dated)
    missing = factories.supporter(app, "approved", display_name="Missing")
    paused = factories.ready_supporter(app, "paused", display_name="Paused")
    ready = factories.ready_supporter(app, "active", display_name="Ready")
    login("coordinator")
    page = client.get("/supporters/attention").get_data(as_text=True)

    def section(heading_id):
        return page.split(f'id="{heading_id}"')[1].split("</section>")[0]

    assert "Expiring" in section("expiring-heading") and "Expired" not in \
        section("expiring-heading")
    assert "Expired" in section("expired-heading")
    assert "Missing" in section("missing-heading")
    assert "Missing" in section("approved-heading")
    assert "Paused" in section("paused-heading")
    # Ready and active: listed only as supporting no parent yet.
    assert ready.display_name in section("unassigned-heading")
    assert ready.display_name not in page.replace(section("unassigned-heading"), "")
    assert missing.id and paused.id
