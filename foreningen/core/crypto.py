"""Field encryption with MultiFernet: the first key encrypts, every key decrypts.

Rotate by putting a new key first in FIELD_ENCRYPTION_KEY (comma-separated) and
running `flask rotate-keys`, which re-encrypts every sensitive field.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _fernet() -> MultiFernet:
    app = current_app._get_current_object()
    cached = app.extensions.get("foreningen_fernet")
    if cached is None:
        keys = [k.strip() for k in app.config["FIELD_ENCRYPTION_KEY"].split(",") if k.strip()]
        cached = MultiFernet([Fernet(k.encode()) for k in keys])
        app.extensions["foreningen_fernet"] = cached
    return cached


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise RuntimeError("a sensitive field could not be decrypted with the configured keys") \
            from exc


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode("ascii")).decode("ascii")
