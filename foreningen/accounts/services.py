"""Every state change of accounts and sign-in, each with its audit record. Callers commit."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pyotp
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from foreningen.accounts.models import AccountToken, RecoveryCode, User, UserRole, UserSession
from foreningen.accounts.passwords import hash_password, needs_rehash, verify_password
from foreningen.accounts.queries import normalise_email, user_by_email
from foreningen.core import audit, jobs, outbox
from foreningen.core.db import utcnow
from foreningen.core.errors import DomainError
from foreningen.core.extensions import db
from foreningen.core.security import MUNICIPAL_ROLES, Role
from foreningen.core.tokens import new_token, token_hash

RESET = "reset"
INVITE = "invite"
ENROL = "enrol"  # a staff member's first second factor (probe finding 11)
RECOVERY_CODE_COUNT = 10


class AccountError(DomainError):
    """A refused account change."""

    messages = {
        "email_taken": _l("There is already an account with this email address."),
        "no_role": _l("Choose at least one role."),
        "unknown_role": _l("Choose roles from the list."),
        "municipality_required": _l("Reviewers and social workers must belong to a "
                                    "municipality."),
        "last_admin": _l("This is the last active administrator. Make someone else "
                         "administrator first."),
        "own_account": _l("You cannot disable your own account. Ask another administrator."),
        "link_used": _l("This link has already been used. Sign in again to get a new one."),
        "wrong_code": _l("That code did not work. Check the time on your phone and try "
                         "again."),
        "wrong_password": _l("The password is not right."),
        "totp_required": _l("Your role requires a second factor; it cannot be turned off."),
        "own_roles": _l("Nobody changes their own roles. Ask another administrator."),
        "reauth_required": _l("Giving the board or administrator role needs your password."),
    }


# --- users -------------------------------------------------------------------------------

# Roles that open the register and the audit log, or every account: giving one takes the
# giver's password again, and the other administrators and the board are told.
POWERFUL_ROLES = frozenset({Role.BOARD, Role.ADMIN})


def create_user(email: str, display_name: str, roles: list[str], *,
                municipality_id: int | None = None, password: str | None = None,
                locale: str | None = None, actor: User | None = None,
                actor_password: str | None = None) -> User:
    """`actor` is the administrator in the portal (None: the operator's command line)."""
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise AccountError("email_taken")
    check_roles(roles, municipality_id)
    granted = set(roles) & POWERFUL_ROLES
    if granted and actor is not None:
        _reauthenticate(actor, actor_password)
    user = User(email=email, display_name=display_name.strip(), locale=locale,
                municipality_id=municipality_id)
    user.roles = [UserRole(role=str(Role(r))) for r in sorted(set(roles))]
    if password:
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, municipality_id=municipality_id)
    if granted and actor is not None:
        _tell_about_grant(user, granted, actor)
    return user


def _reauthenticate(actor: User, password: str | None) -> None:
    if not password:
        raise AccountError("reauth_required")
    if not verify_password(actor.password_hash, password):
        raise AccountError("wrong_password")


def _tell_about_grant(user: User, granted: set[str], actor: User) -> None:
    """Every other administrator and board member hears of it, without names: a stolen
    administrator's session that makes itself a board cannot stay unnoticed."""
    link = external_url("admin.audit_log", action="user.")
    for watcher in watchers(exclude={actor.id, user.id}):
        for role in sorted(granted):
            outbox.queue(watcher.email, "role_granted", _l("A role with wide access was given"),
                         locale=watcher.locale, role=Role(role).label, link=link)
    audit.record("user.grant_notice", user, actor=actor, detail=" ".join(sorted(granted)))


def watchers(exclude: set[int]) -> list[User]:
    stmt = (select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_([Role.ADMIN, Role.BOARD]), User.disabled_at.is_(None),
                   User.id.not_in(exclude or {0})).distinct())
    return list(db.session.scalars(stmt))


def check_roles(roles: list[str], municipality_id: int | None) -> None:
    if not roles:
        raise AccountError("no_role")
    unknown = set(roles) - {str(r) for r in Role}
    if unknown:
        raise AccountError("unknown_role")
    if set(roles) & {str(r) for r in MUNICIPAL_ROLES} and municipality_id is None:
        raise AccountError("municipality_required")


def _is_last_admin(user: User) -> bool:
    if Role.ADMIN not in user.role_names or not user.is_active:
        return False
    others = db.session.scalar(
        select(func.count(UserRole.id))
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN, User.disabled_at.is_(None), User.id != user.id)
    )
    return not others


