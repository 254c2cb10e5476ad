"""Reads for the audit log page, paginated and N+1-free, narrowed by the admin policy.

The board reads the log to review access (PRIVACY: audit log, board: read) but may not
identify a parent: for a viewer who is not an administrator, an account holding the parent
role appears as its role and a pseudonymous number, and cannot be searched for by email.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from foreningen.accounts import queries as accounts
from foreningen.admin import policy
from foreningen.core.audit import AuditEvent
from foreningen.core.clock import start_of
from foreningen.core.extensions import db
from foreningen.core.security import Role

PER_PAGE = 50
# Accounts the board may not identify in the log (PRIVACY: parent identity, board: no).
UNIDENTIFIABLE_TO_BOARD = (Role.PARENT,)


@dataclass(frozen=True)
class Person:
    """An account as the viewer may see it: by email, or by role and a pseudonym."""

    email: str | None
    pseudonym: str | None = None


def pseudonym(user_id: int) -> str:
    """A stable number for one account that cannot be turned back into the account."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"audit-person:{user_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:6].upper()


def audit_page(viewer, action: str | None, actor_email: str | None, subject_type: str | None,
               date_from: date | None, date_to: date | None, page: int):
    """A page of audit events and, for every account on it (as actor or subject), how the
    viewer may see it: three queries. Dates in the filter are Swedish calendar days."""
    identifies_all = policy.can_administer(viewer)
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
        hidden = () if identifies_all else UNIDENTIFIABLE_TO_BOARD
        stmt = stmt.where(AuditEvent.actor_id.in_(
            accounts.ids_by_email(actor_email, unless_role=hidden)))
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type.strip())
    if date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= start_of(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.occurred_at < start_of(date_to + timedelta(days=1)))
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    ids = {e.actor_id for e in pagination.items if e.actor_id} | {
        e.subject_id for e in pagination.items
        if e.subject_type == "user_account" and e.subject_id}
    people = {}
    for user_id, (email, roles) in accounts.emails_and_roles(ids).items():
        if identifies_all or not roles & {str(r) for r in UNIDENTIFIABLE_TO_BOARD}:
            people[user_id] = Person(email)
        else:
            people[user_id] = Person(None, pseudonym(user_id))
    return pagination, people
