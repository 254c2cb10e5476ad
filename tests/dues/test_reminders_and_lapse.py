"""Reminders to those not paid up (at most once per interval, never to former members), and
lapsing after DUES_LAPSE_DATE, undone by paying."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from foreningen.core import clock
from foreningen.core.db import utcnow
from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from foreningen.dues import services
from foreningen.members.models import Member, MemberStatusChange
from tests.dues import THIS_YEAR, make_member, member_row, pay, set_rate, text_of
from tests.support import submit


@pytest.fixture
def board(login):
    return login("board")


def remind(client, year=THIS_YEAR):
    """From the overview to the preview of the reminders, and send them from there."""
    overview = client.get(f"/dues/?year={year}").get_data(as_text=True)
    assert f'href="/dues/reminders?year={year}"' in overview
    preview = client.get(f"/dues/reminders?year={year}").get_data(as_text=True)
    if "Nobody needs a reminder now." in preview:
        return client.post("/dues/reminders", data={"year": year,
                                                    "csrf_token": _token(client)},
                           follow_redirects=True)
    return submit(client, f"/dues/reminders?year={year}", action_contains="/reminders",
                  follow_redirects=True)


def send_outbox(runner) -> str:
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_go_to_those_not_paid_up_and_arrive_by_mail(app, db, client, runner, inbox,
                                                              board):
    set_rate(app, 25000, "ordinary")
    set_rate(app, 10000, "supporting")
    unpaid = make_member(app, phone="070-111 22 33", street_address="Hemliga vägen 1")
    partly = make_member(app, category="supporting")
    lapsed = make_member(app, status="lapsed", locale="sv")
    paid = make_member(app)
    left = make_member(app, status="left")
    applied = make_member(app, status="applied")
    no_rate = make_member(app, category="organisation")
    pay(app, partly, 4000)
    pay(app, paid, 25000)
    pay(app, unpaid, 25000, year=THIS_YEAR - 1)  # last year's payment does not count

    page = text_of(remind(client).get_data(as_text=True))
    assert "3 reminders are on their way." in page

    assert "Sent 3, failed 0" in send_outbox(runner)
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        [unpaid.email, partly.email, lapsed.email])
    for nobody in (paid, left, applied, no_rate):
        assert inbox.to(nobody.email) == []

    message = inbox.to(unpaid.email)[0]
    assert message["Subject"] == "Your membership dues"
    body = inbox.body(message)
    assert "Amount left to pay: SEK250.00" in body
    assert f"Payment reference: {unpaid.reference}" in body
    assert str(THIS_YEAR) in body
    for private in (unpaid.first_name, unpaid.last_name, "070-111 22 33", "Hemliga vägen",
                    "Stockholm"):
        assert private not in body
    assert "Amount left to pay: SEK60.00" in inbox.body(inbox.to(partly.email)[0])
    assert lapsed.reference in inbox.body(inbox.to(lapsed.email)[0])  # in Swedish


def test_no_second_reminder_within_the_interval(app, db, client, runner, inbox, board):
    set_rate(app, 25000)
    member = make_member(app)
    assert "1 reminder is on its way." in text_of(remind(client).get_data(as_text=True))
    assert "0 reminders are on their way." in text_of(remind(client).get_data(as_text=True))
    with app.app_context():
        result = runner.invoke(args=["dues", "remind"])
    assert "Queued 0 reminder(s)" in result.output

    interval = app.config["DUES_REMINDER_INTERVAL_DAYS"]
    with app.app_context():
        db.session.execute(update(Member).where(Member.id == member.id).values(
            last_reminder_at=utcnow() - timedelta(days=interval - 1)))
        db.session.commit()
    assert "0 reminders are on their way." in text_of(remind(client).get_data(as_text=True))

    with app.app_context():
        db.session.execute(update(Member).where(Member.id == member.id).values(
            last_reminder_at=utcnow() - timedelta(days=interval + 1)))
        db.session.commit()
    result = runner.invoke(args=["dues", "remind"])
    assert result.exit_code == 0 and "Queued 1 reminder(s)" in result.output
    assert "Sent 2, failed 0" in send_outbox(runner)
    assert len(inbox.to(member.email)) == 2


def test_a_member_who_leaves_gets_no_more_reminders(app, db, runner, inbox):
    set_rate(app, 25000)
    member = make_member(app)
    with app.app_context():
        from foreningen.members.services import change_status

        change_status(db.session.get(Member, member.id), "left", "own request", None)
        assert services.send_reminders(THIS_YEAR) == 0
        db.session.commit()
    assert "Sent 0, failed 0" in send_outbox(runner)


def test_the_reminder_form_checks_the_year(app, db, client, board):
    response = client.post("/dues/reminders", data={"year": "1999", "csrf_token": _token(client)},
                           follow_redirects=True)
    assert "The reminders could not be sent." in text_of(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id)) is None


# --- lapsing ------------------------------------------------------------------------------

def history(app, member) -> list[tuple]:
    with app.app_context():
        return [(c.from_status, c.to_status, c.effective_on) for c in _db.session.scalars(
            select(MemberStatusChange).where(MemberStatusChange.member_id == member.id)
            .order_by(MemberStatusChange.id))]


def test_unpaid_members_lapse_after_the_lapse_date_and_paying_reactivates(app, db, client,
                                                                          board):
    set_rate(app, 25000, "ordinary")
    unpaid = make_member(app)
    partly = make_member(app)
    paid = make_member(app)
    no_rate = make_member(app, category="supporting")
    left = make_member(app, status="left")
    pay(app, partly, 10000)
    pay(app, paid, 25000)
    lapse_day = date(THIS_YEAR, 3, 31)  # DUES_LAPSE_DATE 03-31
    assert app.config["DUES_LAPSE_DATE"] == "03-31"

    with app.app_context():
        assert services.lapse_unpaid(today=lapse_day) == 0  # not before the day has passed
        assert services.lapse_unpaid(today=lapse_day + timedelta(days=1)) == 2
        db.session.commit()
    status = {m.id: member_row(app, m.id).status for m in (unpaid, partly, paid, no_rate, left)}
    assert status == {unpaid.id: "lapsed", partly.id: "lapsed", paid.id: "active",
                      no_rate.id: "active", left.id: "left"}
    assert history(app, unpaid)[-1] == ("active", "lapsed", date(THIS_YEAR, 4, 1))
    with app.app_context():
        assert services.lapse_unpaid(today=lapse_day + timedelta(days=2)) == 0  # once only

    # The rest of the dues, by hand: active again. A part payment is not enough.
    response = submit(client, "/dues/payments/new", {
        "rows-0-member": partly.reference, "rows-0-amount": "150",
        "rows-0-paid_on": f"{THIS_YEAR}-04-10",
        "rows-1-member": str(unpaid.number), "rows-1-amount": "100",
        "rows-1-paid_on": f"{THIS_YEAR}-04-10"})
    assert response.status_code == 302
    assert member_row(app, partly.id).status == "active"
    assert member_row(app, unpaid.id).status == "lapsed"
    assert history(app, partly)[-1][:2] == ("lapsed", "active")

    # The rest from the bank: active again too.
    response = client.post("/dues/import", data={
        "csrf_token": _token(client),
        "file": (_csv(f"{THIS_YEAR}-04-20;{unpaid.reference};150,00"), "april.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert member_row(app, unpaid.id).status == "active"


def test_paying_last_years_dues_does_not_reactivate(app, db):
    set_rate(app, 25000)
    set_rate(app, 25000, year=THIS_YEAR - 1)
    member = make_member(app, status="lapsed")
    pay(app, member, 25000, year=THIS_YEAR - 1)
    assert member_row(app, member.id).status == "lapsed"
    pay(app, member, 25000)
    assert member_row(app, member.id).status == "active"


def test_flask_dues_lapse_uses_the_configured_date(app, db, runner, monkeypatch):
    yesterday = clock.today() - timedelta(days=1)
    if yesterday.year != THIS_YEAR:
        pytest.skip("on 1 January no lapse date of this year has passed")
    monkeypatch.setitem(app.config, "DUES_LAPSE_DATE", yesterday.strftime("%m-%d"))
    set_rate(app, 25000)
    member = make_member(app)
    result = runner.invoke(args=["dues", "lapse"])
    assert result.exit_code == 0, result.output
    assert "1 member(s) lapsed." in result.output
    assert member_row(app, member.id).status == "lapsed"

    monkeypatch.setitem(app.config, "DUES_LAPSE_DATE", clock.today().strftime("%m-%d"))
    second = make_member(app)
    assert "0 member(s) lapsed." in runner.invoke(args=["dues", "lapse"]).output
    assert member_row(app, second.id).status == "active"


def _token(client):
    from tests.support import csrf_token

    return csrf_token(client, "/dues/import")


def _csv(line: str):
    import io

    return io.BytesIO(f"Datum;Referens;Belopp\n{line}\n".encode())
