"""The stödperson journey in a real browser, with axe-core on every page and the pages at a
phone's and a laptop's width: a member applies → a coordinator books and records the
interview, records a training session for the group, sees the record extract → the
stödperson signs the pledge and is ready → "needs attention" no longer lists them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, ngettext
from playwright.sync_api import expect

from foreningen.core import clock
from foreningen.core.extensions import db
from foreningen.supporters.models import Supporter
from tests import factories
from tests.browser.test_journeys import follow, sign_in
from tests.browser.test_layout import _check_at_both_sizes

pytestmark = pytest.mark.browser


def test_apply_train_check_sign_and_be_ready(new_page, live_server, axe):
    live = live_server
    t = live.t
    module = factories.training_module(live.app, "Grundutbildning, resan", validity_months=24)
    account = factories.user(live.app, ["member"], name="Lovisa Lindqvist-Andersson")
    lund = factories.municipality(live.app, "1281", "Lund")
    factories.member(live.app, account=account, municipality_id=lund)
    classmate = factories.supporter(live.app, "in_training", display_name="Klasskamrat")

    # 1. The member applies, in Swedish.
    peer = new_page("sv-SE")
    sign_in(peer, live, axe, account.email, account.password)
    peer.goto("/supporter/")
    axe(peer)
    follow(peer, peer.get_by_role("link", name=t("Apply to become a support person")))
    axe(peer)
    peer.get_by_label(t("Foster family"), exact=True).check()
    peer.get_by_label(t("Compulsory care (LVU)"), exact=True).check()
    peer.get_by_label(t("How old was your child when the placement began?")).fill("8")
    peer.get_by_label(t("How many years ago did it begin?")).fill("5")
    peer.get_by_label(t("Partly, or for a time"), exact=True).check()
    peer.get_by_label(t("Arabic"), exact=True).check()
    peer.get_by_label(t("Swedish"), exact=True).check()
    peer.get_by_label(t("By phone"), exact=True).check()
    peer.get_by_label(t("Evenings"), exact=True).check()
    peer.get_by_label(t("In your own words: what can you offer a parent?")).fill(
        "Jag har varit där och jag lyssnar.")
    # Forgetting the consent keeps everything typed and says what is missing.
    follow(peer, peer.get_by_role("button", name=t("Send the application")))
    axe(peer)
    expect(peer.get_by_role("alert")).to_contain_text(
        t("We need your consent to handle your application."))
    expect(peer.get_by_label(t("How old was your child when the placement began?"))
           ).to_have_value("8")
    peer.get_by_label(t("I agree that the association keeps these answers to assess my "
                        "application and, if I become a support person, to propose me to "
                        "parents"), exact=True).check()
    follow(peer, peer.get_by_role("button", name=t("Send the application")))
    axe(peer)
    expect(peer.get_by_role("main")).to_contain_text(t("Applied"))
    with live.app.app_context():
        supporter_id = db.session.query(Supporter).filter_by(user_id=account.id).one().id

    # 2. A coordinator books the interview, records it and starts the training.
    coordinator = factories.user(live.app, ["coordinator"])
    staff = new_page("sv-SE")
    sign_in(staff, live, axe, coordinator.email, coordinator.password)
    staff.goto("/supporters/")
    axe(staff)
    follow(staff, staff.get_by_role("link", name="Lovisa Lindqvist-Andersson").first)
    axe(staff)
    expect(staff.get_by_role("main")).to_contain_text(t("Foster family"))

    def move(to_stage: str, **dates):
        staff.get_by_label(t("Move to"), exact=True).select_option(to_stage)
        for label, day in dates.items():
            staff.get_by_label(t(label), exact=True).fill(day.isoformat())
        follow(staff, staff.get_by_role("button", name=t("Move"), exact=True))
        axe(staff)

    move("interview_booked", **{"Interview date (when booking one)": clock.today()
                                + timedelta(days=2)})
    move("interviewed")
    move("in_training")

    # 3. The training session, for the whole group at once.
    staff.goto("/supporters/training")
    axe(staff)
    staff.get_by_label(t("Training module"), exact=True).select_option(str(module))
    staff.get_by_label("Lovisa Lindqvist-Andersson").check()
    staff.get_by_label("Test Person", exact=False).first.check()  # the classmate
    follow(staff, staff.get_by_role("button", name=t("Record the session")))
    axe(staff)
    expect(staff.get_by_role("status").or_(staff.locator(".flash"))).to_contain_text("2")

    # 4. The record extract is seen; approval and activation.
    staff.goto(f"/supporters/{supporter_id}")
    axe(staff)
    staff.get_by_label(t("Date printed on the extract"), exact=True).fill(
        (clock.today() - timedelta(days=5)).isoformat())
    staff.get_by_label(t("I have seen the extract and it holds nothing that stops this "
                         "person from being a support person"), exact=True).check()
    follow(staff, staff.get_by_role("button", name=t("Record the extract as seen")))
    axe(staff)
    move("approved")
    move("active")
    staff.goto("/supporters/attention")
    axe(staff)
    expect(staff.get_by_role("main")).to_contain_text("Lovisa")  # the pledge is missing

    # 5. The stödperson signs the pledge and is ready.
    peer.goto("/supporter/")
    axe(peer)
    expect(peer.get_by_role("main")).to_contain_text(t("You are not ready yet."))
    peer.get_by_label(t("I promise to keep what I learn about parents and their children "
                        "to myself, as the text above says"), exact=True).check()
    follow(peer, peer.get_by_role("button", name=t("Sign the pledge")))
    axe(peer)
    expect(peer.get_by_role("main")).to_contain_text(t("You are ready to support a parent."))
    # Free capacity: one parent unless they say more.
    with live.app.test_request_context(method="POST"), force_locale("sv"):
        one_parent = ngettext("You can support %(num)d parent at the same time.",
                              "You can support %(num)d parents at the same time.", 1)
    expect(peer.get_by_role("main")).to_contain_text(one_parent)
    follow(peer, peer.get_by_role("link", name=t(
        "Change your capacity, pause, or conflicts of interest")))
    axe(peer)
    peer.get_by_label(t("How many parents can you support at the same time?")).fill("2")
    follow(peer, peer.get_by_role("button", name=t("Save the capacity")))
    axe(peer)

    # 6. Nothing about them needs attention any more, but that no parent has them yet.
    staff.goto("/supporters/attention")
    axe(staff)
    for key in ("expired", "expiring", "missing", "paused", "approved", "unsupervised"):
        expect(staff.locator(f"section:has(#{key}-heading)")).not_to_contain_text("Lovisa")
    expect(staff.locator("section:has(#unassigned-heading)")).to_contain_text("Lovisa")
    assert classmate.id

    # Every page of the feature fits a phone and a laptop.
    problems = []
    for path in ("/supporters/", f"/supporters/{supporter_id}", "/supporters/attention",
                 "/supporters/training", "/supporters/supervision", "/supporters/requirements",
                 f"/supporters/requirements/{module}"):
        problems += _check_at_both_sizes(staff, axe, path)
    for path in ("/supporter/", "/supporter/profile", "/supporter/availability",
                 "/supporter/payout"):
        problems += _check_at_both_sizes(peer, axe, path)
    assert not problems, "\n".join(problems)
