"""The portal served as in production, by gunicorn with the repository's gunicorn.conf.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_does_not_name_itself(tmp_path):
    (tmp_path / "served.py").write_text(
        "from foreningen import create_app\n"
        "from tests.support import base_config\n"
        f"app = create_app(base_config('sqlite:///{tmp_path}/served.db', 1))\n")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--pythonpath", f"{ROOT},{tmp_path}", "served:app"],
        cwd=ROOT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as got:
                    headers, status = got.headers, got.status
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.2)
        assert status == 200
        assert "gunicorn" not in (headers.get("Server") or "").lower()
        assert not headers.get("Server")
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
