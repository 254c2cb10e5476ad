"""The stödperson's parents, the contact log (attempts count; the first reached contact
stops the crisis clock; bad input is told), the private note only its author reads, and
the CSV of one's own contacts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from foreningen.core import clock
from foreningen.core.extensions import db as _db
from foreningen.support.models import Contact, SupportRequest
from tests import factories
from tests.members.test_register import audit_events
from tests.support import signed_in, submit

GOOD = {"occurred_on": "", "minutes": "45", "form": "phone", "reached": "yes", "km": "",
        "expenses": "", "wellbeing": "6", "note": "Ville prata om umgänget."}


@pytest.fixture
def setting(app, db):
    lund = factories.municipality(app, "1281", "Lund")
    worker = factories.user(app, ["social_worker"], municipality_code="1281")
    referred = factories.referral(app, worker)
    lena = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    assignment_id = factories.assignment(app, referred.id, lena.id)
    client = signed_in(app, lena.account)
    return referred, lena, assignment_id, client, worker


def log(client, assignment_id, **changes):
    data = {**GOOD, "occurred_on": clock.today().isoformat(), **changes}
    return submit(client, f"/support/mine/assignments/{assignment_id}", data,
                  action_contains="/contacts")


def contacts(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(Contact))


def test_the_stodperson_sees_their_parent_and_the_read_is_audited(app, setting):
    referred, lena, assignment_id, client, _ = setting
    index = client.get("/support/mine/").get_data(as_text=True)
    assert referred.reference in index and "Crisis support" in index
    assert "0 of 3–5 conversations used" in index
    page = client.get(f"/support/mine/assignments/{assignment_id}").get_data(as_text=True)
    assert "Amal" in page and "+46701234567" in page
    assert audit_events(app, "support_request.read_parent", referred.id)[-1].detail == \
        "assignment_page"


def test_an_attempt_counts_and_the_first_reached_contact_stops_the_clock(app, setting):
    referred, lena, assignment_id, client, worker = setting
    assert log(client, assignment_id, reached="no", minutes="5").status_code == 302
    with app.app_context():
        assert _db.session.get(SupportRequest, referred.id).first_contact_at is None
    assert log(client, assignment_id).status_code == 302
    with app.app_context():
        found = _db.session.get(SupportRequest, referred.id)
        assert found.first_contact_at is not None and found.urgency == 2
    index = client.get("/support/mine/").get_data(as_text=True)
    assert "1 contact" in index and "1 attempt without reaching them" in index
    assert "1 of 3–5 conversations used" in index
    # The social worker now reads "contacted", and nothing else.
    worker_page = signed_in(app, worker).get("/referrals/").get_data(as_text=True)
    assert "Contacted" in worker_page and "Amal" not in worker_page
    assert "umgänget" not in worker_page


@pytest.mark.parametrize("changes, message", [
    ({"occurred_on": (clock.today() + timedelta(days=1)).isoformat()}, "cannot be in the future"),
    ({"minutes": "0"}, "between 1 minute and 12 hours"),
    ({"minutes": "721"}, "between 1 minute and 12 hours"),
    ({"km": "-3"}, "between 0 and 5000"),
    ({"km": "many"}, "between 0 and 5000"),
    ({"expenses": "-1"}, "Give the expenses in kronor"),
    ({"reached": ""}, "Say whether you reached the parent"),
    ({"form": "telepathy"}, "Choose how you were in contact"),
    ({"wellbeing": "11"}, "Choose one of the answers"),
])
def test_bad_input_is_told_and_nothing_is_saved(app, setting, changes, message):
    _, _, assignment_id, client, _ = setting
    response = log(client, assignment_id, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "Ville prata om umgänget." in page  # what was typed is kept
    assert contacts(app) == 0


def test_km_and_expenses_in_swedish_format(app, setting):
    _, _, assignment_id, client, _ = setting
    log(client, assignment_id, km="12,5", expenses="45,50")
    with app.app_context():
        row = _db.session.scalar(select(Contact))
        assert float(row.km) == 12.5 and row.expenses_ore == 4550


def test_the_private_note_is_encrypted_and_only_its_author_reads_it(app, setting, login,
                                                                    client):
    _, _, assignment_id, supporter_client, _ = setting
    log(supporter_client, assignment_id)
    with app.app_context():
        raw = _db.session.execute(text("SELECT note FROM support_contact")).scalar()
        assert "umgänget" not in raw
    assert "Ville prata om umgänget." in supporter_client.get(
        f"/support/mine/assignments/{assignment_id}").get_data(as_text=True)
    login("coordinator")
    page = client.get(f"/support/mine/assignments/{assignment_id}").get_data(as_text=True)
    assert "Amal" in page and "umgänget" not in page and "Log a contact" not in page


def test_another_stodperson_sees_nothing_of_it(app, setting, db):
    _, _, assignment_id, _, _ = setting
    other = factories.ready_supporter(app, display_name="Olle")
    browser = signed_in(app, other.account)
    assert browser.get(f"/support/mine/assignments/{assignment_id}").status_code == 404
    assert "Amal" not in browser.get("/support/mine/").get_data(as_text=True)


def test_the_stodperson_downloads_their_contacts(app, setting):
    _, _, assignment_id, client, _ = setting
    log(client, assignment_id, km="12,5")
    response = client.get("/support/mine/contacts.csv")
    body = response.get_data().decode("utf-8-sig")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "By phone" in body and "12,50" in body and "Amal" not in body


def test_the_stodperson_closes_the_assignment(app, setting):
    referred, _, assignment_id, client, _ = setting
    log(client, assignment_id)
    submit(client, f"/support/mine/assignments/{assignment_id}", {"reason": "completed"},
           action_contains="/close")
    with app.app_context():
        assert _db.session.get(SupportRequest, referred.id).status == "closed"
    # Closed: the parent's details are no longer the stödperson's to open.
    assert client.get(f"/support/mine/assignments/{assignment_id}").status_code == 404


def test_a_support_that_never_reached_the_parent_is_not_completed(app, setting):
    referred, _, assignment_id, client, _ = setting
    log(client, assignment_id, reached="no", minutes="5")
    response = submit(client, f"/support/mine/assignments/{assignment_id}",
                      {"reason": "completed"}, action_contains="/close",
                      follow_redirects=True)
    assert "close it as not carried out" in response.get_data(as_text=True)
    submit(client, f"/support/mine/assignments/{assignment_id}",
           {"reason": "not_carried_out"}, action_contains="/close")
    with app.app_context():
        assert _db.session.get(SupportRequest, referred.id).status == "closed"
