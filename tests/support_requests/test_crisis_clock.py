"""The crisis clock: contact the same day, or the next weekday when the referral comes after
office hours or on a day off, across weekends, Swedish holidays (the eves included) and
year ends, whatever the server's time zone."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from foreningen.support.crisis_clock import (
    STOCKHOLM,
    first_contact_due,
    is_overdue,
    is_working_day,
    next_working_day,
)


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock),
                            tzinfo=STOCKHOLM)


def due_day(referred: datetime, closes: time = time(16)) -> date:
    """The day by whose end the contact is due."""
    return (first_contact_due(referred, closes) - timedelta(seconds=1)).astimezone(
        STOCKHOLM).date()


@pytest.mark.parametrize("referred, due", [
    (at("2026-11-23", "09:00"), "2026-11-23"),  # Monday morning: the same day
    (at("2026-11-23", "15:59"), "2026-11-23"),  # just before office hours end
    (at("2026-11-23", "16:00"), "2026-11-24"),  # at 16:00: the next weekday
    (at("2026-11-27", "17:30"), "2026-11-30"),  # Friday evening: Monday
    (at("2026-11-28", "10:00"), "2026-11-30"),  # Saturday: Monday
    (at("2026-11-29", "23:59"), "2026-11-30"),  # Sunday night: Monday
    (at("2026-12-23", "16:30"), "2026-12-28"),  # Christmas: eve, day, Boxing day, weekend
    (at("2026-12-24", "09:00"), "2026-12-28"),  # Christmas Eve is a day off
    (at("2026-12-30", "16:01"), "2027-01-04"),  # New Year's Eve, Day, then the weekend
    (at("2026-12-31", "08:00"), "2027-01-04"),
    (at("2027-01-05", "17:00"), "2027-01-07"),  # Epiphany (6 January)
    (at("2026-06-18", "17:00"), "2026-06-22"),  # Midsummer Eve and Day
    (at("2026-04-02", "12:00"), "2026-04-02"),  # Maundy Thursday is a working day
    (at("2026-04-02", "18:00"), "2026-04-07"),  # Good Friday to Easter Monday
    (at("2026-05-13", "16:00"), "2026-05-15"),  # Ascension Day
    (at("2026-06-05", "16:15"), "2026-06-08"),  # National Day on a Saturday
])
def test_the_contact_is_due_by_the_end_of_the_start_day(referred, due):
    assert due_day(referred) == date.fromisoformat(due)


def test_office_hours_are_configurable():
    assert due_day(at("2026-11-23", "15:00"), closes=time(14)) == date(2026, 11, 24)
    assert due_day(at("2026-11-23", "17:00"), closes=time(18)) == date(2026, 11, 23)


def test_the_clock_keeps_swedish_time_whatever_the_server_zone():
    # 23:30 UTC on a Sunday is 00:30 on Monday in Sweden (winter time): due Monday.
    sunday_night_utc = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert due_day(sunday_night_utc) == date(2026, 11, 30)
    # 14:30 UTC in summer is 16:30 in Sweden: after office hours.
    summer = datetime(2026, 8, 18, 14, 30, tzinfo=UTC)
    assert due_day(summer) == date(2026, 8, 19)
    with pytest.raises(ValueError):
        first_contact_due(datetime(2026, 11, 23, 9, 0))


def test_overdue_from_the_due_moment():
    due = first_contact_due(at("2026-11-23", "09:00"))
    assert due == at("2026-11-24", "00:00")
    assert not is_overdue(due, at("2026-11-23", "23:59"))
    assert is_overdue(due, at("2026-11-24", "00:00"))


def test_working_days():
    assert is_working_day(date(2026, 11, 23))
    assert not is_working_day(date(2026, 12, 24)) and not is_working_day(date(2026, 6, 19))
    assert not is_working_day(date(2026, 12, 31)) and not is_working_day(date(2027, 1, 1))
    assert next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)
