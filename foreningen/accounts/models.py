from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foreningen.core.db import EncryptedText, TimestampMixin, UTCDateTime, check_in, utcnow
from foreningen.core.extensions import db
from foreningen.core.security import STAFF_ROLES, Role

if TYPE_CHECKING:
    from foreningen.municipalities.models import Municipality


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(8))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id"), index=True
    )
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText())
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    municipality: Mapped[Municipality | None] = relationship("Municipality", lazy="joined")
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Set by the user loader to the session the request runs in (see auth.sessions).
    current_session = None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.disabled_at is None

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    @property
    def is_staff(self) -> bool:
        return bool(self.role_names & {str(r) for r in STAFF_ROLES})

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the signed cookie: the session token, not the user id,
        # so that revoking the server-side session ends the sign-in everywhere.
        return self.current_session.token if self.current_session else None

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"), check_in("role", Role))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    user: Mapped[User] = relationship(back_populates="roles")


class UserSession(db.Model):
    """A server-side sign-in: revoked at sign-out, password change and account disable."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()
    token = None  # the plain token, known only in the request that holds it


class AccountToken(db.Model):
    """Single-use, expiring token for a password reset or an invitation (stored hashed)."""

    __tablename__ = "account_token"
    __table_args__ = (Index("ix_account_token_user_purpose", "user_id", "purpose"),
                      check_in("purpose", ("reset", "invite", "enrol")))

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False
    )
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