def set_roles(user: User, roles: list[str], municipality_id: int | None, *,
              actor: User | None = None, actor_password: str | None = None) -> None:
    """`actor` is the administrator in the portal (None: the operator's command line or a
    service, such as approving a member). Nobody changes their own roles; giving board or
    admin takes the giver's password again and is told to the others."""
    check_roles(roles, municipality_id)
    wanted = set(roles)
    if actor is not None and actor.id == user.id and (
            wanted != user.role_names or municipality_id != user.municipality_id):
        raise AccountError("own_roles")
    if Role.ADMIN not in wanted and _is_last_admin(user):
        raise AccountError("last_admin")
    added, removed = wanted - user.role_names, user.role_names - wanted
    granted = added & POWERFUL_ROLES
    if granted and actor is not None:
        _reauthenticate(actor, actor_password)
    user.roles = [r for r in user.roles if r.role in wanted] + [
        UserRole(role=r) for r in sorted(added)
    ]
    user.municipality_id = municipality_id
    db.session.flush()
    change = " ".join([f"+{r}" for r in sorted(added)] + [f"-{r}" for r in sorted(removed)])
    audit.record("user.roles_change", user, municipality_id=municipality_id,
                 detail=change or None)
    if granted and actor is not None:
        _tell_about_grant(user, granted, actor)


def disable_user(user: User, actor: User | None = None) -> None:
    """Disable and sign out everywhere; never oneself, never the last administrator."""
    if actor is not None and actor.id == user.id:
        raise AccountError("own_account")
    if _is_last_admin(user):
        raise AccountError("last_admin")
    user.disabled_at = utcnow()
    revoke_all_sessions(user, "disabled")
    audit.record("user.disable", user, municipality_id=user.municipality_id)


def anonymise_user(user: User) -> None:
    """For retention and erasure: the account stays as a row (audit events point at it)
    but can never sign in and names nobody."""
    revoke_all_sessions(user, "erased")
    user.email = f"erased-{user.id}@invalid.example"
    user.display_name = "–"
    user.password_hash = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.disabled_at = user.disabled_at or utcnow()
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    audit.record("user.anonymise", user, actor=None)


def enable_user(user: User) -> None:
    user.disabled_at = None
    audit.record("user.enable", user, municipality_id=user.municipality_id)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    audit.record("user.locale_change", user, actor=user)


# --- sign-in and sessions ----------------------------------------------------------------

def authenticate(email: str, password: str) -> User | None:
    """The user when email and password match an enabled account; None otherwise."""
    user = user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        audit.record("auth.sign_in_failed", user, actor=None,
                     detail="disabled" if user and ok else None)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(user: User, method: str = "password") -> UserSession:
    """A fresh server-side session; the plain token goes in the signed cookie only."""
    token = new_token()
    user_session = UserSession(
        token_hash=token_hash(token),
        user_id=user.id,
        user_agent=(request.user_agent.string or "")[:200] if request else None,
    )
    db.session.add(user_session)
    db.session.flush()
    user_session.token = token
    user.current_session = user_session
    user.last_sign_in_at = utcnow()
    audit.record("auth.sign_in", user, actor=user, detail=method)
    return user_session


def session_state(token: str) -> tuple[UserSession | None, str]:
    """The sign-in this token holds and what it needs, read only (one statement):
    "ok"; "stale" (valid, last seen over a minute ago: touch it for the idle timeout);
    "expired" (idle, too old, or the account disabled: revoke it); or "none"."""
    # One statement: the sign-in, its user and the user's roles together.
    user_session = db.session.scalars(
        select(UserSession).options(joinedload(UserSession.user).joinedload(User.roles))
        .where(UserSession.token_hash == token_hash(token))).unique().one_or_none()
    if user_session is None or user_session.revoked_at is not None:
        return None, "none"
    user = user_session.user
    now = utcnow()
    config = current_app.config
    idle = timedelta(minutes=config["STAFF_IDLE_MINUTES" if user.is_staff else "USER_IDLE_MINUTES"])
    too_old = now - user_session.created_at > config["PERMANENT_SESSION_LIFETIME"]
    if not user.is_active or now - user_session.last_seen_at > idle or too_old:
        return user_session, "expired"
    if now - user_session.last_seen_at > timedelta(seconds=60):
        return user_session, "stale"
    return user_session, "ok"


def signed_in_user(user_session: UserSession, token: str) -> User:
    user_session.token = token
    user_session.user.current_session = user_session
    return user_session.user


