"""Who may see and do what of the support requests (PRIVACY: the coordinators triage and
assign; a stödperson sees only the parents of their own active assignments; a social worker
sees only the state of the referrals they made, nothing the parent said; the board, the
reviewers and the administrators see none of it). Parents reach their own request without
an account, by its reference and personal code (views/public.py)."""

from __future__ import annotations

from sqlalchemy import exists, false, or_, select

from foreningen.core.security import Role, has_role
from foreningen.support.models import (
    Assignment,
    AssignmentStatus,
    ParentAccount,
    SupportRequest,
)
from foreningen.supporters.queries import Supporter


def can_triage(user, obj=None) -> bool:
    """The queue, a request's page, asking for more, declining, merging and assigning."""
    return has_role(user, Role.COORDINATOR)


def can_refer(user, obj=None) -> bool:
    """A social worker of a municipality refers parents at placement."""
    return has_role(user, Role.SOCIAL_WORKER) and getattr(user, "municipality_id", None) is not None


def can_support(user, obj=None) -> bool:
    """A stödperson's own parents and contacts."""
    return has_role(user, Role.SUPPORTER)


def _own_supporter_id(user) -> int | None:
    from foreningen.core.extensions import db

    return db.session.scalar(select(Supporter.id).where(Supporter.user_id == user.id))


def can_view_assignment(user, assignment: Assignment | None = None) -> bool:
    if assignment is None:
        return False
    if can_triage(user):
        return True
    return (has_role(user, Role.SUPPORTER) and assignment.status == AssignmentStatus.ACTIVE
            and _own_supporter_id(user) == assignment.supporter_id)


def can_log_contact(user, assignment: Assignment | None = None) -> bool:
    """Only the stödperson of an active assignment logs its contacts."""
    return (assignment is not None and assignment.status == AssignmentStatus.ACTIVE
            and has_role(user, Role.SUPPORTER)
            and _own_supporter_id(user) == assignment.supporter_id)


def can_close_assignment(user, assignment: Assignment | None = None) -> bool:
    return assignment is not None and assignment.status == AssignmentStatus.ACTIVE and (
        can_triage(user) or can_log_contact(user, assignment))


def scope(user, stmt):
    """The requests a user may list: all for coordinators; otherwise a social worker's own
    referrals, a stödperson's requests with an active assignment of theirs, and the
    requests a parent connected to their own account; nothing for anyone else."""
    if can_triage(user):
        return stmt
    if not getattr(user, "is_authenticated", False):
        return stmt.where(false())
    allowed = [exists().where(ParentAccount.request_id == SupportRequest.id,
                              ParentAccount.user_id == user.id)
               .correlate_except(ParentAccount)]
    if has_role(user, Role.SOCIAL_WORKER):
        allowed.append(SupportRequest.referred_by_id == user.id)
    if has_role(user, Role.SUPPORTER):
        allowed.append(exists().where(
            Assignment.request_id == SupportRequest.id,
            Assignment.status == AssignmentStatus.ACTIVE,
            Assignment.supporter_id == select(Supporter.id).where(
                Supporter.user_id == user.id).scalar_subquery()))
    return stmt.where(or_(*allowed))


def assignment_scope(user, stmt):
    """The assignments a user may list: all for coordinators, one's own for a stödperson."""
    if can_triage(user):
        return stmt
    if has_role(user, Role.SUPPORTER):
        return stmt.where(Assignment.supporter_id == select(Supporter.id).where(
            Supporter.user_id == user.id).scalar_subquery())
    return stmt.where(false())
