"""Dues: rates, payments, bank-file import (all or nothing), reminders, lapsing. Each change
writes its audit record; callers commit. Members are read and changed through the members
feature's queries and services, never its tables."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from foreningen.association import queries as association
from foreningen.core import audit, clock, outbox
from foreningen.core.db import utcnow
from foreningen.core.errors import DomainError
from foreningen.core.extensions import db
from foreningen.dues import bankfile, queries
from foreningen.dues.models import (
    DuesImport,
    DuesImportLine,
    DuesPayment,
    DuesRate,
    LineReason,
    LineResolution,
    PaymentMethod,
)
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
        "reversed": _l("This payment is already reversed."),
        "is_reversal": _l("A reversal cannot itself be reversed. Record a new payment."),
        "import_reversed": _l("This import is already reversed."),
        "line_handled": _l("Someone has already handled this line."),
        "line_not_a_payment": _l("This line is not a payment that can be given to a member; "
                                 "set it aside."),
        "submitted": _l("These payments were already recorded (the form was sent twice). "
                        "Nothing was recorded again."),
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
                   reactivate: bool = True, submission: tuple[str, int] | None = None
                   ) -> DuesPayment:
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
                          recorded_by=getattr(actor, "id", None), note=note or None,
                          submission_key=submission[0] if submission else None,
                          submission_line=submission[1] if submission else None)
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
class ImportResult:
    """What a bank file held: the payments recorded, the lines left for the treasurer, and
    (line, message) of the lines that are broken (then nothing is imported)."""

    payments: list[DuesPayment] = field(default_factory=list)
    lines: list[DuesImportLine] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_bank_file(data: bytes, filename: str, actor) -> tuple[DuesImport | None,
                                                                  ImportResult]:
    """Import what matches a member; keep every other line for the treasurer to assign or
    dismiss, in the same transaction; with a broken line nothing at all. A file already
    imported (by its SHA-256) is refused; the unique index refuses it at the same moment."""
    digest = hashlib.sha256(data).hexdigest()
    earlier = queries.import_by_hash(digest)
    if earlier is not None:
        raise bankfile.BankFileError("imported_before", filename=earlier.filename,
                                     date=format_date(earlier.imported_at.date()))
    kind, parsed, errors = bankfile.parse(data, clock.today())
    if errors:
        return None, ImportResult(errors=sorted(errors))
    if not parsed:
        raise bankfile.BankFileError("empty")
    dues_import = DuesImport(filename=filename[:200], kind=kind, file_sha256=digest,
                             actor_id=getattr(actor, "id", None), row_count=0, total_ore=0)
    db.session.add(dues_import)
    db.session.flush()
    result = ImportResult()
    paid = []
    for row, reason, member in _classify(parsed):
        if reason is None:
            result.payments.append(record_payment(
                member, row.year, row.amount_ore, row.paid_on, actor, method="bank",
                bank_transaction_id=row.transaction, dues_import=dues_import,
                reactivate=False))
            paid.append((member, row.year))
        else:
            line = DuesImportLine(import_id=dues_import.id, line_number=row.line,
                                  reason=reason, reference=row.reference or None,
                                  amount_ore=row.amount_ore, paid_on=row.paid_on,
                                  year=row.year, bank_transaction_id=row.transaction,
                                  text=row.text)
            db.session.add(line)
            result.lines.append(line)
    dues_import.row_count = len(result.payments)
    dues_import.total_ore = sum(p.amount_ore for p in result.payments)
    member_services.reactivate_paid_up(paid, actor)
    db.session.flush()
    audit.record("dues.import", dues_import, actor=actor,
                 detail=f"{len(result.payments)} paid, {len(result.lines)} to handle")
    return dues_import, result


def _classify(parsed: list[bankfile.ParsedRow]):
    """(row, reason or None, member) for every row: None is a member's payment as it stands.
    Three queries, however long the file."""
    by_reference = members.by_references({p.reference for p in parsed if p.reference})
    known = queries.known_transactions([p.transaction for p in parsed if p.transaction])
    earlier = queries.same_payments({
        (by_reference[p.reference].id, p.paid_on, p.amount_ore)
        for p in parsed if p.reference in by_reference})
    seen_transactions: set[str] = set()
    for row in parsed:
        member = by_reference.get(row.reference)
        if row.deduction:
            yield row, LineReason.DEDUCTION, None
        elif row.transaction and (row.transaction in known
                                  or row.transaction in seen_transactions):
            yield row, LineReason.ALREADY_IMPORTED, None
        elif member is None or member.anonymised_at is not None:
            yield row, LineReason.UNKNOWN_REFERENCE, None
        elif not row.transaction and (member.id, row.paid_on, row.amount_ore) in earlier:
            # Without a transaction id the bank cannot tell: the treasurer decides.
            yield row, LineReason.POSSIBLE_DUPLICATE, member
        else:
            yield row, None, member
        if row.transaction:
            seen_transactions.add(row.transaction)


def assign_line(line: DuesImportLine, member, actor, *, year: int | None = None
                ) -> DuesPayment:
    """The treasurer says whose a line is: it becomes that member's payment."""
    if line.resolved_at is not None:
        raise DuesError("line_handled")
    if line.reason in (LineReason.ALREADY_IMPORTED, LineReason.DEDUCTION):
        raise DuesError("line_not_a_payment")
    payment = record_payment(member, year or line.year, line.amount_ore, line.paid_on, actor,
                             method="bank", dues_import=queries.dues_import_of(line),
                             note=None)
    db.session.flush()
    _resolve(line, LineResolution.ASSIGNED, actor, payment_id=payment.id)
    audit.record("dues.line_assign", ("dues_import", line.import_id), actor=actor,
                 detail=f"line {line.line_number}")
    return payment


