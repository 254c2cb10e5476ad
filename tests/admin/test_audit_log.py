"""The audit log page and its filters, the audit trail of every admin change, and the
append-only guarantee of the audit table."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select, text

from foreningen.accounts.models import User
from foreningen.core.audit import AuditEvent
from tests import factories
from tests.support import submit


@pytest.fixture
def admin(login):
    return login("admin", locale="en")


def rows(page) -> list[tuple[str, str, str]]:
    """(actor, action, subject) of every row of the audit table on the page; the action and
    subject as the codes the page carries beside the words it shows."""
    body = page.get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                       row, re.S)]
        if len(cells) == 7:
            action = re.search(r'data-action="([^"]*)"', row).group(1)
            subject = re.search(r'data-subject="([^"]*)"', row).group(1).strip()
            found.append((cells[1], action, subject))
    return found


def words(page) -> list[tuple[str, str, str]]:
    """(actor, what happened, about what) of every row, as a reader sees them."""
    body = page.get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [" ".join(re.sub(r"<[^>]+>", "", c).split())
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) == 7:
            found.append((cells[1], cells[3], cells[4]))
    return found


def actions(page) -> set[str]:
    return {action for _, action, _ in rows(page)}


def add_events(app, db, *events: tuple[str, datetime]) -> None:
    with app.app_context():
        for action, occurred_at in events:
            db.session.add(AuditEvent(action=action, occurred_at=occurred_at))
        db.session.commit()


# --- the page -----------------------------------------------------------------------------

def test_page_lists_the_admins_own_sign_in(client, admin):
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "Entries cannot be changed or removed." in page.get_data(as_text=True)
    assert (admin.email, "auth.sign_in", f"user_account {admin.id}") in rows(page)


def test_filter_by_action_prefix(app, db, client, admin):
    submit(client, "/admin/municipalities/new", {"code": "0180", "name": "Stockholm"})

    auth_only = client.get("/admin/audit?action=auth.")
    assert actions(auth_only) == {"auth.sign_in"}

    municipal = client.get("/admin/audit?action=municipality")
    assert actions(municipal) == {"municipality.create"}

    whole = client.get("/admin/audit?action=+auth.sign_in+")
    assert actions(whole) == {"auth.sign_in"}

    # An underscore is a character here, not a wildcard that would match "auth.sign_in".
    nothing = client.get("/admin/audit?action=auth_sign")
    assert rows(nothing) == []
    assert "No events match the filter." in nothing.get_data(as_text=True)


def test_filter_by_actor_email(app, db, client, admin, make_user):
    other = make_user("member")
    other_browser = app.test_client()
    assert submit(other_browser, "/auth/sign-in",
                  {"email": other.email, "password": other.password}).status_code == 302

    theirs = rows(client.get(f"/admin/audit?actor={other.email.upper()}+"))
    assert theirs and {actor for actor, _, _ in theirs} == {other.email}

    mine = rows(client.get(f"/admin/audit?actor={admin.email}"))
    assert mine and {actor for actor, _, _ in mine} == {admin.email}

    assert rows(client.get("/admin/audit?actor=nobody@example.org")) == []


def test_filter_by_subject_type(app, db, client, admin):
    submit(client, "/admin/municipalities/new", {"code": "1480", "name": "Göteborg"})
    page = client.get("/admin/audit?subject_type=municipality")
    found = rows(page)
    assert [(a, s.split()[0]) for _, a, s in found] == [("municipality.create", "municipality")]


def test_filter_by_date_range_uses_swedish_calendar_days(app, db, client, admin):
    add_events(app, db,
               ("test.early", datetime(2024, 1, 10, 12, 0, tzinfo=UTC)),
               # 23:30 UTC on the 20th is 00:30 on the 21st in Stockholm.
               ("test.late", datetime(2024, 1, 20, 23, 30, tzinfo=UTC)),
               ("test.later", datetime(2024, 2, 1, 9, 0, tzinfo=UTC)))

    january = client.get("/admin/audit?action=test.&date_from=2024-01-01&date_to=2024-01-20")
    assert actions(january) == {"test.early"}

    one_day = client.get("/admin/audit?action=test.&date_from=2024-01-21&date_to=2024-01-21")
    assert actions(one_day) == {"test.late"}

    since = client.get("/admin/audit?action=test.&date_from=2024-01-21")
    assert actions(since) == {"test.late", "test.later"}

    until = client.get("/admin/audit?date_to=2024-01-31")
    assert actions(until) == {"test.early", "test.late"}  # not today's sign-in


def test_long_log_is_paginated_newest_first(app, db, client, admin):
    add_events(app, db, *[(f"test.n{n:02d}", datetime(2024, 3, 1, 8, n, tzinfo=UTC))
                          for n in range(55)])
    first = client.get("/admin/audit?action=test.")
    assert len(rows(first)) == 50
    assert rows(first)[0][1] == "test.n54"
    assert "Page 1 of 2" in first.get_data(as_text=True)
    second = client.get("/admin/audit?action=test.&page=2")
    assert [a for _, a, _ in rows(second)] == [f"test.n{n:02d}" for n in range(4, -1, -1)]


# --- every admin change leaves a trace ----------------------------------------------------

def test_every_admin_change_is_audited_with_actor_and_subject(app, db, client, admin,
                                                              make_user):
    def events_since(last_id):
        with app.app_context():
            return [(e.action, e.actor_id, e.actor_role, e.subject_type, e.subject_id,
                     e.request_id) for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id))]

    def last_id():
        with app.app_context():
            return db.session.scalar(select(sa.func.max(AuditEvent.id))) or 0

    def expect(mark, *wanted):
        got = events_since(mark)
        assert [(a, s, i) for a, _, _, s, i, _ in got] == list(wanted)
        assert all(actor == admin.id and role == "admin" and request_id
                   for _, actor, role, _, _, request_id in got)

    mark = last_id()
    submit(client, "/admin/users/invite", {"display_name": "Ny Person",
                                           "email": "ny@example.org", "roles": ["member"],
                                           "locale": "sv"})
    with app.app_context():
        new_id = db.session.scalar(select(User.id).where(User.email == "ny@example.org"))
    expect(mark, ("user.create", "user_account", new_id), ("user.invite", "user_account", new_id))

    mark = last_id()
    submit(client, f"/admin/users/{new_id}", action_contains="/reinvite")
    expect(mark, ("user.invite", "user_account", new_id))

    person = make_user("member")
    mark = last_id()
    submit(client, f"/admin/users/{person.id}", {"roles": ["member", "supporter"]},
           action_contains=f"/admin/users/{person.id}")
    expect(mark, ("user.roles_change", "user_account", person.id))

    mark = last_id()
    submit(client, f"/admin/users/{person.id}", action_contains="/disable")
    expect(mark, ("user.disable", "user_account", person.id))

    mark = last_id()
    submit(client, f"/admin/users/{person.id}", action_contains="/enable")
    expect(mark, ("user.enable", "user_account", person.id))

    mark = last_id()
    submit(client, "/admin/municipalities/new", {"code": "0380", "name": "Uppsala"})
    with app.app_context():
        uppsala = db.session.scalar(select(AuditEvent.subject_id).where(
            AuditEvent.action == "municipality.create"))
    expect(mark, ("municipality.create", "municipality", uppsala))

    mark = last_id()
    submit(client, f"/admin/municipalities/{uppsala}", {"name": "Uppsala kommun"})
    expect(mark, ("municipality.update", "municipality", uppsala))


def test_refused_change_leaves_no_audit_event(app, db, client, admin, make_user):
    factories.municipality(app, "0180", "Stockholm")
    with app.app_context():
        before = db.session.scalar(select(sa.func.count(AuditEvent.id)))
    submit(client, "/admin/municipalities/new", {"code": "0180", "name": "Dubblett"})
    submit(client, "/admin/users/invite", {"display_name": "X", "email": admin.email,
                                           "roles": ["member"], "locale": "sv"})
    with app.app_context():
        assert db.session.scalar(select(sa.func.count(AuditEvent.id))) == before


# --- append-only --------------------------------------------------------------------------

@pytest.fixture
def sign_in_event(app, db, admin):
    with app.app_context():
        return db.session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "auth.sign_in", AuditEvent.actor_id == admin.id))


def _unchanged(app, db, event_id, admin_id):
    with app.app_context():
        event = db.session.get(AuditEvent, event_id)
        assert event is not None
        assert (event.action, event.actor_id) == ("auth.sign_in", admin_id)


def test_orm_refuses_to_change_or_delete_audit_events(app, db, admin, sign_in_event):
    with app.app_context():
        event = db.session.get(AuditEvent, sign_in_event)
        event.action = "auth.nothing_happened"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()

        event = db.session.get(AuditEvent, sign_in_event)
        db.session.delete(event)
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
    _unchanged(app, db, sign_in_event, admin.id)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'auth.nothing_happened' WHERE id = :id",
    "UPDATE audit_event SET actor_id = NULL WHERE id = :id",
    "DELETE FROM audit_event WHERE id = :id",
    "DELETE FROM audit_event",
])
def test_database_refuses_to_change_or_delete_audit_events(app, db, admin, sign_in_event,
                                                           statement):
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(text(statement), {"id": sign_in_event})
        db.session.rollback()
    _unchanged(app, db, sign_in_event, admin.id)


# --- read by people -------------------------------------------------------------------------

def test_events_read_as_words_with_links_to_what_the_viewer_may_open(app, db, client, admin):
    submit(client, "/admin/municipalities/new", {"code": "0380", "name": "Uppsala"})
    page = client.get("/admin/audit")
    html = page.get_data(as_text=True)
    said = words(page)
    assert (admin.email, "Municipality added", f"Municipality #{_last_subject(app, db)}") \
        in said
    assert (admin.email, "Signed in", f"Account #{admin.id}") in said
    assert f'href="/admin/users/{admin.id}"' in html  # an administrator may open the account
    assert "<option value=\"auth.\">Sign-in: all</option>" in html
    assert "<option value=\"member.approve\">Application approved</option>" in html


def test_every_recorded_action_has_words(app):
    """A new audit.record(...) without a label in the feature's audit.describe fails."""
    import pathlib

    from foreningen.core import audit
    from foreningen.members.models import ConsentPurpose, MemberStatus

    source = "\n".join(p.read_text(encoding="utf-8")
                       for p in pathlib.Path("foreningen").rglob("*.py"))
    recorded = set(re.findall(r'audit\.record\(\s*"([a-z_]+\.[a-z_]+)"', source))
    recorded |= {f"member.status_{s}" for s in MemberStatus}
    recorded |= {"member.consent_give", "member.consent_withdraw"}
    assert recorded and ConsentPurpose
    assert sorted(recorded - set(audit.ACTIONS)) == []


