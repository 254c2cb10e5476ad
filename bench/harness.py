"""What every benchmark here does: a migrated scratch database, a signed-in client, and a
table of median time, SQL statements and size per page."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from flask_migrate import upgrade
from sqlalchemy import event

from foreningen import create_app
from foreningen.core.extensions import db
from tests.support import ClosingClient, base_config, scratch_database, submit


@contextmanager
def bench_app(name: str):
    """A fresh app on a scratch database of the kind under test (DATABASE_URL or SQLite)."""
    with TemporaryDirectory() as tmp:
        url = scratch_database(Path(tmp), name)
        app = create_app(base_config(url, 25, RATELIMIT_ENABLED=False))
        # Responses are closed as a server closes them (streamed exports end their reads).
        app.test_client_class = ClosingClient
        with app.app_context():
            upgrade()
        try:
            yield app, url.split(":")[0]
        finally:
            with app.app_context():
                db.engine.dispose()


def timed(label: str, fill: Callable[[], object]):
    started = time.perf_counter()
    result = fill()
    print(f"{label} in {time.perf_counter() - started:.1f} s")
    return result


def measure(app, email: str, password: str, pages: Iterable[tuple[str, int]]) -> None:
    """Sign in through the real form, then print one row per page."""
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    signed_in = submit(client, "/auth/sign-in", {"email": email, "password": password})
    assert signed_in.status_code == 302, "sign-in failed"
    print(f"{'page':64} {'median ms':>10} {'queries':>8} {'kB':>8}")
    for page, repetitions in pages:
        times = []
        for _ in range(repetitions):
            statements.clear()
            t0 = time.perf_counter()
            response = client.get(page)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (page, response.status_code)
        print(f"{page:64} {statistics.median(times):10.1f} {len(statements):8d} "
              f"{len(response.get_data()) / 1024:8.0f}")
