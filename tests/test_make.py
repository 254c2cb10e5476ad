"""The README's contract: `make run PORT=…` serves there and mail links follow."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_on_the_port_given_and_mail_links_follow():
    dry = subprocess.run(["make", "-n", "--always-make", "run", "PORT=5001"], cwd=ROOT,
                         capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin"}).stdout
    serve = [line for line in dry.splitlines() if "flask run" in line or "PUBLIC_BASE_URL" in line]
    command = " ".join(serve)
    assert "--port 5001" in command
    assert 'PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:5001}"' in command
