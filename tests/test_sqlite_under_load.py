"""The embedded database holds a small association's busiest minute: an annual meeting where
members apply and the board opens pages, sixteen at a time, on the development server.
Every answer is a page or a redirect, never "database is locked"."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from foreningen import create_app
from foreningen.core import jobs
from foreningen.core.extensions import db
from foreningen.members.models import Member
from tests import factories
from tests.browser.live import serving
from tests.support import base_config, postgres_url

pytestmark = pytest.mark.skipif(bool(postgres_url()), reason="SQLite's own locking")
CLIENTS, SECONDS = 16, 10


def opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        urllib.request.HTTPRedirectHandler())


def token(browser, url) -> str:
    html = browser.open(url, timeout=30).read().decode()
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def post(browser, url, fields) -> int:
    data = urllib.parse.urlencode(fields).encode()
    try:
        return browser.open(url, data=data, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_sixteen_clients_at_once_get_no_error(tmp_path, smtp):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'busy.sqlite3'}", smtp[1],
                                 RATELIMIT_ENABLED=False))
    with app.app_context():
        upgrade()
    board = factories.user(app, ["board"])
    member_ids = [factories.member(app).id for _ in range(5)]
    statuses: list[int] = []
    applied: list[int] = []
    lock = threading.Lock()
    with serving(app) as server:
        base = f"http://127.0.0.1:{server.server_port}"

        def client(n: int) -> None:
            browser = opener()
            deadline = time.monotonic() + SECONDS
            round_ = 0
            if n % 2:  # a board member signing in and reading members' pages
                post(browser, f"{base}/auth/sign-in", {
                    "csrf_token": token(browser, f"{base}/auth/sign-in"),
                    "email": board.email, "password": board.password})
            while time.monotonic() < deadline:
                round_ += 1
                if n % 2:
                    status = browser.open(
                        f"{base}/members/{member_ids[round_ % len(member_ids)]}",
                        timeout=30).status
                else:  # someone applying
                    status = post(browser, f"{base}/join/", {
                        "csrf_token": token(browser, f"{base}/join/"),
                        "first_name": "Möte", "last_name": f"Deltagare{n}-{round_}",
                        "email": f"mote{n}-{round_}@example.org", "category": "supporting",
                        "privacy_notice": "y"})
                with lock:
                    statuses.append(status)
                    if not n % 2:
                        applied.append(status)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
        # Each application was carried out after its answer (core/jobs.py), by the threads
        # of the server at the same time: none may be left undone or failed.
        with app.app_context():
            deadline = time.monotonic() + 30
            while jobs.pending_count() and time.monotonic() < deadline:
                db.session.rollback()  # a fresh read next time (SQLite keeps a snapshot)
                time.sleep(0.2)
            left = db.session.scalar(select(func.count(jobs.Job.id)))
            carried_out = db.session.scalar(select(func.count(Member.id)).where(
                Member.last_name.like("Deltagare%")))
            db.session.remove()
    with app.app_context():
        db.engine.dispose()
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert len(statuses) > CLIENTS * 2  # they really ran, several rounds each
    assert (left, carried_out) == (0, len(applied))
