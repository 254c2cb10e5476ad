"""Who did or saw what, when: append-only, written in the same transaction as the action."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from foreningen.core import privacy
from foreningen.core.db import UTCDateTime, own_session, read_only_request, utcnow
from foreningen.core.extensions import db

log = logging.getLogger(__name__)


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    # Each filter of the audit page, newest first, is served by an index.
    __table_args__ = (
        Index("ix_audit_event_subject", "subject_type", "subject_id"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_action_time", "action", "occurred_at"),
        Index("ix_audit_event_subject_time", "subject_type", "occurred_at"),
        Index("ix_audit_event_actor_time", "actor_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # No foreign keys: an append-only log outlives what it names (a deleted account or
    # kommun), and ON DELETE SET NULL would be an UPDATE the triggers refuse.
    actor_id: Mapped[int | None] = mapped_column()
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column()
    municipality_id: Mapped[int | None] = mapped_column(index=True)
    request_id: Mapped[str | None] = mapped_column(String(32))
    # A short, non-personal detail such as the endpoint refused; never names or free text.
    detail: Mapped[str | None] = mapped_column(String(120))


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("audit events are append-only")


def _subject_type(subject) -> str | None:
    if subject is None:
        return None
    if isinstance(subject, tuple):
        return subject[0]
    return getattr(subject, "__tablename__", type(subject).__name__.lower())


def _primary_role(user) -> str | None:
    names = sorted(user.role_names)
    # The most privileged role is the one that explains an access.
    for role in ("admin", "board", "coordinator", "reviewer", "social_worker", "supporter"):
        if role in names:
            return role
    return names[0] if names else None


_CURRENT_USER = object()


def record(action: str, subject=None, *, actor=_CURRENT_USER, municipality_id: int | None = None,
           actor_role: str | None = None, detail: str | None = None,
           session=None) -> AuditEvent:
    """Add an audit event to the current transaction (or to `session`, a unit of work of
    its own). `subject` is a model or (type, id); the actor is the signed-in user unless
    given (None: nobody, e.g. a failed sign-in)."""
    if actor is _CURRENT_USER:
        actor = None
        if has_request_context() and current_user.is_authenticated:
            actor = current_user._get_current_object()
    subject_id = subject[1] if isinstance(subject, tuple) else getattr(subject, "id", None)
    audit_event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_role=actor_role or (_primary_role(actor) if actor is not None else None),
        subject_type=_subject_type(subject),
        subject_id=subject_id,
        municipality_id=municipality_id,
        request_id=g.get("request_id") if has_request_context() else None,
        detail=detail[:120] if detail else None,
    )
    if session is None and read_only_request():
        # A page that only reads: the record of the read is its own short unit of work,
        # committed before the page is shown (core/db.py: read_only_request).
        with own_session() as own:
            own.add(audit_event)
        return audit_event
    (session or db.session).add(audit_event)
    return audit_event


# --- what the events mean, in words (each feature describes its own) ---------------------

@dataclass(frozen=True)
class SubjectKind:
    label: object  # a lazy string: "Member", "Account"
    endpoint: str | None = None  # the page of one such record, if there is one
    argument: str | None = None  # the endpoint's argument that takes the id
    may_open: str | None = None  # the policy action (see core.policy) that allows opening it


FAMILIES: dict[str, object] = {}
ACTIONS: dict[str, object] = {}
SUBJECTS: dict[str, SubjectKind] = {}


def describe(family: str, family_label, actions: dict) -> None:
    """Register a family of actions ("member") and a label for each action in it, so that
    the audit log speaks words, not codes. Idempotent."""
    FAMILIES[family] = family_label
    for action, label in actions.items():
        if not action.startswith(family + "."):
            raise ValueError(f"{action} is not in the family {family}")
        ACTIONS[action] = label


def subject_kind(subject_type: str, label, *, endpoint: str | None = None,
                 argument: str | None = None, may_open: str | None = None) -> None:
    SUBJECTS[subject_type] = SubjectKind(label, endpoint, argument, may_open)


def action_label(action: str):
    return ACTIONS.get(action, action)


def events_about(subject_type: str, subject_id: int) -> list[AuditEvent]:
    """Who did or saw what about one record, newest first."""
    from sqlalchemy import select

    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id,
    ).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())))


privacy.exempt("audit_event", retention="The access log is append-only: it is how every "
               "person can see who looked at their data, and how the board reviews access. "
               "It holds no names or free text, only ids, roles and actions.")


describe("access", _l("Access"), {"access.refused": _l("Access refused")})
