"""The board's member register through the real stack: filters, search, sorting, pages,
counts, a member's page with history and payments, status changes, protected identity,
who may see what, and the demo register."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from sqlalchemy import event, func, select

from foreningen.core import clock
from foreningen.core.audit import AuditEvent
from foreningen.core.extensions import db as _db
from foreningen.dues.models import DuesPayment, DuesRate
from foreningen.members.models import Member
from tests import factories
from tests.support import csrf_token, submit

YEAR = clock.today().year
_numbers = itertools.count(5001)


# --- helpers shared by the register tests (imported by the other two files) ---------------

def add_member(app, first="Karin", last="Holm", *, category="ordinary", status="active",
               email=None, confirmed=True, municipality_id=None, protected=False,
               phone="070-174 06 10", street="Storgatan 1", postal="123 45", city="Lund",
               joined_on=None, why_join=None, paid: dict | None = None,
               history: list[str] | None = None) -> int:
    """A member through tests.factories, the last change of status with the reason "set up
    by the test"; `paid` is {year: öre}, each paid on 1 February. Returns the id."""
    n = next(_numbers)
    made = factories.member(
        app, status, first_name=first, last_name=last, category=category,
        email=email or f"{first}.{last}.{n}@example.org".lower(), confirmed=confirmed,
        municipality_id=municipality_id, protected=protected, phone=phone,
        street_address=street, postal_code=postal, city=city, joined_on=joined_on,
        why_join=why_join, reason="set up by the test", history=history)
    for year, amount in (paid or {}).items():
        factories.payment(app, made, amount, year=year)
    return made.id


def set_rates(app, year=YEAR, ordinary=20000, supporting=30000, organisation=100000):
    for category, amount in (("ordinary", ordinary), ("supporting", supporting),
                             ("organisation", organisation)):
        factories.rate(app, amount, category, year, "Årsmöte, § 9")


def listed(response) -> list[str]:
    """The names in the register's table, in order ("Last, First")."""
    assert response.status_code == 200, response.status_code
    return re.findall(r'href="/members/\d+">([^<]+)</a>', response.get_data(as_text=True))


def main(response) -> str:
    return response.get_data(as_text=True).split("<main")[1].split("</main>")[0]


def get_member(app, member_id) -> Member:
    with app.app_context():
        return _db.session.get(Member, member_id)


def audit_events(app, action, subject_id=None):
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.action == action)
        if subject_id is not None:
            stmt = stmt.where(AuditEvent.subject_id == subject_id)
        return list(_db.session.scalars(stmt.order_by(AuditEvent.id)))


@pytest.fixture
def board(login):
    return login("board", "member", locale="en")


# --- the list -----------------------------------------------------------------------------

def test_register_shows_category_votes_status_and_dues(app, client, board, monkeypatch):
    set_rates(app)
    add_member(app, "Karin", "Holm", paid={YEAR: 20000})
    add_member(app, "Sven", "Stöd", category="supporting", paid={YEAR: 10000})
    page = main(client.get("/members/"))
    holm = page.split("Holm, Karin")[1].split("</tr>")[0]
    assert "Ordinary member (votes)" in holm
    assert "Active" in holm
    assert re.search(r"<td[^>]*>[^<]*200\.00 of [^<]*200\.00</td>", holm)
    assert re.findall(r"<td[^>]*>(Yes|No)</td>", holm) == ["Yes"]  # paid up
    stod = page.split("Stöd, Sven")[1].split("</tr>")[0]
    assert "Supporting member" in stod and "(votes)" not in stod
    assert re.findall(r"<td[^>]*>(Yes|No)</td>", stod) == ["No"]  # not paid up

    # Which categories vote comes from the configuration until governance decides it.
    monkeypatch.setitem(app.config, "VOTING_CATEGORIES", ["ordinary", "supporting"])
    stod = main(client.get("/members/")).split("Stöd, Sven")[1].split("</tr>")[0]
    assert "Supporting member (votes)" in stod


