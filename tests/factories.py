"""Small factory functions for test data; they return plain values, not live objects."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pyotp

from foreningen.accounts import services as accounts
from foreningen.accounts.passwords import hash_password
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from foreningen.municipalities import services as municipalities
from foreningen.municipalities.queries import by_code

PASSWORD = "lagom-lang-fras-2026"
_counter = itertools.count(1)
_PASSWORD_HASH = "tests.factories.password_hash"


def municipality(app, code: str = "0180", name: str = "Stockholm") -> int:
    with app.app_context():
        existing = by_code(code)
        if existing is not None:
            return existing.id
        created = municipalities.create(code, name)
        db.session.commit()
        return created.id


def password_hash(app) -> str:
    """The Argon2 hash of PASSWORD, made once per app with that app's cost settings: a hash
    takes tens of milliseconds and the suite makes hundreds of accounts. Tests of password
    handling itself use the forms or another password, which are hashed for real."""
    if _PASSWORD_HASH not in app.extensions:
        with app.app_context():
            app.extensions[_PASSWORD_HASH] = hash_password(PASSWORD)
    return app.extensions[_PASSWORD_HASH]


def user(app, roles, *, email=None, name=None, password=PASSWORD, municipality_code=None,
         totp=False, locale=None, invited=False, disabled=False):
    """An account made by accounts.create_user. With the default PASSWORD it gets the hash
    made once per app (password_hash); any other password is hashed by create_user."""
    n = next(_counter)
    email = email or f"user{n}@example.org"
    municipality_id = None
    if municipality_code or set(roles) & {"reviewer", "social_worker"}:
        municipality_id = municipality(app, municipality_code or "0180")
    reuse_hash = not invited and password == PASSWORD
    with app.app_context():
        created = accounts.create_user(
            email, name or f"Test Person {n}", roles, municipality_id=municipality_id,
            password=None if invited or reuse_hash else password, locale=locale)
        if reuse_hash:  # what create_user does with a password, minus the hashing
            created.password_hash = password_hash(app)
            created.password_changed_at = utcnow()
        secret = None
        codes = []
        if totp:
            secret = accounts.begin_totp(created)
            codes = accounts.confirm_totp(created, pyotp.TOTP(secret).now())
            created.totp_last_step = None  # the enrolment code may be reused by the test
        if disabled:
            accounts.disable_user(created)
        db.session.commit()
        return SimpleNamespace(id=created.id, email=email, password=password, totp_secret=secret,
                               recovery_codes=codes, municipality_id=municipality_id)
