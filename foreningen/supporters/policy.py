"""Who may see and change what of the stödpersoner (PRIVACY: coordinators run the pipeline
and read the private answers; the board sees names and stages, not the answers; a
stödperson sees their own; reviewers and social workers see nothing of this feature)."""

from __future__ import annotations

from sqlalchemy import false

from foreningen.core.security import Role, has_role
from foreningen.supporters.models import Supporter

LIST_READERS = (Role.COORDINATOR, Role.BOARD)


def can_apply(user, obj=None) -> bool:
    """A member may apply (the view also checks that they have not applied already)."""
    return has_role(user, Role.MEMBER)


def can_view_list(user, obj=None) -> bool:
    return has_role(user, *LIST_READERS)


def can_manage(user, obj=None) -> bool:
    """Move people through the pipeline, record training, extracts and supervision."""
    return has_role(user, Role.COORDINATOR)


def can_configure(user, obj=None) -> bool:
    """The readiness requirements and the pledge's text."""
    return has_role(user, Role.COORDINATOR, Role.ADMIN)


def is_own(user, supporter: Supporter | None) -> bool:
    return (supporter is not None and getattr(user, "is_authenticated", False)
            and supporter.user_id == user.id)


def can_view(user, supporter: Supporter | None = None) -> bool:
    return can_view_list(user) or is_own(user, supporter)


def can_view_private(user, supporter: Supporter | None = None) -> bool:
    """The lived-experience answers: the coordinators and the stödperson themselves."""
    return has_role(user, Role.COORDINATOR) or is_own(user, supporter)


def scope(user, stmt):
    """The stödpersoner a user may list: all for coordinators and the board, one's own
    otherwise."""
    if can_view_list(user):
        return stmt
    if getattr(user, "is_authenticated", False):
        return stmt.where(Supporter.user_id == user.id)
    return stmt.where(false())
