"""A planned meeting as an iCalendar file (RFC 5545, with the `icalendar` package): what a
phone's calendar needs and nothing more. No names and no facts: the summary is the same
for every meeting; the place is there because the person downloading it needs it."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

PRODUCT = "-//Föreningen//Stödperson//SV"


def ics(uid: str, starts_at: datetime, minutes: int, summary: str, place: str | None,
        stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=minutes))
    event.add("summary", summary)
    if place:
        event.add("location", place)
    calendar.add_component(event)
    return calendar.to_ical()
