"""Journeys a person makes in a real Chromium against the app served on loopback, with
axe-core run on every page they see, in every language they see it in.

Swedish wording is looked up through the app's own catalog (live_server.t), so these tests
follow the translators instead of repeating their words."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Locator, Page, expect

from foreningen.accounts.models import User
from foreningen.core.extensions import db
from foreningen.core.outbox import send_pending
from tests import factories

pytestmark = pytest.mark.browser

NEW_PASSWORD = "vinterns-nya-lösenfras-77"


def follow(page: Page, target: Locator) -> None:
    """Click a link or a submit button and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        target.click()


def display_name(live, user_id: int) -> str:
    with live.app.app_context():
        return db.session.get(User, user_id).display_name


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def sign_in(page: Page, live, axe, email: str, password: str, locale: str = "sv") -> None:
    page.goto("/auth/sign-in")
    axe(page)
    page.get_by_label(live.t("Email address", locale), exact=True).fill(email)
    page.get_by_label(live.t("Password", locale), exact=True).fill(password)
    follow(page, page.get_by_role("main").get_by_role(
        "button", name=live.t("Sign in", locale), exact=True))


def test_sign_in_with_a_second_factor(page, live_server, axe):
    live = live_server
    coordinator = factories.user(live.app, ["coordinator"], totp=True)

    sign_in(page, live, axe, coordinator.email, coordinator.password)
    expect(page).to_have_url(f"{live.url}/auth/two-factor")
    expect(heading(page)).to_have_text(live.t("Confirm it is you"))
    axe(page)

    page.get_by_label(live.t("Code from your authenticator app, or a recovery code"),
                      exact=True).fill(pyotp.TOTP(coordinator.totp_secret).now())
    follow(page, page.get_by_role("button", name=live.t("Continue"), exact=True))
    expect(page).to_have_url(f"{live.url}/")
    name = display_name(live, coordinator.id)
    expect(heading(page)).to_have_text(live.t("Welcome, %(name)s", name=name))
    expect(page.locator("#role-coordinator h2")).to_have_text(live.t("Coordinator"))
    axe(page)


def test_switching_language_changes_lang_and_direction(new_page, live_server, axe):
    live = live_server
    page = new_page("de-DE")  # a language the portal does not offer: Swedish is the default
    html = page.locator("html")
    page.goto("/")
    expect(html).to_have_attribute("lang", "sv")
    expect(html).to_have_attribute("dir", "ltr")
    axe(page)

    follow(page, page.get_by_role("button", name="English", exact=True))
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    expect(heading(page)).to_have_text("Support from someone who has been there")
    expect(page.get_by_role("heading", name="Who the portal is for")).to_be_visible()
    # The chosen language is marked as current instead of offered as a button.
    expect(page.get_by_role("button", name="English", exact=True)).to_have_count(0)
    axe(page)

    # The choice stays for the next page.
    follow(page, page.get_by_role("main").get_by_role("link", name="Sign in", exact=True))
    expect(page).to_have_url(f"{live.url}/auth/sign-in")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_label("Email address", exact=True)).to_be_visible()
    axe(page)

    # Switching language keeps the visitor on the page they were reading.
    follow(page, page.get_by_role("button", name="العربية", exact=True))
    expect(page).to_have_url(f"{live.url}/auth/sign-in")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(heading(page)).to_have_text(live.t("Sign in", "ar"))
    axe(page)

    follow(page, page.get_by_role("button", name="Svenska", exact=True))
    expect(html).to_have_attribute("lang", "sv")
    expect(html).to_have_attribute("dir", "ltr")
    expect(heading(page)).to_have_text(live.t("Sign in", "sv"))
    axe(page)


def test_sign_out_ends_the_session(page, live_server, axe):
    live = live_server
    member = factories.user(live.app, ["member"])
    sign_in(page, live, axe, member.email, member.password)
    expect(page).to_have_url(f"{live.url}/")
    expect(heading(page)).to_have_text(
        live.t("Welcome, %(name)s", name=display_name(live, member.id)))
    axe(page)

    follow(page, page.locator("form[action$='/auth/sign-out'] button"))
    expect(page).to_have_url(f"{live.url}/auth/sign-in")
    expect(page.get_by_role("status")).to_have_text(live.t("You are signed out."))
    axe(page)

    page.goto("/")
    expect(heading(page)).to_have_text(live.t("Support from someone who has been there"))
    expect(page.locator("form[action$='/auth/sign-out']")).to_have_count(0)
    axe(page)

    page.goto("/account/")
    expect(page).to_have_url(re.compile(re.escape(f"{live.url}/auth/sign-in?next=")))
    expect(heading(page)).to_have_text(live.t("Sign in"))
    axe(page)


