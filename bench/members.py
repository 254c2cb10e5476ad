"""Scale benchmark: the board's member register over 30,000 members with payments.

    .venv/bin/python -m bench.members                 # SQLite
    DATABASE_URL=postgresql://… .venv/bin/python -m bench.members
    BENCH_MEMBERS=100000 .venv/bin/python -m bench.members

Builds the register with `flask demo-data --members N` (the same bulk inserts), signs in as
the demo board member through the real form, and prints the median time and the number of
SQL statements per page and export.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from foreningen import create_app, demo  # noqa: E402
from foreningen.extensions import db  # noqa: E402
from foreningen.members.models import Member  # noqa: E402
from foreningen.municipalities.queries import by_code  # noqa: E402
from tests.support import base_config, scratch_database, submit  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", 30_000))
YEAR = date.today().year


def fill(app) -> dict:
    with app.app_context():
        demo.load(members=MEMBERS)
        db.session.commit()
        sample = db.session.execute(select(Member.id, Member.payment_reference, Member.last_name)
                                    .where(Member.status == "active")
                                    .order_by(Member.id).offset(MEMBERS // 2).limit(1)).one()
        count = db.session.scalar(select(func.count(Member.id)))
        return {"member_id": sample.id, "reference": sample.payment_reference,
                "name": sample.last_name[:4].lower(), "kommun": by_code("1480").id,
                "count": count}


def pages(s: dict) -> list[tuple[str, int]]:
    """(url, repetitions): the exports are slower and repeated less."""
    return [
        ("/members/", 5),
        ("/members/?page=300", 5),
        (f"/members/?q={s['name']}", 5),
        (f"/members/?q={s['reference']}", 5),
        ("/members/?category=supporting&status=active", 5),
        ("/members/?status=lapsed&sort=joined&direction=desc", 5),
        (f"/members/?paid=paid&year={YEAR}", 5),
        (f"/members/?paid=unpaid&year={YEAR}&sort=number&direction=desc&page=20", 5),
        (f"/members/?municipality={s['kommun']}&sort=status", 5),
        ("/members/?sort=joined&page=500", 5),
        (f"/members/{s['member_id']}", 5),
        ("/members/applications", 5),
        ("/members/export.csv?status=active&paid=unpaid", 3),
        ("/members/export.csv", 3),
        ("/members/export.xlsx", 3),
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_database(Path(tmp), "bench_members")
        app = create_app(base_config(url, 25, RATELIMIT_ENABLED=False))
        with app.app_context():
            upgrade()
        started = time.perf_counter()
        sample = fill(app)
        print(f"filled {sample['count']:,} members with history and payments in "
              f"{time.perf_counter() - started:.1f} s on {url.split(':')[0]}")

        statements = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute",
                         lambda *a, **k: statements.append(1))
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        signed_in = submit(client, "/auth/sign-in", {"email": "styrelse@example.org",
                                                     "password": demo.DEMO_PASSWORD})
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[-3000:]
        print(f"{'page':64} {'median ms':>10} {'queries':>8} {'kB':>8}")
        for page, repetitions in pages(sample):
            times = []
            for _ in range(repetitions):
                statements.clear()
                t0 = time.perf_counter()
                response = client.get(page)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (page, response.status_code)
            print(f"{page:64} {statistics.median(times):10.1f} {len(statements):8d} "
                  f"{len(response.get_data()) / 1024:8.0f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
