"""Planned meetings: the stödperson plans the next one (a time ahead, a sane length), the
parent sees it on the status page, both download it as .ics, and the day before both are
reminded once, whichever host runs the command; a text message to a phone-only parent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from foreningen.core import clock
from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from foreningen.support.crisis_clock import STOCKHOLM
from foreningen.support.models import Meeting
from tests import factories
from tests.support import signed_in, submit


@pytest.fixture
def setting(app, db):
    lund = factories.municipality(app, "1281", "Lund")
    made = factories.support_request(app, lund)
    lena = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    assignment_id = factories.assignment(app, made.id, lena.id)
    return made, lena, assignment_id, signed_in(app, lena.account)


def at_six(text: str) -> bool:
    """18:00 as the reader's language writes it (6:00 PM in English)."""
    return "18:00" in text or "6:00" in text


def plan(client, assignment_id, **changes):
    tomorrow = clock.today() + timedelta(days=1)
    data = {"on": tomorrow.isoformat(), "at": "18:00", "minutes": "60", "form": "in_person",
            "place": "Stadsbiblioteket", **changes}
    data = {f"meeting-{name}": value for name, value in data.items()}
    return submit(client, f"/support/mine/assignments/{assignment_id}", data,
                  action_contains="/meetings")


def parent_browser(app, made):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit(browser, "/ask/status", {"reference": made.reference, "code": made.code},
           action_contains="/ask/status")
    return browser


def test_the_stodperson_plans_a_meeting_and_the_parent_sees_it(app, setting):
    made, _, assignment_id, client = setting
    assert plan(client, assignment_id).status_code == 302
    page = client.get(f"/support/mine/assignments/{assignment_id}").get_data(as_text=True)
    assert "Stadsbiblioteket" in page and at_six(page)
    assert at_six(client.get("/support/mine/").get_data(as_text=True))
    parent = parent_browser(app, made)
    status = parent.get("/ask/status").get_data(as_text=True)
    assert "Your next meeting" in status and "Stadsbiblioteket" in status
    ics = parent.get("/ask/status/meeting.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.get_data()).walk("VEVENT")[0]
    starts = event.decoded("dtstart")
    assert starts.astimezone(STOCKHOLM).time() == time(18) and \
        event.decoded("dtend") - starts == timedelta(minutes=60)
    assert str(event["location"]) == "Stadsbiblioteket" and "Lena" not in ics.get_data(
        as_text=True) and "Sara" not in ics.get_data(as_text=True)
    with app.app_context():
        meeting_id = _db.session.scalar(select(Meeting.id))
    own = client.get(f"/support/mine/meetings/{meeting_id}.ics")
    assert own.status_code == 200 and b"BEGIN:VEVENT" in own.get_data()


@pytest.mark.parametrize("changes, message", [
    ({"on": "2020-01-01"}, "Choose a time that is still ahead"),
    ({"minutes": "5"}, "between 15 minutes and 8 hours"),
    ({"at": "25:00"}, "Not a valid time value"),
    ({"form": ""}, "Choose how you will meet"),
])
def test_a_bad_meeting_is_told_and_not_planned(app, setting, changes, message):
    _, _, assignment_id, client = setting
    response = plan(client, assignment_id, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'value="Stadsbiblioteket"' in page
    with app.app_context():
        assert _db.session.scalar(select(Meeting)) is None


def test_a_meeting_is_cancelled(app, setting):
    made, _, assignment_id, client = setting
    meeting_id = factories.meeting(app, assignment_id)
    submit(client, f"/support/mine/assignments/{assignment_id}", {},
           action_contains=f"/meetings/{meeting_id}/cancel")
    with app.app_context():
        assert _db.session.get(Meeting, meeting_id) is None
    assert "Your next meeting" not in parent_browser(app, made).get("/ask/status").get_data(
        as_text=True)


def test_the_day_before_both_are_reminded_once(app, db, runner, setting):
    made, lena, assignment_id, _ = setting
    factories.meeting(app, assignment_id)
    later = factories.meeting(app, assignment_id, starts_at=datetime.combine(
        clock.today() + timedelta(days=3), time(10), tzinfo=STOCKHOLM))
    result = runner.invoke(args=["support", "remind-meetings"])
    assert result.exit_code == 0 and "1 meeting(s) reminded of" in result.output
    assert "0 meeting(s)" in runner.invoke(args=["support", "remind-meetings"]).output
    with app.app_context():
        sent = {(m.template, m.channel): m for m in _db.session.scalars(select(OutboxMessage))
                if "meeting" in m.template}
        assert set(sent) == {("support_meeting_tomorrow", "email"),
                             ("support_meeting_reminder", "email")}
        assert sent[("support_meeting_tomorrow", "email")].recipient == lena.account.email
        body = sent[("support_meeting_reminder", "email")].body
        assert at_six(body) and "Lena" not in body and "Stadsbiblioteket" not in body
        assert _db.session.get(Meeting, later).reminded_at is None


def test_a_phone_only_parent_is_reminded_by_text_message(app, db, runner):
    lund = factories.municipality(app, "1281", "Lund")
    made = factories.support_request(app, lund, channel="phone", email=None,
                                     phone="+46701234567")
    lena = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    factories.meeting(app, factories.assignment(app, made.id, lena.id))
    runner.invoke(args=["support", "remind-meetings"])
    with app.app_context():
        text = _db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.template == "meeting_reminder"))
        assert text.channel == "sms" and text.recipient == "+46701234567"
        assert at_six(text.body) and "Lena" not in text.body
