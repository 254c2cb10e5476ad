"""The treasurer's export: CSV and XLSX of the filtered register, the columns, no contact
details of members with protected identity, formula injection neutralised, audited."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.members.test_register import YEAR, add_member, audit_events, main, set_rates

HEADERS = ["Member number", "Payment reference", "First name", "Last name", "Organisation",
           "Email address",
           "Category", "Votes", "Status", "Joined", "Left", "Municipality",
           f"Dues rate {YEAR} (SEK)", f"Paid {YEAR} (SEK)", f"Paid up {YEAR}",
           "Street address", "Postal code", "City", "Phone"]


@pytest.fixture
def board(login):
    return login("board", locale="en")


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # said once
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    # As Swedish Excel opens it: semicolons between columns, decimal commas.
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    assert reader.fieldnames == HEADERS
    return list(reader)


def xlsx_rows(response) -> tuple[list, list[dict]]:
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    assert headers == HEADERS
    return rows[1:], [dict(zip(headers, (c.value for c in row), strict=False))
                      for row in rows[1:]]


@pytest.fixture
def register(app):
    set_rates(app)
    return {
        "karin": add_member(app, "Karin", "Holm", joined_on=date(2021, 3, 4),
                            paid={YEAR: 20000}),
        "sven": add_member(app, "Sven", "Stöd", category="supporting", paid={YEAR: 10000}),
        "lars": add_member(app, "Lars", "Lämnat", status="left"),
        "skydd": add_member(app, "Skyddad", "Person", protected=True, phone="070-174 06 99",
                            street="Hemligvägen 3", postal="999 99", city="Gömda"),
    }


def test_csv_has_the_treasurers_columns_for_the_filtered_list(app, client, board, register):
    rows = csv_rows(client.get("/members/export.csv?status=active&sort=name"))
    assert [r["Last name"] for r in rows] == ["Holm", "Person", "Stöd"]
    karin = rows[0]
    assert karin["Category"] == "Ordinary member" and karin["Votes"] == "Yes"
    assert karin["Status"] == "Active" and karin["Joined"] == "2021-03-04"
    assert karin["Left"] == ""
    assert karin[f"Dues rate {YEAR} (SEK)"] == "200,00"
    assert karin[f"Paid {YEAR} (SEK)"] == "200,00" and karin[f"Paid up {YEAR}"] == "Yes"
    assert karin["Street address"] == "Storgatan 1" and karin["City"] == "Lund"
    assert karin["Phone"] == "070-174 06 10"
    assert karin["Payment reference"].startswith(karin["Member number"])
    sven = rows[2]
    assert sven["Votes"] == "No" and sven[f"Paid {YEAR} (SEK)"] == "100,00"
    assert sven[f"Paid up {YEAR}"] == "No"

    unpaid = csv_rows(client.get(
        f"/members/export.csv?status=all&paid=unpaid&year={YEAR}&sort=name"))
    assert [r["First name"] for r in unpaid] == ["Lars", "Skyddad", "Sven"]
    # Without a status filter, current members only: Lars has left.
    current = csv_rows(client.get(f"/members/export.csv?paid=unpaid&year={YEAR}&sort=name"))
    assert [r["First name"] for r in current] == ["Skyddad", "Sven"]
    by_category = csv_rows(client.get("/members/export.csv?category=supporting"))
    assert [r["First name"] for r in by_category] == ["Sven"]
    searched = csv_rows(client.get("/members/export.csv?q=holm"))
    assert [r["First name"] for r in searched] == ["Karin"]
    # The export ignores the page: it is the whole filtered list.
    assert len(csv_rows(client.get("/members/export.csv?status=all&page=2"))) == 4


def test_xlsx_opens_with_typed_cells_and_the_same_rows(app, client, board, register):
    cells, rows = xlsx_rows(client.get("/members/export.xlsx?status=active&sort=name"))
    assert [r["Last name"] for r in rows] == ["Holm", "Person", "Stöd"]
    karin = rows[0]
    assert karin["Joined"].date() == date(2021, 3, 4)
    assert Decimal(str(karin[f"Dues rate {YEAR} (SEK)"])) == Decimal("200")
    assert karin[f"Paid up {YEAR}"] == "Yes" and karin["Street address"] == "Storgatan 1"
    assert isinstance(karin["Member number"], int)
    assert cells[0][HEADERS.index("Joined")].is_date


def test_protected_identity_is_never_in_an_exported_address_list(app, client, board,
                                                                register):
    for row in csv_rows(client.get("/members/export.csv?status=all")):
        if row["First name"] == "Skyddad":
            protected = row
    assert protected["Email address"]  # still in the register, for the board's mail
    assert [protected[c] for c in ("Street address", "Postal code", "City", "Phone")] == [
        "", "", "", ""]
    _cells, rows = xlsx_rows(client.get("/members/export.xlsx?status=all"))
    protected = next(r for r in rows if r["First name"] == "Skyddad")
    assert [protected[c] for c in ("Street address", "Postal code", "City", "Phone")] == [
        None, None, None, None]
    for response in (client.get("/members/export.csv"), client.get("/members/export.xlsx")):
        body = response.get_data()
        assert b"Hemlig" not in body and "Hemligvägen".encode() not in body


def test_formula_injection_is_neutralised_in_csv_and_xlsx(app, client, board):
    add_member(app, '=HYPERLINK("http://evil.example","klicka")', "Eriksson",
               phone="+46 70 174 06 50", street="@SUM(1+1)", city="-2+3", postal="\t=1+1")
    row = csv_rows(client.get("/members/export.csv"))[0]
    assert row["First name"] == '\'=HYPERLINK("http://evil.example","klicka")'
    assert row["Phone"] == "'+46 70 174 06 50"
    assert row["Street address"] == "'@SUM(1+1)"
    assert row["City"] == "'-2+3"
    assert row["Postal code"] == "'\t=1+1"
    cells, rows = xlsx_rows(client.get("/members/export.xlsx"))
    assert rows[0]["First name"] == '\'=HYPERLINK("http://evil.example","klicka")'
    assert rows[0]["Street address"] == "'@SUM(1+1)"
    assert all(cell.data_type != "f" for cell in cells[0])


def test_every_export_is_audited_without_personal_data(app, client, board, register):
    client.get("/members/export.csv?q=holm")
    client.get("/members/export.xlsx?status=all")
    events = audit_events(app, "member.export")
    assert [(e.actor_id, e.detail) for e in events] == [
        (board.id, "csv, 1 rows"), (board.id, "xlsx, 4 rows")]
    assert all("holm" not in (e.detail or "").lower() for e in events)


def test_export_links_keep_the_filter(app, client, board, register):
    page = main(client.get("/members/?category=supporting&page=1")).replace("&amp;", "&")
    assert "/members/export.csv?category=supporting" in page
    assert "/members/export.xlsx?category=supporting" in page
    assert "page=1" not in page.split("Download as CSV")[0].rsplit("href=", 1)[1]


def test_coordinator_may_not_export(app, client, login, register):
    login("coordinator")
    assert client.get("/members/export.csv").status_code == 403
    assert client.get("/members/export.xlsx").status_code == 403
    assert audit_events(app, "member.export") == []
    assert [e.detail for e in audit_events(app, "access.refused")] == [
        "members.export", "members.export"]


def test_xlsx_has_readable_columns_and_a_filter_on_the_headings(app, client, board, register):
    response = client.get("/members/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    email = sheet.column_dimensions["F"]  # Email address
    assert email.width and email.width > len("Email address")


def test_the_register_shows_current_members_unless_asked(app, client, board, register):
    default = main(client.get("/members/"))
    assert "Holm, Karin" in default and "Lämnat, Lars" not in default
    everyone = main(client.get("/members/?status=all"))
    assert "Lämnat, Lars" in everyone