def test_skip_link_is_the_first_stop_for_the_keyboard(page, live_server, axe):
    live = live_server
    page.goto("/auth/sign-in")
    axe(page)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=live.t("Skip to content"), exact=True)
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # hidden until focused, then shown

    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    # The next Tab continues inside the content: the first field of the form.
    page.keyboard.press("Tab")
    expect(page.get_by_label(live.t("Email address"), exact=True)).to_be_focused()


def test_admin_pages(new_page, live_server, axe):
    live = live_server
    page = new_page("en-GB")  # this administrator's browser asks for English
    factories.municipality(live.app, "1480", "Göteborg")
    admin = factories.user(live.app, ["admin"])
    factories.user(live.app, ["member"], invited=True)

    sign_in(page, live, axe, admin.email, admin.password, locale="en")
    expect(page).to_have_url(f"{live.url}/")
    axe(page)

    follow(page, page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Administration"))
    expect(page).to_have_url(f"{live.url}/admin/users")
    expect(heading(page)).to_have_text("Users")
    expect(page.get_by_role("cell", name=admin.email)).to_be_visible()
    axe(page)

    follow(page, page.get_by_role("link", name="Invite a user"))
    expect(page).to_have_url(f"{live.url}/admin/users/invite")
    expect(heading(page)).to_have_text("Invite a user")
    expect(page.get_by_label("Email address", exact=True)).to_be_visible()
    axe(page)

    admin_menu = page.get_by_role("navigation", name="Administration")
    follow(page, admin_menu.get_by_role("link", name="Municipalities"))
    expect(page).to_have_url(f"{live.url}/admin/municipalities")
    expect(heading(page)).to_have_text("Municipalities")
    expect(page.get_by_role("link", name="Göteborg")).to_be_visible()
    axe(page)

    follow(page, admin_menu.get_by_role("link", name="Audit log"))
    expect(page).to_have_url(f"{live.url}/admin/audit")
    expect(heading(page)).to_have_text("Audit log")
    expect(page.get_by_role("cell", name="Signed in", exact=True).first).to_be_visible()
    axe(page)

    follow(page, page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="My account"))
    expect(page).to_have_url(f"{live.url}/account/")
    expect(heading(page)).to_have_text("My account")
    expect(page.get_by_role("definition").filter(has_text=admin.email)).to_be_visible()
    axe(page)


def test_password_reset_by_mail(page, live_server, inbox, axe):
    live = live_server
    member = factories.user(live.app, ["member"])

    page.goto("/auth/sign-in")
    axe(page)
    follow(page, page.get_by_role("link", name=live.t("Forgot your password?")))
    expect(page).to_have_url(f"{live.url}/auth/reset")
    axe(page)
    page.get_by_label(live.t("Email address"), exact=True).fill(member.email)
    follow(page, page.get_by_role("button", name=live.t("Send the link"), exact=True))
    expect(heading(page)).to_have_text(live.t("Check your email"))
    axe(page)

    with live.app.app_context():  # what the outbox worker does in production
        sent, failed = send_pending()
        db.session.commit()
    assert sent >= 1 and failed == 0, (sent, failed)
    link = inbox.link(member.email)
    assert link.startswith(f"{live.url}/auth/reset/")

    page.goto(link)
    expect(heading(page)).to_have_text(live.t("Choose a new password"))
    axe(page)
    # A slip first: the page explains what to correct, and stays accessible while it does.
    page.get_by_label(live.t("New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(live.t("Repeat the new password"), exact=True).fill(NEW_PASSWORD + "x")
    follow(page, page.get_by_role("button", name=live.t("Save the password"), exact=True))
    expect(page.get_by_role("alert")).to_contain_text(live.t("The passwords do not match."))
    confirm = page.get_by_label(live.t("Repeat the new password"), exact=True)
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_accessible_description(live.t("The passwords do not match."))
    axe(page)

    page.get_by_label(live.t("New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(live.t("Repeat the new password"), exact=True).fill(NEW_PASSWORD)
    follow(page, page.get_by_role("button", name=live.t("Save the password"), exact=True))
    expect(page).to_have_url(f"{live.url}/auth/sign-in")
    expect(page.get_by_role("status")).to_have_text(
        live.t("Your password is changed. Sign in with the new one."))
    axe(page)

    sign_in(page, live, axe, member.email, NEW_PASSWORD)
    expect(page).to_have_url(f"{live.url}/")
    expect(heading(page)).to_have_text(
        live.t("Welcome, %(name)s", name=display_name(live, member.id)))
    axe(page)

    # The link worked once; a second visit explains that it no longer does.
    response = page.goto(link)
    assert response is not None and response.status == 410
    expect(heading(page)).to_have_text(live.t("The link does not work"))
    axe(page)
