"""The association's days are Swedish days, whatever zone the server runs in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from foreningen.core import clock
from foreningen.members.queries import RegisterFilter

# 23:30 UTC on New Year's Eve is already 00:30 on New Year's Day in Stockholm (UTC+1).
NEW_YEAR_IN_SWEDEN = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
# 22:30 UTC on a summer evening is 00:30 the next day in Stockholm (UTC+2).
MIDSUMMER_NIGHT = datetime(2026, 6, 19, 22, 30, tzinfo=UTC)


@pytest.fixture
def server_time(monkeypatch):
    def _set(instant: datetime):
        class FrozenDatetime(datetime):
            @classmethod
            def now(cls, tz=None):
                return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)

        monkeypatch.setattr(clock, "datetime", FrozenDatetime)
    return _set


def test_today_is_the_swedish_date_on_a_utc_server(server_time):
    server_time(NEW_YEAR_IN_SWEDEN)
    assert clock.today() == date(2027, 1, 1)
    assert clock.now().utcoffset().total_seconds() == 3600
    assert clock.utcnow() == NEW_YEAR_IN_SWEDEN


def test_summer_time_is_two_hours_ahead(server_time):
    server_time(MIDSUMMER_NIGHT)
    assert clock.today() == date(2026, 6, 20)
    assert clock.now().hour == 0


def test_the_register_shows_the_new_dues_year_from_swedish_midnight(server_time):
    server_time(NEW_YEAR_IN_SWEDEN)
    assert RegisterFilter().year == 2027


def test_start_of_a_day_is_swedish_midnight():
    start = clock.start_of(date(2027, 1, 1))
    assert start.astimezone(UTC) == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
