"""Fixtures: a migrated database per run, a rolled-back transaction per test, a loopback
SMTP server, and helpers to make users and sign them in through the real forms."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from foreningen import create_app
from foreningen.core.extensions import db as _db
from foreningen.core.extensions import limiter
from tests import factories
from tests.support import base_config, postgres_url, reset_postgres_schema, smtp_server, submit


@pytest.fixture(scope="session")
def smtp():
    with smtp_server() as (inbox, port):
        yield inbox, port


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp):
    url = postgres_url()
    if url:
        reset_postgres_schema(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    application = create_app(base_config(url, smtp[1]))
    with application.app_context():
        upgrade()  # the schema comes from the migrations, never create_all
        _db.engine.dispose()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """Every test runs inside one outer transaction that is rolled back afterwards; the
    commits of views and services only release savepoints within it."""
    with app.app_context():
        connection = _db.engine.connect()
    outer = connection.begin()
    original = _db.session
    # A plain SQLAlchemy session: Flask-SQLAlchemy's own picks the engine per table and
    # would escape the outer transaction.
    _db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id)
    limiter.reset()
    try:
        yield _db
    finally:
        with app.app_context():
            _db.session.remove()
        _db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def inbox(smtp):
    smtp[0].clear()
    return smtp[0]


@pytest.fixture
def client(app, db):
    """A browser that prefers English, so tests read the message ids; the Swedish default
    and the other languages have tests of their own (tests/test_translations.py)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app, db):
    def _make(*roles, **kwargs):
        return factories.user(app, list(roles) or ["member"], **kwargs)
    return _make


@pytest.fixture
def login(client, make_user):
    """login("admin") makes a user with that role and signs in through the real form."""

    def _login(*roles, user=None, **kwargs):
        user = user or make_user(*roles, **kwargs)
        response = submit(client, "/auth/sign-in",
                          {"email": user.email, "password": user.password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return user

    return _login
