"""Who may see and change membership records (PRIVACY: member register — board yes,
coordinator read, the member their own, nobody else)."""

from __future__ import annotations

from sqlalchemy import false

from foreningen.core.security import Role, has_role
from foreningen.members.models import Member

REGISTER_READERS = (Role.BOARD, Role.COORDINATOR)


def can_view_register(user, obj=None) -> bool:
    return has_role(user, *REGISTER_READERS)


def can_view_own(user, obj=None) -> bool:
    """One's own membership pages (an account without a record is shown how to apply)."""
    return has_role(user, Role.MEMBER)


def can_view(user, member: Member | None = None) -> bool:
    """A member's page: the register's readers; a member their own record."""
    if can_view_register(user):
        return True
    return member is not None and member.user_id is not None and member.user_id == user.id


def can_change(user, member: Member | None = None) -> bool:
    """Status, protected identity, erasure, applications: the board."""
    return has_role(user, Role.BOARD)


def can_export(user, obj=None) -> bool:
    return has_role(user, Role.BOARD)


def can_review_applications(user, obj=None) -> bool:
    return has_role(user, Role.BOARD)


def can_reveal_contact(user, member: Member | None = None) -> bool:
    return has_role(user, Role.BOARD) and member is not None and member.protected_identity


def scope(user, stmt):
    """The members a user may see: all for the register's readers, one's own otherwise."""
    if can_view_register(user):
        return stmt
    if getattr(user, "is_authenticated", False):
        return stmt.where(Member.user_id == user.id)
    return stmt.where(false())
