"""Argon2id hashing and the password policy (length, common passwords, not the email)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l


def _hasher() -> PasswordHasher:
    app = current_app._get_current_object()
    hasher = app.extensions.get("foreningen_argon2")
    if hasher is None:
        hasher = PasswordHasher(
            time_cost=app.config["ARGON2_TIME_COST"],
            memory_cost=app.config["ARGON2_MEMORY_COST_KIB"],
            parallelism=app.config["ARGON2_PARALLELISM"],
            type=Type.ID,
        )
        app.extensions["foreningen_argon2"] = hasher
    return hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash, so timing does not reveal accounts."""
    hasher = _hasher()
    if not password_hash:
        password_hash = _dummy_hash()
        password = password + "\x00never"
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def _dummy_hash() -> str:
    app = current_app._get_current_object()
    dummy = app.extensions.get("foreningen_dummy_hash")
    if dummy is None:
        dummy = _hasher().hash("dummy password for timing")
        app.extensions["foreningen_dummy_hash"] = dummy
    return dummy


@cache
def common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from leaked lists.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, email: str | None = None) -> list[str]:
    """The reasons a new password is refused, as translated messages (empty when fine)."""
    problems = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_l("Use at least %(n)d characters.", n=minimum))
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip("0123456789!") in common_passwords():
        problems.append(_l("This password is too common. Choose something harder to guess."))
    if email and lowered in {email.lower(), email.split("@")[0].lower()}:
        problems.append(_l("Do not use your email address as password."))
    if len(set(password)) < 4:
        problems.append(_l("Use more different characters."))
    return problems
