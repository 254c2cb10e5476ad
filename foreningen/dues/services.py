"""Dues: rates, payments, bank-file import (all or nothing), reminders, lapsing. Each change
writes its audit record; callers commit. Members are read and changed through the members
feature's queries and services, never its tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from foreningen.association import queries as association
from foreningen.core import audit, clock, outbox
from foreningen.core.db import utcnow
from foreningen.core.errors import DomainError
from foreningen.core.extensions import db
from foreningen.dues import bankfile
from foreningen.dues.models import DuesImport, DuesPayment, DuesRate
from foreningen.dues.queries import rate_for
from foreningen.members import queries as members
from foreningen.members import services as member_services
from foreningen.members.signals import member_anonymised

# Categories and statuses are the members feature's; dues only pass them on.
MemberCategory = members.MemberCategory
MemberStatus = members.MemberStatus
parse_amount = bankfile.parse_amount


class DuesError(DomainError):
    messages = {
        "negative": _l("The amount cannot be negative."),
        "amount": _l("The amount must be more than zero."),
        "anonymised": _l("This member's details have been anonymised; no payments can be "
                         "recorded."),
    }


def set_rate(year: int, category: str, amount_ore: int, decision_reference: str,
             actor) -> DuesRate:
    if amount_ore < 0:
        raise DuesError("negative")
    category = str(MemberCategory(category))
    rate = rate_for(year, category)
    if rate is None:
        rate = DuesRate(year=year, category=category)
        db.session.add(rate)
    rate.amount_ore = amount_ore
    rate.decision_reference = decision_reference.strip()
    db.session.flush()
    audit.record("dues.rate_set", rate, actor=actor, detail=f"{year} {category}")
    return rate


def record_payment(member, year: int, amount_ore: int, paid_on: date, actor, *,
                   method: str = "manual", bank_transaction_id: str | None = None,
                   dues_import: DuesImport | None = None, note: str | None = None,
                   reactivate: bool = True) -> DuesPayment:
    """Add one payment (flushed with the next query or commit, so that a whole file is one
    batch). `reactivate=False` leaves the lapsed-member check to the caller, once for all."""
    if amount_ore <= 0:
        raise DuesError("amount")
    if member.anonymised_at is not None:
        raise DuesError("anonymised")
    payment = DuesPayment(member_id=member.id, year=year, amount_ore=amount_ore,
                          paid_on=paid_on, method=method,
                          bank_transaction_id=bank_transaction_id,
                          import_id=dues_import.id if dues_import else None,
                          recorded_by=getattr(actor, "id", None), note=note or None)
    db.session.add(payment)
    audit.record("dues.payment", member, actor=actor, detail=f"{year}")
    if reactivate:
        member_services.reactivate_paid_up([(member, year)], actor)
    return payment


@member_anonymised.connect
def _forget_payment_notes(sender, member_id: int, **extra) -> None:
    """Payments stay (accounting law) but their free-text notes may name someone."""
    db.session.execute(update(DuesPayment).where(DuesPayment.member_id == member_id)
                       .values(note=None))


# --- bank file import ---------------------------------------------------------------------

@dataclass
class ImportRow:
    line: int
    member: object
    amount_ore: int
    paid_on: date
    year: int
    transaction: str | None


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def parse_bank_file(data: bytes) -> ImportResult:
    """Read a bank CSV and find each payment's member; every bad row is reported, nothing
    is stored here."""
    parsed, errors = bankfile.parse(data)
    result = ImportResult(errors=errors)
    by_reference = members.by_references({p.reference for p in parsed})
    transactions = [p.transaction for p in parsed if p.transaction]
    known = _known_transactions(transactions)
    seen: set[str] = set()
    for row in parsed:
        member = by_reference.get(row.reference)
        if member is None or member.anonymised_at is not None:
            result.errors.append((row.line, str(_l(
                "No member has the payment reference %(ref)s.", ref=row.reference or "–"))))
        elif row.transaction and (row.transaction in known or row.transaction in seen):
            result.errors.append((row.line, str(_l(
                "The transaction %(id)s is already imported.", id=row.transaction))))
        else:
            if row.transaction:
                seen.add(row.transaction)
            result.rows.append(ImportRow(row.line, member, row.amount_ore, row.paid_on,
                                         row.year, row.transaction))
    result.errors.sort()
    return result


def _known_transactions(transactions: list[str]) -> set[str]:
    if not transactions:
        return set()
    return set(db.session.scalars(select(DuesPayment.bank_transaction_id).where(
        DuesPayment.bank_transaction_id.in_(transactions))))


def import_bank_file(data: bytes, filename: str, actor) -> tuple[DuesImport | None,
                                                                  ImportResult]:
    """All rows or none: with any error nothing is stored and the errors are returned."""
    result = parse_bank_file(data)
    if result.errors or not result.rows:
        if not result.rows and not result.errors:
            raise bankfile.BankFileError("empty")
        return None, result
    dues_import = DuesImport(filename=filename[:200], actor_id=getattr(actor, "id", None),
                             row_count=len(result.rows),
                             total_ore=sum(r.amount_ore for r in result.rows))
    db.session.add(dues_import)
    db.session.flush()
    for row in result.rows:
        record_payment(row.member, row.year, row.amount_ore, row.paid_on, actor, method="bank",
                       bank_transaction_id=row.transaction, dues_import=dues_import,
                       reactivate=False)
    member_services.reactivate_paid_up([(row.member, row.year) for row in result.rows], actor)
    audit.record("dues.import", dues_import, actor=actor, detail=f"{len(result.rows)} rows")
    return dues_import, result


# --- reminders and lapsing ----------------------------------------------------------------

REMINDER_SUBJECT = _l("Your membership dues")


def reminder_recipients(year: int) -> list[tuple]:
    """(member, paid_ore, rate_ore) of everyone a reminder would go to now: not paid up,
    active or lapsed, and not reminded within the interval."""
    interval = timedelta(days=current_app.config["DUES_REMINDER_INTERVAL_DAYS"])
    return members.owing(year, reminded_before=utcnow() - interval)


def reminder_context(year: int, member, paid_ore: int, rate_ore: int) -> dict:
    details = association.settings()
    return {"year": year, "amount": rate_ore - paid_ore, "reference": member.payment_reference,
            **{name: getattr(details, name, None) for name in ("bankgiro", "plusgiro", "swish")}}


def preview_reminder(year: int, recipient, locale: str) -> tuple[str, str]:
    """The (subject, body) the first recipient would get, in `locale`: shown before sending."""
    member, paid_ore, rate_ore = recipient
    return outbox.render("dues_reminder", REMINDER_SUBJECT, locale,
                         **reminder_context(year, member, paid_ore, rate_ore))


def send_reminders(year: int, actor=None) -> int:
    """Remind those not paid up, at most once per interval, never someone who left."""
    count = 0
    for member, paid_ore, rate_ore in reminder_recipients(year):
        outbox.queue(member.email, "dues_reminder", REMINDER_SUBJECT, locale=member.locale,
                     **reminder_context(year, member, paid_ore, rate_ore))
        member_services.note_reminded(member)
        count += 1
    audit.record("dues.reminders", actor=actor, detail=f"{year}: {count}")
    return count


def lapse_date(year: int) -> date:
    month, day = (int(p) for p in current_app.config["DUES_LAPSE_DATE"].split("-"))
    return date(year, month, day)


def lapse_unpaid(today: date | None = None, actor=None) -> int:
    """After the lapse date, active members not paid up for the year become lapsed."""
    today = today or clock.today()
    if today <= lapse_date(today.year):
        return 0
    lapsing = [member for member, _paid, _rate
               in members.owing(today.year, statuses=(MemberStatus.ACTIVE,))]
    for member in lapsing:
        member_services.change_status(member, MemberStatus.LAPSED, "not paid up", actor,
                                      effective_on=today)
    return len(lapsing)


# --- the audit log in words -------------------------------------------------------------

audit.describe("dues", _l("Dues"), {
    "dues.rate_set": _l("Dues rate set"),
    "dues.payment": _l("Payment recorded"),
    "dues.import": _l("Bank file imported"),
    "dues.reminders": _l("Dues reminders sent"),
    "dues.payments_delete": _l("Payments past the accounting period deleted"),
})
audit.subject_kind("dues_import", _l("Bank file"), endpoint="dues.import_detail",
                   argument="import_id", may_open="dues.manage")
audit.subject_kind("dues_rate", _l("Dues rate"))
