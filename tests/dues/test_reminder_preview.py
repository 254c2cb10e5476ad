"""Before reminders go out, the board sees how many, to whom, and the mail itself."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from tests.dues import THIS_YEAR, make_member, pay, set_rate
from tests.support import submit


def test_the_preview_names_each_recipient_and_shows_the_mail(app, client, login):
    login("board", locale="en")
    set_rate(app, 25000)
    owing = make_member(app, first_name="Olle", last_name="Obetald")
    part = make_member(app, first_name="Pia", last_name="Delvis")
    pay(app, part, 10000)
    paid = make_member(app, first_name="Betald", last_name="Fullt")
    pay(app, paid, 25000)
    page = client.get(f"/dues/reminders?year={THIS_YEAR}").get_data(as_text=True)
    assert "2 members get a reminder." in page
    assert "Olle Obetald" in page and "Pia Delvis" in page and "Betald Fullt" not in page
    assert re.search(r"150[,.]00", page)  # what Pia has left to pay
    assert "Your membership dues" in page and owing.reference in page
    with app.app_context():  # nothing is sent by looking
        assert _db.session.scalar(select(func.count(OutboxMessage.id))) == 0

    sent = submit(client, f"/dues/reminders?year={THIS_YEAR}", action_contains="/reminders",
                  follow_redirects=True)
    assert "2 reminders are on their way." in sent.get_data(as_text=True)
    again = client.get(f"/dues/reminders?year={THIS_YEAR}").get_data(as_text=True)
    assert "Nobody needs a reminder now." in again
