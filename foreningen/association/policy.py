"""The board keeps the association's details and publishes its privacy notice; everyone,
signed in or not, may read them (they are shown on every public page)."""

from __future__ import annotations

from foreningen.core.security import Role, has_role


def can_manage(user, obj=None) -> bool:
    return has_role(user, Role.BOARD)


def scope(user, stmt):
    """The settings and the published notices are public."""
    return stmt