def dismiss_line(line: DuesImportLine, actor) -> None:
    """Not a member's dues (a donation, a payment handled elsewhere): set aside."""
    if line.resolved_at is not None:
        raise DuesError("line_handled")
    _resolve(line, LineResolution.DISMISSED, actor)
    audit.record("dues.line_dismiss", ("dues_import", line.import_id), actor=actor,
                 detail=f"line {line.line_number}")


def _resolve(line: DuesImportLine, resolution: str, actor, payment_id: int | None = None):
    """A conditional update: of two treasurers deciding the same line, one does."""
    done = db.session.execute(
        update(DuesImportLine).where(DuesImportLine.id == line.id,
                                     DuesImportLine.resolved_at.is_(None))
        .values(resolution=resolution, resolved_at=utcnow(),
                resolved_by=getattr(actor, "id", None), payment_id=payment_id)
        .execution_options(synchronize_session="fetch")).rowcount
    if not done:
        raise DuesError("line_handled")


# --- reversals: nothing paid is deleted or changed ----------------------------------------

def reverse_payment(payment: DuesPayment, actor, reason: str | None = None) -> DuesPayment:
    """A counter-entry with the opposite amount; the payment itself stays as it was."""
    if payment.reverses_id is not None:
        raise DuesError("is_reversal")
    if queries.reversal_of(payment.id) is not None:
        raise DuesError("reversed")
    reversal = DuesPayment(member_id=payment.member_id, year=payment.year,
                           amount_ore=-payment.amount_ore, paid_on=clock.today(),
                           method=PaymentMethod.REVERSAL, reverses_id=payment.id,
                           import_id=payment.import_id, recorded_by=getattr(actor, "id", None),
                           note=reason or None)
    try:
        with db.session.begin_nested():  # the unique index: reversed once, whoever is first
            db.session.add(reversal)
    except IntegrityError as exc:
        raise DuesError("reversed") from exc
    audit.record("dues.payment_reverse", ("member", payment.member_id), actor=actor,
                 detail=f"{payment.year}")
    return reversal


def reverse_import(dues_import: DuesImport, actor) -> int:
    """Every payment of a file is reversed, once: the import is marked by a conditional
    update, so two treasurers pressing at the same moment reverse it once."""
    marked = db.session.execute(
        update(DuesImport).where(DuesImport.id == dues_import.id,
                                 DuesImport.reversed_at.is_(None))
        .values(reversed_at=utcnow(), reversed_by=getattr(actor, "id", None))
        .execution_options(synchronize_session="fetch")).rowcount
    if not marked:
        raise DuesError("import_reversed")
    count = 0
    for payment in queries.reversible_payments_of_import(dues_import.id):
        reverse_payment(payment, actor)
        count += 1
    audit.record("dues.import_reverse", dues_import, actor=actor, detail=f"{count} payments")
    return count


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
    "dues.payment_reverse": _l("Payment reversed"),
    "dues.import": _l("Bank file imported"),
    "dues.import_reverse": _l("Bank file import reversed"),
    "dues.line_assign": _l("Bank file line given to a member"),
    "dues.line_dismiss": _l("Bank file line set aside"),
    "dues.reminders": _l("Dues reminders sent"),
    "dues.payments_delete": _l("Payments past the accounting period deleted"),
})
audit.subject_kind("dues_import", _l("Bank file"), endpoint="dues.import_detail",
                   argument="import_id", may_open="dues.manage")
audit.subject_kind("dues_rate", _l("Dues rate"))
