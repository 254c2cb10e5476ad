"""Stödpersoner: who they are (their application, private), where they are in the pipeline,
and what they have done to be ready (training, the pledge, the record extract)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foreningen.core.db import (
    EncryptedText,
    LabelledEnum,
    TimestampMixin,
    UTCDateTime,
    check_in,
    utcnow,
)
from foreningen.core.extensions import db
from foreningen.core.vocabulary import Gender, Language


class Stage(LabelledEnum):
    """Where a stödperson is, in the order of the pipeline (services.TRANSITIONS)."""

    APPLIED = "applied", _l("Applied")
    INTERVIEW_BOOKED = "interview_booked", _l("Interview booked")
    INTERVIEWED = "interviewed", _l("Interviewed")
    IN_TRAINING = "in_training", _l("In training")
    APPROVED = "approved", _l("Approved")
    ACTIVE = "active", _l("Active")
    PAUSED = "paused", _l("Paused")
    ENDED = "ended", _l("Ended")


class RequirementKind(LabelledEnum):
    TRAINING = "training", _l("Training module")
    PLEDGE = "pledge", _l("Confidentiality pledge")
    RECORD_CHECK = "record_check", _l("Police record extract")


STAGE_ORDER_SQL = "(CASE stage " + " ".join(
    f"WHEN '{stage.value}' THEN {n}" for n, stage in enumerate(Stage)) + " ELSE 99 END)"


class Supporter(TimestampMixin, db.Model):
    """One per person (their account). `experience` holds the private answers about their
    own child's placement as encrypted JSON: the stödperson and the coordinators read it,
    nobody else. What a parent is shown is `display_name`, languages, area, meeting forms
    and `offer`."""

    __tablename__ = "supporter"
    __table_args__ = (
        check_in("stage", Stage),
        check_in("gender", Gender),
        CheckConstraint("capacity >= 0 AND capacity <= 10", name="capacity_range"),
        Index("ix_supporter_stage_order", text(STAGE_ORDER_SQL), "display_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True, nullable=False)
    stage: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    stage_changed_on: Mapped[date] = mapped_column(Date, nullable=False)
    display_name: Mapped[str] = mapped_column(String(80), nullable=False)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"),
                                                        index=True)
    area: Mapped[str | None] = mapped_column(String(120))
    meets_in_person: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    meets_by_phone: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    meets_by_video: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    weekday_daytime: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    evenings: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    weekends: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    gender: Mapped[str | None] = mapped_column(String(16))
    offer: Mapped[str | None] = mapped_column(EncryptedText())
    experience: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    consent_version: Mapped[str] = mapped_column(String(20), nullable=False)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                   nullable=False)
    interview_on: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    paused_until: Mapped[date | None] = mapped_column(Date)
    # People or places the stödperson must not be matched with: read only by matching.
    conflicts: Mapped[str | None] = mapped_column(EncryptedText())
    # Payout details for the fee: shown masked to the stödperson, to nobody else; in full
    # only in the fee issue's payroll export.
    personnummer: Mapped[str | None] = mapped_column(EncryptedText())
    clearing_number: Mapped[str | None] = mapped_column(EncryptedText())
    account_number: Mapped[str | None] = mapped_column(EncryptedText())

    languages: Mapped[list[SupporterLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="SupporterLanguage.language", lazy="selectin")
    history: Mapped[list[StageChange]] = relationship(
        cascade="all, delete-orphan", order_by="StageChange.id", back_populates="supporter")

    @property
    def language_codes(self) -> list[str]:
        return [row.language for row in self.languages]

    @property
    def meeting_forms(self) -> list[str]:
        return [form for form, on in (("in_person", self.meets_in_person),
                                      ("phone", self.meets_by_phone),
                                      ("video", self.meets_by_video)) if on]

    @property
    def times(self) -> list[str]:
        return [time for time, on in (("weekday_daytime", self.weekday_daytime),
                                      ("evenings", self.evenings),
                                      ("weekends", self.weekends)) if on]


class SupporterLanguage(db.Model):
    """The languages a stödperson can give support in (matching filters on them)."""

    __tablename__ = "supporter_language"
    __table_args__ = (check_in("language", Language),
                      Index("ix_supporter_language_language", "language", "supporter_id"))

    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporter.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)


class StageChange(db.Model):
    """Every step in the pipeline: when, to what, by whom and a short note."""

    __tablename__ = "supporter_stage_change"
    __table_args__ = (check_in("to_stage", Stage), check_in("from_stage", Stage))

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporter.id", ondelete="CASCADE"), nullable=False, index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    effective_on: Mapped[date] = mapped_column(Date, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                            ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(EncryptedText())

    supporter: Mapped[Supporter] = relationship(back_populates="history")


class Requirement(db.Model):
    """One version of a readiness requirement. Changing one adds a version and retires the
    old, so a completion keeps the terms it was recorded under (its own expiry date). A
    training module or the record extract done under an older version still counts; the
    pledge counts only when signed against the version in force."""

    __tablename__ = "supporter_requirement"
    __table_args__ = (
        check_in("kind", RequirementKind),
        UniqueConstraint("key", "version"),
        CheckConstraint("validity_months IS NULL OR validity_months BETWEEN 1 AND 120",
                        name="validity_range"),
        Index("uq_supporter_requirement_current", "key", unique=True,
              sqlite_where=text("retired_at IS NULL"),
              postgresql_where=text("retired_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    # A training module's name; the pledge and the record extract are named by their kind.
    name: Mapped[str | None] = mapped_column(String(120))
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    validity_months: Mapped[int | None] = mapped_column(Integer)
    # The pledge's words, as signed.
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                              ondelete="SET NULL"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def title(self) -> str:
        return self.name or str(RequirementKind(self.kind).label)


class Completion(db.Model):
    """A requirement met on a date: a training attended, the pledge signed, the record
    extract seen. For the extract only who saw it, when, and the date printed on it are
    kept, never the document. `expires_on` is fixed when recorded."""

    __tablename__ = "supporter_completion"
    __table_args__ = (
        Index("ix_supporter_completion_supporter", "supporter_id", "requirement_id"),
        CheckConstraint("expires_on IS NULL OR "
                        "expires_on > COALESCE(document_dated_on, completed_on)",
                        name="expires_after_completed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporter.id", ondelete="CASCADE"), nullable=False)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("supporter_requirement.id"), nullable=False, index=True)
    completed_on: Mapped[date] = mapped_column(Date, nullable=False)
    # The record extract: the date printed on it (its validity runs from that date).
    document_dated_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                  nullable=False)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                               ondelete="SET NULL"))

    requirement: Mapped[Requirement] = relationship(lazy="joined")


class SupervisionKind(LabelledEnum):
    GROUP = "group", _l("Group supervision")
    INDIVIDUAL = "individual", _l("Individual supervision")


class SupervisionSession(db.Model):
    """A supervision session (handledning): when, how long, who led it and who came."""

    __tablename__ = "supervision_session"
    __table_args__ = (check_in("kind", SupervisionKind),
                      CheckConstraint("minutes BETWEEN 15 AND 600", name="minutes_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    leader: Mapped[str] = mapped_column(String(120), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                  nullable=False)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                               ondelete="SET NULL"))

    attendance: Mapped[list[SupervisionAttendance]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")


class SupervisionAttendance(db.Model):
    __tablename__ = "supervision_attendance"
    __table_args__ = (Index("ix_supervision_attendance_supporter", "supporter_id",
                            "session_id"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_session.id", ondelete="CASCADE"), primary_key=True)
    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporter.id", ondelete="CASCADE"), primary_key=True)


class ExpiryNotice(db.Model):
    """A notice sent that an item is about to lapse (or has): at most one per person, item,
    expiry date and threshold, whichever host sends it (the unique constraint decides)."""

    __tablename__ = "supporter_expiry_notice"
    __table_args__ = (UniqueConstraint("supporter_id", "requirement_key", "expires_on",
                                       "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporter.id", ondelete="CASCADE"), nullable=False)
    requirement_key: Mapped[str] = mapped_column(String(40), nullable=False)
    expires_on: Mapped[date] = mapped_column(Date, nullable=False)
    threshold: Mapped[int] = mapped_column(Integer, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
