"""Kommuner are public reference data; administrators keep the list."""

from __future__ import annotations

from foreningen.core.security import Role, has_role


def can_manage(user, obj=None) -> bool:
    return has_role(user, Role.ADMIN)


def scope(user, stmt):
    """Everyone may list the kommuner (the application form offers them)."""
    return stmt
