"""Reads for the audit log page, paginated and N+1-free, narrowed by the admin policy."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from foreningen.accounts import queries as accounts
from foreningen.admin import policy
from foreningen.core.audit import AuditEvent
from foreningen.core.clock import start_of
from foreningen.core.extensions import db

PER_PAGE = 50


def audit_page(viewer, action: str | None, actor_email: str | None, subject_type: str | None,
               date_from: date | None, date_to: date | None, page: int):
    """A page of audit events and the email of each actor on it (two queries). Dates in
    the filter are Swedish calendar days."""
    stmt = policy.scope(viewer, select(AuditEvent)).order_by(AuditEvent.occurred_at.desc(),
                                                             AuditEvent.id.desc())
    if action:
        action = action.strip()
        if "." in action.rstrip("."):
            # A whole action name: the (action, occurred_at) index gives the newest first.
            stmt = stmt.where(AuditEvent.action == action)
        else:
            # A family such as "auth." or "user".
            stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor_email:
        stmt = stmt.where(AuditEvent.actor_id.in_(accounts.ids_by_email(actor_email)))
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type.strip())
    if date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= start_of(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.occurred_at < start_of(date_to + timedelta(days=1)))
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    return pagination, accounts.emails({e.actor_id for e in pagination.items if e.actor_id})
