"""Support: a parent's request (asked for by themselves, or a social worker's crisis referral
at placement), the assignment of one stödperson to it, and the contacts they log.

The request is the unit the coordinators triage: it holds one parent, or the parents a social
worker referred together (support_parent). Who the parents are and what happened to their
child is encrypted (`contact`, `facts`); what the queue sorts and filters on is not. Matching
(the next issue) reads a request's wishes and facts and ranks stödpersoner for it; an
assignment records who was chosen, and a request may have several over time (a parent may ask
for another stödperson: the first is closed and the person excluded)."""

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
    Numeric,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foreningen.core.db import EncryptedText, LabelledEnum, UTCDateTime, check_in, utcnow
from foreningen.core.extensions import db
from foreningen.core.vocabulary import Gender, Language, MeetingForm


class Origin(LabelledEnum):
    SELF = "self", _l("The parent asked")
    REFERRAL = "referral", _l("Crisis referral")


class Status(LabelledEnum):
    NEW = "new", _l("Received")
    SEARCHING = "searching", _l("Looking for a support person")
    INFO_REQUESTED = "info_requested", _l("More information asked for")
    ASSIGNED = "assigned", _l("Assigned")
    CLOSED = "closed", _l("Closed")
    DECLINED = "declined", _l("Declined")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    MERGED = "merged", _l("Merged with another request")


OPEN = (Status.NEW, Status.SEARCHING, Status.INFO_REQUESTED)
ENDED = (Status.CLOSED, Status.DECLINED, Status.WITHDRAWN, Status.MERGED)
OPEN_SQL = "status IN ('new', 'searching', 'info_requested')"


class DeclineReason(LabelledEnum):
    """Why a request is declined: told to the parent, kindly, in their language."""

    NOT_COVERED = "not_covered", _l("We have no support persons where you live yet")
    NO_ONE_FREE = "no_one_free", _l("No support person is free for a long time to come")
    OTHER_HELP = "other_help", _l("What you need is better given by someone else")
    NOT_REACHED = "not_reached", _l("We could not reach you")
    OTHER = "other", _l("Another reason")


class PlacementReason(LabelledEnum):
    """The main reason for a placement, as a social worker chooses it: never free text."""

    SUBSTANCE_USE = "substance_use", _l("A parent's substance use")
    MENTAL_HEALTH = "mental_health", _l("A parent's mental ill-health")
    VIOLENCE = "violence", _l("Violence or abuse in the home")
    NEGLECT = "neglect", _l("Neglect")
    HONOUR = "honour", _l("Honour-related violence or oppression")
    CHILD_BEHAVIOUR = "child_behaviour", _l("The child's own behaviour")
    PARENTING = "parenting", _l("Shortcomings in care and parenting")
    OTHER = "other", _l("Other")


class PlacedSince(LabelledEnum):
    """How long ago the placement began, as a parent would say it."""

    NOT_YET = "not_yet", _l("It has not happened yet, or is about to")
    DAYS = "days", _l("Less than a week ago")
    WEEKS = "weeks", _l("Less than a month ago")
    MONTHS = "months", _l("One to six months ago")
    LONGER = "longer", _l("More than six months ago")


class Channel(LabelledEnum):
    PHONE = "phone", _l("By phone")
    EMAIL = "email", _l("By email")


class Relation(LabelledEnum):
    PARENT = "parent", _l("Parent")
    STEP_PARENT = "step_parent", _l("Step-parent")


class AssignmentStatus(LabelledEnum):
    ACTIVE = "active", _l("Active")
    CLOSED = "closed", _l("Closed")


class CloseReason(LabelledEnum):
    COMPLETED = "completed", _l("Completed")
    PARENT_ENDED = "parent_ended", _l("The parent ended it")
    NOT_CARRIED_OUT = "not_carried_out", _l("Not carried out (no contact ever happened)")
    PARENT_MOVED = "parent_moved", _l("The parent moved")
    SUPPORTER_STOPPED = "supporter_stopped", _l("The support person stopped")
    ANOTHER_ASKED = "another_asked", _l("The parent asked for another support person")
    OTHER = "other", _l("Other")


class ContactForm(LabelledEnum):
    IN_PERSON = "in_person", _l("In person")
    PHONE = "phone", _l("By phone")
    VIDEO = "video", _l("By video")
    ACCOMPANYING = "accompanying", _l("Went with the parent to a meeting")


# The crisis frame: a referral at placement gives three to five conversations.
CRISIS_CONVERSATIONS = (3, 5)