def test_the_board_sees_a_parent_by_role_and_pseudonym_only(app, db, client, login, make_user):
    parent = make_user("parent")
    member = make_user("member")
    for person in (parent, member):
        browser = app.test_client()
        assert submit(browser, "/auth/sign-in", {"email": person.email,
                                                 "password": person.password}).status_code == 302
    login("board", locale="en")
    page = client.get("/admin/audit?action=auth.sign_in")
    html = page.get_data(as_text=True)
    assert parent.email not in html  # not as actor, not as subject
    assert member.email in html
    pseudonyms = set(re.findall(r"Parent ([0-9A-F]{6})", html))
    assert len(pseudonyms) == 1
    # Searching for the parent's address finds nothing, as for an address nobody has.
    assert rows(client.get(f"/admin/audit?actor={parent.email}")) == []
    assert rows(client.get(f"/admin/audit?actor={member.email}"))


def test_an_administrator_sees_every_account(app, db, client, admin, make_user):
    parent = make_user("parent")
    assert submit(app.test_client(), "/auth/sign-in",
                  {"email": parent.email, "password": parent.password}).status_code == 302
    assert parent.email in client.get("/admin/audit").get_data(as_text=True)


def _last_subject(app, db) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.subject_id).where(
            AuditEvent.action == "municipality.create"))
