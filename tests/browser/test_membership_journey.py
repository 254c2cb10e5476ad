"""The membership journey in a real browser: apply → confirm the address from the mail →
the board approves → the member signs in and sees their page → the board imports the
dues payment from a bank file → the member is paid up → the board's export has them."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from foreningen.core import clock
from foreningen.core.extensions import db
from foreningen.core.outbox import send_pending
from foreningen.dues import services as dues
from foreningen.members.models import Member
from tests import factories
from tests.browser.test_journeys import NEW_PASSWORD, follow, sign_in

pytestmark = pytest.mark.browser


def _deliver(live):
    with live.app.app_context():  # what `flask outbox send` does in production
        sent, failed = send_pending()
        db.session.commit()
    assert failed == 0


def test_apply_confirm_approve_pay_and_export(new_page, live_server, inbox, axe, tmp_path):
    live = live_server
    t = live.t
    email = "ingrid.svensson.journey@example.org"
    year = clock.today().year

    # 1. Anyone applies, in Swedish.
    applicant = new_page("sv-SE")
    applicant.goto("/join/")
    axe(applicant)
    applicant.get_by_label(t("First name"), exact=True).fill("Ingrid")
    applicant.get_by_label(t("Last name"), exact=True).fill("Svensson")
    applicant.get_by_label(t("Email address"), exact=True).fill(email)
    applicant.get_by_label(t("Supporting member"), exact=True).check()
    applicant.get_by_label(t("I have read the privacy notice and agree that the association "
                             "keeps my details as it describes"), exact=True).check()
    follow(applicant, applicant.get_by_role("button", name=t("Send the application")))
    axe(applicant)

    # 2. The confirmation link arrives by mail; the page asks for one press.
    _deliver(live)
    applicant.goto(inbox.link(email))
    axe(applicant)
    follow(applicant, applicant.get_by_role("button", name=t("Confirm my email address")))
    axe(applicant)

    # 3. The board approves the application.
    board = factories.user(live.app, ["board"])
    with live.app.app_context():
        member = db.session.query(Member).filter_by(email=email).one()
        reference, name = member.payment_reference, member.name
        dues.set_rate(year, "supporting", 20000, "Årsmötet 2026, § 12", None)
        db.session.commit()
    staff = new_page("sv-SE")
    sign_in(staff, live, axe, board.email, board.password)
    axe(staff)
    staff.goto("/members/applications")
    axe(staff)
    follow(staff, staff.get_by_role("button", name=f"{t('Approve')} {name}"))
    axe(staff)

    # 4. The invitation arrives; the member chooses a password, signs in, sees the page.
    _deliver(live)
    applicant.goto(inbox.link(email))
    axe(applicant)
    applicant.get_by_label(t("New password"), exact=True).fill(NEW_PASSWORD)
    applicant.get_by_label(t("Repeat the new password"), exact=True).fill(NEW_PASSWORD)
    follow(applicant, applicant.get_by_role("button", name=t("Save the password")))
    axe(applicant)
    sign_in(applicant, live, axe, email, NEW_PASSWORD)
    axe(applicant)
    applicant.goto("/membership/")
    axe(applicant)
    expect(applicant.get_by_role("main")).to_contain_text(reference)
    dues_table = applicant.get_by_role("table", name=t("Dues per year"))
    expect(dues_table.get_by_role("row").nth(1)).to_contain_text(t("No"))

    # 5. The board imports the bank file with the member's payment.
    bank_file = tmp_path / "bank.csv"
    bank_file.write_text(f"Datum;Referens;Belopp;Transaktions-ID\n"
                         f"{year}-01-15;{reference};200,00;JOURNEY-1\n", encoding="utf-8")
    staff.goto("/dues/import")
    axe(staff)
    staff.get_by_label(t("Bank file (CSV or BgMax)"), exact=True).set_input_files(str(bank_file))
    follow(staff, staff.get_by_role("main").get_by_role("button", name=t("Import")))
    axe(staff)

    # 6. The member is paid up.
    applicant.reload()
    axe(applicant)
    expect(dues_table.get_by_role("row").nth(1)).to_contain_text(t("Yes"))

    # 7. The board's filtered export contains them.
    staff.goto(f"/members/?q={reference}")
    axe(staff)
    with staff.expect_download() as download:
        staff.get_by_role("link", name=t("Download as CSV")).click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), csv.Sniffer().sniff(content[:2048])))
    assert [row for row in rows[1:] if email in row], rows[:3]
