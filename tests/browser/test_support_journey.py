"""Support in a real browser, with axe-core on every page and every page at a phone's and a
laptop's width:

- a parent asks in Arabic (right to left) and follows the status page → a coordinator
  assigns a stödperson → the stödperson logs the first contact → the parent sees who;
- a social worker refers two parents → an overdue referral is red at the top of the queue →
  it is assigned → the first contact is logged → it is no longer overdue and the social
  worker reads "contacted"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from foreningen.core import clock
from tests import factories
from tests.browser.test_journeys import follow, sign_in
from tests.browser.test_layout import _check_at_both_sizes

pytestmark = pytest.mark.browser


def test_a_parent_asks_in_arabic_and_sees_their_stodperson(new_page, live_server, axe):
    live = live_server
    t = live.t
    lund = factories.municipality(live.app, "1281", "Lund")
    lena = factories.ready_supporter(live.app, display_name="Lena", municipality_id=lund)

    # 1. The parent asks, in Arabic, without an account.
    parent = new_page("ar")
    parent.goto("/ask/")
    axe(parent)
    expect(parent.locator("html")).to_have_attribute("dir", "rtl")
    parent.get_by_label(t("A first name, or another name we can call you", "ar")).fill("Amal")
    parent.get_by_label(t("By email", "ar"), exact=True).check()
    parent.get_by_label(t("Email address", "ar"), exact=True).fill("amal@example.org")
    parent.get_by_label(t("Your municipality", "ar")).select_option(str(lund))
    # Forgetting the consent keeps what was typed and says what is missing.
    follow(parent, parent.get_by_role("button", name=t("Send my request", "ar")))
    axe(parent)
    expect(parent.get_by_role("alert")).to_contain_text(
        t("We need your consent to keep your request.", "ar"))
    expect(parent.get_by_label(t("Email address", "ar"), exact=True)).to_have_value(
        "amal@example.org")
    parent.get_by_label(t("I have read what is stored and who can see it, and I agree.",
                          "ar")).check()
    follow(parent, parent.get_by_role("button", name=t("Send my request", "ar")))
    axe(parent)
    secrets = parent.locator("dd.secret").all_inner_texts()
    reference, code = secrets
    follow(parent, parent.get_by_role("link", name=t("See your request", "ar")))
    axe(parent)
    expect(parent.get_by_role("main")).to_contain_text(
        t("Received. A coordinator will read your request soon.", "ar"))

    # 2. A coordinator finds it in the queue and assigns Lena.
    coordinator = factories.user(live.app, ["coordinator"])
    staff = new_page("sv-SE")
    sign_in(staff, live, axe, coordinator.email, coordinator.password)
    staff.goto("/support/")
    axe(staff)
    follow(staff, staff.get_by_role("link", name=reference))
    axe(staff)
    request_path = urlsplit(staff.url).path
    expect(staff.get_by_role("main")).to_contain_text("amal@example.org")
    follow(staff, staff.get_by_role("link", name=t("Choose a support person")))
    axe(staff)
    assign_path = urlsplit(staff.url).path
    follow(staff, staff.get_by_role("button", name=t("Assign %(name)s", name="Lena")))
    axe(staff)
    expect(staff.get_by_role("main")).to_contain_text("Lena")

    # 3. Lena sees her new parent and logs the first contact from her phone.
    peer = new_page("sv-SE")
    peer.set_viewport_size({"width": 390, "height": 844})
    sign_in(peer, live, axe, lena.account.email, lena.account.password)
    peer.goto("/support/mine/")
    axe(peer)
    follow(peer, peer.get_by_role("link", name=re.compile(reference)))
    axe(peer)
    assignment_path = urlsplit(peer.url).path
    expect(peer.get_by_role("main")).to_contain_text("amal@example.org")
    log = peer.locator("form[action$='/contacts']")
    log.get_by_label(t("Yes"), exact=True).check()
    log.get_by_label(t("By phone"), exact=True).check()
    log.get_by_label(t("Length in minutes")).fill("0")
    follow(peer, peer.get_by_role("button", name=t("Log the contact")))
    axe(peer)
    expect(peer.get_by_role("alert")).to_contain_text(
        t("Give a length between 1 minute and 12 hours."))
    log.get_by_label(t("Length in minutes")).fill("40")
    follow(peer, peer.get_by_role("button", name=t("Log the contact")))
    axe(peer)
    expect(peer.get_by_role("main")).to_contain_text(t("The contact is logged."))
    # And plans the next meeting, which the parent then sees.
    planning = peer.locator("form[action$='/meetings']")
    planning.get_by_label(t("Day"), exact=True).fill(
        (clock.today() + timedelta(days=2)).isoformat())
    planning.get_by_label(t("Time"), exact=True).fill("17:30")
    planning.get_by_label(t("In person"), exact=True).check()
    planning.get_by_label(t("Place or link (optional)")).fill("Stadsbiblioteket")
    follow(peer, peer.get_by_role("button", name=t("Plan the meeting")))
    axe(peer)
    expect(peer.get_by_role("main")).to_contain_text("Stadsbiblioteket")

    # 4. The parent sees who their stödperson is, and nothing of what they said.
    parent.reload()
    axe(parent)
    expect(parent.get_by_role("main")).to_contain_text("Lena")
    expect(parent.get_by_role("main")).to_contain_text("Stadsbiblioteket")
    # In a new browser, with the reference and code as they were shown.
    again = new_page("ar")
    again.goto("/ask/status")
    axe(again)
    again.get_by_label(t("Reference", "ar"), exact=True).fill(reference)
    again.get_by_label(t("Personal code", "ar"), exact=True).fill(code)
    follow(again, again.get_by_role("button", name=t("Show my request", "ar")))
    axe(again)
    expect(again.get_by_role("main")).to_contain_text("Lena")

    problems = []
    for path in ("/ask/", "/ask/status"):
        problems += _check_at_both_sizes(parent, axe, path)
    for path in ("/support/", request_path, assign_path):
        problems += _check_at_both_sizes(staff, axe, path)
    for path in ("/support/mine/", assignment_path):
        problems += _check_at_both_sizes(peer, axe, path)
    assert not problems, "\n".join(problems)


def test_a_social_worker_refers_and_sees_the_parents_contacted(new_page, live_server, axe):
    live = live_server
    t = live.t
    worker = factories.user(live.app, ["social_worker"], municipality_code="0180")
    stockholm = worker.municipality_id
    lena = factories.ready_supporter(live.app, display_name="Lisa", municipality_id=stockholm)
    overdue = factories.referral(live.app, worker, at=datetime(2026, 3, 2, 9, tzinfo=UTC))

    # 1. The social worker refers two parents together.
    social = new_page("sv-SE")
    sign_in(social, live, axe, worker.email, worker.password)
    social.goto("/referrals/new")
    axe(social)
    social.get_by_label(t("The main reason for the placement")).select_option("mental_health")
    social.get_by_label(t("Compulsory care (LVU)"), exact=True).check()
    social.get_by_label(t("Not yet"), exact=True).check()
    social.get_by_label(t("The child's age")).fill("4")
    first, second = (social.locator("fieldset.panel").nth(n) for n in (1, 2))
    first.get_by_label(t("First name")).fill("Amal")
    first.get_by_label(t("Phone number")).fill("070-111 22 33")
    second.get_by_label(t("First name")).fill("Karim")
    second.get_by_label(t("Phone number")).fill("070-222 33 44")
    social.get_by_label(t("Your phone number, for the coordinator")).fill("08-508 123 45")
    social.get_by_label(t("The parents know about the association and have agreed to be "
                          "contacted.")).check()
    follow(social, social.get_by_role("button", name=t("Send the referral")))
    axe(social)
    expect(social.get_by_role("main")).to_contain_text(t("Received"))

    # 2. The coordinator's queue: the overdue referral first, in red.
    coordinator = factories.user(live.app, ["coordinator"])
    staff = new_page("sv-SE")
    sign_in(staff, live, axe, coordinator.email, coordinator.password)
    staff.goto("/support/")
    axe(staff)
    first_row = staff.locator("tbody tr").first
    expect(first_row).to_have_class(re.compile("overdue"))
    expect(first_row).to_contain_text(overdue.reference)
    follow(staff, first_row.get_by_role("link", name=overdue.reference))
    follow(staff, staff.get_by_role("link", name=t("Choose a support person")))
    axe(staff)
    follow(staff, staff.get_by_role("button", name=t("Assign %(name)s", name="Lisa")))
    axe(staff)

    # 3. Lisa reaches the parent: the clock stops.
    peer = new_page("sv-SE")
    sign_in(peer, live, axe, lena.account.email, lena.account.password)
    peer.goto("/support/mine/")
    axe(peer)
    follow(peer, peer.get_by_role("link", name=re.compile(overdue.reference)))
    axe(peer)
    log = peer.locator("form[action$='/contacts']")
    log.get_by_label(t("Yes"), exact=True).check()
    log.get_by_label(t("By phone"), exact=True).check()
    log.get_by_label(t("Length in minutes")).fill("30")
    follow(peer, peer.get_by_role("button", name=t("Log the contact")))
    axe(peer)
    staff.goto("/support/")
    axe(staff)
    expect(staff.locator(".overdue")).to_have_count(0)

    # 4. The social worker reads "contacted" for the overdue one, nothing more.
    social.goto("/referrals/")
    axe(social)
    row = social.locator("tbody tr", has_text=overdue.reference)
    expect(row).to_contain_text(t("Contacted"))
    expect(social.get_by_role("main")).not_to_contain_text("Amal")
    problems = []
    for path in ("/referrals/", "/referrals/new"):
        problems += _check_at_both_sizes(social, axe, path)
    assert not problems, "\n".join(problems)
