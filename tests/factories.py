"""Small factory functions for test data; they return plain values, not live objects."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pyotp

from foreningen.accounts import services as accounts
from foreningen.core.extensions import db
from foreningen.municipalities import services as municipalities
from foreningen.municipalities.queries import by_code

PASSWORD = "lagom-lang-fras-2026"
_counter = itertools.count(1)


def municipality(app, code: str = "0180", name: str = "Stockholm") -> int:
    with app.app_context():
        existing = by_code(code)
        if existing is not None:
            return existing.id
        created = municipalities.create(code, name)
        db.session.commit()
        return created.id


def user(app, roles, *, email=None, password=PASSWORD, municipality_code=None, totp=False,
         locale=None, invited=False):
    n = next(_counter)
    email = email or f"user{n}@example.org"
    municipality_id = None
    if municipality_code or set(roles) & {"reviewer", "social_worker"}:
        municipality_id = municipality(app, municipality_code or "0180")
    with app.app_context():
        created = accounts.create_user(email, f"Test Person {n}", roles,
                                       municipality_id=municipality_id,
                                       password=None if invited else password, locale=locale)
        secret = None
        codes = []
        if totp:
            secret = accounts.begin_totp(created)
            codes = accounts.confirm_totp(created, pyotp.TOTP(secret).now())
            created.totp_last_step = None  # the enrolment code may be reused by the test
        db.session.commit()
        return SimpleNamespace(id=created.id, email=email, password=password, totp_secret=secret,
                               recovery_codes=codes, municipality_id=municipality_id)
