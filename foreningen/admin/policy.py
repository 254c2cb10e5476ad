"""The administration pages: accounts and kommuner for administrators; the audit log also
for the board, which reviews who looked at what (PRIVACY: audit log — board read)."""

from __future__ import annotations

from sqlalchemy import false

from foreningen.core.security import Role, has_role

AUDIT_READERS = (Role.ADMIN, Role.BOARD)


def can_administer(user, obj=None) -> bool:
    return has_role(user, Role.ADMIN)


def can_read_audit(user, obj=None) -> bool:
    return has_role(user, *AUDIT_READERS)


def scope(user, stmt):
    """Audit events: every event for its readers, none for anyone else."""
    return stmt if can_read_audit(user) else stmt.where(false())
