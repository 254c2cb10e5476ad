"""Scale benchmark: the coordinators' pages over 3,000 stödpersoner with their completions,
languages and a year of monthly supervision.

    .venv/bin/python -m bench.supporters                 # SQLite
    DATABASE_URL=postgresql://… .venv/bin/python -m bench.supporters
    BENCH_SUPPORTERS=10000 .venv/bin/python -m bench.supporters

Builds the demo data and `flask demo-data --supporters N`'s bulk inserts, signs in as the
demo coordinator through the real form, and prints the median time and the number of SQL
statements per page (target: each under 100 ms, statements independent of N).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import bench_app, measure, timed  # noqa: E402
from foreningen import demo  # noqa: E402
from foreningen.core.extensions import db  # noqa: E402
from foreningen.supporters.models import Supporter  # noqa: E402

SUPPORTERS = int(os.environ.get("BENCH_SUPPORTERS", 3_000))


def fill(app) -> dict:
    with app.app_context():
        demo.load(supporters=SUPPORTERS)
        db.session.commit()
        middle = db.session.scalar(select(Supporter.id).where(Supporter.stage == "active")
                                   .order_by(Supporter.id).offset(SUPPORTERS // 2).limit(1))
        name = db.session.scalar(select(Supporter.display_name).where(Supporter.id == middle))
        return {"supporter_id": middle, "name": name[:4].lower()}


def pages(s: dict) -> list[tuple[str, int]]:
    return [
        ("/supporters/", 5),
        ("/supporters/?stage=active&page=20", 5),
        (f"/supporters/?q={s['name']}", 5),
        ("/supporters/?language=ar&sort=changed&direction=desc", 5),
        ("/supporters/attention", 5),
        (f"/supporters/{s['supporter_id']}", 5),
        ("/supporters/training", 5),
        ("/supporters/supervision", 5),
        ("/supporters/supervision.csv", 3),
    ]


def main() -> None:
    with bench_app("bench_supporters") as (app, kind):
        sample = timed(f"filled {SUPPORTERS:,} stödpersoner on {kind}", lambda: fill(app))
        measure(app, "samordnare@example.org", demo.DEMO_PASSWORD, pages(sample))


if __name__ == "__main__":
    main()
