"""Membership dues (medlemsavgift): rates per year and category, and payments."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from foreningen.core.db import EncryptedText, LabelledEnum, UTCDateTime, check_in, utcnow
from foreningen.core.extensions import db

# The member categories a rate may be set for (the members feature's codes; the database
# keeps the two lists in step with a CHECK constraint on each side).
CATEGORIES = ("ordinary", "supporting", "organisation")


class PaymentMethod(LabelledEnum):
    MANUAL = "manual", _l("Recorded by hand")
    BANK = "bank", _l("Bank file")
    REVERSAL = "reversal", _l("Reversal")


class DuesRate(db.Model):
    """Set by the annual meeting; the board records it with the decision reference."""

    __tablename__ = "dues_rate"
    __table_args__ = (
        UniqueConstraint("year", "category"),
        CheckConstraint("amount_ore >= 0", name="amount_not_negative"),
        check_in("category", CATEGORIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    amount_ore: Mapped[int] = mapped_column(Integer, nullable=False)
    decision_reference: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class BankFileKind(LabelledEnum):
    CSV = "csv", _l("CSV from the bank")
    BGMAX = "bgmax", _l("BgMax from Bankgirot")


class DuesImport(db.Model):
    """One bank file imported: the payments that matched a member, and the lines that did
    not (DuesImportLine), for the treasurer to assign or dismiss. A file is imported once."""

    __tablename__ = "dues_import"
    __table_args__ = (UniqueConstraint("file_sha256"), check_in("kind", BankFileKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default=BankFileKind.CSV)
    # The file's SHA-256: the same file twice is refused, also when sent at the same moment.
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                            ondelete="SET NULL"))
    row_count: Mapped[int] = mapped_column(Integer, nullable=False)
    total_ore: Mapped[int] = mapped_column(Integer, nullable=False)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reversed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                               ondelete="SET NULL"))


class LineReason(LabelledEnum):
    UNKNOWN_REFERENCE = "unknown_reference", _l("No member has this payment reference")
    POSSIBLE_DUPLICATE = "possible_duplicate", _l(
        "The same date, reference and amount as a payment already recorded")
    ALREADY_IMPORTED = "already_imported", _l("This bank transaction is already imported")
    DEDUCTION = "deduction", _l("A deduction: a payment taken back by the bank")


class LineResolution(LabelledEnum):
    ASSIGNED = "assigned", _l("Assigned to a member")
    DISMISSED = "dismissed", _l("Dismissed")


class DuesImportLine(db.Model):
    """A line of a bank file that was not a member's payment as it stood: a donation, a
    mistyped reference, a repeat. Kept with the import until the treasurer decides."""

    __tablename__ = "dues_import_line"
    __table_args__ = (check_in("reason", LineReason), check_in("resolution", LineResolution),
                      Index("ix_dues_import_line_open", "import_id", "resolved_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("dues_import.id", ondelete="CASCADE"),
                                           nullable=False)
    line_number: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(24), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(40))
    amount_ore: Mapped[int] = mapped_column(Integer, nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    bank_transaction_id: Mapped[str | None] = mapped_column(String(80))
    # What the bank says about the payer (name, message): may name someone.
    text: Mapped[str | None] = mapped_column(EncryptedText())
    resolution: Mapped[str | None] = mapped_column(String(12))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                               ondelete="SET NULL"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("dues_payment.id"))


class DuesPayment(db.Model):
    """Kept seven years (accounting law); the member is pseudonymised when anonymised.
    Nothing paid is deleted or changed: a mistake is undone by a reversal, a new row with
    the opposite amount that names the payment it reverses."""

    __tablename__ = "dues_payment"
    __table_args__ = (
        Index("ix_dues_payment_year_member", "year", "member_id"),
        Index("ix_dues_payment_member_paid_on", "member_id", "paid_on", "amount_ore"),
        # A negative amount only as the reversal of a payment, and each reversed once.
        CheckConstraint("amount_ore <> 0", name="amount_not_zero"),
        CheckConstraint("(amount_ore > 0) = (reverses_id IS NULL)", name="reversal_negative"),
        UniqueConstraint("reverses_id"),
        # The same bank transaction must not be imported twice.
        UniqueConstraint("bank_transaction_id"),
        # One form sent twice (a double click) records its payments once.
        UniqueConstraint("submission_key", "submission_line"),
        check_in("method", PaymentMethod),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_ore: Mapped[int] = mapped_column(Integer, nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    bank_transaction_id: Mapped[str | None] = mapped_column(String(80))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("dues_import.id"), index=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                               ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(EncryptedText())  # may name someone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("dues_payment.id"))
    submission_key: Mapped[str | None] = mapped_column(String(32))
    submission_line: Mapped[int | None] = mapped_column(Integer)
