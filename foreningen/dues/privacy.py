"""Dues' part of privacy: payments are kept seven years (accounting law), then deleted; a
member's download includes their dues per year and their payments."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import delete, select

from foreningen.core import audit, clock, privacy
from foreningen.core.extensions import db
from foreningen.dues import queries
from foreningen.dues.models import DuesImport, DuesImportLine, DuesPayment
from foreningen.members import queries as members


@privacy.retention_rule("dues.old_payments",
                        tables=("dues_payment", "dues_import", "dues_import_line"),
                        description="Payments past the accounting period deleted")
def delete_old_payments(today: date) -> int:
    """Accounting records are kept seven years after the end of the year they were made in:
    by the date paid, not the dues year (a late payment is in a later year's books). An
    import whose payments are all gone goes with them."""
    oldest_year = today.year - current_app.config["RETENTION_PAYMENT_YEARS"]
    before = date(oldest_year, 1, 1)
    # The lines of a bank file that were no member's payment go with their period too.
    db.session.execute(delete(DuesImportLine).where(DuesImportLine.paid_on < before))
    # A reversal goes with the payment it reverses (it may be dated later).
    old = select(DuesPayment.id).where(DuesPayment.paid_on < before)
    db.session.execute(delete(DuesPayment).where(DuesPayment.reverses_id.in_(old)))
    deleted = db.session.execute(
        delete(DuesPayment).where(DuesPayment.paid_on < before)).rowcount
    if deleted:
        audit.record("dues.payments_delete", actor=None, detail=f"paid before {oldest_year}")
        db.session.execute(delete(DuesImport).where(
            DuesImport.id.not_in(select(DuesPayment.import_id).where(
                DuesPayment.import_id.is_not(None)))))
    return deleted


@privacy.download_part("dues", tables=("dues_payment",))
def dues_part(user) -> dict:
    member = members.own_member(user.id)
    if member is None:
        return {}
    paid = queries.payments_of(member.id)
    return {
        "dues": [
            {"year": d.year, "rate_ore": d.rate_ore, "paid_ore": d.paid_ore,
             "paid_up": d.paid_up}
            for d in members.dues_years(member, paid, clock.today().year)],
        "payments": [
            {"year": p.year, "amount_ore": p.amount_ore, "paid_on": p.paid_on,
             "method": p.method, "note": p.note}
            for p in paid],
    }


privacy.exempt("dues_import_line", download="Lines of a bank file that matched no member: "
               "they are linked to nobody until the board gives one to a member, and then it "
               "is that member's payment, in their download.")
privacy.exempt("dues_import", download="A record of the board's work (who imported which "
               "bank file), not of a member; each member's payments are in their download.")
