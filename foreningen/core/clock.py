"""The association's clock: Swedish calendar days and times, whatever the server's zone.

Stored times are timezone-aware UTC (`utcnow()`); what a day *is* — the dues year, the lapse
date, "today" on a form — follows Europe/Stockholm, so that 00:30 on 1 January in Sweden is
already the new year on a server that runs in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utcnow() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The time in Sweden, timezone-aware."""
    return datetime.now(STOCKHOLM)


def today() -> date:
    """Today's date in Sweden."""
    return now().date()


def start_of(day: date) -> datetime:
    """The first moment of a Swedish calendar day, timezone-aware."""
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM)


def months_ago(today: date, months: int) -> date:
    """The same day `months` months before (the 28th at most): where a retention period in
    months ends."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, 28))