def test_search_by_name_email_payment_reference_and_number(app, client, board):
    karin = add_member(app, "Karin", "Holm", email="karin.h@example.org")
    add_member(app, "Åsa", "Öberg")
    add_member(app, "Omar", "Haddad", email="o.haddad@example.org")
    reference = get_member(app, karin).payment_reference
    number = get_member(app, karin).number
    assert listed(client.get("/members/?q=holm")) == ["Holm, Karin"]
    assert listed(client.get("/members/?q=KARIN+holm")) == ["Holm, Karin"]
    assert listed(client.get("/members/?q=o.haddad")) == ["Haddad, Omar"]
    assert listed(client.get(f"/members/?q={reference}")) == ["Holm, Karin"]
    assert listed(client.get(f"/members/?q={number}")) == ["Holm, Karin"]
    # Swedish letters in either case, on SQLite as on PostgreSQL.
    assert listed(client.get("/members/?q=åsa")) == ["Öberg, Åsa"]
    assert listed(client.get("/members/?q=öberg")) == ["Öberg, Åsa"]
    # A % typed in the box is a character, not a wildcard.
    assert listed(client.get("/members/?q=%25")) == []
    assert "No members match the filter." in main(client.get("/members/?q=nobody"))


def test_filters_by_category_status_and_municipality(app, client, board):
    lund = factories.municipality(app, "1281", "Lund")
    umea = factories.municipality(app, "2480", "Umeå")
    add_member(app, "Anna", "Aktiv", municipality_id=lund)
    add_member(app, "Bo", "Borta", status="left", municipality_id=umea)
    add_member(app, "Cia", "Stöd", category="supporting", status="lapsed", municipality_id=lund)
    add_member(app, "Dan", "Org", category="organisation")
    assert listed(client.get("/members/?category=supporting")) == ["Stöd, Cia"]
    assert listed(client.get("/members/?category=organisation")) == ["Org, Dan"]
    assert listed(client.get("/members/?status=left")) == ["Borta, Bo"]
    assert listed(client.get("/members/?status=lapsed")) == ["Stöd, Cia"]
    assert listed(client.get(f"/members/?municipality={lund}")) == ["Aktiv, Anna", "Stöd, Cia"]
    assert listed(client.get(f"/members/?municipality={umea}&status=left")) == ["Borta, Bo"]
    assert listed(client.get(f"/members/?municipality={umea}&status=active")) == []
    # The form shows the filter that is in force.
    page = main(client.get("/members/?category=supporting"))
    assert '<option selected value="supporting">' in page


def test_paid_up_filter_for_a_year(app, client, board):
    set_rates(app, YEAR)
    add_member(app, "Full", "Betalt", paid={YEAR: 20000})
    add_member(app, "Halv", "Betalt", paid={YEAR: 10000})
    add_member(app, "Inte", "Betalt")
    add_member(app, "Två", "Betalningar", paid={YEAR: 20000, YEAR - 1: 5000})
    assert listed(client.get(f"/members/?paid=paid&year={YEAR}")) == [
        "Betalningar, Två", "Betalt, Full"]
    assert listed(client.get(f"/members/?paid=unpaid&year={YEAR}")) == [
        "Betalt, Halv", "Betalt, Inte"]
    # Without a rate for the year, nobody is paid up.
    assert listed(client.get(f"/members/?paid=paid&year={YEAR - 1}")) == []
    assert len(listed(client.get(f"/members/?paid=unpaid&year={YEAR - 1}"))) == 4
    assert "4 members match the filter." in main(
        client.get(f"/members/?paid=unpaid&year={YEAR - 1}"))


def test_invalid_filter_is_shown_and_ignored(app, client, board):
    add_member(app, "Karin", "Holm")
    page = client.get("/members/?year=abc&category=nonsense")
    assert listed(page) == ["Holm, Karin"]
    assert 'aria-invalid="true"' in main(page)


