"""Helpers for tests: databases for the suite, an SMTP server on loopback, real forms."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from html.parser import HTMLParser
from urllib.parse import urljoin

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet
from flask.testing import FlaskClient

from foreningen.core.config import normalise_database_url

TEST_FIELD_KEY = Fernet.generate_key().decode()
TEST_SECRET = "test-secret-key-" + "k" * 40


class ClosingClient(FlaskClient):
    """A test client that closes each response as a server does once it is sent, so that
    what a view left for after its answer (core/jobs.py: deferred jobs, then the outbox) has
    run before the test looks at the database."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_config(database_url: str, smtp_port: int, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "FIELD_ENCRYPTION_KEY": TEST_FIELD_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 5,
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail would skip sending when TESTING
        # The OWASP minimum keeps the suite quick; production uses more (see config.py).
        "ARGON2_TIME_COST": 2,
        "ARGON2_MEMORY_COST_KIB": 19456,
        "ARGON2_PARALLELISM": 1,
        "OUTBOX_SEND_AFTER_REQUEST": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "http://localhost",
        "REQUIRE_STAFF_2FA": False,
        # Each test's data is rolled back, so two tests may meet the same "version" of
        # different data; the cache has tests of its own (core/cache.py).
        "FIGURES_CACHE": False,
    }
    config.update(extra)
    return config


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return normalise_database_url(url) if url else None


def xdist_worker() -> str | None:
    """The pytest-xdist worker this process is ("gw0", "gw1", …), or None without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def suite_database(tmp_path) -> str:
    """The database of the whole run: a SQLite file in the run's (or worker's) temporary
    directory, or with DATABASE_URL that PostgreSQL database with an empty schema. Workers of
    pytest-xdist each get a PostgreSQL database of their own, DATABASE_URL's name with the
    worker's id appended (e.g. foreningen_test_gw0), made fresh for the run."""
    url = postgres_url()
    if not url:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    worker = xdist_worker()
    if worker is None:
        reset_postgres_schema(url)
        return url
    return _fresh_postgres_database(url, worker)


def scratch_database(tmp_path, name: str) -> str:
    """An empty database of the kind under test: a SQLite file, or a PostgreSQL database
    (one per xdist worker, so that two workers never drop each other's)."""
    url = postgres_url()
    if not url:
        return f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    worker = xdist_worker()
    return _fresh_postgres_database(url, f"{name}_{worker}" if worker else name)


def _fresh_postgres_database(url: str, suffix: str) -> str:
    base = sa.engine.make_url(url)
    target = f"{base.database}_{suffix}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            for attempt in range(20):
                try:
                    conn.execute(sa.text(f'CREATE DATABASE "{target}"'))
                    break
                except sa.exc.OperationalError as error:
                    # Two workers copying template1 at the same moment: one waits.
                    if "being accessed by other users" not in str(error) or attempt == 19:
                        raise
                    time.sleep(0.25)
    finally:
        admin.dispose()
    return base.set(database=target).render_as_string(hide_password=False)


def drop_scratch_database(url: str) -> None:
    """Remove a PostgreSQL database made by scratch_database; a SQLite file goes with its
    temporary directory."""
    target = sa.engine.make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


# --- mail ---------------------------------------------------------------------------------

class Inbox:
    """Collects what the loopback SMTP server receives."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted"

    def clear(self):
        with self._lock:
            self.messages.clear()
        self.refuse = False

    def to(self, address: str):
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, address: str) -> str:
        found = re.findall(r"https?://\S+", self.body(self.to(address)[-1]))
        assert found, "no link in the mail"
        return found[0]


@contextmanager
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


# --- HTML forms ---------------------------------------------------------------------------

class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []
        self._current = None
        self._select = None  # (name, first option value, selected value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = {"action": a.get("action", ""), "method": a.get("method", "get"),
                             "fields": {}, "id": a.get("id")}
            self.forms.append(self._current)
        elif self._current is not None and tag == "select" and a.get("name"):
            self._select = [a["name"], None, None, "multiple" in a]
        elif self._select is not None and tag == "option":
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._current["fields"].setdefault(self._select[0], []).append(value)
                self._select[2] = value
        elif self._current is not None and tag in ("input", "textarea", "button"):
            name = a.get("name")
            if not name or tag == "button":
                return
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._current["fields"].setdefault(name, []).append(a.get("value", "y"))
            else:
                self._current["fields"].setdefault(name, []).append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, first, selected, multiple = self._select
            if selected is None and not multiple and first is not None:
                self._current["fields"][name] = [first]  # what a browser sends
            self._select = None
        if tag == "form":
            self._current = None


def forms_in(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def submit(client, url: str, data: dict | None = None, *, action_contains: str | None = None,
           follow_redirects: bool = False):
    """GET the page, fill the chosen form like a browser would, POST it."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    forms = [f for f in forms_in(page.get_data(as_text=True)) if f["method"].lower() == "post"]
    if action_contains:
        forms = [f for f in forms if action_contains in f["action"]]
    # Skip the language switch and sign-out forms of the layout unless asked for.
    candidates = [f for f in forms if "/language" not in f["action"]
                  and "/sign-out" not in f["action"]] or forms
    form = candidates[0]
    fields = {k: v for k, v in form["fields"].items()}
    for key, value in (data or {}).items():
        fields[key] = value if isinstance(value, list) else [value]
    target = urljoin(url, form["action"]) if form["action"] else url
    return client.post(target, data={k: v for k, v in fields.items()},
                       follow_redirects=follow_redirects)


def csrf_token(client, url: str = "/auth/sign-in") -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


# --- races: real threads against an app of their own (PostgreSQL) -------------------------

@contextmanager
def racing_app(tmp_path, name: str, smtp_port: int):
    """An app on a scratch database of its own: threads cannot share the rolled-back
    transaction of the `db` fixture. Deferred jobs run after each answer, as in production
    they run right after."""
    from flask_migrate import upgrade

    from foreningen import create_app
    from foreningen.core.extensions import db

    app = create_app(base_config(scratch_database(tmp_path, name), smtp_port))
    app.test_client_class = ClosingClient
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def signed_in(app, user):
    """A client of `app` signed in as `user` (a factories.user result), in English."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert submit(client, "/auth/sign-in", {"email": user.email,
                                            "password": user.password}).status_code == 302
    return client


def at_once(*requests):
    """Run the requests in threads that start together; their responses, in order."""
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def run(n, request):
        barrier.wait(timeout=10)
        answers[n] = request()

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers
