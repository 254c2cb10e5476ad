"""Every membership page a person can reach, checked with axe-core in a real browser:
the board's member page, decline page and dues pages; a member's own pages; and the
board's pages in Arabic (right to left) as well."""

from __future__ import annotations

import pytest

from foreningen.core import clock
from tests import factories
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def _member_with_account(live, email: str, protected: bool = False) -> int:
    """An approved member with an account (the factories' PASSWORD) who has paid part of
    this year's dues; a protected one has also asked for erasure, so that the board's pages
    show that request too."""
    account = factories.user(live.app, ["member"], email=email, name="Maja Lind", locale="sv")
    member = factories.member(
        live.app, first_name="Maja", last_name="Lind", category="ordinary", locale="sv",
        why_join="Egen erfarenhet av placering.", phone="070-174 06 01",
        street_address="Exempelgatan 3", postal_code="123 45", city="Lund", account=account,
        protected=protected, erasure_requested=protected)
    factories.rate(live.app, 30000, "ordinary", reference="Årsmötet § 9")
    factories.payment(live.app, member, 10000, paid_on=clock.today())
    return member.id


def _pending_application(live, email: str) -> int:
    return factories.application(live.app, first_name="Per", last_name="Ansökare",
                                 email=email, category="supporting", locale="sv").id


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
    import_id = factories.payment(live.app, member_id, 5000, paid_on=clock.today(),
                                  imported=True).import_id
    page.goto(f"/dues/imports/{import_id}")
    axe(page)


def test_member_own_pages(new_page, live_server, axe):
    live = live_server
    email = "maja.own@example.org"
    _member_with_account(live, email)
    page = new_page("sv-SE")
    sign_in(page, live, axe, email, factories.PASSWORD)
    for path in ("/membership/", "/membership/details", "/membership/my-data",
                 "/membership/leave", "/membership/erasure", "/account/", "/join/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        axe(page)
