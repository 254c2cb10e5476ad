"""Deferred jobs (core/jobs.py): what the public forms leave for after their answer is done
once, encrypted while it waits, retried when it fails, and carried out in production by the
mail timer (flask outbox send)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from foreningen.core import clock, jobs, privacy
from foreningen.core.db import utcnow
from foreningen.core.extensions import db as _db
from foreningen.members.models import Member
from tests.support import submit

calls: list[dict] = []


@jobs.handler("tests.fails")
def _fails(**payload):
    calls.append(payload)
    raise RuntimeError("the handler failed")


def test_production_carries_out_a_deferred_application_with_the_mail_timer(app, client, runner,
                                                                           inbox, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_RUN_AFTER_REQUEST", False)  # production's setting
    answer = submit(client, "/join/", {"category": "supporting", "first_name": "Tove",
                                       "last_name": "Timer", "email": "tove@example.org",
                                       "privacy_notice": "y"})
    assert answer.status_code == 302
    with app.app_context():
        assert _db.session.scalar(select(Member).where(Member.email == "tove@example.org")) is None
        # What waits is unreadable in the database: the payload is encrypted.
        raw = _db.session.execute(sa.text("SELECT payload FROM deferred_job")).scalars().all()
        assert len(raw) == 1 and "tove" not in raw[0] and "Timer" not in raw[0]
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Requests carried out 1, failed 0" in result.output
    with app.app_context():
        assert _db.session.scalar(select(Member).where(
            Member.email == "tove@example.org")) is not None
        assert jobs.pending_count() == 0  # done jobs are deleted with what they held
    assert [m["To"] for m in inbox.messages] == ["tove@example.org"]


def test_a_failing_job_is_retried_with_backoff_then_kept_a_week_as_failed(app, db):
    calls.clear()
    with app.app_context():
        jobs.defer("tests.fails", note="x")
        _db.session.commit()
        for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
            assert jobs.run_pending() == (0, 1)
            job = _db.session.scalar(select(jobs.Job))
            assert job.attempts == attempt and job.last_error == "RuntimeError"
            if attempt < jobs.MAX_ATTEMPTS:
                assert job.failed_at is None
                assert job.next_attempt_at > utcnow() + timedelta(seconds=50)
                assert jobs.run_pending() == (0, 0)  # not due yet
                job.next_attempt_at = utcnow()
                _db.session.commit()
        assert job.failed_at is not None
        assert jobs.run_pending() == (0, 0)  # given up
        assert calls == [{"note": "x"}] * jobs.MAX_ATTEMPTS
        privacy.purge(clock.today() + timedelta(days=jobs.FAILED_JOB_DAYS - 1))
        assert _db.session.scalar(select(jobs.Job)) is not None
        privacy.purge(clock.today() + timedelta(days=jobs.FAILED_JOB_DAYS + 1))
        assert _db.session.scalar(select(jobs.Job)) is None


def test_a_job_of_no_known_kind_is_refused_when_deferred(app, db):
    with app.app_context(), pytest.raises(KeyError):
        jobs.defer("tests.nobody-handles-this")
