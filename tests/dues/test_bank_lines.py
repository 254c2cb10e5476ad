"""A bank file as it really is: donations and mistyped references among the dues, the same
file sent twice, BgMax from Bankgirot; reversals instead of deletions; a double click."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from foreningen.core.extensions import db as _db
from foreningen.dues.models import DuesImportLine, DuesPayment
from foreningen.members.models import Member, MemberStatus
from tests.dues import THIS_YEAR, imports, make_member, pay, payments, set_rate, text_of
from tests.support import csrf_token, forms_in, submit

URL = "/dues/import"


@pytest.fixture
def board(login):
    return login("board", locale="en")


def upload(client, content: bytes | str, filename="bank.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(URL, data={"csrf_token": csrf_token(client, URL),
                                  "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def lines(app) -> list[tuple]:
    with app.app_context():
        return [(line.line_number, line.reason, line.resolution, line.text)
                for line in _db.session.scalars(select(DuesImportLine)
                                                .order_by(DuesImportLine.line_number))]


def test_what_matches_is_imported_and_the_rest_kept_for_the_treasurer(app, client, board):
    anna = make_member(app)
    response = upload(client, "Datum;Referens;Belopp;Text\n"
                              f"{THIS_YEAR}-03-01;{anna.reference};250,00;Anna\n"
                              f"{THIS_YEAR}-03-02;99999;500,00;Gåva från Kalle\n"
                              f"{THIS_YEAR}-03-03;;100,00;Insamling\n")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    text = text_of(page)
    assert "1 payment of SEK250.00 imported. 2 lines need you" in text
    assert "Gåva från Kalle" in text and "No member has this payment reference" in text
    assert [p[0] for p in payments(app)] == [anna.id]
    assert [(n, r, s) for n, r, s, _t in lines(app)] == [
        (3, "unknown_reference", None), (4, "unknown_reference", None)]
    with app.app_context():  # what the bank said about the payer is encrypted at rest
        raw = _db.session.execute(sa.text("SELECT text FROM dues_import_line")).scalars().all()
    assert all("Kalle" not in (value or "") for value in raw)


def test_the_treasurer_gives_a_line_to_a_member_or_sets_it_aside(app, client, board):
    set_rate(app, 25000)
    bo = make_member(app, status="lapsed")
    response = upload(client, "Datum;Referens;Belopp\n"
                              f"{THIS_YEAR}-03-02;{bo.number}9;250,00\n"   # a mistyped OCR
                              f"{THIS_YEAR}-03-03;77777;50,00\n")          # a donation
    detail = response.location
    page = client.get(detail).get_data(as_text=True)
    line_ids = [int(i) for i in re.findall(r'id="line-(\d+)"', page)]
    assign = submit(client, detail, {f"line-{line_ids[0]}-member": str(bo.number)},
                    action_contains=f"/lines/{line_ids[0]}/assign", follow_redirects=True)
    assert f"SEK250.00 from {bo.first_name}" in text_of(assign.get_data(as_text=True))
    submit(client, detail, action_contains=f"/lines/{line_ids[1]}/dismiss")
    assert [(n, s) for n, _r, s, _t in lines(app)] == [(2, "assigned"), (3, "dismissed")]
    assert [(p[0], p[2]) for p in payments(app)] == [(bo.id, 25000)]
    with app.app_context():  # paid up again: active
        assert _db.session.get(Member, bo.id).status == MemberStatus.ACTIVE
    assert "Set aside" not in client.get(detail).get_data(as_text=True)  # nothing left to do
    # A second treasurer's click on the same line, from a page shown before: told, not done.
    again = client.post(f"{detail}/lines/{line_ids[1]}/dismiss",
                        data={"csrf_token": csrf_token(client, detail)}, follow_redirects=True)
    assert "Someone has already handled this line." in text_of(again.get_data(as_text=True))


def test_the_same_file_is_never_imported_twice(app, client, board):
    anna = make_member(app)
    content = f"Datum;Referens;Belopp\n{THIS_YEAR}-03-01;{anna.reference};250,00\n"
    assert upload(client, content, "mars.csv").status_code == 302
    again = upload(client, content, "mars-igen.csv")
    assert again.status_code == 200
    assert "This file was already imported on" in text_of(again.get_data(as_text=True))
    assert imports(app) == [("mars.csv", 1, 25000)]


def test_a_repeated_payment_without_transaction_id_waits_for_the_treasurer(app, client, board):
    anna = make_member(app)
    pay(app, anna, 25000, paid_on=date(THIS_YEAR, 3, 1))
    response = upload(client, f"Datum;Referens;Belopp\n{THIS_YEAR}-03-01;{anna.reference};250\n")
    page = text_of(client.get(response.location).get_data(as_text=True))
    assert "The same date, reference and amount as a payment already recorded" in page
    assert len(payments(app)) == 1


BGMAX = "\r\n".join(line.ljust(80) for line in [
    "01BGMAX               0120261101123456000000P",
    "050009912346          SEK",
    "200000000000{ref:<25}{amount:018d}21000000000001",
    "26Anna Andersson",
    "200000000000{unknown:<25}{other:018d}21000000000002",
    "25GAVA TILL FORENINGEN",
    "15{account:<35}{day}00001{total:018d}SEK00000002",
    "7000000002000000000000000000000001",
]) + "\r\n"


def bgmax(reference: str, day: date, amount=25000, unknown="55555", other=10000) -> bytes:
    text = BGMAX.format(ref=reference, amount=amount, unknown=unknown, other=other,
                        account="0000000000000000000000000000000000", day=day.strftime("%Y%m%d"),
                        total=amount + other)
    return text.encode("iso-8859-1")


def test_a_bgmax_file_from_bankgirot(app, client, board):
    anna = make_member(app)
    response = upload(client, bgmax(anna.reference, date(THIS_YEAR, 11, 2)), "BGMAX.txt")
    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:800]
    assert [(p[0], p[2], p[3]) for p in payments(app)] == [
        (anna.id, 25000, date(THIS_YEAR, 11, 2))]
    assert [(n, r, t) for n, r, _s, t in lines(app)] == [
        (5, "unknown_reference", "GAVA TILL FORENINGEN")]
    page = text_of(client.get(response.location).get_data(as_text=True))
    assert "BgMax from Bankgirot" in page


def test_a_cut_off_bgmax_file_is_refused_whole(app, client, board):
    anna = make_member(app)
    whole = bgmax(anna.reference, date(THIS_YEAR, 11, 2)).decode("iso-8859-1")
    cut = "\r\n".join(line for line in whole.split("\r\n") if not line.startswith("70"))
    response = upload(client, cut.encode("iso-8859-1"), "BGMAX.txt")
    assert "The BgMax file is not whole: the end record is missing." in text_of(
        response.get_data(as_text=True))
    assert payments(app) == []


def test_a_payment_is_reversed_not_deleted(app, client, board):
    set_rate(app, 25000)
    anna = make_member(app)
    pay(app, anna, 25000)
    with app.app_context():
        payment_id = _db.session.scalar(select(DuesPayment.id))
    page = client.get(f"/members/{anna.id}").get_data(as_text=True)
    assert f'href="/dues/payments/{payment_id}/reverse"' in page
    done = submit(client, f"/dues/payments/{payment_id}/reverse", {"reason": "Fel medlem"},
                  follow_redirects=True)
    assert "is reversed" in text_of(done.get_data(as_text=True))
    assert sorted(p[2] for p in payments(app)) == [-25000, 25000]  # both kept
    member_page = text_of(client.get(f"/members/{anna.id}").get_data(as_text=True))
    assert "Paid SEK0.00" in member_page and "(reversed)" in member_page
    twice = client.get(f"/dues/payments/{payment_id}/reverse")
    assert "This payment was reversed on" in text_of(twice.get_data(as_text=True))


def test_a_whole_import_is_reversed_once(app, client, board):
    anna, bo = make_member(app), make_member(app)
    response = upload(client, "Datum;Referens;Belopp\n"
                              f"{THIS_YEAR}-03-01;{anna.reference};250\n"
                              f"{THIS_YEAR}-03-01;{bo.reference};300\n")
    detail = response.location
    refused = submit(client, detail, {"confirm": []}, action_contains="/reverse")
    assert "Tick the box to confirm." in text_of(refused.get_data(as_text=True))
    assert len(payments(app)) == 2
    done = submit(client, detail, {"confirm": "y"}, action_contains="/reverse",
                  follow_redirects=True)
    assert "2 payments are reversed." in text_of(done.get_data(as_text=True))
    assert sorted(p[2] for p in payments(app)) == [-30000, -25000, 25000, 30000]
    assert "Reverse the import" not in done.get_data(as_text=True)
    listing = text_of(client.get("/dues/imports").get_data(as_text=True))
    assert "bank.csv" in listing


def test_a_double_click_records_the_payments_once(app, client, board):
    anna = make_member(app)
    page = client.get("/dues/payments/new").get_data(as_text=True)
    form = next(f for f in forms_in(page) if f["action"] == "/dues/payments/new")
    data = {name: values for name, values in form["fields"].items()}
    data.update({"rows-0-member": [str(anna.number)], "rows-0-amount": ["250"],
                 "rows-0-paid_on": [f"{THIS_YEAR}-03-01"]})
    first = client.post("/dues/payments/new", data=data)
    second = client.post("/dues/payments/new", data=data, follow_redirects=True)
    assert first.status_code == 302
    assert "These payments were already recorded" in text_of(second.get_data(as_text=True))
    assert len(payments(app)) == 1


def test_a_payment_like_one_already_recorded_needs_a_yes(app, client, board):
    anna = make_member(app)
    pay(app, anna, 25000, paid_on=date(THIS_YEAR, 3, 1))
    values = {"rows-0-member": str(anna.number), "rows-0-amount": "250",
              "rows-0-paid_on": f"{THIS_YEAR}-03-01"}
    warned = submit(client, "/dues/payments/new", values)
    html = warned.get_data(as_text=True)
    assert "Already recorded?" in html and 'value="250"' in html
    assert len(payments(app)) == 1
    recorded = submit(client, "/dues/payments/new", {**values, "record_anyway": "y"})
    assert recorded.status_code == 302
    assert len(payments(app)) == 2


def test_an_overpayment_is_shown(app, client, board):
    set_rate(app, 20000)
    anna = make_member(app)
    pay(app, anna, 45000)
    page = text_of(client.get(f"/members/{anna.id}").get_data(as_text=True))
    assert "Overpaid SEK250.00" in page
    overview = text_of(client.get(f"/dues/?year={THIS_YEAR}").get_data(as_text=True))
    assert "SEK250.00" in overview
