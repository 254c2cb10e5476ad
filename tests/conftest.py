"""Fixtures: a migrated database per run (per worker with pytest-xdist), a rolled-back
transaction per test, a loopback SMTP server, and helpers to make users and sign them in
through the real forms."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from foreningen import create_app
from foreningen.core.extensions import db as _db
from foreningen.core.extensions import limiter
from tests import factories
from tests.support import ClosingClient, base_config, smtp_server, submit, suite_database


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist and --dist loadgroup, the browser tests all go to one worker: one
    live server and one Chromium, not one per worker on a small machine."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def smtp():
    with smtp_server() as (inbox, port):
        yield inbox, port


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp):
    url = suite_database(tmp_path_factory.mktemp("db"))
    application = create_app(base_config(url, smtp[1]))
    application.test_client_class = ClosingClient
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
