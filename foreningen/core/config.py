"""Settings: safe development defaults, then the environment; production refuses weak ones."""

from __future__ import annotations

import json
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The application cannot start with the settings it was given."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _clock_time(raw: str):
    """"16:00" as a time of day; a clear error for anything else."""
    from datetime import time

    try:
        hours, minutes = (int(part) for part in raw.split(":"))
        return time(hours, minutes)
    except ValueError as exc:
        raise ConfigError(f"SUPPORT_OFFICE_CLOSES must be a time like 16:00, not {raw!r}") from exc


def _development_secrets(instance_path: Path) -> dict[str, str]:
    """Random keys kept in the instance folder, made on first use: never a fixed fallback."""
    # The instance folder holds the database, its WAL, the mail written to files and these
    # keys: nobody but the owner may read it.
    instance_path.mkdir(parents=True, exist_ok=True)
    instance_path.chmod(0o700)
    path = instance_path / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    values = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    path.write_text(json.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return values


def load(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the configuration mapping for create_app()."""
    env = os.environ
    overrides = dict(overrides or {})
    environment = overrides.get("ENV_NAME") or env.get("FORENINGEN_ENV", "development")
    production = environment == "production"
    testing = bool(overrides.get("TESTING"))

    config: dict = {
        "ENV_NAME": environment,
        "PRODUCTION": production,
        "SECRET_KEY": env.get("SECRET_KEY"),
        "FIELD_ENCRYPTION_KEY": env.get("FIELD_ENCRYPTION_KEY"),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL"),
        # hide_parameters: no personal data in the log when a statement fails.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # Sessions and cookies
        # __Host-: the browser sends it only over HTTPS, to this host, for every path
        # (ASVS 5.0); over plain http in development the prefix would be refused.
        "SESSION_COOKIE_NAME": "__Host-foreningen_session" if production else
                               "foreningen_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_MAX_HOURS", 12)),
        "STAFF_IDLE_MINUTES": _int("STAFF_IDLE_MINUTES", 15),
        "USER_IDLE_MINUTES": _int("USER_IDLE_MINUTES", 120),
        "REQUIRE_STAFF_2FA": _bool(env.get("REQUIRE_STAFF_2FA"), production),
        # Passwords (argon2id; OWASP asks at least m=19 MiB, t=2)
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST_KIB": _int("ARGON2_MEMORY_COST_KIB", 65536),
        "ARGON2_PARALLELISM": _int("ARGON2_PARALLELISM", 2),
        "PASSWORD_MIN_LENGTH": 10,
        "RESET_TOKEN_HOURS": _int("RESET_TOKEN_HOURS", 1),
        "INVITE_TOKEN_HOURS": _int("INVITE_TOKEN_HOURS", 72),
        "ENROL_TOKEN_HOURS": _int("ENROL_TOKEN_HOURS", 1),
        # Whole-table figures kept per worker while their data is unchanged (core/cache.py).
        "FIGURES_CACHE": _bool(env.get("FIGURES_CACHE"), True),
        # Rate limits
        # How long a request waits for SQLite's write lock before it gives up. Requests take
        # the lock when they begin, so at a busy moment they queue; waiting is better than
        # an error page.
        "SQLITE_BUSY_TIMEOUT_MS": _int("SQLITE_BUSY_TIMEOUT_MS", 30000),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        # Failed attempts only; per address high enough for a meeting behind one router.
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes"),
        "JOIN_LIMIT_PER_ADDRESS": env.get("JOIN_LIMIT_PER_ADDRESS", "10 per hour"),
        # Mail
        "MAIL_SERVER": env.get("MAIL_SERVER", "" if not production else "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL"), False),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Föreningen <noreply@example.org>"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "OUTBOX_SEND_AFTER_REQUEST": _bool(env.get("OUTBOX_SEND_AFTER_REQUEST"), not production),
        # What a public form defers (core/jobs.py) is done once the answer is out; in
        # production the mail timer does it (flask outbox send).
        "JOBS_RUN_AFTER_REQUEST": _bool(env.get("JOBS_RUN_AFTER_REQUEST"), not production),
        "OUTBOX_MAX_BACKOFF_MINUTES": _int("OUTBOX_MAX_BACKOFF_MINUTES", 360),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # Text messages through 46elks (core/sms.py), sent by the outbox as mail is. Without
        # SMS_API_URL (production: https://api.46elks.com) development writes them to
        # instance/sms/ and production keeps them queued.
        "SMS_API_URL": env.get("SMS_API_URL", ""),
        "SMS_USERNAME": env.get("SMS_USERNAME", ""),
        "SMS_PASSWORD": env.get("SMS_PASSWORD", ""),
        # The sender the recipient sees: at most 11 letters and digits, or a number in E.164.
        "SMS_SENDER": env.get("SMS_SENDER", "Foreningen"),
        "SMS_TIMEOUT": _int("SMS_TIMEOUT", 10),
        # Language
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "WTF_CSRF_TIME_LIMIT": 3600 * 8,
        # Uploads (bank files) are refused above this size before they are read.
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 10) * 1024 * 1024,
        # Membership
        "VOTING_CATEGORIES": [c.strip() for c in env.get("VOTING_CATEGORIES", "ordinary")
                              .split(",") if c.strip()],
        "PRIVACY_NOTICE_VERSION": env.get("PRIVACY_NOTICE_VERSION", "2026-11"),
        "DUES_LAPSE_DATE": env.get("DUES_LAPSE_DATE", "03-31"),
        "DUES_REMINDER_INTERVAL_DAYS": _int("DUES_REMINDER_INTERVAL_DAYS", 30),
        "RETENTION_LEFT_MONTHS": _int("RETENTION_LEFT_MONTHS", 24),
        "RETENTION_UNCONFIRMED_DAYS": _int("RETENTION_UNCONFIRMED_DAYS", 30),
        "RETENTION_PAYMENT_YEARS": _int("RETENTION_PAYMENT_YEARS", 7),
        # Stödpersoner: an item is "expiring" this many days before it lapses; ended
        # stödpersoner's answers are deleted this many months after they ended.
        "SUPPORTER_RENEWAL_DAYS": _int("SUPPORTER_RENEWAL_DAYS", 60),
        # A stödperson approved or active this long without supervision is flagged.
        "SUPERVISION_MAX_DAYS": _int("SUPERVISION_MAX_DAYS", 60),
        "RETENTION_SUPPORTER_ENDED_MONTHS": _int("RETENTION_SUPPORTER_ENDED_MONTHS", 24),
        # Support: a crisis referral after this hour (Swedish time) counts from the next
        # working day; a closed assignment's parent details are erased this many months on.
        "SUPPORT_OFFICE_CLOSES": _clock_time(env.get("SUPPORT_OFFICE_CLOSES", "16:00")),
        "RETENTION_SUPPORT_PARENT_MONTHS": _int("RETENTION_SUPPORT_PARENT_MONTHS", 12),
        "RETENTION_SUPPORT_ENDED_DAYS": _int("RETENTION_SUPPORT_ENDED_DAYS", 30),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_HOPS": _int("PROXY_HOPS", 0),
    }
    config.update(overrides)
    _check_sms(config)

    if production:
        _check_production(config)
    elif not testing:
        dev = _development_secrets(instance_path)
        config["SECRET_KEY"] = config["SECRET_KEY"] or dev["SECRET_KEY"]
        config["FIELD_ENCRYPTION_KEY"] = (
            config["FIELD_ENCRYPTION_KEY"] or dev["FIELD_ENCRYPTION_KEY"]
        )
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'foreningen.sqlite3'}"
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if not config["SECRET_KEY"] or not config["FIELD_ENCRYPTION_KEY"]:
        raise ConfigError("SECRET_KEY and FIELD_ENCRYPTION_KEY must be set")
    return config


# 46elks: an alphanumeric sender is 11 characters at most and begins with a letter; a
# number is given in E.164.
SMS_SENDER_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9]{0,10}|\+[1-9][0-9]{6,14}")


def _check_sms(config: dict) -> None:
    """Text-message settings the gateway would refuse fail at start, not at every message."""
    sender = config["SMS_SENDER"]
    if not SMS_SENDER_PATTERN.fullmatch(sender or ""):
        raise ConfigError("SMS_SENDER must be at most 11 letters (a-z) and digits beginning "
                          f"with a letter, or a phone number like +46701234567, not {sender!r}")
    url = config["SMS_API_URL"]
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError(f"SMS_API_URL must begin with https://, not {url!r}")


def normalise_database_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _check_production(config: dict) -> None:
    missing = []
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 10:
        missing.append(
            f"SECRET_KEY (at least {MIN_SECRET_KEY_LENGTH} random characters, "
            "e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        missing.append("DATABASE_URL (e.g. postgresql://user:password@host/foreningen)")
    if not config.get("FIELD_ENCRYPTION_KEY"):
        missing.append("FIELD_ENCRYPTION_KEY (a Fernet key: python -c 'from "
                       "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')")
    else:
        try:
            for part in config["FIELD_ENCRYPTION_KEY"].split(","):
                Fernet(part.strip().encode())
        except ValueError:
            missing.append("FIELD_ENCRYPTION_KEY (not a valid Fernet key)")
    if config.get("RATELIMIT_STORAGE_URI", "").startswith("memory://") and not _bool(
            os.environ.get("RATELIMIT_ALLOW_MEMORY"), False):
        # Counted in each worker's memory, a limit of 20 lets 20 per worker through.
        missing.append("RATELIMIT_STORAGE_URI (shared storage such as redis://127.0.0.1:6379 "
                       "when more than one worker runs; with exactly one worker, "
                       "RATELIMIT_ALLOW_MEMORY=1)")
    if (config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("sqlite") and not _bool(
            os.environ.get("ALLOW_SQLITE_IN_PRODUCTION"), False):
        missing.append("DATABASE_URL of PostgreSQL (SQLite serves development and a very small "
                       "association on one host: ALLOW_SQLITE_IN_PRODUCTION=1 to say so)")
    if config.get("SMS_API_URL"):
        if not config["SMS_API_URL"].startswith("https://"):
            missing.append("SMS_API_URL over https (e.g. https://api.46elks.com)")
        if not (config.get("SMS_USERNAME") and config.get("SMS_PASSWORD")):
            missing.append("SMS_USERNAME and SMS_PASSWORD (the 46elks API credentials)")
    if missing:
        raise ConfigError(
            "Refusing to start in production; set: " + "; ".join(missing)
        )
