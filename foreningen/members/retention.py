"""Retention is code: `flask purge` runs this on a schedule."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from foreningen import audit
from foreningen.db import utcnow
from foreningen.dues.models import DuesPayment
from foreningen.extensions import db
from foreningen.members.models import Member, MemberStatus
from foreningen.members.services import anonymise


def _months_ago(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28)
    return date(year, month + 1, day)


def purge(today: date | None = None) -> dict[str, int]:
    """Anonymise former members after the retention period, delete unconfirmed and declined
    applications after 30 days, delete payments older than seven years."""
    config = current_app.config
    today = today or date.today()
    now = utcnow()
    left_before = _months_ago(today, config["RETENTION_LEFT_MONTHS"])
    stale = now - timedelta(days=config["RETENTION_UNCONFIRMED_DAYS"])

    former = list(db.session.scalars(select(Member).where(
        Member.status == MemberStatus.LEFT, Member.left_on < left_before,
        Member.anonymised_at.is_(None))))
    for member in former:
        anonymise(member)
    if former:
        # The payments stay (accounting) but pseudonymised: a note may name the person.
        db.session.execute(update(DuesPayment).where(
            DuesPayment.member_id.in_([m.id for m in former])).values(note=None))

    # Applications never confirmed, or declined, that nobody needs any more. A member row
    # with payments is never deleted (accounting), only anonymised.
    paid = select(DuesPayment.member_id)
    unconfirmed = list(db.session.scalars(select(Member).where(
        Member.applied_at < stale, Member.id.not_in(paid), Member.anonymised_at.is_(None),
        or_(Member.status == MemberStatus.DECLINED,
            (Member.status == MemberStatus.APPLIED) & Member.email_confirmed_at.is_(None)))))
    for member in unconfirmed:
        audit.record("member.delete", ("member", member.id), actor=None)
        db.session.delete(member)

    # Accounting records are kept seven years after the end of the year they were made in:
    # by the date paid, not the dues year (a late payment is in a later year's books).
    oldest_year = today.year - config["RETENTION_PAYMENT_YEARS"]
    payments = db.session.execute(
        delete(DuesPayment).where(DuesPayment.paid_on < date(oldest_year, 1, 1))).rowcount
    if payments:
        audit.record("dues.payments_delete", actor=None, detail=f"paid before {oldest_year}")
    return {"anonymised": len(former), "deleted_applications": len(unconfirmed),
            "deleted_payments": payments}
