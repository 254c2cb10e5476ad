"""The association's settings (one row) and the versions of its privacy notice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from foreningen.core.db import TimestampMixin, UTCDateTime, utcnow
from foreningen.core.extensions import db

SETTINGS_ID = 1


class AssociationSettings(TimestampMixin, db.Model):
    """Föreningens uppgifter: what members see to pay and to get in touch."""

    __tablename__ = "association_settings"
    __table_args__ = (CheckConstraint(f"id = {SETTINGS_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=SETTINGS_ID)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    organisation_number: Mapped[str | None] = mapped_column(String(11))
    bankgiro: Mapped[str | None] = mapped_column(String(9))
    plusgiro: Mapped[str | None] = mapped_column(String(10))
    swish: Mapped[str | None] = mapped_column(String(16))  # "123 456 78 90"
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    postal_address: Mapped[str | None] = mapped_column(String(300))
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))


class PrivacyNotice(db.Model):
    """One version of the privacy notice. A consent records the version it was given to;
    a published version is never changed, a new one is published instead."""

    __tablename__ = "privacy_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    body_sv: Mapped[str] = mapped_column(Text, nullable=False)
    body_en: Mapped[str | None] = mapped_column(Text)
    body_ar: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                   nullable=False)
    published_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    def body(self, locale: str) -> str:
        """The text in the reader's language, or in Swedish where there is none."""
        return getattr(self, f"body_{locale}", None) or self.body_sv
