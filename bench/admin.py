"""Scale benchmark: admin pages over a national-size account list and audit log.

    .venv/bin/python -m bench.admin      # 20,000 users, 300,000 audit events, SQLite
    DATABASE_URL=postgresql://… .venv/bin/python -m bench.admin

Prints the median time and the number of SQL statements per page.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import bench_app, measure, timed  # noqa: E402
from foreningen.accounts.models import User, UserRole  # noqa: E402
from foreningen.core.audit import AuditEvent  # noqa: E402
from foreningen.core.db import utcnow  # noqa: E402
from foreningen.core.extensions import db  # noqa: E402

USERS = int(os.environ.get("BENCH_USERS", 20_000))
EVENTS = int(os.environ.get("BENCH_EVENTS", 300_000))
PAGES = [
    "/admin/users",
    "/admin/users?q=user1234",
    "/admin/users?role=supporter&page=20",
    "/admin/users?status=disabled",
    "/admin/audit",
    "/admin/audit?action=auth.sign_in",
    "/admin/audit?action=auth.",
    "/admin/audit?subject_type=user_account&page=50",
    "/admin/audit?date_from=2026-01-01&date_to=2026-01-31",
]


def fill(app) -> int:
    with app.app_context():
        roles = ["member", "supporter", "parent", "coordinator"]
        now = utcnow()
        batch = [{"email": f"user{i}@example.org", "display_name": f"Person {i}",
                  "created_at": now, "updated_at": now,
                  "disabled_at": now if i % 50 == 1 else None} for i in range(USERS)]
        db.session.execute(insert(User), batch)
        ids = [row[0] for row in db.session.execute(db.select(User.id))]
        db.session.execute(insert(UserRole), [{"user_id": uid, "role": roles[uid % 4]}
                                              for uid in ids])
        admin_id = db.session.scalar(db.select(User.id).where(User.email == "user0@example.org"))
        db.session.execute(insert(UserRole), [{"user_id": admin_id, "role": "admin"}])
        actions = ["auth.sign_in", "auth.sign_out", "user.create", "access.refused"]
        for start in range(0, EVENTS, 50_000):
            db.session.execute(insert(AuditEvent), [
                {"occurred_at": now - timedelta(minutes=n), "actor_id": ids[n % len(ids)],
                 "actor_role": "member", "action": actions[n % 4], "subject_type": "user_account",
                 "subject_id": ids[(n * 7) % len(ids)], "request_id": f"{n:016x}"}
                for n in range(start, min(start + 50_000, EVENTS))])
        db.session.commit()
        return admin_id


def main() -> None:
    with bench_app("bench") as (app, kind):
        admin_id = timed(f"filled {USERS:,} users and {EVENTS:,} audit events on {kind}",
                         lambda: fill(app))
        with app.app_context():
            from foreningen.accounts.passwords import hash_password

            db.session.get(User, admin_id).password_hash = hash_password("bench-password-2026")
            db.session.commit()
        measure(app, "user0@example.org", "bench-password-2026", [(p, 5) for p in PAGES])


if __name__ == "__main__":
    main()
