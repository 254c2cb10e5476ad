"""The crisis clock (krisstöd): by when a parent referred at placement must first be
contacted. Pure functions (no Flask, no database), so that every weekend, holiday, evening
and year end can be tested.

The routine: contact the same day, or, when the referral comes after office hours or on a
day off, on the next weekday. A referral is therefore due by the end of its *start day*: the
day it came, if that is a working day and it came before office hours ended; otherwise the
next working day. Working days are Monday to Friday except Swedish public holidays and the
eves that are days off in practice (midsummer, Christmas and New Year's eve), from the
`holidays` package (its "public" and "de_facto" categories).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OFFICE_CLOSES = time(16, 0)


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("SE", years=year,
                                               categories=("public", "de_facto")))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    following = day + timedelta(days=1)
    while not is_working_day(following):
        following += timedelta(days=1)
    return following


def start_day(referred_at: datetime, closes: time = OFFICE_CLOSES) -> date:
    """The working day the clock counts from (in Swedish time)."""
    local = referred_at.astimezone(STOCKHOLM)
    day = local.date()
    if is_working_day(day) and local.time() < closes:
        return day
    return next_working_day(day)


def first_contact_due(referred_at: datetime, closes: time = OFFICE_CLOSES) -> datetime:
    """The moment the first contact is overdue: the end of the start day (midnight after
    it, Swedish time), timezone-aware."""
    if referred_at.tzinfo is None:
        raise ValueError("a referral time must be timezone-aware")
    following = start_day(referred_at, closes) + timedelta(days=1)
    return datetime.combine(following, time.min, tzinfo=STOCKHOLM)


def is_overdue(due: datetime, now: datetime) -> bool:
    return now >= due


def due_day(due_at: datetime) -> date:
    """The day by whose end the first contact is due (what people are shown)."""
    return (due_at.astimezone(STOCKHOLM) - timedelta(seconds=1)).date()
