"""Administration of accounts: the list, invitations, roles, disable and enable, and who may
use the admin pages at all."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import func, select, update

from foreningen.accounts import services as accounts
from foreningen.accounts.models import AccountToken, User
from foreningen.core.audit import AuditEvent
from foreningen.core.db import utcnow
from foreningen.core.outbox import OutboxMessage
from tests import factories
from tests.support import csrf_token, forms_in, submit

NEW_PASSWORD = "ny-fin-fras-om-hosten"


# --- helpers ------------------------------------------------------------------------------

def add_user(app, db, email, name, roles=("member",), *, password=factories.PASSWORD,
             disabled=False):
    """An account made by tests.factories (accounts.create_user); returns its id."""
    return factories.user(app, list(roles), email=email, name=name, password=password,
                          disabled=disabled).id


def scalar(app, db, stmt):
    with app.app_context():
        return db.session.scalar(stmt)


def audit_actions(app, db, subject_id, subject_type="user_account"):
    with app.app_context():
        return [(e.action, e.actor_id) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == subject_type,
                                     AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.id))]


def user_id(app, db, email):
    return scalar(app, db, select(User.id).where(User.email == email))


def listed_emails(page) -> list[str]:
    return re.findall(r"<td[^>]*>([^<@]+@example\.org)</td>", page.get_data(as_text=True))


def browser(app, locale="en"):
    """A second, independent browser."""
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
    return other


def send_outbox(runner):
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result


def invite(client, **fields):
    data = {"display_name": "Nora Nyman", "email": "nora.nyman@example.org",
            "roles": ["member"], "locale": "en"}
    data.update(fields)
    return submit(client, "/admin/users/invite", data)


@pytest.fixture
def admin(login):
    return login("admin", locale="en")


# --- the list -----------------------------------------------------------------------------

def test_search_finds_people_by_name_or_email_part(app, db, client, admin):
    add_user(app, db, "asa.lindqvist@example.org", "Åsa Lindqvist")
    add_user(app, db, "omar.haddad@example.org", "Omar Haddad")
    add_user(app, db, "kontakt@example.org", "Bertil Svensson")

    by_name = client.get("/admin/users?q=LINDQ")
    assert listed_emails(by_name) == ["asa.lindqvist@example.org"]
    assert "1 user" in by_name.get_data(as_text=True)

    by_email = client.get("/admin/users?q=kontakt@")
    assert listed_emails(by_email) == ["kontakt@example.org"]

    nobody = client.get("/admin/users?q=nobody-by-this-name")
    assert listed_emails(nobody) == []
    assert "No users match the filter." in nobody.get_data(as_text=True)


def test_search_treats_percent_and_underscore_as_characters(app, db, client, admin):
    add_user(app, db, "anna_berg@example.org", "Anna Berg")
    add_user(app, db, "annaxberg@example.org", "Anna X Berg")

    assert listed_emails(client.get("/admin/users?q=anna_berg")) == ["anna_berg@example.org"]
    assert listed_emails(client.get("/admin/users?q=%25")) == []


def test_role_filter_shows_only_people_with_that_role(app, db, client, admin, make_user):
    reviewer = make_user("reviewer")
    coordinator = make_user("coordinator", "member")
    member = make_user("member")

    page = client.get("/admin/users?role=reviewer")
    assert listed_emails(page) == [reviewer.email]

    members = listed_emails(client.get("/admin/users?role=member"))
    assert coordinator.email in members and member.email in members
    assert reviewer.email not in members and admin.email not in members


def test_status_filter_separates_active_invited_and_disabled(app, db, client, admin, make_user):
    active = make_user("member")
    invited = make_user("member", invited=True)
    disabled_id = add_user(app, db, "gone@example.org", "Gone Person", disabled=True)
    assert disabled_id

    active_list = listed_emails(client.get("/admin/users?status=active"))
    assert set(active_list) == {admin.email, active.email}

    invited_page = client.get("/admin/users?status=invited")
    assert listed_emails(invited_page) == [invited.email]
    assert re.search(r"<td[^>]*>Invited</td>", invited_page.get_data(as_text=True))

    disabled_page = client.get("/admin/users?status=disabled")
    assert listed_emails(disabled_page) == ["gone@example.org"]
    assert re.search(r"<td[^>]*>Disabled</td>", disabled_page.get_data(as_text=True))


def test_long_list_is_paginated_and_keeps_the_filter(app, db, client, admin):
    with app.app_context():
        for n in range(55):
            accounts.create_user(f"bulk{n:03d}@example.org", f"Bulk Person {n}", ["member"])
        db.session.commit()

    first = client.get("/admin/users?q=bulk")
    text = first.get_data(as_text=True)
    emails = listed_emails(first)
    assert len(emails) == 50
    assert emails[0] == "bulk000@example.org"
    assert "55 users" in text
    assert "Page 1 of 2" in text
    next_link = html.unescape(re.search(r'href="([^"]+)" rel="next"', text).group(1))
    assert "q=bulk" in next_link and "page=2" in next_link

    second = client.get(next_link)
    assert listed_emails(second) == [f"bulk{n:03d}@example.org" for n in range(50, 55)]
    assert "Page 2 of 2" in second.get_data(as_text=True)
    assert 'rel="next"' not in second.get_data(as_text=True)

    everyone = client.get("/admin/users?page=2")
    assert admin.email in listed_emails(everyone)  # 56 in all: the admin sorts last


# --- invitations --------------------------------------------------------------------------

def test_invitation_mail_has_a_link_that_sets_the_password(app, db, client, admin, inbox,
                                                           runner):
    response = invite(client, email="Nora.Nyman@Example.org", roles=["supporter", "member"])
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The invitation is on its way." in page
    assert "Nora Nyman" in page and "Invited" in page

    send_outbox(runner)
    mails = inbox.to("nora.nyman@example.org")
    assert len(mails) == 1
    body = inbox.body(mails[0])
    assert "You have been given an account at Föreningen" in body  # the chosen language
    link = inbox.link("nora.nyman@example.org")
    assert link.startswith("http://localhost/auth/invitation/")
    assert re.findall(r"https?://\S+", body) == [link]
    assert not re.search(r"password\s*:", body, re.IGNORECASE)
    assert factories.PASSWORD not in body and admin.password not in body

    invitee = browser(app)
    path = urlsplit(link).path
    form_page = invitee.get(path).get_data(as_text=True)
    assert "Choose a password for your account nora.nyman@example.org" in form_page

    too_short = submit(invitee, path, {"password": "kort-1", "confirm": "kort-1"})
    assert too_short.status_code == 200
    assert "Use at least 10 characters." in too_short.get_data(as_text=True)

    too_common = submit(invitee, path, {"password": "password123", "confirm": "password123"})
    assert "This password is too common." in too_common.get_data(as_text=True)

    mismatch = submit(invitee, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "The passwords do not match." in mismatch.get_data(as_text=True)

    done = submit(invitee, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/auth/sign-in")
    assert "Your account is ready" in invitee.get("/auth/sign-in").get_data(as_text=True)

    signed_in = submit(invitee, "/auth/sign-in",
                       {"email": "nora.nyman@example.org", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert "Nora Nyman" in invitee.get("/account/").get_data(as_text=True)

    again = browser(app).get(path)
    assert again.status_code == 410
    assert "The link does not work" in again.get_data(as_text=True)

    nora = user_id(app, db, "nora.nyman@example.org")
    assert listed_emails(client.get("/admin/users?status=active&q=nora")) == [
        "nora.nyman@example.org"]
    actions = audit_actions(app, db, nora)
    assert ("user.create", admin.id) in actions and ("user.invite", admin.id) in actions
    assert ("auth.password_change", nora) in actions


def test_invitation_in_swedish_by_default(app, db, client, admin, inbox, runner):
    invite(client, email="sara@example.org", locale="sv")
    send_outbox(runner)
    body = inbox.body(inbox.to("sara@example.org")[0])
    assert "You have been given an account" not in body
    assert "/auth/invitation/" in body


def test_expired_invitation_link_does_not_work(app, db, client, admin, inbox, runner):
    invite(client)
    send_outbox(runner)
    path = urlsplit(inbox.link("nora.nyman@example.org")).path
    with app.app_context():
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()

    page = browser(app).get(path)
    assert page.status_code == 410
    assert "The link does not work" in page.get_data(as_text=True)
    assert "Ask the person who invited you" in page.get_data(as_text=True)
    refused = browser(app).post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code in (400, 410)
    assert scalar(app, db, select(User.password_hash).where(
        User.email == "nora.nyman@example.org")) is None


def test_sending_the_invitation_again_replaces_the_old_link(app, db, client, admin, inbox,
                                                            runner):
    invite(client)
    send_outbox(runner)
    first = urlsplit(inbox.link("nora.nyman@example.org")).path
    nora = user_id(app, db, "nora.nyman@example.org")

    response = submit(client, f"/admin/users/{nora}", action_contains="/reinvite")
    assert response.status_code == 302
    assert "A new invitation is on its way." in client.get(response.location).get_data(
        as_text=True)
    send_outbox(runner)
    assert len(inbox.to("nora.nyman@example.org")) == 2
    second = urlsplit(inbox.link("nora.nyman@example.org")).path
    assert second != first

    assert browser(app).get(first).status_code == 410
    assert browser(app).get(second).status_code == 200
    assert [a for a in audit_actions(app, db, nora) if a[0] == "user.invite"] == [
        ("user.invite", admin.id)] * 2


def test_active_account_is_not_invited_again(app, db, client, admin, make_user):
    person = make_user("member")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Send the invitation again" not in page

    token = csrf_token(client, f"/admin/users/{person.id}")
    response = client.post(f"/admin/users/{person.id}/reinvite", data={"csrf_token": token},
                           follow_redirects=True)
    assert "Only accounts that are waiting for their first sign-in" in response.get_data(
        as_text=True)
    assert scalar(app, db, select(func.count(OutboxMessage.id))) == 0
    assert "user.invite" not in [a for a, _ in audit_actions(app, db, person.id)]


def test_taken_email_is_refused_and_nothing_is_created(app, db, client, admin, make_user):
    taken = make_user("member", email="taken@example.org")
    events_before = scalar(app, db, select(func.count(AuditEvent.id)))

    response = invite(client, email=" Taken@Example.org ", display_name="Someone Else",
                      roles=["supporter"])
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "There is already an account with this email address." in text
    form = _invite_form(text)
    assert form["display_name"] == ["Someone Else"]
    assert form["roles"] == ["supporter"]

    assert scalar(app, db, select(func.count(User.id)).where(
        User.email == "taken@example.org")) == 1
    assert scalar(app, db, select(func.count(OutboxMessage.id))) == 0
    assert scalar(app, db, select(func.count(AuditEvent.id))) == events_before
    assert taken.id == user_id(app, db, "taken@example.org")


def selected(text: str, name: str) -> str | None:
    """The chosen option of a <select> as the page shows it."""
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', text, re.S).group(0)
    found = re.search(r'<option selected value="([^"]*)"', select_html)
    return found.group(1) if found else None


def _invite_form(text: str) -> dict:
    return next(f for f in forms_in(text) if f["action"].endswith("/admin/users/invite"))["fields"]


@pytest.mark.parametrize("role", ["reviewer", "social_worker"])
def test_municipal_roles_need_a_municipality(app, db, client, admin, role):
    stockholm = factories.municipality(app, "0180", "Stockholm")

    refused = invite(client, roles=[role], municipality_id="", locale="ar")
    assert refused.status_code == 200
    text = refused.get_data(as_text=True)
    assert "Reviewers and social workers must belong to a municipality." in text
    kept = _invite_form(text)
    assert kept["display_name"] == ["Nora Nyman"]
    assert kept["email"] == ["nora.nyman@example.org"]
    assert kept["roles"] == [role]
    assert selected(text, "locale") == "ar"
    assert user_id(app, db, "nora.nyman@example.org") is None

    accepted = invite(client, roles=[role], municipality_id=str(stockholm))
    assert accepted.status_code == 302
    assert scalar(app, db, select(User.municipality_id).where(
        User.email == "nora.nyman@example.org")) == stockholm


def test_invalid_email_is_refused_with_a_message(app, db, client, admin):
    response = invite(client, email="inte-en-adress")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.get_data(as_text=True)
    assert scalar(app, db, select(func.count(User.id))) == 1


# --- roles --------------------------------------------------------------------------------

def test_admin_changes_roles(app, db, client, admin, make_user):
    person = make_user("member")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="member"', page)

    response = submit(client, f"/admin/users/{person.id}",
                      {"roles": ["member", "coordinator"]},
                      action_contains=f"/admin/users/{person.id}")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The roles are saved." in page
    assert re.search(r'<input checked[^>]*value="coordinator"', page)
    listed = client.get("/admin/users?role=coordinator").get_data(as_text=True)
    assert person.email in listed and "Coordinator, Member" in listed
    assert ("user.roles_change", admin.id) in audit_actions(app, db, person.id)


def test_roles_cannot_be_emptied_or_made_municipal_without_a_municipality(app, db, client,
                                                                          admin, make_user):
    person = make_user("member")
    url = f"/admin/users/{person.id}"

    empty = submit(client, url, {"roles": []}, action_contains=url)
    assert empty.status_code == 200
    assert "Choose at least one role." in empty.get_data(as_text=True)

    reviewer = submit(client, url, {"roles": ["reviewer"], "municipality_id": ""},
                      action_contains=url)
    assert reviewer.status_code == 200
    assert "must belong to a municipality" in reviewer.get_data(as_text=True)

    with app.app_context():
        assert db.session.get(User, person.id).role_names == {"member"}
    assert "user.roles_change" not in [a for a, _ in audit_actions(app, db, person.id)]


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404


# --- disable and enable -------------------------------------------------------------------

def test_disabling_signs_the_person_out_everywhere_and_keeps_them_out(app, db, client, admin,
                                                                      make_user):
    victim = make_user("member")
    theirs = browser(app)
    assert submit(theirs, "/auth/sign-in",
                  {"email": victim.email, "password": victim.password}).status_code == 302
    assert theirs.get("/account/").status_code == 200

    response = submit(client, f"/admin/users/{victim.id}", action_contains="/disable")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The account is disabled and signed out everywhere." in page
    assert "Disabled since" in page
    assert "Enable the account" in page

    kicked = theirs.get("/account/")
    assert kicked.status_code == 302
    assert kicked.location.startswith("/auth/sign-in")

    again = submit(browser(app), "/auth/sign-in",
                   {"email": victim.email, "password": victim.password})
    assert again.status_code == 200
    assert "The email address or the password is wrong." in again.get_data(as_text=True)
    assert ("user.disable", admin.id) in audit_actions(app, db, victim.id)

    enabled = submit(client, f"/admin/users/{victim.id}", action_contains="/enable")
    assert "The account is enabled again." in client.get(enabled.location).get_data(
        as_text=True)
    back = submit(browser(app), "/auth/sign-in",
                  {"email": victim.email, "password": victim.password})
    assert back.status_code == 302
    assert ("user.enable", admin.id) in audit_actions(app, db, victim.id)


def test_admin_cannot_disable_themselves(app, db, client, admin):
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Disable the account" not in page

    token = csrf_token(client, f"/admin/users/{admin.id}")
    response = client.post(f"/admin/users/{admin.id}/disable", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "You cannot disable your own account." in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200  # still signed in
    assert scalar(app, db, select(User.disabled_at).where(User.id == admin.id)) is None
    assert "user.disable" not in [a for a, _ in audit_actions(app, db, admin.id)]


def test_another_admin_can_be_disabled(app, db, client, admin, make_user):
    other = make_user("admin")
    page = client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert "Disable the account" in page
    submit(client, f"/admin/users/{other.id}", action_contains="/disable")
    assert scalar(app, db, select(User.disabled_at).where(User.id == other.id)) is not None


# --- who may use the admin pages ----------------------------------------------------------

NON_ADMIN_ROLES = ["member", "parent", "supporter", "coordinator", "board", "reviewer",
                   "social_worker"]


def admin_pages(app, db, make_user):
    target = make_user("member")
    municipality_id = factories.municipality(app, "1480", "Göteborg")
    return {
        "admin.users": "/admin/users",
        "admin.invite_user": "/admin/users/invite",
        "admin.user": f"/admin/users/{target.id}",
        "admin.municipalities": "/admin/municipalities",
        "admin.municipality": f"/admin/municipalities/{municipality_id}",
        "admin.audit_log": "/admin/audit",
    }, target


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_every_admin_page_refuses_other_roles(app, db, client, login, make_user, role):
    pages, target = admin_pages(app, db, make_user)
    pages["admin.municipality/new"] = "/admin/municipalities/new"
    person = login(role, locale="en")
    board_reads_audit = role == "board"  # access review, PRIVACY.md
    if board_reads_audit:
        assert client.get(pages.pop("admin.audit_log")).status_code == 200

    for path in pages.values():
        response = client.get(path)
        assert response.status_code == 403, (role, path)
        assert "You do not have access to this page" in response.get_data(as_text=True)

    with app.app_context():
        refused = db.session.execute(
            select(AuditEvent.detail, AuditEvent.actor_role).where(
                AuditEvent.action == "access.refused", AuditEvent.actor_id == person.id)
        ).all()
    expected = ["admin.users", "admin.invite_user", "admin.user", "admin.municipalities",
                "admin.municipality", "admin.municipality"]
    if not board_reads_audit:
        expected.append("admin.audit_log")
    assert sorted(d for d, _ in refused) == sorted(expected)

    # A POST with a good CSRF token changes nothing either.
    token = csrf_token(client, "/account/")
    for path in (f"/admin/users/{target.id}/disable", "/admin/municipalities/new",
                 "/admin/users/invite"):
        response = client.post(path, data={"csrf_token": token, "code": "9999", "name": "X",
                                           "email": "x@example.org", "display_name": "X",
                                           "roles": "member"})
        assert response.status_code == 403, (role, path)
    assert scalar(app, db, select(User.disabled_at).where(User.id == target.id)) is None
    assert user_id(app, db, "x@example.org") is None


def test_anonymous_visitors_are_sent_to_sign_in(app, db, client, make_user):
    pages, target = admin_pages(app, db, make_user)
    for path in pages.values():
        response = client.get(path)
        assert response.status_code == 302, path
        location = urlsplit(response.location)
        assert location.path == "/auth/sign-in"
        assert unquote(location.query) == f"next={path}"
    token = csrf_token(client)
    response = client.post(f"/admin/users/{target.id}/disable", data={"csrf_token": token})
    assert response.status_code == 302
    assert scalar(app, db, select(User.disabled_at).where(User.id == target.id)) is None


def test_the_last_administrator_cannot_be_removed(app, db, client, login):
    me = login("admin", locale="en")
    # Not from the portal: nobody changes their own roles (the form is not even shown) ...
    assert "Nobody changes their own roles" in client.get(f"/admin/users/{me.id}").get_data(
        as_text=True)
    response = client.post(f"/admin/users/{me.id}", data={
        "csrf_token": csrf_token(client, "/admin/users"), "roles": ["member"]})
    assert response.status_code == 200
    assert "Nobody changes their own roles" in response.get_data(as_text=True)
    # ... and not by any other way either: the rule holds in the service.
    with app.test_request_context(method="POST"):
        with pytest.raises(accounts.AccountError) as refused:
            accounts.set_roles(db.session.get(User, me.id), ["member"], None)
        assert refused.value.code == "last_admin"
        db.session.rollback()
        assert "admin" in db.session.get(User, me.id).role_names


def test_role_changes_are_audited_with_what_changed(app, db, client, login, make_user):
    login("admin", locale="en")
    target = make_user("member")
    submit(client, f"/admin/users/{target.id}", {"roles": ["supporter"]})
    with app.app_context():
        detail = db.session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "user.roles_change", AuditEvent.subject_id == target.id))
    assert detail == "+supporter -member"



def test_giving_the_board_role_takes_the_password_and_tells_the_others(app, db, client, login,
                                                                     make_user, runner, inbox):
    admin = login("admin", locale="en")
    other_admin = make_user("admin", locale="en")
    board = make_user("board", locale="en")
    target = make_user("member")
    refused = submit(client, f"/admin/users/{target.id}", {"roles": ["member", "board"]})
    assert "Giving the board or administrator role needs your password." in refused.get_data(
        as_text=True)
    wrong = submit(client, f"/admin/users/{target.id}", {"roles": ["member", "board"],
                                                          "password": "not-my-password"})
    assert "The password is not right." in wrong.get_data(as_text=True)
    with app.app_context():
        assert "board" not in db.session.get(User, target.id).role_names
    done = submit(client, f"/admin/users/{target.id}", {"roles": ["member", "board"],
                                                         "password": admin.password})
    assert done.status_code == 302
    runner.invoke(args=["outbox", "send"])
    for watcher in (other_admin, board):
        body = inbox.body(inbox.to(watcher.email)[-1])
        assert "Board" in body and target.email not in body  # no names in the mail
    assert inbox.to(admin.email) == [] and inbox.to(target.email) == []


def test_an_administrator_cannot_make_themselves_board(app, db, client, login):
    me = login("admin", locale="en")
    response = client.post(f"/admin/users/{me.id}", data={
        "csrf_token": csrf_token(client, "/admin/users"), "roles": ["admin", "board"],
        "password": me.password})
    assert "Nobody changes their own roles" in response.get_data(as_text=True)
    with app.app_context():
        assert "board" not in db.session.get(User, me.id).role_names
