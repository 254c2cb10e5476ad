"""The member register: members, their status history and their consents."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foreningen.core.db import (
    OUTSIDE_MODELS,
    EncryptedText,
    LabelledEnum,
    TimestampMixin,
    UTCDateTime,
    check_in,
    utcnow,
)

if TYPE_CHECKING:
    from foreningen.municipalities.models import Municipality
from foreningen.core.extensions import db


class MemberCategory(LabelledEnum):
    ORDINARY = "ordinary", _l("Ordinary member")  # a parent with lived experience; votes
    SUPPORTING = "supporting", _l("Supporting member")  # stödmedlem; votes if the bylaws say so
    ORGANISATION = "organisation", _l("Supporting organisation")


class MemberStatus(LabelledEnum):
    APPLIED = "applied", _l("Applied")
    ACTIVE = "active", _l("Active")
    LAPSED = "lapsed", _l("Lapsed")
    LEFT = "left", _l("Left")
    DECLINED = "declined", _l("Declined")


class ConsentPurpose(LabelledEnum):
    PRIVACY_NOTICE = "privacy_notice", _l("Privacy notice")
    NEWSLETTER = "newsletter", _l("Newsletter")
    SURVEYS = "surveys", _l("Surveys")


class ConsentMethod(LabelledEnum):
    WEB = "web", _l("In the portal")
    PAPER = "paper", _l("On paper")


# A person is "in the register" in these states: their email must be unique among them.
CURRENT_STATUSES = (MemberStatus.APPLIED, MemberStatus.ACTIVE, MemberStatus.LAPSED)
_CURRENT_SQL = "status IN ('applied', 'active', 'lapsed')"


def search_key_for(first_name: str | None, last_name: str | None, email: str | None,
                   organisation_name: str | None = None) -> str:
    """What the register's search looks in: names and email, case-folded once when written,
    so a search is one LIKE on one column (and "åsa" finds "Åsa" on SQLite too)."""
    parts = (first_name, last_name, email, organisation_name)
    return " ".join(p for p in parts if p).casefold()[:600]


def _default_search_key(context) -> str:
    row = context.get_current_parameters()  # also per row of a bulk insert
    return search_key_for(row.get("first_name"), row.get("last_name"), row.get("email"),
                          row.get("organisation_name"))


_ERASURE_SQL = "erasure_requested_at IS NOT NULL AND anonymised_at IS NULL"
# Statuses sort in the order of a membership's life, not alphabetically.
LIFECYCLE_SQL = ("(CASE status WHEN 'applied' THEN 0 WHEN 'active' THEN 1 WHEN 'lapsed' THEN 2 "
                 "WHEN 'left' THEN 3 WHEN 'declined' THEN 4 ELSE 9 END)")
# Members without a joining date (applicants) come last in either direction.
JOINED_LAST = "(joined_on IS NULL)"


# The register's search index, kept by the migration register_search_index: an FTS5
# table (SQLite) or a pg_trgm index (PostgreSQL), neither of them a model.
OUTSIDE_MODELS.update({"member_search", "ix_member_search_trgm"})


class Member(TimestampMixin, db.Model):
    __tablename__ = "member"
    __table_args__ = (
        Index("uq_member_current_email", "email", unique=True,
              sqlite_where=text(_CURRENT_SQL), postgresql_where=text(_CURRENT_SQL)),
        # The register walks one of these in its sort's order until a page is full; each
        # also holds status and category, so that the rows a filter skips (or a deep page
        # passes over) are read from the index alone. The expressions are the ones the
        # register orders by (queries.SORTS), written out so the database matches them.
        Index("ix_member_name", "last_name", "first_name", "id", "status", "category"),
        Index("ix_member_number_order", "number", "status", "category"),
        Index("ix_member_joined_order", text(JOINED_LAST), "joined_on", "id", "status",
              "category"),
        Index("ix_member_joined_order_desc", text(JOINED_LAST), text("joined_on DESC"),
              text("id DESC"), "status", "category"),
        Index("ix_member_lifecycle_order", text(LIFECYCLE_SQL), "last_name", "first_name", "id",
              "status", "category"),
        Index("ix_member_status_category", "status", "category"),
        # The register's notice of erasure requests reads only these few rows.
        Index("ix_member_erasure_requested", "erasure_requested_at",
              sqlite_where=text(_ERASURE_SQL), postgresql_where=text(_ERASURE_SQL)),
        check_in("status", MemberStatus),
        check_in("category", MemberCategory),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    # Stable bank payment reference: the member number with a Luhn check digit.
    payment_reference: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    first_name: Mapped[str] = mapped_column(String(80), nullable=False)
    last_name: Mapped[str] = mapped_column(String(80), nullable=False)
    # A supporting organisation's own name; first and last name are its contact person's.
    organisation_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    search_key: Mapped[str] = mapped_column(String(600), nullable=False,
                                            default=_default_search_key)
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    street_address: Mapped[str | None] = mapped_column(EncryptedText())
    postal_code: Mapped[str | None] = mapped_column(EncryptedText())
    city: Mapped[str | None] = mapped_column(EncryptedText())
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    why_join: Mapped[str | None] = mapped_column(EncryptedText())
    locale: Mapped[str] = mapped_column(String(8), nullable=False, default="sv")
    protected_identity: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True)
    confirmation_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    joined_on: Mapped[date | None] = mapped_column(Date, index=True)
    left_on: Mapped[date | None] = mapped_column(Date, index=True)
    leave_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erasure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new address the member asked for, until they confirm it from that address.
    pending_email: Mapped[str | None] = mapped_column(EncryptedText())
    email_change_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    email_change_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    privacy_notice_version: Mapped[str] = mapped_column(String(20), nullable=False)

    municipality: Mapped[Municipality | None] = relationship("Municipality", lazy="joined")
    history: Mapped[list[MemberStatusChange]] = relationship(
        back_populates="member", order_by="MemberStatusChange.id",
        cascade="all, delete-orphan")
    consents: Mapped[list[Consent]] = relationship(
        back_populates="member", order_by="Consent.id", cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        person = f"{self.first_name} {self.last_name}"
        return f"{self.organisation_name} ({person})" if self.organisation_name else person

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _keep_search_key(mapper, connection, member: Member) -> None:
    member.search_key = search_key_for(member.first_name, member.last_name, member.email,
                                       member.organisation_name)


class MemberNumber(db.Model):
    """Hands out member numbers: one row per number ever given, so two applications at the
    same moment never get the same one, on SQLite or PostgreSQL."""

    __tablename__ = "member_number"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class MemberStatusChange(db.Model):
    """Every change of status: when, to what, by whom and why."""

    __tablename__ = "member_status_change"
    __table_args__ = (check_in("to_status", MemberStatus),
                      check_in("from_status", MemberStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), nullable=False, index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    effective_on: Mapped[date] = mapped_column(Date, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                            ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(EncryptedText())

    member: Mapped[Member] = relationship(back_populates="history")


class Consent(db.Model):
    """A consent is a record: which text (version), when given, when withdrawn."""

    __tablename__ = "member_consent"
    __table_args__ = (check_in("purpose", ConsentPurpose), check_in("method", ConsentMethod))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    version: Mapped[str] = mapped_column(String(20), nullable=False)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Given in the portal, or on a paper form that a board member recorded.
    method: Mapped[str] = mapped_column(String(8), nullable=False, default=ConsentMethod.WEB)
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    member: Mapped[Member] = relationship(back_populates="consents")


class MemberTally(db.Model):
    """How many members there are of each category and status, kept by the database itself:
    triggers on `member` add a +1 or −1 row for every insert, delete and change of category
    or status (migration register_counts), so that the register's counts never scan the
    register. `compact_tally()` (members/services.py) folds the rows into one per pair; the
    daily purge and bulk loads run it."""

    __tablename__ = "member_tally"
    __table_args__ = (check_in("status", MemberStatus), check_in("category", MemberCategory))

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    delta: Mapped[int] = mapped_column(Integer, nullable=False)
