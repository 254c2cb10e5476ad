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


class DuesImport(db.Model):
    """One bank file imported: all its rows or none."""

    __tablename__ = "dues_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                            ondelete="SET NULL"))
    row_count: Mapped[int] = mapped_column(Integer, nullable=False)
    total_ore: Mapped[int] = mapped_column(Integer, nullable=False)


class DuesPayment(db.Model):
    """Kept seven years (accounting law); the member is pseudonymised when anonymised."""

    __tablename__ = "dues_payment"
    __table_args__ = (
        Index("ix_dues_payment_year_member", "year", "member_id"),
        CheckConstraint("amount_ore > 0", name="amount_positive"),
        # The same bank transaction must not be imported twice.
        UniqueConstraint("bank_transaction_id"),
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
