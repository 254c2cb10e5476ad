"""Bank files: matched by payment reference; a broken line stops the whole file, with every
broken line listed; lines that are no member's payment are kept for the treasurer."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date

import pytest

from foreningen.dues.models import DuesImport, DuesPayment
from foreningen.members.models import Member
from foreningen.members.services import reference_for
from tests import factories
from tests.dues import THIS_YEAR, count, imports, make_member, payments, text_of
from tests.support import csrf_token

URL = "/dues/import"


@pytest.fixture
def board(login):
    return login("board")


def upload(client, content: bytes | str, filename="bank.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(URL, data={"csrf_token": csrf_token(client, URL),
                                  "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def bad_lines(response) -> list[tuple[str, str]]:
    html = response.get_data(as_text=True)
    table = re.search(r'<table id="bad-lines">(.*?)</table>', html, re.S)
    assert table, text_of(html)[:2000]
    body = table.group(1).split("<tbody>")[1]
    return [(text_of(line).strip(), text_of(message).strip()) for line, message in
            re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", body, re.S)]


def nothing_stored(app):
    assert payments(app) == []
    assert count(app, DuesImport) == 0


def test_a_bank_file_is_imported_and_summarised(app, db, client, board):
    anna, bo = make_member(app), make_member(app)
    response = upload(client, "Datum;Referens;Belopp;Transaktions-ID;År\n"
                              f"{THIS_YEAR}-01-15;{anna.reference};250,00;TX-1;\n"
                              f"{THIS_YEAR}-01-16;{bo.reference[:2]} {bo.reference[2:]};"
                              f"1 250,50;TX-2;{THIS_YEAR + 1}\n"
                              "\n"
                              f"{THIS_YEAR}-01-17;{anna.reference};100;;\n", "januari.csv")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    text = text_of(page)
    assert "3 payments of SEK1,600.50 in all imported." in text
    assert re.search(r'id="import-count">3<', page)
    assert text_of(re.search(r'id="import-total">(.*?)<', page).group(1)) == "SEK1,600.50"
    assert "januari.csv" in text and "TX-2" in text and anna.reference in text
    assert anna.first_name in text  # whose each payment is, so a wrong match shows at once
    assert imports(app) == [("januari.csv", 3, 160050)]
    assert [p[:6] for p in payments(app)] == [
        (anna.id, THIS_YEAR, 25000, date(THIS_YEAR, 1, 15), "bank", "TX-1"),
        (bo.id, THIS_YEAR + 1, 125050, date(THIS_YEAR, 1, 16), "bank", "TX-2"),
        (anna.id, THIS_YEAR, 10000, date(THIS_YEAR, 1, 17), "bank", None),
    ]


def test_the_reference_column_wins_over_a_free_text_message(app, db, client, board):
    anna = make_member(app)
    response = upload(client, "Datum;OCR;Belopp;Meddelande\n"
                              f"{THIS_YEAR}-01-15;{anna.reference};250;Medlemsavgift Anna\n")
    assert response.status_code == 302
    assert [p[0] for p in payments(app)] == [anna.id]


def test_commas_as_separators_and_quoted_amounts(app, db, client, board):
    anna = make_member(app)
    response = upload(client, "Date,Reference,Amount,Transaction ID\r\n"
                              f'{THIS_YEAR}-03-01,{anna.reference},"250,00",A-1\r\n'
                              f"{THIS_YEAR}-03-02,{anna.reference},50.00,A-2\r\n")
    assert response.status_code == 302
    assert [(p[2], p[5]) for p in payments(app)] == [(25000, "A-1"), (5000, "A-2")]


def test_semicolons_with_decimal_commas_and_optional_cells_left_out(app, db, client, board):
    """csv.Sniffer takes the decimal commas of this file for the separator."""
    anna = make_member(app)
    lines = ["Datum;Referens;Belopp;Transaktions-ID;År"] + [
        f"{THIS_YEAR}-01-15;{anna.reference};1,00;S{n};{THIS_YEAR}" if n % 2
        else f"{THIS_YEAR}-01-15;{anna.reference};1,00" for n in range(30)]
    response = upload(client, "\n".join(lines))
    assert response.status_code == 302
    assert count(app, DuesPayment) == 30
    assert imports(app) == [("bank.csv", 30, 3000)]


def test_a_windows_1252_file_with_swedish_letters_works(app, db, client, board):
    anna = make_member(app)
    content = ("Bokföringsdag;Avsändare;Referens;Belopp;År\r\n"
               f"{THIS_YEAR}-02-01;Åsa Öberg;{anna.reference};250,00;{THIS_YEAR}\r\n")
    response = upload(client, content.encode("cp1252"))
    assert response.status_code == 302
    assert [(p[0], p[2]) for p in payments(app)] == [(anna.id, 25000)]


def test_utf16_with_a_byte_order_mark_works(app, db, client, board):
    anna = make_member(app)
    content = f"Datum;Referens;Belopp\r\n{THIS_YEAR}-02-01;{anna.reference};250\r\n"
    assert upload(client, content.encode("utf-16")).status_code == 302
    assert len(payments(app)) == 1


@pytest.mark.parametrize("content", [
    "Datum;Referens;Belopp\r\n2026-02-01;10017;250\r\n".encode("utf-16-le"),  # no BOM
    bytes(range(256)) * 4,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"Datum;Referens;Belopp\r\n2026-02-01;10017;250\x81\x8d\r\n",
    b"Datum;Referens;Belopp\r\n\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\r\n",
])
def test_an_unknown_encoding_is_explained(app, db, client, board, content):
    make_member(app, number=1001)
    response = upload(client, content)
    assert response.status_code == 200
    assert "The file's character encoding is unknown." in text_of(response.get_data(as_text=True))
    nothing_stored(app)


@pytest.mark.parametrize("content", [
    "Datum;Mottagare;Summa\n2026-01-15;10017;250\n",
    "Datum;Belopp\n2026-01-15;250\n",
    "2026-01-15;10017;250,00\n",
    "Belopp\n250\n",
])
def test_wrong_columns_are_explained(app, db, client, board, content):
    make_member(app, number=1001)
    response = upload(client, content)
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert ("Bank file (CSV or BgMax): The file does not have the expected columns. The first "
            "line must name at least the columns Datum, Referens and Belopp.") in text
    nothing_stored(app)
    assert csv.excel.delimiter == ","  # the csv module's default left as it was


@pytest.mark.parametrize("content", ["", "\n\n", "Datum;Referens;Belopp\n", "Datum;Referens;"
                                                                          "Belopp\n;;\n"])
def test_a_file_without_payments_is_explained(app, db, client, board, content):
    response = upload(client, content)
    assert response.status_code == 200
    assert "The file has no payments." in text_of(response.get_data(as_text=True))
    nothing_stored(app)


def test_without_a_file_the_form_asks_for_one(app, db, client, board):
    response = client.post(URL, data={"csrf_token": csrf_token(client, URL)},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Bank file (CSV or BgMax): This field is required." in text_of(
        response.get_data(as_text=True))


def test_every_broken_line_is_listed_and_nothing_is_imported(app, db, client, board):
    anna = make_member(app)
    gone = make_member(app, status="left")
    with app.app_context():
        from foreningen.members.services import anonymise

        anonymise(db.session.get(Member, gone.id))
        db.session.commit()
    response = upload(client, "Datum;Referens;Belopp;Transaktions-ID;År\n"
                              f"{THIS_YEAR}-01-15;{anna.reference};250,00;T1;\n"     # 2: good
                              f"{THIS_YEAR}-01-15;{anna.reference};0;T2;\n"          # 3
                              f"{THIS_YEAR}-01-15;{anna.reference};-250;T3;\n"       # 4
                              f"15/1/{THIS_YEAR};{anna.reference};250;T4;\n"         # 5
                              f"{THIS_YEAR}-01-15;99999;250;T5;\n"                   # 6
                              f"{THIS_YEAR}-01-15;{anna.reference};250;T1;\n"        # 7
                              f"{THIS_YEAR}-01-15;{anna.reference};tvåhundra;T6;\n"  # 8
                              f"{THIS_YEAR}-01-15;{anna.reference};250;T7;förra\n"   # 9
                              f"{THIS_YEAR}-01-15;{gone.reference};250;T8;\n"        # 10
                              f"{THIS_YEAR}-01-15;;250;T9;\n"                        # 11
                              f'{THIS_YEAR}-01-15;"{anna.reference}";"1 000,00";T10;\n'  # 12
                              f"{THIS_YEAR}-01-15;{anna.reference};1e400;T11;\n")         # 13
    assert response.status_code == 200
    assert "Nothing has been imported." in text_of(response.get_data(as_text=True))
    # An unknown reference (6, 10, 11) or a repeated transaction (7) is no broken line: such
    # lines are kept for the treasurer when the file is imported (test_bank_lines.py).
    assert bad_lines(response) == [
        ("3", "The amount must be more than zero."),
        ("4", "The amount must be more than zero."),
        ("5", "The date must be written as YYYY-MM-DD."),
        ("8", "The amount is not a number."),
        ("9", "The year is not a year."),
        ("13", "The amount is not a number."),
    ]
    nothing_stored(app)


def test_a_transaction_imported_before_is_not_imported_again(app, db, client, board):
    anna = make_member(app)
    first = upload(client, f"Datum;Referens;Belopp;Transaktions-ID\n"
                           f"{THIS_YEAR}-01-15;{anna.reference};250;BANK-1\n", "jan.csv")
    assert first.status_code == 302
    again = upload(client, f"Datum;Referens;Belopp;Transaktions-ID\n"
                           f"{THIS_YEAR}-02-15;{anna.reference};100;BANK-2\n"
                           f"{THIS_YEAR}-01-15;{anna.reference};250;BANK-1\n", "jan-feb.csv")
    assert again.status_code == 302
    page = text_of(client.get(again.location).get_data(as_text=True))
    assert "This bank transaction is already imported" in page
    assert imports(app) == [("jan.csv", 1, 25000), ("jan-feb.csv", 1, 10000)]
    assert [p[5] for p in payments(app)] == ["BANK-1", "BANK-2"]


def test_line_numbers_count_lines_of_the_file(app, db, client, board):
    """A quoted field may hold a line break; the message names the line a person sees."""
    anna = make_member(app)
    response = upload(client, "Datum;Referens;Belopp;Meddelande till oss\n"
                              f'{THIS_YEAR}-01-15;{anna.reference};250;"två\nrader"\n'
                              f"{THIS_YEAR}-01-15;{anna.reference};0;\n")
    assert bad_lines(response) == [("4", "The amount must be more than zero.")]


def test_the_example_file_can_be_downloaded_and_imported(app, db, client, board):
    make_member(app, number=1001)
    make_member(app, number=1002)
    example = client.get("/dues/import/example.csv")
    assert example.status_code == 200
    assert example.mimetype == "text/csv"
    assert example.headers["Content-Disposition"] == "attachment; filename=example.csv"
    text = example.get_data().decode("utf-8-sig")
    assert text.startswith("Datum;Referens;Belopp;Transaktions-ID;År\r\n")
    page = text_of(client.get(URL).get_data(as_text=True))
    assert "Datum;Referens;Belopp;Transaktions-ID;År" in page
    assert "Download an example file" in page

    response = upload(client, example.get_data(), "example.csv")
    assert response.status_code == 302
    assert [(p[0], p[2]) for p in payments(app)] == [(1, 25000), (2, 100000)] or \
        len(payments(app)) == 2


@pytest.mark.slow
def test_five_thousand_lines_are_imported_in_a_few_seconds(app, db, client, board, capsys):
    factories.members_in_bulk(app, range(20001, 25001))
    lines = ["Datum;Referens;Belopp;Transaktions-ID"] + [
        f"{THIS_YEAR}-01-{n % 28 + 1:02d};{reference_for(n)};250,00;BULK-{n}"
        for n in range(20001, 25001)]
    content = "\r\n".join(lines).encode("cp1252")

    started = time.perf_counter()
    response = upload(client, content, "helår.csv")
    elapsed = time.perf_counter() - started

    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:1000]
    assert imports(app) == [("helår.csv", 5000, 5000 * 25000)]
    assert count(app, DuesPayment) == 5000
    with capsys.disabled():
        print(f"\n5,000-line bank file imported in {elapsed:.2f} s")
    assert elapsed < 5, f"{elapsed:.1f} s"
