"""The dues overview is kept per worker while its data is unchanged (dues/queries.py), and
computed again as soon as a payment, a rate or a member's status or category changes."""

from __future__ import annotations

import pytest

from foreningen.core.extensions import db as _db
from foreningen.dues import queries
from foreningen.members import services as members
from foreningen.members.models import Member
from tests.dues import make_member, pay, set_rate
from tests.dues.test_rates import overview_row


@pytest.fixture
def board(login):
    return login("board", locale="en")


def test_the_cached_overview_follows_payments_rates_and_members(app, client, board,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "FIGURES_CACHE", True)
    queries.overviews.clear()
    set_rate(app, 25000, "ordinary")
    one, two = make_member(app), make_member(app)

    def ordinary():  # paid up, not paid up, overpaid, received
        return overview_row(client.get("/dues/").get_data(as_text=True), "ordinary")[3:]

    assert ordinary() == ["0", "2", "–", "SEK0.00"]
    assert ordinary() == ["0", "2", "–", "SEK0.00"]  # from the cache
    assert len(queries.overviews) == 1
    pay(app, one, 25000)
    assert ordinary() == ["1", "1", "–", "SEK250.00"]
    set_rate(app, 20000, "ordinary")
    assert ordinary() == ["1", "1", "1 member, SEK50.00", "SEK250.00"]
    with app.app_context():
        member = _db.session.get(Member, two.id)
        members.change_status(member, "left", "Flyttat", None)
        _db.session.commit()
    assert ordinary() == ["1", "0", "1 member, SEK50.00", "SEK250.00"]
    queries.overviews.clear()