@pytest.mark.parametrize(("sort", "ascending"), [
    ("name", ["Andersson, Eva", "Berg, Adam", "Berg, Cecilia"]),
    ("number", ["Berg, Cecilia", "Andersson, Eva", "Berg, Adam"]),
    ("joined", ["Berg, Adam", "Berg, Cecilia", "Andersson, Eva"]),
    ("status", ["Berg, Adam", "Berg, Cecilia", "Andersson, Eva"]),
])
def test_every_sort_in_both_directions(app, client, board, sort, ascending):
    add_member(app, "Cecilia", "Berg", joined_on=date(2021, 5, 1))
    add_member(app, "Eva", "Andersson", status="lapsed", joined_on=date(2022, 1, 1))
    add_member(app, "Adam", "Berg", joined_on=date(2019, 3, 1))
    up = client.get(f"/members/?sort={sort}&direction=asc")
    assert listed(up) == ascending
    down = client.get(f"/members/?sort={sort}&direction=desc")
    assert listed(down) == list(reversed(ascending))
    # The sorted column says so to screen readers, and its link turns the order round.
    header = re.search(r'<th scope="col" aria-sort="(\w+)"><a href="([^"]+)"',
                       main(up).replace("&amp;", "&"))
    assert header.group(1) == "ascending"
    assert f"sort={sort}" in header.group(2) and "direction=desc" in header.group(2)
    assert 'aria-sort="descending"' in main(down)


def test_long_register_is_paginated_and_keeps_the_filter(app, client, board):
    for n in range(55):
        add_member(app, f"Person{n:02d}", "Stödsson", category="supporting")
    add_member(app, "Olle", "Ordinarie")
    first = client.get("/members/?category=supporting")
    assert len(listed(first)) == 50
    assert "55 members match the filter." in main(first)
    assert "Page 1 of 2" in main(first)
    next_link = re.search(r'href="([^"]+)" rel="next"', main(first)).group(1)
    second = client.get(next_link.replace("&amp;", "&"))
    assert listed(second) == [f"Stödsson, Person{n}" for n in range(50, 55)]
    assert "Olle" not in main(second)


def test_counts_per_category_and_status_at_a_glance(app, client, board):
    add_member(app, "A", "A")
    add_member(app, "B", "B")
    add_member(app, "C", "C", status="lapsed")
    add_member(app, "D", "D", category="supporting", status="left")
    page = main(client.get("/members/"))
    ordinary = re.search(r'<th scope="row">Ordinary member \(votes\)</th>(.*?)</tr>', page,
                         re.S).group(1)
    # applied, active, lapsed, left, declined, total
    assert re.findall(r"<td[^>]*>(\d+)</td>", ordinary) == ["0", "2", "1", "0", "0", "3"]
    supporting = re.search(r'<th scope="row">Supporting member</th>(.*?)</tr>', page,
                           re.S).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", supporting) == ["0", "0", "0", "1", "0", "1"]


def test_register_needs_the_same_number_of_queries_for_10_or_60_members(app, client, board):
    set_rates(app)

    def statements(url):
        seen = []

        def count(*_args, **_kwargs):
            seen.append(1)

        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    for n in range(10):
        add_member(app, f"P{n}", "Few", paid={YEAR: 20000})
    urls = ["/members/", "/members/?paid=unpaid&sort=joined&direction=desc",
            "/members/?q=few&category=ordinary"]
    few = [statements(url) for url in urls]
    for n in range(50):
        add_member(app, f"Q{n}", "Few", paid={YEAR: 10000})
    assert [statements(url) for url in urls] == few
    # A search also writes its audit record (on SQLite in a unit of work of its own, which
    # adds its SAVEPOINT and RELEASE here, or its BEGIN and COMMIT on a server).
    assert max(few) <= 12


# --- a member's page ----------------------------------------------------------------------

