"""Rate limits hold across gunicorn's workers when they share Redis (probe finding 2).

With each worker counting for itself (`memory://`), 40 of 50 sign-ins from one address
passed a limit of 20 and 9 second-factor guesses passed a limit of 5. Here a real Redis
server on loopback holds the counts for a real gunicorn with three workers, and every limit
lets through exactly what it says. (Production refuses `memory://` unless told otherwise:
tests/test_config.py.)

Redis is installed by `.ci/run` (Debian's redis-server); elsewhere the test is skipped
without it, and fails under CI.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyotp
import pytest
from flask_migrate import upgrade

from foreningen import create_app
from foreningen.core.extensions import db
from tests import factories
from tests.support import TEST_FIELD_KEY, base_config, free_port, scratch_database

ROOT = Path(__file__).resolve().parent.parent
REDIS = shutil.which("redis-server")
WORKERS = 3
LIMITS = {"LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
          "LOGIN_LIMIT_PER_ADDRESS": "12 per 15 minutes"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REDIS and not os.environ.get("CI"),
                       reason="no redis-server here (CI installs it)"),
]


def _wait_for(predicate, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} did not start in {seconds} s"
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - http on loopback
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    assert REDIS, "redis-server is not installed"
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)

        def up():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        _wait_for(up, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory, redis_url, smtp):
    """gunicorn, three workers, the limits in Redis; and two accounts in its database."""
    folder = tmp_path_factory.mktemp("served")
    url = scratch_database(folder, "rlimits")
    # This process only builds the database: its app keeps the suite's memory:// limits
    # (the limiter is one object per process; pointed at this Redis it would outlive it).
    app = create_app(base_config(url, smtp[1]))
    with app.app_context():
        upgrade()
    plain = factories.user(app, ["member"], email="gissad@example.org")
    staff = factories.user(app, ["board"], email="tvafaktor@example.org", totp=True)
    with app.app_context():
        db.engine.dispose()
    (folder / "served.py").write_text(
        "from foreningen import create_app\n"
        "from tests.support import base_config\n"
        f"app = create_app(base_config({url!r}, {smtp[1]}, "
        f"FIELD_ENCRYPTION_KEY={TEST_FIELD_KEY!r}, "  # this process's key, not a new one
        f"RATELIMIT_STORAGE_URI={redis_url!r}, **{LIMITS!r}))\n")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--pythonpath", f"{ROOT},{folder}", "served:app"],
        cwd=ROOT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _answers(base + "/healthz"), "gunicorn")
        yield base, plain, staff
    finally:
        server.terminate()
        server.wait(timeout=10)


class Browser:
    """Cookies and the form's CSRF token; a new connection for every request, so that the
    requests are spread over the workers."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as answer:
            return answer.read().decode()

    def post(self, path: str, data: dict) -> int:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as answer:
                return answer.status
        except urllib.error.HTTPError as answer:
            return answer.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_guesses_at_one_account_stop_at_the_limit_across_workers(served):
    base, plain, _ = served
    answers = [Browser(base).post("/auth/sign-in", {"email": plain.email, "password": "fel"})
               for _ in range(9)]
    assert answers == [200] * 5 + [429] * 4


def test_second_factor_guesses_stop_at_the_limit_across_workers(served):
    base, _, staff = served
    browser = Browser(base)
    assert browser.post("/auth/sign-in", {"email": staff.email,
                                          "password": staff.password}) == 302
    right = pyotp.TOTP(staff.totp_secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answers = [browser.post("/auth/two-factor", {"code": wrong}) for _ in range(8)]
    assert answers == [200] * 5 + [429] * 3


def test_reset_requests_from_one_address_stop_at_the_limit_across_workers(served):
    base, _, _ = served
    answers = [Browser(base).post("/auth/reset", {"email": f"vem{n}@example.org"})
               for n in range(15)]
    assert answers == [200] * 12 + [429] * 3
