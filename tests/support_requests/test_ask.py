"""A parent asks for a stödperson without an account, gets a reference and a personal code
once, and follows the request on the status page; a wrong code reveals nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from foreningen.support.models import SupportParent, SupportRequest
from tests import factories
from tests.members.test_register import audit_events
from tests.support import submit

ASK = {"name": "Sara", "channel": "email", "email": "sara@example.org", "phone": "",
       "language": "en", "consent": "y", "child_age": "7", "placement_type": "foster_family",
       "legal_basis": "lvu", "since": "weeks", "when": ["evenings"]}


@pytest.fixture
def lund(app, db):
    return factories.municipality(app, "1281", "Lund")


def ask(client, lund, **changes):
    return submit(client, "/ask/", {**ASK, "municipality_id": str(lund), **changes},
                  action_contains="/ask/")


def receipt(client) -> tuple[str, str]:
    page = client.get("/ask/receipt").get_data(as_text=True)
    found = re.findall(r'<dd class="secret">([^<]+)</dd>', page)
    assert len(found) == 2, page[:3000]
    return found[0], found[1]


def count(app, model) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model))


def test_the_page_says_what_is_stored_and_that_we_are_not_the_social_services(client, lund):
    page = client.get("/ask/").get_data(as_text=True)
    assert "independent of the social services" in page
    assert "take no part in investigations or court cases" in page
    assert "deleted after 30 days" in page and "erased after 12 months" in page
    assert "You do not need an account" in page and "Lund" in page


@pytest.mark.parametrize("language, direction, words", [
    ("sv", "ltr", "Be om en stödperson"), ("ar", "rtl", 'lang="ar"')])
def test_the_page_speaks_swedish_and_arabic(app, db, lund, language, direction, words):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = browser.get("/ask/").get_data(as_text=True)
    assert f'dir="{direction}"' in page and words in page


def test_a_parent_asks_and_gets_a_reference_and_a_code_once(app, client, lund):
    response = ask(client, lund)
    assert response.status_code == 302 and response.location.endswith("/ask/receipt")
    reference, code = receipt(client)
    assert len(reference) == 6 and len(code.replace("-", "")) == 10
    # Shown once: a reload leads to the status page instead.
    assert client.get("/ask/receipt").status_code == 302
    with app.app_context():
        row = _db.session.scalar(select(SupportRequest).where(
            SupportRequest.reference == reference))
        assert row.origin == "self" and row.status == "new" and row.consent_version
        assert code.replace("-", "") not in (row.code_hash or "")
        raw = _db.session.execute(text(
            "SELECT contact FROM support_parent WHERE request_id = :id"), {"id": row.id}).scalar()
        assert "sara@example.org" not in raw and "Sara" not in raw
        facts = _db.session.execute(text("SELECT facts FROM support_request WHERE id = :id"),
                                    {"id": row.id}).scalar()
        assert "foster_family" not in facts
        mail = _db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.template == "support_received"))
        assert reference in mail.body and code in mail.body
        assert "foster" not in mail.body.lower()
    assert audit_events(app, "support_request.ask", row.id)


def test_only_the_chosen_way_of_contact_is_kept(app, client, lund):
    ask(client, lund, channel="phone", phone="070-123 45 67", email="kept@example.org")
    with app.app_context():
        parent = _db.session.scalar(select(SupportParent))
        from foreningen.support.queries import contact_of

        details = contact_of(parent)
        assert details["phone"] == "+46701234567" and details["email"] is None
        assert parent.channel == "phone"
        # No mail to an address the parent did not choose.
        assert not _db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.template == "support_received"))


@pytest.mark.parametrize("changes, message", [
    ({"channel": "phone", "phone": "12"}, "Enter a phone number we can call"),
    ({"channel": "phone", "phone": ""}, "Give the phone number we should call"),
    ({"channel": "email", "email": "not-an-address"}, "Enter a valid email address"),
    ({"channel": ""}, "Choose phone or email"),
    ({"name": ""}, "This field is required"),
    ({"municipality_id": ""}, "Choose your municipality"),
    ({"child_age": "44"}, "Give an age between 0 and 20"),
    ({"consent": ""}, "We need your consent"),
    ({"placement_type": "prison"}, "Choose one of the answers"),
    ({"name": "Sa\x00ra"}, "control characters"),
])
def test_bad_answers_are_told_and_nothing_is_saved(app, client, lund, changes, message):
    response = ask(client, lund, **{"name": "Sara Typed", **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    if "name" not in changes:
        assert 'value="Sara Typed"' in page  # what was typed is kept
    assert count(app, SupportRequest) == 0


def test_the_honeypot_stops_a_robot(app, client, lund):
    response = ask(client, lund, website="http://spam.example")
    assert response.status_code == 200 and "Leave this field empty" in response.get_data(
        as_text=True)
    assert count(app, SupportRequest) == 0


def status(client, reference, code):
    return submit(client, "/ask/status", {"reference": reference, "code": code},
                  action_contains="/ask/status")


def test_the_status_page_by_reference_and_code(app, db, lund):
    made = factories.support_request(app, lund)
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Give the reference and the personal code" in browser.get("/ask/status").get_data(
        as_text=True)
    # Typed as people type: lower case, spaces, dashes.
    typed = " ".join([made.code[:5].lower(), made.code[5:].lower()])
    response = status(browser, made.reference.lower(), typed)
    assert response.status_code == 302
    page = browser.get("/ask/status").get_data(as_text=True)
    assert "Received. A coordinator will read your request soon." in page
    assert "foster" not in page.lower() and "Sara" not in page  # no facts, no name
    # Forget on this device: the page asks for the code again.
    submit(browser, "/ask/status", {}, action_contains="/forget")
    assert "Give the reference and the personal code" in browser.get("/ask/status").get_data(
        as_text=True)


def test_a_wrong_code_and_an_unknown_reference_read_the_same(app, db, lund):
    made = factories.support_request(app, lund)
    answers = []
    for reference, code in ((made.reference, "WRONGCODE1"), ("ZZZZZZ", made.code)):
        browser = app.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = status(browser, reference, code)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "do not match a request" in page
        answers.append(re.sub(r'value="[^"]*"', "", page.split("<main")[1]))
    assert answers[0] == answers[1]


def test_the_status_page_is_rate_limited(app, db, lund):
    made = factories.support_request(app, lund)
    app.config["SUPPORT_STATUS_LIMIT"] = "3 per hour"
    try:
        browser = app.test_client()
        codes = [status(browser, made.reference, "WRONG00000").status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        assert status(browser, made.reference, made.code).status_code == 429
    finally:
        app.config.pop("SUPPORT_STATUS_LIMIT")


def test_the_parent_withdraws_and_then_erases(app, db, lund):
    made = factories.support_request(app, lund)
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    status(browser, made.reference, made.code)
    submit(browser, "/ask/status", {}, action_contains="/withdraw")
    page = browser.get("/ask/status").get_data(as_text=True)
    assert "You have withdrawn your request." in page
    assert audit_events(app, "support_request.withdraw", made.id)
    # Erasing needs the box ticked.
    response = submit(browser, "/ask/status", {}, action_contains="/erase")
    assert response.status_code == 400 and "Tick the box" in response.get_data(as_text=True)
    response = submit(browser, "/ask/status", {"confirm": "yes"}, action_contains="/erase")
    assert "Your details are erased" in response.get_data(as_text=True)
    assert count(app, SupportRequest) == 0 and count(app, SupportParent) == 0
    # The code opens nothing any more.
    assert "do not match" in status(browser, made.reference, made.code).get_data(as_text=True)
