"""Reads for the admin pages, paginated and N+1-free."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from foreningen.audit import AuditEvent
from foreningen.auth.models import User, UserRole
from foreningen.extensions import db

PER_PAGE = 50


def users_page(q: str | None, role: str | None, status: str | None, page: int):
    stmt = select(User).options(selectinload(User.roles)).order_by(User.email)
    if q and q.strip():
        # autoescape: a % or _ typed in the search box is a character, not a wildcard.
        term = q.strip().lower()
        stmt = stmt.where(or_(User.email.contains(term, autoescape=True),
                              User.display_name.icontains(term, autoescape=True)))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status == "disabled":
        stmt = stmt.where(User.disabled_at.is_not(None))
    elif status == "active":
        stmt = stmt.where(User.disabled_at.is_(None), User.password_hash.is_not(None))
    elif status == "invited":
        stmt = stmt.where(User.disabled_at.is_(None), User.password_hash.is_(None))
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _start_of(day: date) -> datetime:
    """Dates in the filter are Swedish calendar days."""
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM)


def audit_page(action: str | None, actor_email: str | None, subject_type: str | None,
               date_from: date | None, date_to: date | None, page: int):
    """A page of audit events and the email of each actor on it (two queries)."""
    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        action = action.strip()
        if "." in action.rstrip("."):
            # A whole action name: the (action, occurred_at) index gives the newest first.
            stmt = stmt.where(AuditEvent.action == action)
        else:
            # A family such as "auth." or "user".
            stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor_email:
        stmt = stmt.where(AuditEvent.actor_id.in_(
            select(User.id).where(User.email == actor_email.strip().lower())))
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type.strip())
    if date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _start_of(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _start_of(date_to + timedelta(days=1)))
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    actor_ids = {e.actor_id for e in pagination.items if e.actor_id}
    emails = dict(db.session.execute(
        select(User.id, User.email).where(User.id.in_(actor_ids))).all()) if actor_ids else {}
    return pagination, emails
