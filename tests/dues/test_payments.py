"""Payments recorded by hand: several rows at once, all of them or none."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from foreningen.core.audit import AuditEvent
from foreningen.dues.models import DuesPayment
from foreningen.members import services as member_services
from tests.dues import THIS_YEAR, make_member, member_row, payments, text_of
from tests.support import forms_in, submit

URL = "/dues/payments/new"


@pytest.fixture
def board(login):
    return login("board")


def rows(*filled: dict) -> dict:
    """Form data for the first rows; the other rows are sent as the browser shows them."""
    data = {}
    for i, row in enumerate(filled):
        for name, value in row.items():
            data[f"rows-{i}-{name}"] = value
    return data


def row(member, amount, paid_on=f"{THIS_YEAR}-02-03", **more) -> dict:
    return {"member": member, "amount": amount, "paid_on": paid_on, **more}


def test_the_form_offers_eight_empty_rows_for_this_year(app, db, client, board):
    page = client.get(URL)
    fields = next(f for f in forms_in(page.get_data(as_text=True))
                  if f["action"] == URL)["fields"]
    assert [fields[f"rows-{i}-year"] for i in range(8)] == [[str(THIS_YEAR)]] * 8
    assert fields["rows-7-member"] == [""] and "rows-8-member" not in fields
    html = page.get_data(as_text=True)
    assert '<label for="rows-0-member">Member number or payment reference</label>' in html
    assert "<legend>Payment 8</legend>" in html


def test_the_board_records_several_payments_at_once(app, db, client, board):
    anna, bo, cilla = make_member(app), make_member(app), make_member(app)
    response = submit(client, URL, rows(
        row(str(anna.number), "250"),
        row(bo.reference, "1 250,50", note="Swish"),
        {},  # an empty row in between is ignored
        row(f" {cilla.number} ", "100.00", f"{THIS_YEAR - 1}-12-30", year=str(THIS_YEAR - 1)),
    ))
    assert response.status_code == 302
    recorded = text_of(client.get(response.location).get_data(as_text=True))
    # Whose and how much: a mistyped member number shows at once.
    assert (f"3 payments are recorded: SEK250.00 from {anna.first_name} {anna.last_name} "
            f"({anna.number}), SEK1,250.50 from") in recorded
    assert payments(app) == [
        (anna.id, THIS_YEAR, 25000, date(THIS_YEAR, 2, 3), "manual", None, None),
        (bo.id, THIS_YEAR, 125050, date(THIS_YEAR, 2, 3), "manual", None, "Swish"),
        (cilla.id, THIS_YEAR - 1, 10000, date(THIS_YEAR - 1, 12, 30), "manual", None, None),
    ]
    with app.app_context():
        recorded_by = set(db.session.scalars(select(DuesPayment.recorded_by)))
        audited = db.session.execute(select(AuditEvent.subject_id, AuditEvent.actor_id).where(
            AuditEvent.action == "dues.payment").order_by(AuditEvent.id)).all()
    assert recorded_by == {board.id}
    assert audited == [(anna.id, board.id), (bo.id, board.id), (cilla.id, board.id)]


def test_one_bad_row_stores_nothing_and_keeps_the_input(app, db, client, board):
    anna, bo = make_member(app), make_member(app)
    response = submit(client, URL, rows(row(str(anna.number), "250"),
                                        row(str(bo.number), "0"),
                                        row(bo.reference, "100")))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(html)
    assert "Nothing has been recorded." in text
    assert "Payment 2, Amount in kronor: The amount must be more than zero." in text
    assert 'href="#rows-1-amount"' in html and 'aria-invalid="true"' in html
    assert "Payment 1," not in text and "Payment 3," not in text
    kept = next(f for f in forms_in(html) if f["action"] == URL)["fields"]
    assert kept["rows-0-member"] == [str(anna.number)] and kept["rows-1-amount"] == ["0"]
    assert kept["rows-2-member"] == [bo.reference]
    assert payments(app) == []
    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("dues.%"))).all() == []


def test_every_bad_row_is_marked(app, db, client, board):
    anna = make_member(app)
    gone = make_member(app, status="left")
    with app.app_context():
        member_services.anonymise(db.session.get(member_services.Member, gone.id))
        db.session.commit()
    response = submit(client, URL, rows(
        row(str(anna.number), "-250"),
        row("999999", "250"),
        row(str(anna.number), "250", paid_on=""),
        row(str(anna.number), "två hundra"),
        row("", "250"),
        row(str(anna.number), "250", year="1850"),
        row(str(gone.number), "250"),
        row(str(anna.number), "250"),  # the only good row
    ))
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    for expected in (
        "Payment 1, Amount in kronor: The amount cannot be negative.",
        "Payment 2, Member number or payment reference: No member has this number or "
        "payment reference.",
        "Payment 3, Date paid: This field is required.",
        "Payment 4, Amount in kronor: Write the amount in kronor, e.g. 250 or 1 250,50.",
        "Payment 5, Member number or payment reference: This field is required.",
        "Payment 6, Dues year: Enter a year between 2000 and 2100.",
        "Payment 7, Member number or payment reference: No member has this number",
    ):
        assert expected in text, expected
    assert "Payment 8," not in text
    assert payments(app) == []


def test_an_empty_form_asks_for_a_payment(app, db, client, board):
    response = submit(client, URL)
    assert response.status_code == 200
    assert "Fill in at least one payment." in text_of(response.get_data(as_text=True))
    assert payments(app) == []


def test_a_payment_reference_wins_over_an_equal_member_number(app, db, client, board):
    """Member 10017 and the payment reference 10017 of member 1001: the reference is what
    the bank shows, so it decides; member 10017 is reached by their own reference."""
    first = make_member(app, number=1001)
    other = make_member(app, number=10017)
    assert first.reference == "10017"
    response = submit(client, URL, rows(row("10017", "250"), row(other.reference, "300")))
    assert response.status_code == 302
    assert [(p[0], p[2]) for p in payments(app)] == [(first.id, 25000), (other.id, 30000)]


def test_a_payment_for_a_member_who_left_is_recorded(app, db, client, board):
    """Dues owed from before leaving may still be paid; only anonymised members are closed."""
    left = make_member(app, status="left", left_on=date(THIS_YEAR, 1, 31))
    response = submit(client, URL, rows(row(str(left.number), "250")))
    assert response.status_code == 302
    assert [p[0] for p in payments(app)] == [left.id]
    assert member_row(app, left.id).status == "left"
