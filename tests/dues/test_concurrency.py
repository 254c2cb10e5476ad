"""Two treasurers at the same moment, or one double click: real threads, real transactions,
on PostgreSQL. The same file is imported once, one form's payments recorded once, an import
reversed once; the other request is told so, and nothing is half-written."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from foreningen.core.extensions import db
from foreningen.dues.models import DuesImport, DuesPayment
from tests import factories, support
from tests.dues import make_member
from tests.support import at_once, csrf_token, forms_in, postgres_url, signed_in

pytestmark = pytest.mark.skipif(not postgres_url(), reason="concurrency is proven on PostgreSQL")
ROUNDS = 5


@pytest.fixture(scope="module")
def racing_app(tmp_path_factory, smtp):
    with support.racing_app(tmp_path_factory.mktemp("race"), "race", smtp[1]) as app:
        yield app


def count(app, model, *where) -> int:
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
        return total


@pytest.fixture(scope="module")
def treasurers(racing_app):
    return [factories.user(racing_app, ["board"]) for _ in range(2)]


def _member(app):
    return make_member(app)


def test_the_same_file_sent_twice_at_once_is_imported_once(racing_app, treasurers):
    board = treasurers
    anna = _member(racing_app)
    one, two = signed_in(racing_app, board[0]), signed_in(racing_app, board[1])
    for round_ in range(ROUNDS):
        content = f"Datum;Referens;Belopp\n2026-03-{round_ + 1:02d};{anna.reference};250\n"

        def post(client, content=content):
            token = csrf_token(client, "/dues/import")
            return lambda: client.post("/dues/import", data={
                "csrf_token": token, "file": (io.BytesIO(content.encode()), "bank.csv")},
                content_type="multipart/form-data")

        answers = at_once(post(one), post(two))
        assert sorted(a.status_code for a in answers) == [200, 302], round_
        refused = next(a for a in answers if a.status_code == 200).get_data(as_text=True)
        assert ("already imported" in refused or "at the same moment" in refused), round_
    assert count(racing_app, DuesImport) == ROUNDS
    assert count(racing_app, DuesPayment, DuesPayment.member_id == anna.id) == ROUNDS


def test_a_double_click_on_the_payment_form_records_once(racing_app, treasurers):
    board = treasurers
    anna = _member(racing_app)
    client = signed_in(racing_app, board[0])
    for round_ in range(ROUNDS):
        page = client.get("/dues/payments/new").get_data(as_text=True)
        form = next(f for f in forms_in(page) if f["action"] == "/dues/payments/new")
        data = dict(form["fields"])
        data.update({"rows-0-member": [str(anna.number)], "rows-0-amount": ["100"],
                     "rows-0-paid_on": [f"2026-04-{round_ + 1:02d}"]})
        other = racing_app.test_client()
        other.set_cookie("foreningen_session", client.get_cookie("foreningen_session").value)
        answers = at_once(lambda data=data: client.post("/dues/payments/new", data=data),
                          lambda data=data, other=other: other.post("/dues/payments/new",
                                                                    data=data))
        assert all(a.status_code in (200, 302) for a in answers), round_
    assert count(racing_app, DuesPayment, DuesPayment.member_id == anna.id) == ROUNDS


def test_two_treasurers_reverse_an_import_once(racing_app, treasurers):
    board = treasurers
    anna = _member(racing_app)
    one, two = signed_in(racing_app, board[0]), signed_in(racing_app, board[1])
    for round_ in range(ROUNDS):
        content = f"Datum;Referens;Belopp\n2026-05-{round_ + 1:02d};{anna.reference};300\n"
        token = csrf_token(one, "/dues/import")
        imported = one.post("/dues/import", data={
            "csrf_token": token, "file": (io.BytesIO(content.encode()), f"r{round_}.csv")},
            content_type="multipart/form-data")
        detail = imported.location
        tokens = [csrf_token(c, detail) for c in (one, two)]
        answers = at_once(*(
            lambda client=client, token=token, url=f"{detail}/reverse": client.post(
                url, data={"csrf_token": token, "confirm": "y"})
            for client, token in zip((one, two), tokens, strict=True)))
        assert [a.status_code for a in answers] == [302, 302], round_
    reversals = count(racing_app, DuesPayment, DuesPayment.member_id == anna.id,
                      DuesPayment.reverses_id.is_not(None))
    assert reversals == ROUNDS
