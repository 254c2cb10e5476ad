"""Accounts' part of privacy: ended sessions and spent links are deleted; a person's download
includes their account, roles and where they are signed in."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, func, or_, select

from foreningen.accounts.models import AccountToken, RecoveryCode, UserSession
from foreningen.core import privacy
from foreningen.core.clock import start_of
from foreningen.core.extensions import db

SESSION_DAYS = 90
TOKEN_DAYS = 30


@privacy.retention_rule("accounts.ended_sessions", tables=("user_session",),
                        description="Ended sign-ins deleted")
def delete_ended_sessions(today: date) -> int:
    """A sign-in that ended (or went unused) over 90 days ago is of no use to anyone."""
    before = start_of(today - timedelta(days=SESSION_DAYS))
    return db.session.execute(delete(UserSession).where(
        or_(UserSession.revoked_at < before, UserSession.last_seen_at < before))).rowcount


@privacy.retention_rule("accounts.spent_links", tables=("account_token",),
                        description="Used or expired reset and invitation links deleted")
def delete_spent_links(today: date) -> int:
    before = start_of(today - timedelta(days=TOKEN_DAYS))
    return db.session.execute(delete(AccountToken).where(
        or_(AccountToken.used_at < before, AccountToken.expires_at < before))).rowcount


@privacy.download_part("accounts", tables=("user_account", "user_role", "user_session",
                                           "recovery_code"))
def account_part(user) -> dict:
    sessions = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc()))
    unused_codes = db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))
    return {"account": {
        "email": user.email, "display_name": user.display_name, "locale": user.locale,
        "roles": sorted(user.role_names), "created_at": user.created_at,
        "last_sign_in_at": user.last_sign_in_at, "second_factor": user.has_totp,
        "unused_recovery_codes": unused_codes,
        "signed_in_on": [{"since": s.created_at, "last_seen": s.last_seen_at,
                          "device": s.user_agent} for s in sessions],
    }}


privacy.exempt("account_token", download="Single-use links kept only as hashes: nothing in "
               "them can be read back.")
privacy.exempt("recovery_code", retention="Kept while the second factor is on; deleted when "
               "new codes are made, the factor is turned off or the account is anonymised.")
privacy.exempt("user_role", retention="Part of the account; an anonymised account keeps no "
               "name, so its roles name nobody.")