def touch_session(session, session_id: int) -> None:
    """In `session`, a unit of work of its own: the sign-in was used now."""
    session.execute(update(UserSession).where(UserSession.id == session_id)
                    .values(last_seen_at=utcnow()))


def expire_session(session, session_id: int, user_id: int) -> None:
    """In `session`, a unit of work of its own: revoke an expired sign-in, audited."""
    revoked = session.execute(
        update(UserSession).where(UserSession.id == session_id,
                                  UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason="expired")).rowcount
    if revoked:
        audit.record("auth.session_revoke", ("user_account", user_id), actor=None,
                     detail="expired", session=session)


def revoke_session(user_session: UserSession, reason: str) -> None:
    if user_session.revoked_at is None:
        user_session.revoked_at = utcnow()
        user_session.revoked_reason = reason
        audit.record("auth.session_revoke", user_session.user, actor=None, detail=reason)


def revoke_all_sessions(user: User, reason: str, keep: UserSession | None = None) -> int:
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    count = db.session.execute(stmt).rowcount
    db.session.expire_all()
    return count


def sign_out(user: User) -> None:
    if user.current_session is not None:
        revoke_session(user.current_session, "sign_out")
    audit.record("auth.sign_out", user, actor=user)


# --- passwords ---------------------------------------------------------------------------

def set_password(user: User, password: str, reason: str) -> None:
    """New password: every other session of the user ends."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    revoke_all_sessions(user, "password", keep=user.current_session)
    audit.record("auth.password_change", user, actor=user, detail=reason)


def password_matches(user: User, password: str | None) -> bool:
    return bool(password) and verify_password(user.password_hash, password)


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password")
    set_password(user, new, "changed")


def _issue_token(user: User, purpose: str, hours: int) -> str:
    # A new link makes older unused ones of the same kind useless.
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
               AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    token = new_token()
    db.session.add(AccountToken(
        token_hash=token_hash(token), user_id=user.id, purpose=purpose,
        expires_at=utcnow() + timedelta(hours=hours),
    ))
    return token


@jobs.handler("accounts.password_reset")
def request_password_reset(email: str) -> None:
    """Queue a reset link when the address belongs to an enabled account; silent otherwise."""
    user = user_by_email(email)
    if user is None or not user.is_active:
        return
    token = _issue_token(user, RESET, current_app.config["RESET_TOKEN_HOURS"])
    outbox.queue(user.email, "password_reset", _l("Reset your password"), locale=user.locale,
               link=external_url("auth.reset_password", token=token),
               hours=current_app.config["RESET_TOKEN_HOURS"])
    audit.record("auth.reset_request", user, actor=None)


def invite(user: User, template: str = "invitation",
           subject: str = _l("You are invited to Föreningen")) -> None:
    token = _issue_token(user, INVITE, current_app.config["INVITE_TOKEN_HOURS"])
    outbox.queue(user.email, template, subject, locale=user.locale,
               link=external_url("auth.accept_invitation", token=token),
               hours=current_app.config["INVITE_TOKEN_HOURS"])
    audit.record("user.invite", user, municipality_id=user.municipality_id)


def send_enrolment_link(user: User) -> None:
    """A staff member without a second factor gave the right password: the set-up is
    reached only through a link to the account's address, so that a password alone (a
    guessed or leaked one) cannot enrol the thief's phone. The mail also warns the owner
    when it was not them."""
    hours = current_app.config["ENROL_TOKEN_HOURS"]
    token = _issue_token(user, ENROL, hours)
    outbox.queue(user.email, "totp_enrol", _l("Set up your second factor"), locale=user.locale,
                 link=external_url("auth.enrol", token=token), hours=hours)
    audit.record("auth.totp_enrol_link", user, actor=None)


def enrolment_token(token_hash_value: str | None, user_id: int | None) -> AccountToken | None:
    """The unused, unexpired enrolment link that `user_id` opened (by its hash, as kept in
    the browser's session), or None."""
    if not token_hash_value or not user_id:
        return None
    account_token = db.session.scalar(select(AccountToken).where(
        AccountToken.token_hash == token_hash_value, AccountToken.purpose == ENROL,
        AccountToken.user_id == user_id))
    if account_token is None or account_token.used_at is not None:
        return None
    if account_token.expires_at < utcnow() or not account_token.user.is_active:
        return None
    return account_token


def record_failed_password(user: User) -> None:
    """A wrong password given on an enrolment link: audited like a failed sign-in."""
    audit.record("auth.sign_in_failed", user, actor=None, detail="enrolment link")


def finish_enrolment(account_token: AccountToken, code: str) -> list[str]:
    """Confirm the code and spend the link, once (a double click confirms once)."""
    spent = db.session.execute(
        update(AccountToken).where(AccountToken.id == account_token.id,
                                   AccountToken.used_at.is_(None))
        .values(used_at=utcnow())).rowcount
    if not spent:
        raise AccountError("link_used")
    return confirm_totp(account_token.user, code)


def valid_token(token: str, purpose: str) -> AccountToken | None:
    account_token = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == token_hash(token),
                                   AccountToken.purpose == purpose)
    )
    if account_token is None or account_token.used_at is not None:
        return None
    if account_token.expires_at < utcnow() or not account_token.user.is_active:
        return None
    return account_token