def test_member_page_shows_details_history_and_payments_and_is_audited(app, client, board):
    set_rates(app)
    member_id = add_member(app, "Karin", "Holm", why_join="Min son är placerad.",
                           paid={YEAR: 15000, YEAR - 1: 20000})
    page = main(client.get(f"/members/{member_id}"))
    member = get_member(app, member_id)
    assert member.payment_reference in page and str(member.number) in page
    assert "070-174 06 10" in page and "Storgatan 1" in page
    assert "Min son är placerad." in page
    assert "set up by the test" in page  # the history with its reason
    assert page.count("150.00") >= 2  # the payment and the sum paid this year
    assert "No rate set" not in page
    assert re.search(r"Paid up</dt><dd>No</dd>", page)
    views = audit_events(app, "member.view", member_id)
    assert [(e.actor_id, e.subject_type) for e in views] == [(board.id, "member")]


def test_unknown_member_is_404(client, board):
    assert client.get("/members/999999").status_code == 404


def test_board_changes_status_with_reason_and_the_history_shows_it(app, client, board):
    member_id = add_member(app, "Karin", "Holm")
    answer = submit(client, f"/members/{member_id}", {
        "to_status": "lapsed", "reason": "Har inte betalat 2026."},
        action_contains="/status")
    assert answer.status_code == 302
    page = main(client.get(answer.location))
    assert "The status is now: Lapsed." in page
    history = page.split('id="history-heading"')[1].split("</table>")[0]
    latest = history.split("<tbody>")[1].split("</tr>")[0]
    assert "Active" in latest and "Lapsed" in latest
    assert "Har inte betalat 2026." in latest and "Test Person" in latest  # the actor
    assert get_member(app, member_id).status == "lapsed"
    assert audit_events(app, "member.status_lapsed", member_id)[0].actor_id == board.id

    # Leaving records the date it takes effect.
    submit(client, f"/members/{member_id}", {"to_status": "left", "reason": "Flyttat.",
                                             "effective_on": f"{YEAR}-01-31"},
           action_contains="/status")
    assert get_member(app, member_id).left_on == date(YEAR, 1, 31)


