"""Deferred work: what a public form asks for is done after the answer, not before it.

A public form that takes an email address (apply for membership, reset a password) must
answer in the same time whether or not the address is known: doing the real work in the
request made a known address answer faster (join) or slower (reset) than an unknown one,
and a single request could tell which. So such a view validates the form, stores the same
small job whatever the address (`defer`), and answers. The job is done afterwards:

- in development and tests, once the response is out (`JOBS_RUN_AFTER_REQUEST`);
- in production, by the timer that sends mail (`flask outbox send` runs due jobs first).

A job's payload is encrypted (it holds what the person typed) and the row is deleted once
the job is done. A failing job is retried with backoff, in a transaction of its own, and
two runners never take the same job (a row lock, skipped by the other).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import g
from sqlalchemy import Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from foreningen.core import privacy
from foreningen.core.db import EncryptedText, UTCDateTime, utcnow
from foreningen.core.extensions import db

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5

_handlers: dict[str, Callable[..., None]] = {}


class Job(db.Model):
    __tablename__ = "deferred_job"
    __table_args__ = (Index("ix_deferred_job_due", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # Set when the last attempt failed: the job is kept (for the log) until the purge.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))


def handler(kind: str):
    """Register the function that does a kind of job; it gets the payload as keywords,
    runs in a transaction of its own and flushes (the runner commits)."""
    def register(function):
        if kind in _handlers and _handlers[kind] is not function:
            raise ValueError(f"a handler for job {kind!r} is already registered")
        _handlers[kind] = function
        return function
    return register


def defer(kind: str, **payload) -> None:
    """Store a job in the request's transaction. The work it costs does not depend on the
    payload's content: one encrypted row."""
    if kind not in _handlers:
        raise KeyError(f"no handler for job {kind!r}")
    db.session.add(Job(kind=kind, payload=json.dumps(payload, ensure_ascii=False)))
    g.jobs_deferred = True


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def run_pending(limit: int = 100) -> tuple[int, int]:
    """Do the due jobs, one transaction each. Returns (done, failed). Runs in an
    application context outside any request (after the response, or a command)."""
    done = failed = 0
    session = db.session
    # SQLite: each job's transaction takes the write lock at once, as a request's does (the
    # job reads, then writes). See core/sqlite.py.
    g.sqlite_immediate = True
    for _ in range(limit):
        job = session.scalar(
            select(Job).where(Job.failed_at.is_(None), Job.next_attempt_at <= utcnow())
            .order_by(Job.id).limit(1).with_for_update(skip_locked=True))
        if job is None:
            session.rollback()
            break
        function = _handlers.get(job.kind)
        try:
            if function is None:
                raise LookupError(f"no handler for job {job.kind!r}")
            with session.begin_nested():
                function(**json.loads(job.payload))
        except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, then retried
            log.warning("jobs: %s failed (%s), attempt %d", job.kind, type(exc).__name__,
                        job.attempts + 1)
            job.attempts += 1
            job.last_error = type(exc).__name__[:200]
            job.next_attempt_at = utcnow() + backoff(job.attempts)
            if job.attempts >= MAX_ATTEMPTS:
                job.failed_at = utcnow()
            failed += 1
        else:
            session.delete(job)
            done += 1
        session.commit()
    return done, failed


def pending_count() -> int:
    return db.session.scalar(select(func.count(Job.id)).where(Job.failed_at.is_(None))) or 0


def after_response(app) -> Callable[[], None]:
    """The work a request left for after its answer: deferred jobs (when
    JOBS_RUN_AFTER_REQUEST), then the mail they and the request queued (when
    OUTBOX_SEND_AFTER_REQUEST). Each in an application context and transactions of its own
    (the request's transaction is over by then)."""
    run_jobs = app.config["JOBS_RUN_AFTER_REQUEST"] and g.get("jobs_deferred")
    send_mail = app.config["OUTBOX_SEND_AFTER_REQUEST"] and (g.get("mail_queued") or run_jobs)

    def work():
        from foreningen.core.db import own_session
        from foreningen.core.outbox import send_pending

        with app.app_context():
            if run_jobs:
                try:
                    run_pending()
                except Exception:  # noqa: BLE001 - must never break the page that deferred it
                    db.session.rollback()
                    app.logger.exception("jobs: running after the request failed")
            if send_mail:
                try:
                    with own_session() as session:
                        send_pending(session=session)
                except Exception:  # noqa: BLE001 - mail must never break the page that queued it
                    app.logger.exception("outbox: sending after the request failed")

    return work if (run_jobs or send_mail) else None


FAILED_JOB_DAYS = 7


@privacy.retention_rule("jobs.failed", tables=("deferred_job",),
                        description="Deferred requests that failed, kept a week for the log")
def delete_failed_jobs(today) -> int:
    from foreningen.core.clock import start_of

    before = start_of(today - timedelta(days=FAILED_JOB_DAYS))
    return db.session.execute(delete(Job).where(Job.failed_at < before)).rowcount


privacy.exempt("deferred_job", download="A request typed into a public form (an application, "
               "a password reset), kept only until it is carried out a moment later.")

