"""The pages as they look on a phone (390 px) and on a laptop (1,280 px), in Swedish and in
Arabic (right to left): nothing scrolls sideways, a table stacked on a phone keeps its column
headings, a checkbox keeps its size next to a long label, and the register prints without
the portal around it. axe-core checks every page at both sizes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from foreningen.accounts import services as accounts
from foreningen.accounts.models import User
from foreningen.core import clock
from foreningen.core.extensions import db
from foreningen.dues import services as dues
from foreningen.members import services as members
from tests import factories
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
PASSWORD = "en-lang-men-minnesvard-fras"
# Long names and addresses without a place to break: what overflows a table first.
LONG_FIRST = "Maja-Stina Charlotta"
LONG_LAST = "Lindqvist-Andersson-Bergström"
LONG_WHY = ("Vår son har varit placerad i familjehem i snart sex år och vi vill träffa andra "
            "föräldrar som förstår hur det är att ha ett barn som bor någon annanstans.")


def _long_email(tag: str) -> str:
    return f"maja-stina.charlotta.lindqvist-andersson-bergstrom.{tag}@foraldraforeningen-exempel.se"


def _register_with_long_names(live, tag: str) -> tuple[int, str]:
    """An active member with an account, a pending application and a member without either,
    all with long names and addresses. Returns the member's id and email address."""
    with live.app.test_request_context(method="POST"):
        municipality_id = factories.municipality(live.app, "1283", "Helsingborg")
        member = members.submit_application(
            first_name=LONG_FIRST, last_name=LONG_LAST, email=_long_email(f"{tag}.1"),
            category="ordinary", locale="sv", why_join=LONG_WHY, phone="070-174 06 01",
            street_address="Långa Vägen mellan Husen och Skogen 123 lgh 1102",
            postal_code="123 45", city="Helsingborg", municipality_id=municipality_id,
            optional_consents=["newsletter", "surveys"])
        member.email_confirmed_at = members.utcnow()
        members.approve(member, None)
        accounts.set_password(db.session.get(User, member.user_id), PASSWORD, "test")
        supporter = members.submit_application(
            first_name="Organisationen", last_name="Barnrättsföreningen-Sydvästra-Skåne",
            email=_long_email(f"{tag}.2"), category="supporting", locale="sv")
        supporter.email_confirmed_at = members.utcnow()
        members.approve(supporter, None)
        pending = members.submit_application(
            first_name=LONG_FIRST, last_name=LONG_LAST + "-Ansökare",
            email=_long_email(f"{tag}.3"), category="ordinary", locale="sv", why_join=LONG_WHY,
            municipality_id=municipality_id)
        pending.email_confirmed_at = members.utcnow()
        year = clock.today().year
        dues.set_rate(year, "ordinary", 30000, "Årsmötet 2026-03-14, § 12", None)
        dues.set_rate(year, "supporting", 20000, "Årsmötet 2026-03-14, § 12", None)
        dues.record_payment(member, year, 10000, clock.today(), None)
        db.session.commit()
        return member.id, member.email


def _overflow(page: Page) -> dict:
    """How wide the document is against the window, and what sticks out if it is too wide."""
    return page.evaluate("""() => {
        const width = window.innerWidth;
        const sticksOut = el => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
        };
        const wide = [];
        for (const el of document.body.querySelectorAll('*')) {
            // The innermost elements that stick out, not every box around them.
            if (sticksOut(el) && ![...el.children].some(sticksOut)) {
                const box = el.getBoundingClientRect();
                const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                    + (el.className && typeof el.className === 'string'
                       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
                wide.push(`${name} [${Math.round(box.left)}..${Math.round(box.right)}]`);
            }
        }
        return {scroll: document.documentElement.scrollWidth, window: width,
                wide: wide.slice(0, 8)};
    }""")


def _check_at_both_sizes(page: Page, axe, path: str) -> list[str]:
    """Open `path`, check it with axe at both window sizes and return what scrolls sideways."""
    problems = []
    page.set_viewport_size(LAPTOP)
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        axe(page)
        found = _overflow(page)
        if found["scroll"] > found["window"]:
            problems.append(f"{path} at {size['width']} px is {found['scroll']} px wide: "
                            + ", ".join(found["wide"]))
    return problems


def _stacked_label(page: Page, table: str, column: str) -> str:
    """The heading a stacked cell shows before its value (its ::before content)."""
    cell = page.locator(f"{table} tbody td[data-label='{column}']").first
    expect(cell).to_be_visible()
    return cell.evaluate("td => getComputedStyle(td, '::before').content")


