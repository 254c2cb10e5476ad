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
import sys
from pathlib import Path

from sqlalchemy import func, select

from foreningen.core import clock  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import bench_app, measure, timed  # noqa: E402
from foreningen import demo  # noqa: E402
from foreningen.core.extensions import db  # noqa: E402
from foreningen.members.models import Member  # noqa: E402
from foreningen.municipalities.queries import by_code  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", 30_000))
YEAR = clock.today().year


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
    with bench_app("bench_members") as (app, kind):
        sample = timed(f"filled {MEMBERS:,} members with history and payments on {kind}",
                       lambda: fill(app))
        measure(app, "styrelse@example.org", demo.DEMO_PASSWORD, pages(sample))


if __name__ == "__main__":
    main()