def use_token(account_token: AccountToken, password: str) -> User:
    account_token.used_at = utcnow()
    user = account_token.user
    set_password(user, password, account_token.purpose)
    return user


def external_url(endpoint: str, **values) -> str:
    """An address for a mail: the public base and the route's path. Built from the URL map
    itself, so that a command or a service outside a request can make one too."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("portal").build(endpoint, values)


# --- second factor -----------------------------------------------------------------------

def begin_totp(user: User) -> str:
    """A new secret, kept (encrypted) until the user confirms a code from it."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="Föreningen")


def _accept_totp(user: User, code: str) -> bool:
    """Checks a code, one step of clock drift either way, never the same step twice."""
    if not user.totp_secret:
        return False
    code = "".join(ch for ch in code if ch in "0123456789")
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(utcnow())
    for drift in (0, -1, 1):
        step = current + drift
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def confirm_totp(user: User, code: str) -> list[str]:
    """Turn the second factor on; returns the new recovery codes to show once."""
    if not _accept_totp(user, code):
        raise AccountError("wrong_code")
    user.totp_enabled_at = utcnow()
    codes = new_recovery_codes(user)
    audit.record("auth.totp_enable", user, actor=user)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id)
    )
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=token_hash(c)) for c in codes)
    audit.record("auth.recovery_codes_new", user, actor=user)
    return codes


def renew_recovery_codes(user: User, password: str) -> list[str]:
    if not user.has_totp:
        raise AccountError("totp_off")
    if not verify_password(user.password_hash, password):
        raise AccountError("wrong_password")
    return new_recovery_codes(user)


def verify_second_factor(user: User, code: str) -> str | None:
    """'totp' or 'recovery' when the code is good (a recovery code is used up); else None."""
    if _accept_totp(user, code):
        return "totp"
    cleaned = code.strip().lower()
    recovery = db.session.scalar(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == token_hash(cleaned),
                                   RecoveryCode.used_at.is_(None))
    )
    if recovery is not None:
        recovery.used_at = utcnow()
        audit.record("auth.recovery_code_use", user, actor=user)
        return "recovery"
    audit.record("auth.second_factor_failed", user, actor=None)
    return None


def disable_totp(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise AccountError("wrong_password")
    if user.is_staff and current_app.config["REQUIRE_STAFF_2FA"]:
        raise AccountError("totp_required")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    audit.record("auth.totp_disable", user, actor=user)


# --- the audit log in words -------------------------------------------------------------

audit.describe("auth", _l("Sign-in"), {
    "auth.sign_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Sign-in failed"),
    "auth.totp_enrol_link": _l("Sent a link to set up the second factor"),
    "auth.sign_out": _l("Signed out"),
    "auth.session_revoke": _l("Sign-in ended"),
    "auth.password_change": _l("Password changed"),
    "auth.reset_request": _l("Password reset asked for"),
    "auth.totp_enable": _l("Second factor turned on"),
    "auth.totp_disable": _l("Second factor turned off"),
    "auth.recovery_codes_new": _l("New recovery codes made"),
    "auth.recovery_code_use": _l("Recovery code used"),
    "auth.second_factor_failed": _l("Wrong second-factor code"),
})
audit.describe("user", _l("Accounts"), {
    "user.create": _l("Account created"),
    "user.invite": _l("Invitation sent"),
    "user.roles_change": _l("Roles changed"),
    "user.disable": _l("Account disabled"),
    "user.enable": _l("Account enabled"),
    "user.anonymise": _l("Account anonymised"),
    "user.locale_change": _l("Language changed"),
    "user.email_change": _l("Sign-in email changed"),
    "user.grant_notice": _l("Administrators and board told of a role given"),
})
audit.subject_kind("user_account", _l("Account"), endpoint="admin.user", argument="user_id",
                   may_open="admin.administer")
