"""Scale benchmark: the coordinators' queue with 60,000 requests (5,000 open) and a
stödperson's pages with 600,000 contacts in the database.

    .venv/bin/python -m bench.support                 # SQLite
    DATABASE_URL=postgresql://… .venv/bin/python -m bench.support
    BENCH_REQUESTS=120000 .venv/bin/python -m bench.support

Builds the demo data, 3,000 stödpersoner and `flask demo-data --requests N`'s bulk inserts,
signs in through the real form, and prints the median time and the number of SQL statements
per page (target: each under 100 ms, statements independent of N).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import bench_app, measure, timed  # noqa: E402
from foreningen import demo  # noqa: E402
from foreningen.core.extensions import db  # noqa: E402
from foreningen.support.models import Assignment, Contact, SupportRequest  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", 60_000))
SUPPORTERS = int(os.environ.get("BENCH_SUPPORTERS", 3_000))


def fill(app) -> dict:
    with app.app_context():
        demo.load(supporters=SUPPORTERS, requests=REQUESTS)
        db.session.commit()
        counts = {"requests": db.session.scalar(select(func.count(SupportRequest.id))),
                  "open": db.session.scalar(select(func.count(SupportRequest.id)).where(
                      SupportRequest.status.in_(("new", "searching", "info_requested")))),
                  "contacts": db.session.scalar(select(func.count(Contact.id)))}
        print(f"{counts['requests']:,} requests ({counts['open']:,} open), "
              f"{counts['contacts']:,} contacts")
        crisis = db.session.scalar(select(SupportRequest.id).where(
            SupportRequest.status == "new").order_by(SupportRequest.urgency,
                                                     SupportRequest.due_at).limit(1))
        dina = db.session.scalar(select(Assignment.id).where(
            Assignment.status == "active").order_by(Assignment.id.desc()).limit(1))
        return {"request_id": crisis, "assignment_id": dina}


def coordinator_pages(s: dict) -> list[tuple[str, int]]:
    return [("/support/", 7), ("/support/?page=40", 5), (f"/support/requests/{s['request_id']}", 5),
            (f"/support/requests/{s['request_id']}/assign", 5), ("/", 5)]


def supporter_pages(s: dict) -> list[tuple[str, int]]:
    return [("/", 7), ("/support/mine/", 7),
            (f"/support/mine/assignments/{s['assignment_id']}", 5),
            ("/support/mine/contacts.csv", 3)]


def main() -> None:
    with bench_app("bench_support") as (app, kind):
        sample = timed(f"filled {REQUESTS:,} requests on {kind}", lambda: fill(app))
        print("\nAs the coordinator:")
        measure(app, "samordnare@example.org", demo.DEMO_PASSWORD, coordinator_pages(sample))
        print("\nAs the demo stödperson:")
        measure(app, "stodperson@example.org", demo.DEMO_PASSWORD, supporter_pages(sample))


if __name__ == "__main__":
    main()