def test_status_change_needs_a_reason_and_an_allowed_status(app, client, board):
    member_id = add_member(app, "Karin", "Holm", status="left")
    page = client.get(f"/members/{member_id}").get_data(as_text=True)
    options = re.search(r'<select[^>]*name="to_status"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'value="(\w+)"', options) == ["applied", "active"]

    no_reason = submit(client, f"/members/{member_id}", {"to_status": "active", "reason": ""},
                       action_contains="/status")
    assert no_reason.status_code == 200
    assert "Please correct the following" in main(no_reason)
    not_allowed = submit(client, f"/members/{member_id}",
                         {"to_status": "lapsed", "reason": "hand-made"},
                         action_contains="/status")
    assert not_allowed.status_code == 200
    assert "Not a valid choice" in main(not_allowed)
    assert get_member(app, member_id).status == "left"


def test_rejoining_member_can_be_made_active_again(app, client, board):
    # Moved from an older register straight to "left": the services would pass "active".
    member_id = add_member(app, "Karin", "Holm", status="left", history=["left"])
    submit(client, f"/members/{member_id}", {"to_status": "active", "reason": "Tillbaka."},
           action_contains="/status")
    with app.app_context():
        member = _db.session.get(Member, member_id)
        assert member.status == "active" and member.left_on is None
        assert [h.to_status for h in member.history] == ["applied", "left", "active"]


def test_former_member_moved_back_to_applied_has_no_leaving_date(app, client, board):
    member_id = add_member(app, "Karin", "Holm")
    submit(client, f"/members/{member_id}", {"to_status": "left", "reason": "Flyttat."},
           action_contains="/status")
    assert get_member(app, member_id).left_on == clock.today()
    submit(client, f"/members/{member_id}", {"to_status": "applied", "reason": "Söker igen."},
           action_contains="/status")
    member = get_member(app, member_id)
    assert member.status == "applied" and member.left_on is None
    assert "This is a pending application." in main(client.get(f"/members/{member_id}"))


# --- protected identity -------------------------------------------------------------------

def test_protected_identity_hides_contact_details_until_revealed_on_purpose(app, client,
                                                                             board):
    member_id = add_member(app, "Skyddad", "Person", phone="070-174 06 99",
                           street="Hemligvägen 3", postal="999 99", city="Gömda")
    answer = submit(client, f"/members/{member_id}", action_contains="/protected/on")
    assert answer.status_code == 302
    assert get_member(app, member_id).protected_identity is True
    assert audit_events(app, "member.protected_on", member_id)[0].actor_id == board.id

    page = main(client.get(f"/members/{member_id}"))
    for secret in ("070-174 06 99", "Hemligvägen", "999 99", "Gömda"):
        assert secret not in page
    assert "Protected identity" in page
    register = main(client.get("/members/"))
    assert "protected identity" in register and "Hemligvägen" not in register

    revealed = submit(client, f"/members/{member_id}", action_contains="/contact")
    assert revealed.status_code == 200
    shown = main(revealed)
    assert "070-174 06 99" in shown and "Hemligvägen 3" in shown
    assert "recorded in the audit log" in shown
    assert [e.actor_id for e in audit_events(app, "member.reveal_contact", member_id)] == [
        board.id]
    # Shown once: the next visit hides them again.
    assert "Hemligvägen" not in main(client.get(f"/members/{member_id}"))

    submit(client, f"/members/{member_id}", action_contains="/protected/off")
    assert "Hemligvägen 3" in main(client.get(f"/members/{member_id}"))


def test_coordinator_cannot_reveal_protected_contact_details(app, client, login):
    member_id = add_member(app, "Skyddad", "Person", protected=True, street="Hemligvägen 3")
    login("coordinator")
    page = main(client.get(f"/members/{member_id}"))
    assert "Hemligvägen" not in page and "Show contact details" not in page
    token = csrf_token(client, f"/members/{member_id}")
    refused = client.post(f"/members/{member_id}/contact", data={"csrf_token": token})
    assert refused.status_code == 403
    assert "Hemligvägen" not in refused.get_data(as_text=True)
    assert audit_events(app, "member.reveal_contact", member_id) == []


# --- who may see what ---------------------------------------------------------------------

READ_PAGES = ["/members/", "/members/{id}"]
BOARD_PAGES = ["/members/applications", "/members/applications/{id}/decline",
               "/members/export.csv", "/members/export.xlsx"]
BOARD_POSTS = ["/members/{id}/status", "/members/{id}/protected/on",
               "/members/{id}/protected/off", "/members/{id}/contact",
               "/members/applications/approve", "/members/applications/{id}/approve",
               "/members/applications/{id}/decline"]


def test_board_reaches_every_page(app, client, board):
    member_id = add_member(app, "Anna", "Ansökan", status="applied")
    for url in READ_PAGES + BOARD_PAGES:
        assert client.get(url.format(id=member_id)).status_code == 200, url


def test_coordinator_reads_but_neither_changes_nor_exports(app, client, login):
    member_id = add_member(app, "Anna", "Ansökan", status="applied")
    login("coordinator")
    for url in READ_PAGES:
        assert client.get(url.format(id=member_id)).status_code == 200, url
    page = main(client.get(f"/members/{member_id}"))
    assert "Change the status" not in page and "Mark as protected identity" not in page
    assert "Download as CSV" not in main(client.get("/members/"))
    assert "Applications" not in main(client.get("/members/"))
    for url in BOARD_PAGES:
        assert client.get(url.format(id=member_id)).status_code == 403, url
    token = csrf_token(client, "/members/")
    for url in BOARD_POSTS:
        response = client.post(url.format(id=member_id),
                               data={"csrf_token": token, "to_status": "active",
                                     "reason": "x", "member_ids": [str(member_id)]})
        assert response.status_code == 403, url
    assert get_member(app, member_id).status == "applied"


@pytest.mark.parametrize("role", ["admin", "reviewer", "social_worker", "supporter", "parent",
                                  "member"])
def test_other_roles_are_refused_everywhere(app, client, login, role):
    member_id = add_member(app, "Anna", "Ansökan", status="applied")
    login(role)
    for url in READ_PAGES + BOARD_PAGES:
        assert client.get(url.format(id=member_id)).status_code == 403, (role, url)
    token = csrf_token(client, "/account/")
    for url in BOARD_POSTS:
        assert client.post(url.format(id=member_id),
                           data={"csrf_token": token}).status_code == 403, (role, url)
    assert audit_events(app, "member.view") == []
    assert "/members/" not in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    member_id = add_member(app, "Anna", "Ansökan", status="applied")
    for url in READ_PAGES + BOARD_PAGES:
        response = client.get(url.format(id=member_id))
        assert response.status_code == 302, url
        assert response.location.startswith("/auth/sign-in?next="), url


@pytest.mark.parametrize(("role", "applications"), [("board", True), ("coordinator", False)])
def test_start_page_and_menu_lead_to_the_register(client, login, role, applications):
    login(role)
    start = client.get("/").get_data(as_text=True)
    menu = start.split('aria-label="Main menu"')[1].split("</nav>")[0]
    assert 'href="/members/"' in menu
    cards = main(client.get("/"))
    assert 'href="/members/"' in cards
    assert ('href="/members/applications"' in cards) is applications


# --- demo data ----------------------------------------------------------------------------

def _count(app, stmt):
    with app.app_context():
        return _db.session.scalar(stmt)


@pytest.mark.slow
def test_demo_data_adds_a_register_of_every_status_once(app, runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        statuses = dict(_db.session.execute(select(Member.status, func.count())
                                            .group_by(Member.status)).all())
        categories = {c for (c,) in _db.session.execute(select(Member.category).distinct())}
        applied = list(_db.session.scalars(select(Member).where(Member.status == "applied")))
        emails = list(_db.session.scalars(select(Member.email)))
        rates = {(r.year, r.category) for r in _db.session.scalars(select(DuesRate))}
        payment_years = set(_db.session.scalars(select(DuesPayment.year).distinct()))
        board_member = _db.session.scalar(select(Member).where(
            Member.email == "styrelse@example.org"))
    assert set(statuses) == {"applied", "active", "lapsed", "left", "declined"}
    assert sum(statuses.values()) >= 200
    assert categories == {"ordinary", "supporting", "organisation"}
    assert {m.email_confirmed_at is None for m in applied} == {True, False}
    assert all(e.endswith("@example.org") for e in emails)
    assert {(YEAR, c) for c in categories} | {(YEAR - 1, c) for c in categories} <= rates
    assert payment_years == {YEAR - 1, YEAR}
    assert board_member is not None and board_member.user_id is not None
    total = sum(statuses.values())

    again = runner.invoke(args=["demo-data"])
    assert "0 members added" in again.output
    assert _count(app, select(func.count(Member.id))) == total


@pytest.mark.slow
def test_demo_data_members_option_adds_that_many_every_time(app, runner):
    result = runner.invoke(args=["demo-data", "--members", "500"])
    assert result.exit_code == 0, result.output
    assert "500 members added" in result.output
    assert _count(app, select(func.count(Member.id))) == 500
    runner.invoke(args=["demo-data", "--members", "500"])
    assert _count(app, select(func.count(Member.id))) == 1000
    assert _count(app, select(func.count(func.distinct(Member.payment_reference)))) == 1000
    assert runner.invoke(args=["demo-data", "--members", "0"]).exit_code != 0


def test_a_search_is_recorded_without_its_words(app, client, board):
    add_member(app, "Karin", "Holm")
    client.get("/members/?q=holm")
    events = audit_events(app, "member.search")
    assert [(e.actor_id, e.detail) for e in events] == [(board.id, "1 found")]


def test_a_head_request_is_not_counted_as_a_view(app, client, board):
    member_id = add_member(app, "Karin", "Holm")
    client.head(f"/members/{member_id}")
    assert audit_events(app, "member.view", member_id) == []
    client.get(f"/members/{member_id}")
    assert len(audit_events(app, "member.view", member_id)) == 1
