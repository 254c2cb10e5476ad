"""A parent who gave an email address may follow the request from an account of their own:
a new address gets a parent account by invitation, an address that has an account gets a
link to connect the request after signing in, and the page says the same either way. The
start page then shows the request and the stödperson."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from foreningen.accounts.models import User
from foreningen.core.extensions import db as _db
from foreningen.support.models import ParentAccount
from tests import factories
from tests.admin.test_users import NEW_PASSWORD, send_outbox
from tests.support import csrf_token, signed_in, submit

SENT = "We have sent a message to the email address you gave."


def open_status(app, made):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit(browser, "/ask/status", {"reference": made.reference, "code": made.code},
           action_contains="/ask/status")
    return browser


def test_a_new_address_gets_a_parent_account_and_sees_the_request(app, db, runner, inbox):
    lund = factories.municipality(app, "1281", "Lund")
    made = factories.support_request(app, lund, email="ny.foralder@example.org")
    lena = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    factories.assignment(app, made.id, lena.id)
    browser = open_status(app, made)
    answer = submit(browser, "/ask/status", {}, action_contains="/account",
                    follow_redirects=True)
    assert SENT in answer.get_data(as_text=True)
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.email == "ny.foralder@example.org"))
        assert user.role_names == {"parent"} and user.password_hash is None
        assert _db.session.get(ParentAccount, made.id).user_id == user.id
    # Once connected, the page offers it no more.
    assert "Send me a link for an account" not in browser.get("/ask/status").get_data(
        as_text=True)
    send_outbox(runner)
    link = inbox.link("ny.foralder@example.org")
    assert "/auth/invitation/" in link
    path = urlsplit(link).path
    parent = app.test_client()
    parent.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit(parent, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    submit(parent, "/auth/sign-in", {"email": "ny.foralder@example.org",
                                     "password": NEW_PASSWORD})
    start = parent.get("/").get_data(as_text=True)
    assert made.reference in start and "Your support person is Lena." in start
    mine = parent.get("/ask/mine").get_data(as_text=True)
    assert made.reference in mine and "Assigned" in mine
    assert submit(parent, "/ask/mine", {}, action_contains=f"/ask/mine/{made.id}"
                  ).status_code == 302
    assert "Your support person is Lena" in parent.get("/ask/status").get_data(as_text=True)


def test_an_address_with_an_account_gets_a_link_to_connect(app, db, runner, inbox):
    member = factories.user(app, ["member"], email="har.konto@example.org", locale="en")
    made = factories.support_request(app, email="har.konto@example.org")
    browser = open_status(app, made)
    answer = submit(browser, "/ask/status", {}, action_contains="/account",
                    follow_redirects=True)
    assert SENT in answer.get_data(as_text=True)  # the same words as for a new address
    with app.app_context():
        assert _db.session.get(ParentAccount, made.id) is None  # not before they sign in
        assert _db.session.scalar(select(User).where(
            User.email == "har.konto@example.org")).role_names == {"member"}
    send_outbox(runner)
    link = inbox.link("har.konto@example.org")
    path = urlsplit(link).path
    assert path.startswith("/ask/connect/")
    # Someone else signed in cannot use it.
    other = signed_in(app, factories.user(app, ["member"]))
    refused = submit(other, path, {}, action_contains="/ask/connect/")
    assert refused.status_code == 410 and "not valid any more" in refused.get_data(
        as_text=True)
    owner = signed_in(app, member)
    assert submit(owner, path, {}, action_contains="/ask/connect/").status_code == 302
    assert made.reference in owner.get("/ask/mine").get_data(as_text=True)
    assert made.reference in owner.get("/").get_data(as_text=True)


def test_nobody_else_opens_a_connected_request(app, db):
    owner = factories.user(app, ["parent"])
    made = factories.support_request(app, parent_user_id=owner.id)
    stranger = signed_in(app, factories.user(app, ["parent"]))
    assert made.reference not in stranger.get("/ask/mine").get_data(as_text=True)
    response = stranger.post(f"/ask/mine/{made.id}",
                             data={"csrf_token": csrf_token(stranger, "/account/")})
    assert response.status_code == 404


def test_a_phone_only_parent_is_not_offered_an_account(app, db):
    made = factories.support_request(app, channel="phone", email=None, phone="+46701234567")
    page = open_status(app, made).get("/ask/status").get_data(as_text=True)
    assert "Send me a link for an account" not in page
