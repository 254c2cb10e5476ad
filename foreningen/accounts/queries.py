from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from foreningen.accounts import policy
from foreningen.accounts.models import RecoveryCode, User, UserRole, UserSession
from foreningen.core.extensions import db


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def display_names(user_ids) -> dict[int, str]:
    """Who changed what, by name: for staff pages that show a record's history."""
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name)
                                   .where(User.id.in_(user_ids))).all())


def names_subquery():
    """(id, display_name) of every account, to join where a list of people shows names."""
    return select(User.id, User.display_name).subquery("account_names")


def ids_named(term: str):
    """A select of the ids of accounts whose name or email holds `term` (for another
    feature's search over its own people)."""
    term = term.strip().lower()
    return select(User.id).where(or_(User.email.contains(term, autoescape=True),
                                     User.display_name.icontains(term, autoescape=True)))


def is_disabled(*, user_id: int | None = None, email: str | None = None) -> bool:
    """Whether the account (by id, or else by email) exists and is disabled."""
    account = user(user_id) if user_id else user_by_email(email or "")
    return account is not None and account.disabled_at is not None


def has_accounts() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is not None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def active_sessions(user: User) -> list[UserSession]:
    stmt = (
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    )
    return list(db.session.scalars(stmt))


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ) or 0


PER_PAGE = 50


def users_page(viewer, q: str | None, role: str | None, status: str | None, page: int):
    """The accounts the viewer may see, filtered; a page of 50 with their roles."""
    stmt = policy.scope(viewer, select(User)).options(selectinload(User.roles)).order_by(
        User.email)
    if q and q.strip():
        # autoescape: a % or _ typed in the search box is a character, not a wildcard.
        term = q.strip().lower()
        stmt = stmt.where(or_(User.email.contains(term, autoescape=True),
                              User.display_name.icontains(term, autoescape=True)))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status == "disabled":
        stmt = stmt.where(User.disabled_at.is_not(None))
    elif status == "active":
        stmt = stmt.where(User.disabled_at.is_(None), User.password_hash.is_not(None))
    elif status == "invited":
        stmt = stmt.where(User.disabled_at.is_(None), User.password_hash.is_(None))
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def account(viewer, user_id: int) -> User | None:
    """One account, if the viewer may see it."""
    return db.session.scalar(policy.scope(viewer, select(User)).where(User.id == user_id))


def emails_and_roles(user_ids) -> dict[int, tuple[str, set[str]]]:
    """id → (email, role names) of these accounts: two queries, however many."""
    if not user_ids:
        return {}
    users = db.session.scalars(select(User).options(selectinload(User.roles))
                               .where(User.id.in_(user_ids)))
    return {user.id: (user.email, user.role_names) for user in users}


def emails_with_role(role: str) -> list[tuple[str, str]]:
    """(email, locale) of every active account with the role: who a feature tells."""
    return list(db.session.execute(
        select(User.email, User.locale).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == str(role), User.disabled_at.is_(None))
        .order_by(User.email)).all())


def ids_by_email(email: str, unless_role=()):
    """A select of the id of the account with this email (for filters); none when the
    account holds one of `unless_role` (someone the viewer may not identify)."""
    stmt = select(User.id).where(User.email == normalise_email(email))
    if unless_role:
        stmt = stmt.where(User.id.not_in(select(UserRole.user_id).where(
            UserRole.role.in_([str(r) for r in unless_role]))))
    return stmt
