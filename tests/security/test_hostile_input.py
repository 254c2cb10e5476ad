"""Input no form should meet: ids beyond the database's integers, page numbers of twenty
digits, digits that are no ASCII digits, years 1 and 9999, NUL bytes. Each gets a clear,
translated answer, never a 500 (PostgreSQL refuses what SQLite forgives: CI runs both)."""

from __future__ import annotations

import pytest

from tests.dues import make_member
from tests.support import csrf_token, submit

HUGE = str(2**31)


@pytest.fixture
def board(login):
    return login("board", locale="en")


@pytest.mark.parametrize("path", [f"/members/{HUGE}", f"/members/{HUGE}/edit",
                                  f"/dues/imports/{HUGE}", f"/dues/payments/{HUGE}/reverse"])
def test_an_id_beyond_the_database_is_not_found(client, board, path):
    assert client.get(path).status_code == 404


def test_an_administrators_id_beyond_the_database_is_not_found(client, login):
    login("admin", locale="en")
    assert client.get(f"/admin/users/{HUGE}").status_code == 404
    assert client.get(f"/admin/municipalities/{10**20}").status_code == 404


@pytest.mark.parametrize("query", ["page=" + "9" * 20, "page=-1", "page=²", "page=%00",
                                   "q=%00", "q=²³", "q=" + "x" * 5000, "year=" + "9" * 20,
                                   "municipality=" + HUGE, "sort=%00", "status=%00"])
def test_the_register_survives_every_query(client, board, query):
    response = client.get(f"/members/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["date_from=0001-01-01", "date_to=9999-12-31",
                                   "date_from=9999-12-31&date_to=9999-12-31", "page=" + "9" * 25,
                                   "actor=%00", "action=%00", "subject_type=" + "x" * 500])
def test_the_audit_log_survives_every_query(client, login, query):
    login("admin", locale="en")
    assert client.get(f"/admin/audit?{query}").status_code == 200


def test_a_nul_byte_in_a_form_is_refused_with_a_message_and_kept_out(app, client, board):
    member = make_member(app)
    response = submit(client, f"/members/{member.id}/edit", {"first_name": "Ka\x00rin"})
    assert response.status_code == 200
    assert "Remove the invisible control characters from this field." in response.get_data(
        as_text=True)


def test_a_nul_byte_in_a_payment_row_is_refused(app, client, board):
    member = make_member(app)
    response = submit(client, "/dues/payments/new", {
        "rows-0-member": str(member.number), "rows-0-amount": "250",
        "rows-0-paid_on": "2026-03-01", "rows-0-note": "Swish\x00"})
    assert response.status_code == 200
    assert "Remove the invisible control characters" in response.get_data(as_text=True)


def test_approving_an_id_beyond_the_database_is_refused_clearly(client, board):
    response = client.post("/members/applications/approve", data={
        "csrf_token": csrf_token(client, "/members/applications"), "member_ids": [HUGE]})
    assert response.status_code in (302, 400)
