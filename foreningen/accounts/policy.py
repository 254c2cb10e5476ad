"""Who may see and change accounts: administrators all of them, everyone their own."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import false

from foreningen.accounts.models import User
from foreningen.core.security import Role, has_role


def can_manage(user, account: User | None = None) -> bool:
    """Invite, change roles, disable and enable accounts."""
    return has_role(user, Role.ADMIN)


def can_view(user, account: User | None = None) -> bool:
    return can_manage(user) or (account is not None and account.id == user.id)


def can_turn_off_second_factor(user, obj=None) -> bool:
    """Staff must keep theirs where the second factor is required for them."""
    return not (user.is_staff and current_app.config["REQUIRE_STAFF_2FA"])


def scope(user, stmt):
    if can_manage(user):
        return stmt
    if getattr(user, "is_authenticated", False):
        return stmt.where(User.id == user.id)
    return stmt.where(false())
