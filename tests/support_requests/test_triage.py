"""The coordinators' queue (most urgent first), triage (ask for more, decline, merge),
assigning a ready stödperson with a free place, and what the parent and the referring
social worker then see. Every read of a parent's details is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from foreningen.support.models import Assignment, SupportRequest
from tests import factories
from tests.members.test_register import audit_events
from tests.support import submit


@pytest.fixture
def lund(app, db):
    return factories.municipality(app, "1281", "Lund")


def row(app, request_id) -> SupportRequest:
    with app.app_context():
        found = _db.session.get(SupportRequest, request_id)
        _db.session.expunge(found)
        return found


def templates_sent(app) -> list[str]:
    with app.app_context():
        return list(_db.session.scalars(select(OutboxMessage.template).order_by(
            OutboxMessage.id)))


def test_the_queue_puts_overdue_crisis_first_then_crisis_by_due_time_then_the_oldest(
        app, client, login, lund):
    worker = factories.user(app, ["social_worker"], municipality_code="1281")
    old = factories.support_request(app, lund, received_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    new = factories.support_request(app, lund)
    later_crisis = factories.referral(app, worker)
    overdue = factories.referral(app, worker, at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    login("coordinator")
    page = client.get("/support/").get_data(as_text=True)
    order = [page.index(r.reference) for r in (overdue, later_crisis, old, new)]
    assert order == sorted(order)
    assert "1 overdue" in page and 'class="overdue"' in page
    assert "2 crisis referrals waiting" in page and "4 open requests" in page


def test_the_request_page_shows_the_parent_and_audits_the_read(app, client, login, lund):
    made = factories.support_request(app, lund)
    coordinator = login("coordinator")
    page = client.get(f"/support/requests/{made.id}").get_data(as_text=True)
    assert "Sara" in page and "sara@example.org" in page and "Foster family" in page
    reads = audit_events(app, "support_request.read_parent", made.id)
    assert reads and reads[-1].actor_id == coordinator.id
    assert audit_events(app, "support_request.read_facts", made.id)


@pytest.mark.parametrize("role", ["board", "reviewer", "admin", "member", "supporter"])
def test_nobody_else_sees_the_queue_or_a_request(app, client, login, lund, role):
    made = factories.support_request(app, lund)
    login(role)
    assert client.get("/support/").status_code == 403
    assert client.get(f"/support/requests/{made.id}").status_code == 403
    assert not audit_events(app, "support_request.read_parent", made.id)


def test_asking_for_more_and_declining_tell_the_parent_kindly(app, client, login, lund):
    made = factories.support_request(app, lund)
    login("coordinator")
    submit(client, f"/support/requests/{made.id}", {}, action_contains="/info")
    assert row(app, made.id).status == "info_requested"
    response = submit(client, f"/support/requests/{made.id}", {"reason": ""},
                      action_contains="/decline", follow_redirects=True)
    assert "Choose a reason" in response.get_data(as_text=True)
    submit(client, f"/support/requests/{made.id}", {"reason": "not_covered"},
           action_contains="/decline")
    declined = row(app, made.id)
    assert declined.status == "declined" and declined.decline_reason == "not_covered"
    assert templates_sent(app)[-2:] == ["support_info_requested", "support_declined"]
    # The parent reads why, in their own words, on the status page.
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit(browser, "/ask/status", {"reference": made.reference, "code": made.code},
           action_contains="/ask/status")
    page = browser.get("/ask/status").get_data(as_text=True)
    assert "We have no support persons where you live yet" in page
    # Declined requests leave the queue, and a second decline is refused.
    response = client.post(f"/support/requests/{made.id}/decline",
                           data={"reason": "other", "csrf_token": _token(client)},
                           follow_redirects=True)
    assert "Someone else dealt with this request a moment ago" in response.get_data(
        as_text=True)
    assert row(app, made.id).decline_reason == "not_covered"


def test_a_duplicate_is_merged_into_the_request_kept(app, client, login, lund):
    first = factories.support_request(app, lund)
    second = factories.support_request(app, lund, name="Sara again")
    login("coordinator")
    response = submit(client, f"/support/requests/{second.id}", {"into": "nope"},
                      action_contains="/merge", follow_redirects=True)
    assert "no open request with that reference" in response.get_data(as_text=True)
    submit(client, f"/support/requests/{second.id}", {"into": first.reference.lower()},
           action_contains="/merge")
    assert row(app, second.id).status == "merged"
    page = client.get(f"/support/requests/{first.id}").get_data(as_text=True)
    assert "Sara again" in page and "The parents" in page


def test_assigning_a_ready_stodperson_tells_the_parent_who(app, client, login, lund):
    made = factories.support_request(app, lund)
    ready = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    not_ready = factories.supporter(app, "active", display_name="Nora", municipality_id=lund)
    elsewhere = factories.ready_supporter(app, display_name="Olle",
                                          municipality_id=factories.municipality(app, "0180"))
    login("coordinator")
    page = client.get(f"/support/requests/{made.id}/assign").get_data(as_text=True)
    assert "Assign Lena" in page and "Nora" not in page and "Olle" not in page
    wider = client.get(f"/support/requests/{made.id}/assign?anywhere=y").get_data(as_text=True)
    assert "Assign Olle" in wider
    submit(client, f"/support/requests/{made.id}/assign", {"supporter_id": str(ready.id)},
           action_contains="/assign")
    assert row(app, made.id).status == "assigned"
    assert "support_assigned" in templates_sent(app) and "support_new_parent" in \
        templates_sent(app)
    assert audit_events(app, "support_assignment.start")
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit(browser, "/ask/status", {"reference": made.reference, "code": made.code},
           action_contains="/ask/status")
    assert "Your support person is Lena. They will write to you." in browser.get(
        "/ask/status").get_data(as_text=True)
    del not_ready, elsewhere


def test_a_full_stodperson_cannot_be_given_another_parent(app, client, login, lund):
    ready = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    first = factories.support_request(app, lund)
    second = factories.support_request(app, lund)
    factories.assignment(app, first.id, ready.id)
    login("coordinator")
    assert "Assign Lena" not in client.get(f"/support/requests/{second.id}/assign").get_data(
        as_text=True)
    response = client.post(f"/support/requests/{second.id}/assign",
                           data={"supporter_id": str(ready.id), "csrf_token": _token(client)},
                           follow_redirects=True)
    assert "Lena has no free place any more" in response.get_data(as_text=True)
    assert row(app, second.id).status == "new"


def _token(client) -> str:
    from tests.support import csrf_token

    return csrf_token(client, "/support/")


def test_asking_for_another_puts_the_request_back_at_the_top_without_that_person(
        app, client, login, lund):
    made = factories.support_request(app, lund, received_at=datetime.now(UTC) - timedelta(
        days=1))
    older = factories.support_request(app, lund, received_at=datetime(2026, 1, 1, tzinfo=UTC))
    lena = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    factories.ready_supporter(app, display_name="Maja", municipality_id=lund)
    factories.assignment(app, made.id, lena.id)
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit(browser, "/ask/status", {"reference": made.reference, "code": made.code},
           action_contains="/ask/status")
    submit(browser, "/ask/status", {}, action_contains="/another")
    assert "We are looking for your support person." in browser.get("/ask/status").get_data(
        as_text=True)
    with app.app_context():
        closed = _db.session.scalar(select(Assignment).where(Assignment.request_id == made.id))
        assert closed.status == "closed" and closed.close_reason == "another_asked"
    login("coordinator")
    queue = client.get("/support/").get_data(as_text=True)
    assert queue.index(made.reference) < queue.index(older.reference)
    page = client.get(f"/support/requests/{made.id}/assign").get_data(as_text=True)
    assert "Assign Maja" in page and "Assign Lena" not in page


def test_a_parent_who_gave_only_a_phone_gets_text_messages_without_names(
        app, client, login, lund):
    made = factories.support_request(app, lund, channel="phone", email=None,
                                     phone="+46701234567")
    fixed = factories.support_request(app, lund, channel="phone", email=None,
                                      phone="+46812345678")
    ready = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    login("coordinator")
    submit(client, f"/support/requests/{made.id}/assign", {"supporter_id": str(ready.id)},
           action_contains="/assign")
    submit(client, f"/support/requests/{fixed.id}", {"reason": "no_one_free"},
           action_contains="/decline")
    with app.app_context():
        texts = list(_db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.channel == "sms")))
        assert [m.template for m in texts] == ["support_assigned"]  # a fixed line gets none
        assert texts[0].recipient == "+46701234567"
        assert "Lena" not in texts[0].body and "support person" in texts[0].body
        assert "/ask/status" in texts[0].body
