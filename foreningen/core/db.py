"""Declarative base with a constraint naming convention, and column helpers."""

from __future__ import annotations

import enum
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, MetaData, Text, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from foreningen.core.clock import utcnow

__all__ = ["OUTSIDE_MODELS", "Base", "EncryptedText", "LabelledEnum", "TimestampMixin",
           "UTCDateTime", "check_in", "include_in_autogenerate", "outside_models", "own_session",
           "utcnow"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)




class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on the way in and out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EncryptedText(TypeDecorator):
    """Encrypted at rest with the application's field key (Fernet, rotatable). Always a Text
    column: a ciphertext is much longer than the text it holds, whatever the form allows."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        from foreningen.core.crypto import encrypt

        return encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        from foreningen.core.crypto import decrypt

        return decrypt(value)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry their label (a lazy gettext string), so that each
    name a user reads is defined once, next to its code: `Status.ACTIVE.label`."""

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        return member

    @classmethod
    def labels(cls) -> dict:
        return {member: member.label for member in cls}

    @classmethod
    def names(cls) -> dict[str, str]:
        """The labels in the current locale, translated once: for a page that reads them
        per row (each lazy label is translated again every time it is shown)."""
        return {member: str(member.label) for member in cls}

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        return [(member.value, member.label) for member in cls]


def check_in(column: str, values, name: str | None = None) -> CheckConstraint:
    """A CHECK constraint that keeps an enum-like column to its values."""
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_valid")


# Schema that the migrations keep and no model describes (a search index of one database
# kind, an FTS5 table and its shadow tables): autogenerate and the schema test leave these
# names, and names that begin with them, alone. Features add theirs from their models.
OUTSIDE_MODELS: set[str] = set()


def outside_models(name: str | None) -> bool:
    return bool(name) and any(name == known or name.startswith(known + "_")
                              for known in OUTSIDE_MODELS)


def include_in_autogenerate(_obj, name, type_, reflected, _compare_to) -> bool:
    """Alembic's include_object: skip what OUTSIDE_MODELS names (it is found in the
    database only, never in the models)."""
    return not (reflected and type_ in ("table", "index") and outside_models(name))


def analyze(everywhere: bool = False) -> None:
    """Refresh the query planner's statistics. SQLite keeps none of its own: without them it
    sorted the whole register by name to show 50 members (30 ms at 30,000) instead of
    walking the name index (0.4 ms). Run by `flask init-db`, the daily `flask purge` and
    after a bulk load; PostgreSQL's autovacuum does this by itself, and only the schema's
    owner may, so there it runs only when asked for (`everywhere`)."""
    from sqlalchemy import text

    from foreningen.core.extensions import db

    if db.session.get_bind().dialect.name == "sqlite":
        # Every row, not a sample: with analysis_limit=2000 the status index looked as
        # selective as a name, and at 300,000 members the planner sorted the register
        # again (2.3 s a page). A full ANALYZE takes 0.8 s at that size.
        db.session.execute(text("PRAGMA analysis_limit=0"))
        db.session.execute(text("ANALYZE"))
    elif everywhere:
        db.session.execute(text("ANALYZE"))


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def read_only_request() -> bool:
    """A request by a safe method (GET, HEAD): it changes nothing. What it writes is the
    audit record of what it read, in a unit of work of its own committed before the page is
    shown (core/audit.py), so that a read is on record even when the page fails after it,
    and SQLite can read such requests side by side (core/sqlite.py). guard_read_only()
    refuses any other change."""
    from flask import has_request_context, request

    return has_request_context() and request.method in SAFE_METHODS


def guard_read_only(session, _context, _instances) -> None:
    """before_flush on every session: a read-only request may not change state."""
    if session.info.get("own_unit_of_work") or not read_only_request():
        return
    changed = [o for o in (*session.new, *session.dirty, *session.deleted)
               if type(o).__name__ != "AuditEvent"]
    if changed:
        from flask import request

        raise RuntimeError(f"a {request.method} request may not change "
                           f"{type(changed[0]).__name__}: change state in a POST")


event.listen(Session, "before_flush", guard_read_only)


@contextmanager
def own_session():
    """A short unit of work of its own, apart from the request's transaction: the session
    bookkeeping before a view runs, the outbox after the response. Committed when the block
    ends without an error, rolled back otherwise; the request's session is untouched.
    Bound like the request's session (inside a test's outer transaction it uses savepoints)."""
    from foreningen.core.extensions import db

    session = Session(bind=db.session.get_bind(), join_transaction_mode="create_savepoint",
                      expire_on_commit=False, info={"own_unit_of_work": True})
    session.connection(execution_options={"sqlite_immediate": True})  # SQLite: write lock now
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
