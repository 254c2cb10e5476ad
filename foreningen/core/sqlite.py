"""SQLite as a real embedded database: WAL, a busy timeout, foreign keys, true transactions."""

from __future__ import annotations

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event

from foreningen.core.db import SAFE_METHODS


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def init_app(app, db) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin, so that
        # SAVEPOINT works (the pysqlite recipe in SQLAlchemy's documentation).
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds only ASCII: "Åsa" must match "åsa" in searches.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        if ":memory:" not in app.config["SQLALCHEMY_DATABASE_URI"]:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A request that may change something (POST…), or a transaction that asks for it
        # (sqlite_immediate, as an execution option or on g, e.g. core/jobs.py), takes the
        # write lock when it begins, and another waits for it (busy_timeout). A deferred one
        # that read first and wrote later would be refused at once in WAL mode ("database is
        # locked") whenever someone else had written meanwhile: the 500s of twelve members
        # applying at the same moment.
        # A request that only reads (GET, HEAD) begins deferred, so that pages are read side
        # by side by every worker instead of one after the other: such a request changes
        # nothing, and the audit record of what it read is written in a short unit of work
        # of its own (core/db.py: read_only_request). Commands stay deferred, and so does a
        # long read that asks for it (sqlite_deferred: an export streamed to a slow client).
        options = connection.get_execution_options()
        if options.get("sqlite_deferred"):
            immediate = False
        elif options.get("sqlite_immediate") or (has_app_context() and g.get("sqlite_immediate")):
            immediate = True
        else:
            immediate = has_request_context() and request.method not in SAFE_METHODS
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