class SupportRequest(db.Model):
    """A request for a stödperson. `reference` names it to the parent and to staff; a
    self-referral's personal code is kept only as a keyed hash. `urgency` orders the queue:
    0 a crisis referral not yet contacted (then by `due_at`), 1 a request put back because
    the parent asked for another stödperson, 2 the rest (then by `received_at`)."""

    __tablename__ = "support_request"
    __table_args__ = (
        check_in("origin", Origin),
        check_in("status", Status),
        check_in("decline_reason", DeclineReason),
        check_in("wish_gender", Gender),
        check_in("wish_language", Language),
        check_in("wish_meeting", MeetingForm),
        check_in("language", Language),
        CheckConstraint("urgency BETWEEN 0 AND 2", name="urgency_range"),
        CheckConstraint("origin = 'self' OR due_at IS NOT NULL", name="referral_due"),
        Index("ix_support_request_queue", "urgency", "due_at", "received_at", "id",
              sqlite_where=text(OPEN_SQL), postgresql_where=text(OPEN_SQL)),
        Index("ix_support_request_referrer", "referred_by_id", "received_at"),
        Index("ix_support_request_status_changed", "status", "status_changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True, nullable=False)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=Status.NEW)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                        nullable=False)
    urgency: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=2)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # The crisis clock (crisis_clock.py): due by the end of the start day; stopped by the
    # first contact in which a parent was reached.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"),
                                                        index=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    # Placement facts as encrypted JSON (placement_type, legal_basis, child_age, since;
    # for a referral also reason and contact_decided).
    facts: Mapped[str | None] = mapped_column(EncryptedText())
    wish_gender: Mapped[str | None] = mapped_column(String(16))
    wish_language: Mapped[str | None] = mapped_column(String(8))
    wish_meeting: Mapped[str | None] = mapped_column(String(16))
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                                  ondelete="SET NULL"))
    # The social worker's own phone for this referral (their account has the email).
    referrer_phone: Mapped[str | None] = mapped_column(EncryptedText())
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_request.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(String(16))
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the parent's details were erased (by their wish or the retention rule).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    parents: Mapped[list[SupportParent]] = relationship(
        cascade="all, delete-orphan", order_by="SupportParent.position", lazy="selectin",
        back_populates="request")
    exclusions: Mapped[list[Exclusion]] = relationship(cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_crisis(self) -> bool:
        return self.origin == Origin.REFERRAL


class SupportParent(db.Model):
    """One parent of a request. `contact` is encrypted JSON: name (a first name or alias),
    phone, email and when it suits; `channel` says which way they want to be reached."""

    __tablename__ = "support_parent"
    __table_args__ = (check_in("channel", Channel), check_in("relation", Relation),
                      check_in("language", Language))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("support_request.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)
    relation: Mapped[str] = mapped_column(String(12), nullable=False, default=Relation.PARENT)
    channel: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    contact: Mapped[str | None] = mapped_column(EncryptedText())

    request: Mapped[SupportRequest] = relationship(back_populates="parents")


class ParentAccount(db.Model):
    """The parent's own account, when they chose one over the reference and code: the
    request is then theirs to follow signed in (erased with the parent's details)."""

    __tablename__ = "support_parent_account"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("support_request.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                   nullable=False)


class Exclusion(db.Model):
    """A stödperson this request must not be given again (the parent asked for another)."""

    __tablename__ = "support_request_exclusion"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("support_request.id", ondelete="CASCADE"), primary_key=True)
    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporter.id", ondelete="CASCADE"), primary_key=True)


class Assignment(db.Model):
    """One stödperson with one request's parents, from assignment to closure. At most one
    is active per request (a partial unique index)."""

    __tablename__ = "support_assignment"
    __table_args__ = (
        check_in("status", AssignmentStatus),
        check_in("close_reason", CloseReason),
        CheckConstraint("(status = 'active') = (closed_at IS NULL)", name="closed_when_closed"),
        Index("uq_support_assignment_active", "request_id", unique=True,
              sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
        Index("ix_support_assignment_supporter", "supporter_id", "status", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("support_request.id", ondelete="CASCADE"), nullable=False, index=True)
    # Kept (NULL) when a stödperson who ended is deleted: the fee and the indicators count it.
    supporter_id: Mapped[int | None] = mapped_column(ForeignKey("supporter.id",
                                                                ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(8), nullable=False,
                                        default=AssignmentStatus.ACTIVE)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                               ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(String(20))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                             ondelete="SET NULL"))

    request: Mapped[SupportRequest] = relationship(lazy="joined")


class Contact(db.Model):
    """A contact with the parents, or an attempt: what the fee and the indicators count.
    Nothing about the parent is required; `note` is the stödperson's own, encrypted and
    shown only to its author."""

    __tablename__ = "support_contact"
    __table_args__ = (
        check_in("form", ContactForm),
        CheckConstraint("minutes BETWEEN 1 AND 720", name="minutes_range"),
        CheckConstraint("km >= 0 AND km <= 5000", name="km_range"),
        CheckConstraint("expenses_ore >= 0 AND expenses_ore <= 10000000", name="expenses_range"),
        CheckConstraint("wellbeing IS NULL OR wellbeing BETWEEN 1 AND 10",
                        name="wellbeing_range"),
        Index("ix_support_contact_supporter", "supporter_id", "occurred_on", "id"),
        Index("ix_support_contact_assignment", "assignment_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("support_assignment.id", ondelete="CASCADE"), nullable=False)
    supporter_id: Mapped[int | None] = mapped_column(ForeignKey("supporter.id",
                                                                ondelete="SET NULL"))
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    form: Mapped[str] = mapped_column(String(16), nullable=False)
    reached: Mapped[bool] = mapped_column(Boolean, nullable=False)
    km: Mapped[float] = mapped_column(Numeric(6, 1), nullable=False, default=0)
    expenses_ore: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    wellbeing: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)



class Meeting(db.Model):
    """A meeting the stödperson has planned with the parents: when, how long, in what form
    and where (a place or a link, encrypted). The parents see it on their status page and
    both may download it as an .ics; the day before, both are reminded (`reminded_at`, set
    once by a conditional update, whichever host sends it)."""

    __tablename__ = "support_meeting"
    __table_args__ = (
        check_in("form", ContactForm),
        CheckConstraint("minutes BETWEEN 15 AND 480", name="minutes_range"),
        Index("ix_support_meeting_assignment", "assignment_id", "starts_at"),
        Index("ix_support_meeting_reminder", "starts_at",
              sqlite_where=text("reminded_at IS NULL"),
              postgresql_where=text("reminded_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("support_assignment.id", ondelete="CASCADE"), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    form: Mapped[str] = mapped_column(String(16), nullable=False)
    place: Mapped[str | None] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
