"""The portal under gunicorn with production settings, signed in over plain HTTP.

The session cookie is `__Host-foreningen_session`, Secure: a cookie jar would not send it
back over http, so the Set-Cookie headers are read here and the cookie is sent by hand
(and to wrk with -H "Cookie: …").
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pyotp

from bench.dataset import DATA, ROOT

COOKIE = "__Host-foreningen_session"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, field_key: str, port: int) -> dict[str, str]:
    """What production requires, for this machine: SQLite allowed, rate limits off (the
    benchmark signs in and hammers one address), mail to a port where nothing listens."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RATELIMIT_", "MAIL_", "SESSION_", "REQUIRE_"))}
    env.update({
        "FORENINGEN_ENV": "production", "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48), "FIELD_ENCRYPTION_KEY": field_key,
        "ALLOW_SQLITE_IN_PRODUCTION": "1", "RATELIMIT_ENABLED": "0",
        "RATELIMIT_ALLOW_MEMORY": "1", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


class Server:
    """gunicorn started from the repository (so that it reads gunicorn.conf.py)."""

    def __init__(self, env: dict[str, str], port: int, workers: int):
        self.env, self.port, self.workers = env, port, workers
        self.log_path = DATA / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers),
             "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(self.port, "GET", "/healthz")[0] == 200 and \
                        len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise SystemExit("gunicorn did not start:\n" + self.log_path.read_text()[-3000:])
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            return sorted(int(p) for p in children.read_text().split())
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return sorted(found)

    def rss_mib(self) -> dict[str, float]:
        """VmRSS of the master and of each worker."""
        result = {}
        for name, pid in [("master", self.process.pid)] + [
                (f"worker {n}", p) for n, p in enumerate(self.worker_pids(), 1)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kib = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            result[name] = round(kib / 1024, 1)
        return result


def request(port: int, method: str, path: str, *, cookie: str | None = None,
            body: bytes | None = None, content_type: str | None = None,
            timeout: float = 600) -> tuple[int, dict[str, list[str]], bytes]:
    """One request on a connection of its own: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept-Language": "sv"}
    if cookie:
        headers["Cookie"] = cookie
    if content_type:
        headers["Content-Type"] = content_type
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        got: dict[str, list[str]] = {}
        for name, value in answer.getheaders():
            got.setdefault(name.lower(), []).append(value)
        return answer.status, got, answer.read()
    finally:
        connection.close()


def session_cookie(headers: dict[str, list[str]], current: str | None) -> str | None:
    for value in headers.get("set-cookie", []):
        pair = value.split(";", 1)[0].strip()
        if pair.startswith(COOKIE + "="):
            return pair if pair != COOKIE + "=" else None
    return current


def _form(port: int, path: str, cookie: str | None) -> tuple[str, str | None]:
    status, headers, body = request(port, "GET", path, cookie=cookie)
    match = CSRF.search(body.decode())
    if status != 200 or not match:
        raise SystemExit(f"sign-in: GET {path} answered {status} without a form")
    return match.group(1), session_cookie(headers, cookie)


def _post(port: int, path: str, cookie: str | None, fields: dict) -> tuple[int, str | None]:
    status, headers, _body = request(
        port, "POST", path, cookie=cookie, body=urllib.parse.urlencode(fields).encode(),
        content_type="application/x-www-form-urlencoded")
    return status, session_cookie(headers, cookie)


def sign_in(port: int, email: str, password: str, totp_secret: str,
            recovery: list[str]) -> str:
    """Password, then the second factor, through the real forms; returns "name=value"."""
    token, cookie = _form(port, "/auth/sign-in", None)
    status, cookie = _post(port, "/auth/sign-in", cookie,
                           {"csrf_token": token, "email": email, "password": password,
                            "next": ""})
    if status != 302:
        raise SystemExit(f"sign-in of {email}: the password step answered {status}")
    token, cookie = _form(port, "/auth/two-factor", cookie)
    for code in [pyotp.TOTP(totp_secret).now(), *recovery]:
        status, signed_in = _post(port, "/auth/two-factor", cookie,
                                  {"csrf_token": token, "code": code})
        if status == 302:
            return signed_in
        # This step was used already (each TOTP step once per user): a recovery code next.
        token, cookie = _form(port, "/auth/two-factor", cookie)
    raise SystemExit(f"sign-in of {email}: no second-factor code was accepted")


def multipart(field: str, filename: str, data: bytes, fields: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             .encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                 f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode() + data
                 + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def form_token(port: int, path: str, cookie: str) -> tuple[str, str]:
    """The form's CSRF token and the session cookie that goes with it (the token is kept in
    the session, so the cookie may change)."""
    return _form(port, path, cookie)
