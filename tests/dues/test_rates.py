"""The board records the rates the annual meeting decided and sees who has paid; nobody else
reaches any dues page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from foreningen.core.audit import AuditEvent
from foreningen.core.security import Role
from foreningen.dues import queries
from foreningen.members.models import Member
from tests.dues import THIS_YEAR, make_member, pay, rates, set_rate, text_of
from tests.support import csrf_token, forms_in, submit


@pytest.fixture
def board(login):
    return login("board")


def rate_form(page) -> dict:
    return next(f for f in forms_in(page.get_data(as_text=True))
                if "/dues/?" in f["action"])["fields"]


def overview_row(html: str, category: str) -> list[str]:
    row = re.search(rf'<tr id="category-{category}">(.*?)</tr>', html, re.S).group(1)
    return [text_of(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def set_rate_form(client, year=THIS_YEAR, **values):
    data = {"year": str(year), "category": "ordinary", "amount": "250",
            "decision_reference": "Årsmöte 2026-03-14 § 12", **values}
    return submit(client, f"/dues/?year={year}", data, action_contains="/dues/?")


def test_board_sets_a_rate_with_its_decision_reference(app, db, client, board):
    page = client.get("/dues/").get_data(as_text=True)
    assert f"Membership dues {THIS_YEAR}" in page
    assert overview_row(page, "supporting")[1] == "No rate decided"

    response = set_rate_form(client, category="supporting", amount="1 250,50")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert f"The dues rate for {THIS_YEAR} is saved." in page
    assert overview_row(page, "supporting")[:3] == [
        "Supporting member", "SEK1,250.50", "Årsmöte 2026-03-14 § 12"]
    assert overview_row(page, "ordinary")[1] == "No rate decided"
    assert rates(app) == [(THIS_YEAR, "supporting", 125050, "Årsmöte 2026-03-14 § 12")]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dues.rate_set"))
    assert (event.actor_id, event.actor_role, event.subject_type) == (board.id, "board",
                                                                      "dues_rate")


def test_setting_a_rate_again_replaces_it(app, db, client, board):
    assert set_rate_form(client, amount="250").status_code == 302
    assert set_rate_form(client, amount="300,00", decision_reference="Extra årsmöte § 3",
                         ).status_code == 302
    assert set_rate_form(client, year=THIS_YEAR + 1, amount="0").status_code == 302
    assert rates(app) == [(THIS_YEAR, "ordinary", 30000, "Extra årsmöte § 3"),
                          (THIS_YEAR + 1, "ordinary", 0, "Årsmöte 2026-03-14 § 12")]
    next_year = client.get(f"/dues/?year={THIS_YEAR + 1}").get_data(as_text=True)
    assert overview_row(next_year, "ordinary")[1] == "SEK0.00"


def test_a_negative_rate_is_refused_and_the_input_kept(app, db, client, board):
    response = set_rate_form(client, amount="-250", decision_reference="Årsmöte § 9")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The amount cannot be negative." in page
    assert "Please correct the following" in page  # the error summary
    assert 'aria-invalid="true"' in page
    kept = rate_form(response)
    assert kept["amount"] == ["-250"] and kept["decision_reference"] == ["Årsmöte § 9"]
    assert rates(app) == []


@pytest.mark.parametrize(("values", "message"), [
    ({"decision_reference": ""}, "This field is required."),
    ({"amount": ""}, "This field is required."),
    ({"amount": "tvåhundra"}, "Write the amount in kronor, e.g. 250 or 1 250,50."),
    ({"amount": "250,505"}, "Write the amount in kronor, e.g. 250 or 1 250,50."),
    ({"amount": "Infinity"}, "Write the amount in kronor, e.g. 250 or 1 250,50."),
    ({"amount": "1e400"}, "Write the amount in kronor, e.g. 250 or 1 250,50."),
    ({"year": "26"}, "Enter a year between 2000 and 2100."),
    ({"category": "honorary"}, "Not a valid choice."),
])
def test_an_incomplete_rate_is_refused(app, db, client, board, values, message):
    response = set_rate_form(client, **values)
    assert response.status_code == 200
    assert message in text_of(response.get_data(as_text=True))
    assert rates(app) == []


def test_the_overview_counts_who_has_paid_up(app, db, client, board):
    set_rate(app, 25000, "ordinary")
    set_rate(app, 10000, "organisation")
    set_rate(app, 99900, "ordinary", year=THIS_YEAR - 1)
    whole = make_member(app)
    parts = make_member(app)
    short = make_member(app)
    lapsed = make_member(app, status="lapsed")
    last_year_only = make_member(app)
    left = make_member(app, status="left")
    applied = make_member(app, status="applied")
    organisation = make_member(app, category="organisation")
    supporting = make_member(app, category="supporting")  # no rate decided: not paid up
    pay(app, whole, 25000)
    pay(app, parts, 10000)
    pay(app, parts, 15000)  # two payments that together cover the rate
    pay(app, short, 24999)
    pay(app, last_year_only, 99900, year=THIS_YEAR - 1)
    pay(app, left, 25000)
    pay(app, applied, 500)
    pay(app, organisation, 20000)
    pay(app, supporting, 5000)

    page = client.get("/dues/").get_data(as_text=True)
    # category, rate, reference, paid up, not paid up, overpaid, received
    assert overview_row(page, "ordinary")[3:] == ["2", "3", "–", "SEK1,004.99"]
    assert overview_row(page, "organisation")[3:] == ["1", "0", "1 member, SEK100.00",
                                                      "SEK200.00"]
    assert overview_row(page, "supporting")[1:] == ["No rate decided", "", "0", "1", "–",
                                                    "SEK50.00"]
    assert text_of(re.search(r'id="total-received">(.*?)<', page).group(1)) == "SEK1,254.99"
    assert "/dues/payments/new" in page and "/dues/import" in page

    last_year = client.get(f"/dues/?year={THIS_YEAR - 1}").get_data(as_text=True)
    assert overview_row(last_year, "ordinary")[1:] == ["SEK999.00", "Årsmöte § 7", "1", "4",
                                                       "–", "SEK999.00"]
    with app.app_context():
        def paid_up(member, year=THIS_YEAR):
            return queries.is_paid_up(db.session.get(Member, member.id), year)
        assert paid_up(whole) and paid_up(parts) and paid_up(organisation)
        assert not paid_up(short) and not paid_up(lapsed) and not paid_up(last_year_only)
        assert not paid_up(supporting)  # no rate: never paid up, whatever was paid
        assert paid_up(last_year_only, THIS_YEAR - 1)


def test_an_invalid_year_shows_this_year_with_a_message(app, db, client, board):
    page = client.get("/dues/?year=tjugo").get_data(as_text=True)
    assert f"Membership dues {THIS_YEAR}" in page
    assert "Not a valid integer value." in page


# --- who may do what ---------------------------------------------------------------------

ROUTES = [("GET", "/dues/"), ("POST", "/dues/"), ("GET", "/dues/payments/new"),
          ("POST", "/dues/payments/new"), ("GET", "/dues/import"), ("POST", "/dues/import"),
          ("GET", "/dues/import/example.csv"), ("GET", "/dues/imports/1"),
          ("POST", "/dues/reminders")]


def test_every_dues_route_sends_anonymous_visitors_to_sign_in(app, db, client):
    for method, url in ROUTES:
        data = {"csrf_token": csrf_token(client)} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url)
        assert response.location.startswith("/auth/sign-in?next="), (method, url)


@pytest.mark.parametrize("role", [str(r) for r in Role if r is not Role.BOARD])
def test_every_dues_route_refuses_other_roles(app, db, client, login, role):
    login(role)
    token = csrf_token(client, "/account/")
    for method, url in ROUTES:
        data = {"csrf_token": token} if method == "POST" else None
        assert client.open(url, method=method, data=data).status_code == 403, (role, method, url)
    with app.app_context():
        refused = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "access.refused")).all()
    assert "dues.index" in refused and "dues.send_reminders" in refused


def test_the_board_reaches_every_dues_page(app, db, client, board):
    for url in ("/dues/", "/dues/payments/new", "/dues/import", "/dues/import/example.csv"):
        assert client.get(url).status_code == 200, url
    assert client.get("/dues/imports/999").status_code == 404
