from __future__ import annotations

from sqlalchemy import func, select

from foreningen.auth.models import RecoveryCode, User, UserSession
from foreningen.extensions import db


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


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
