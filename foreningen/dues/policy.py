"""Who may do what with dues: the board keeps them (PRIVACY: member register, board yes)."""

from __future__ import annotations

from sqlalchemy import false

from foreningen.core.security import Role, has_role


def can_manage(user, obj=None) -> bool:
    """Rates, payments, imports and reminders."""
    return has_role(user, Role.BOARD)


def scope(user, stmt):
    """Imports and payments: the board sees them all, nobody else any."""
    return stmt if can_manage(user) else stmt.where(false())
