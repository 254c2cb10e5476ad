"""The load benchmark's database: `demo.load(members=N)` once per size and day, kept in a
cache and copied for every run (the run writes to it: audit rows, an import, `flask purge`).

SQLite: bench/.data/<key>.sqlite3, copied to bench/.data/run.sqlite3.
PostgreSQL (DATABASE_URL): the database foreningen_bench_data_<N> on the same server, copied
with CREATE DATABASE foreningen_bench TEMPLATE … for every run.

The build runs in a child process. demo.add_members is seeded by the first member number and
sorts the names it draws, so the same size on the same day gives the same register.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RUN_DATABASE = "foreningen_bench"
BOARD = "styrelse@example.org"
ADMIN = "admin@example.org"
COORDINATOR = "samordnare@example.org"
SUPPORTERS = 3_000  # stödpersoner with their readiness and a year of supervision
REQUESTS = 60_000  # support requests, 5,000 open, about 615,000 contacts
BANK_LINES = 5000


def normalised(url: str) -> str:
    from foreningen.core.config import normalise_database_url

    return normalise_database_url(url)


def cache_key(members: int) -> str:
    """Size, day (demo dates follow today) and the code that shapes the data: demo.py, the
    models, core/db.py (statistics after bulk loads) and the migrations."""
    from foreningen.core import clock

    digest = hashlib.sha256()
    package = ROOT / "foreningen"
    for path in sorted([package / "demo.py", package / "demo_supporters.py",
                        package / "demo_support.py",
                        package / "core" / "db.py",
                        *package.glob("*/models.py"),
                        *(ROOT / "migrations" / "versions").glob("*.py")]):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return f"{members}-{clock.today().isoformat()}-{digest.hexdigest()[:10]}"


def prepare(members: int, postgres: str | None, log=print) -> tuple[str, dict]:
    """(database URL for this run, facts about the data) — built or taken from the cache."""
    DATA.mkdir(parents=True, exist_ok=True)
    key = cache_key(members)
    kind = "postgresql" if postgres else "sqlite"
    meta_path = DATA / f"{kind}-{members}.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    if postgres:
        cache_url = _pg_url(postgres, f"{RUN_DATABASE}_data_{members}")
        present = _pg_exists(cache_url)
    else:
        cache_file = DATA / f"{key}.sqlite3"
        cache_url = f"sqlite:///{cache_file}"
        present = cache_file.exists()
    if meta.get("key") == key and present:
        log(f"dataset: {members:,} members from the cache ({key})")
    else:
        if not postgres:
            for old in DATA.glob(f"{members}-*.sqlite3"):  # yesterday's of the same size
                old.unlink()
        elif present:
            _pg_drop(cache_url)
        started = time.perf_counter()
        log(f"dataset: building {members:,} members with demo.load ({kind}) …")
        meta = _build(cache_url, members, postgres is not None)
        meta["key"] = key
        meta["build_seconds"] = round(time.perf_counter() - started, 1)
        meta_path.write_text(json.dumps(meta))
        log(f"dataset: built in {meta['build_seconds']} s")
    if postgres:
        run_url = _pg_url(postgres, RUN_DATABASE)
        _pg_drop(run_url)
        _pg_admin(run_url, f'CREATE DATABASE "{RUN_DATABASE}" TEMPLATE '
                           f'"{sa.engine.make_url(cache_url).database}"')
    else:
        run_file = DATA / "run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{run_file}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(cache_file, run_file)
        run_url = f"sqlite:///{run_file}"
    return run_url, meta


def _build(url: str, members: int, postgres: bool) -> dict:
    """In a child process with fixed string hashing; returns what it prints."""
    if postgres:
        _pg_admin(url, f'CREATE DATABASE "{sa.engine.make_url(url).database}"')
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "FORENINGEN_ENV": "development"}
    env.pop("DATABASE_URL", None)
    log_path = DATA / "build.log"
    with log_path.open("wb") as log:
        done = subprocess.run([sys.executable, "-m", "bench.dataset", url, str(members)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log,
                              check=False)
    if done.returncode:
        if postgres:
            _pg_drop(url)
        raise SystemExit(f"building the dataset failed (exit {done.returncode}):\n"
                         + log_path.read_text()[-3000:])
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def build_here(url: str, members: int) -> dict:
    """The child's work: migrate, load, enrol the second factor of the board member and the
    administrator, and note what the pages and jobs need."""
    import pyotp
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from foreningen import create_app, demo
    from foreningen.accounts import services as accounts
    from foreningen.accounts.queries import user_by_email
    from foreningen.core.extensions import db
    from foreningen.members.models import Member
    from foreningen.municipalities.queries import by_code
    from foreningen.support.models import Assignment, SupportRequest
    from foreningen.supporters.models import Supporter

    field_key = Fernet.generate_key().decode()
    app = create_app({"ENV_NAME": "development", "TESTING": True,
                      "SECRET_KEY": "bench-build-" + "x" * 40, "FIELD_ENCRYPTION_KEY": field_key,
                      "SQLALCHEMY_DATABASE_URI": normalised(url), "RATELIMIT_ENABLED": False,
                      "MAIL_SERVER": "", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        demo.load(members=members, supporters=SUPPORTERS, requests=REQUESTS)
        db.session.commit()
        totp = {}
        for email in (BOARD, ADMIN, COORDINATOR):
            user = user_by_email(email)
            secret = accounts.begin_totp(user)
            recovery = accounts.confirm_totp(user, pyotp.TOTP(secret).now())
            user.totp_last_step = None  # the benchmark signs in with this step's code
            totp[email] = {"secret": secret, "recovery": recovery}
        db.session.commit()
        middle = db.session.execute(
            select(Member.id, Member.last_name).where(Member.status == "active",
                                                      Member.protected_identity.is_(False))
            .order_by(Member.number).offset(members // 2).limit(1)).one()
        references = db.session.scalars(
            select(Member.payment_reference).where(Member.status.in_(("active", "lapsed")))
            .order_by(Member.number).limit(BANK_LINES)).all()
        facts = {"members": db.session.scalar(select(func.count(Member.id))),
                 "field_key": field_key, "totp": totp, "member_id": middle.id,
                 "name": middle.last_name[:4].lower(), "municipality_id": by_code("1480").id,
                 "references": references,
                 "supporter_id": db.session.scalar(
                     select(Supporter.id).where(Supporter.stage == "active")
                     .order_by(Supporter.id).offset(SUPPORTERS // 2).limit(1)),
                 "request_id": db.session.scalar(
                     select(SupportRequest.id).where(SupportRequest.status == "new")
                     .order_by(SupportRequest.urgency, SupportRequest.due_at).limit(1)),
                 # A closed one (the bulk requests' assignments are): the coordinator's view.
                 "assignment_id": db.session.scalar(
                     select(Assignment.id).order_by(Assignment.id.desc()).limit(1))}
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    if dialect == "sqlite":
        # One self-contained file to copy: the WAL folded in.
        connection = sa.create_engine(url).connect()
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
        connection.close()
    else:
        _pg_run(url, "VACUUM ANALYZE")
    return facts


# --- PostgreSQL ---------------------------------------------------------------------------

def _pg_url(base: str, database: str) -> str:
    return (sa.engine.make_url(normalised(base)).set(database=database)
            .render_as_string(hide_password=False))


def _pg_run(url: str, statement: str) -> None:
    engine = sa.create_engine(normalised(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def _pg_admin(url: str, statement: str) -> None:
    _pg_run(_pg_url(url, "postgres"), statement)


def _pg_exists(url: str) -> bool:
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(_pg_url(url, "postgres"))
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                               {"n": name}) is not None
    finally:
        engine.dispose()


def _pg_drop(url: str) -> None:
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)')


def drop_run_database(postgres: str | None) -> None:
    if postgres:
        _pg_drop(_pg_url(postgres, RUN_DATABASE))


def bank_file(references: list[str], year: int, today: str) -> bytes:
    """A CSV bank file as the import reads it (dues/bankfile.py): one payment a line, each
    with its own transaction id; every 50th line names no member (kept for the board)."""
    lines = ["Datum;Referens;Belopp;Transaktions-ID;År;Text"]
    for n in range(BANK_LINES):
        reference = references[n % len(references)] if n % 50 else f"9{n:08d}"
        lines.append(f"{today};{reference};{200 + n % 3 * 100},00;BENCH-{today}-{n:05d};"
                     f"{year};Betalning {n}")
    return ("\r\n".join(lines) + "\r\n").encode()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(build_here(sys.argv[1], int(sys.argv[2]))))
