"""Every membership page a person can reach, checked with axe-core in a real browser:
the board's member page, decline page and dues pages; a member's own pages; and the
board's pages in Arabic (right to left) as well."""

from __future__ import annotations

from datetime import date

import pytest

from foreningen.accounts import services as accounts
from foreningen.accounts.models import User
from foreningen.core.extensions import db
from foreningen.dues import services as dues
from foreningen.members import services as members
from foreningen.members.models import Member
from tests import factories
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser
PASSWORD = "medlemmens-egen-fras-2026"


def _member_with_account(live, email: str, protected: bool = False) -> int:
    with live.app.test_request_context():
        member = members.submit_application(
            first_name="Maja", last_name="Lind", email=email, category="ordinary",
            locale="sv", why_join="Egen erfarenhet av placering.", phone="070-174 06 01",
            street_address="Exempelgatan 3", postal_code="123 45", city="Lund")
        member.email_confirmed_at = members.utcnow()
        members.approve(member, None)
        member.protected_identity = protected
        if protected:  # the board's pages then also show the erasure request
            members.request_erasure(member, None)
        accounts.set_password(db.session.get(User, member.user_id), PASSWORD, "test")
        dues.set_rate(date.today().year, "ordinary", 30000, "Årsmötet § 9", None)
        dues.record_payment(member, date.today().year, 10000, date.today(), None)
        db.session.commit()
        return member.id


def _pending_application(live, email: str) -> int:
    with live.app.test_request_context():
        member = members.submit_application(
            first_name="Per", last_name="Ansökare", email=email, category="supporting",
            locale="sv")
        db.session.commit()
        return member.id


@pytest.mark.parametrize("locale", ["sv-SE", "ar"])
def test_board_pages(new_page, live_server, axe, locale):
    live = live_server
    lang = locale[:2]
    member_id = _member_with_account(live, f"maja.{lang}@example.org", protected=True)
    pending_id = _pending_application(live, f"per.{lang}@example.org")
    board = factories.user(live.app, ["board"])
    page = new_page(locale)
    sign_in(page, live, axe, board.email, board.password, locale=lang)
    for path in ("/members/", "/members/?status=active&sort=number&order=desc",
                 f"/members/{member_id}", "/members/applications",
                 f"/members/applications/{pending_id}/decline", "/dues/",
                 "/dues/payments/new", "/dues/import", "/admin/audit"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        axe(page)
    with live.app.app_context():
        import_id = _import(live, member_id)
    page.goto(f"/dues/imports/{import_id}")
    axe(page)


def _import(live, member_id: int) -> int:
    member = db.session.get(Member, member_id)
    data = (f"Datum;Referens;Belopp\n{date.today():%Y-%m-%d};{member.payment_reference};"
            f"50,00\n").encode()
    dues_import, result = dues.import_bank_file(data, "bank.csv", None)
    assert dues_import is not None, result.errors
    db.session.commit()
    return dues_import.id


def test_member_own_pages(new_page, live_server, axe):
    live = live_server
    email = "maja.own@example.org"
    _member_with_account(live, email)
    page = new_page("sv-SE")
    sign_in(page, live, axe, email, PASSWORD)
    for path in ("/membership/", "/membership/details", "/membership/my-data",
                 "/membership/leave", "/membership/erasure", "/account/", "/join/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        axe(page)
