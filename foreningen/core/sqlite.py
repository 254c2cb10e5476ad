"""SQLite as a real embedded database: WAL, a busy timeout, foreign keys, true transactions."""

from __future__ import annotations

from sqlalchemy import event


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
        cursor.execute("PRAGMA busy_timeout=5000")
        if ":memory:" not in app.config["SQLALCHEMY_DATABASE_URI"]:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")