def test_board_pages_fit_a_phone_and_a_laptop(new_page, live_server, axe):
    live = live_server
    member_id, _ = _register_with_long_names(live, "board")
    board = factories.user(live.app, ["board"])
    page = new_page("sv-SE")
    sign_in(page, live, axe, board.email, board.password)
    problems = []
    for path in ("/", "/members/", "/members/applications", f"/members/{member_id}",
                 "/dues/", "/dues/import", "/admin/audit"):
        problems += _check_at_both_sizes(page, axe, path)
        if path == "/members/":  # left at phone width by the check: the table is stacked
            email = live.t("Email address")
            assert f"{email}: " in _stacked_label(page, "table.register", email)
            paid_up = live.t("Paid up")
            assert f"{paid_up}: " in _stacked_label(page, "table.register", paid_up)
            expect(page.locator("table.register thead")).not_to_be_in_viewport()
    assert not problems, "\n".join(problems)
    # The register and the applications at a laptop's width: every column is on screen, the
    # last one (paid up; the decision) too, without scrolling the table's own region either.
    page.set_viewport_size(LAPTOP)
    for path in ("/members/", "/members/applications"):
        page.goto(path)
        axe(page)
        region = page.get_by_role("region", name=live.t(
            "Members" if path == "/members/" else "Pending applications"))
        assert region.evaluate("r => r.scrollWidth <= r.clientWidth"), path
        last = region.locator("thead th").last.bounding_box()
        assert last is not None and last["x"] >= 0 and last["x"] + last["width"] <= 1280, last


def test_administrator_pages_fit_a_phone_and_a_laptop(new_page, live_server, axe):
    live = live_server
    admin = factories.user(live.app, ["admin"], email=_long_email("admin"))
    page = new_page("sv-SE")
    sign_in(page, live, axe, admin.email, admin.password)
    problems = []
    for path in ("/admin/users", "/admin/audit"):
        problems += _check_at_both_sizes(page, axe, path)
    assert not problems, "\n".join(problems)


def test_member_page_fits_and_keeps_its_headings_on_a_phone(new_page, live_server, axe):
    live = live_server
    _, email = _register_with_long_names(live, "own")
    page = new_page("sv-SE")
    sign_in(page, live, axe, email, PASSWORD)
    problems = _check_at_both_sizes(page, axe, "/membership/")
    assert not problems, "\n".join(problems)
    # At phone width each payment shows what its numbers are.
    paid = live.t("Paid")
    assert f"{paid}: " in _stacked_label(page, "#dues-heading ~ table", paid)
    given = live.t("Given")
    assert f"{given}: " in _stacked_label(page, "#consents-heading ~ table", given)

    # One's own data on paper: the data without the portal around it or its buttons.
    page.set_viewport_size(LAPTOP)
    page.goto("/membership/my-data")
    axe(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name=live.t("Main menu"))).to_be_hidden()
    expect(page.get_by_role("link", name=live.t("Save as a file"))).to_be_hidden()
    expect(page.get_by_role("heading", name=live.t("Status history"))).to_be_visible()
    expect(page.locator("main table thead").first).to_be_visible()


@pytest.mark.parametrize("locale", ["sv-SE", "ar"])
def test_join_fits_and_its_consent_checkbox_keeps_its_size(new_page, live_server, axe, locale):
    live = live_server
    page = new_page(locale)
    problems = _check_at_both_sizes(page, axe, "/join/")
    assert not problems, "\n".join(problems)
    expect(page.locator("html")).to_have_attribute("lang", locale[:2])
    consent = page.get_by_label(live.t(
        "I have read the privacy notice and agree that the association keeps my details as it "
        "describes", locale[:2]), exact=True)
    expect(consent).to_be_visible()
    box = consent.bounding_box()  # at phone width, where the label is longest
    assert box is not None and box["width"] >= 18 and box["height"] >= 18, box


def test_the_register_prints_without_the_portal_around_it(new_page, live_server, axe):
    live = live_server
    member_id, _ = _register_with_long_names(live, "print")
    board = factories.user(live.app, ["board"])
    page = new_page("sv-SE")
    sign_in(page, live, axe, board.email, board.password)
    page.goto("/members/")
    axe(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name=live.t("Main menu"))).to_be_hidden()
    expect(page.get_by_role("search", name=live.t("Filter the register"))).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.locator("form.language-switch")).to_be_hidden()
    register = page.locator("table.register")
    expect(register).to_be_visible()
    expect(register.locator("thead")).to_be_visible()  # headings, repeated on every sheet
    expect(register.get_by_role("cell", name=_long_email("print.1"))).to_be_visible()
    underline = register.locator("tbody a").first.evaluate(
        "a => getComputedStyle(a).textDecorationLine")
    assert underline == "none"

    page.goto(f"/members/{member_id}")
    axe(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name=live.t("Main menu"))).to_be_hidden()
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("combobox")).to_have_count(0)
