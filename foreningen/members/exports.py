"""The treasurer's export of the filtered register, as CSV or XLSX.

Every text cell that a spreadsheet could read as a formula (it starts with = + - @, a tab or
a carriage return) gets an apostrophe in front (OWASP, "CSV injection"). Members with
protected identity arrive without address or phone (see queries.EXPORT_COLUMNS).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice

import xlsxwriter
from flask_babel import gettext as _

from foreningen.core import audit
from foreningen.core.spreadsheet import CSV_CONTENT_TYPE, neutralise
from foreningen.members.models import MemberCategory, MemberStatus

CONTENT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MONEY, DATE = "money", "date"
# Control characters that the XLSX format cannot hold.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")


def _kronor(ore: int | None) -> Decimal | None:
    return None if ore is None else (Decimal(ore) / 100).quantize(Decimal("0.01"))


def table(rows, year: int, voting: set[str]):
    """Headers (with the kind of each column) and the plain values of each row, in the
    user's language; the values are produced as the rows arrive."""
    yes, no = _("Yes"), _("No")
    # Translated once, not once per row.
    category_names = {key: str(name) for key, name in MemberCategory.labels().items()}
    status_names = {key: str(name) for key, name in MemberStatus.labels().items()}
    headers = [
        (_("Member number"), None), (_("Payment reference"), None), (_("First name"), None),
        (_("Last name"), None), (_("Organisation"), None), (_("Email address"), None),
        (_("Category"), None),
        (_("Votes"), None), (_("Status"), None), (_("Joined"), DATE), (_("Left"), DATE),
        (_("Municipality"), None),
        (_("Dues rate %(year)s (SEK)", year=year), MONEY),
        (_("Paid %(year)s (SEK)", year=year), MONEY),
        (_("Paid up %(year)s", year=year), None),
        (_("Street address"), None), (_("Postal code"), None), (_("City"), None),
        (_("Phone"), None),
    ]
    values = ([
        row.number, row.payment_reference, row.first_name, row.last_name,
        row.organisation_name or "", row.email,
        category_names.get(row.category, row.category),
        yes if row.category in voting else no,
        status_names.get(row.status, row.status),
        row.joined_on, row.left_on, row.municipality or "",
        _kronor(row.rate_ore), _kronor(row.paid_ore), yes if row.paid_up else no,
        row.street_address or "", row.postal_code or "", row.city or "", row.phone or "",
    ] for row in rows)
    return headers, values


def to_xlsx(headers, values, title: str) -> bytes:
    """XlsxWriter rather than openpyxl: the whole register (30,000 rows) in a few seconds,
    in its constant-memory mode (each row goes to a temporary file as it is written).
    Text is always written as text, never as a formula, number or link."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(title[:31])
    formats = {MONEY: workbook.add_format({"num_format": "#,##0.00"}),
               DATE: workbook.add_format({"num_format": "yyyy-mm-dd"})}
    sheet.freeze_panes(1, 0)
    bold = workbook.add_format({"bold": True})
    kinds = [kind for _title, kind in headers]
    # The widths of the first 200 rows are enough to size the columns.
    values = iter(values)
    first = list(islice(values, 200))
    widths = [len(heading) for heading, _kind in headers]
    for row in first:
        for c, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            widths[c] = max(widths[c], 10 if kind == DATE else len(str(value or "")))
    for column, width in enumerate(widths):
        sheet.set_column(column, column, min(width + 2, 50))
    for column, (heading, _kind) in enumerate(headers):
        sheet.write_string(0, column, neutralise(heading), bold)
    last = 0
    for r, row in enumerate(chain(first, values), start=1):
        for c, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            _xlsx_cell(sheet, r, c, value, formats.get(kind))
        last = r
    sheet.autofilter(0, 0, max(last, 1), len(headers) - 1)
    workbook.close()
    return out.getvalue()


def _xlsx_cell(sheet, r: int, c: int, value, number_format) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(r, c, neutralise(ILLEGAL_CHARACTERS.sub("", value)))
    elif isinstance(value, date):
        sheet.write_datetime(r, c, datetime.combine(value, time.min), number_format)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(r, c, float(value), number_format)
    else:
        sheet.write_string(r, c, neutralise(str(value)))


def record_export(fmt: str, count: int) -> None:
    """An export of the register is an access to many people's data: always audited (no
    search words in the detail: they may be names)."""
    audit.record("member.export", ("member", None), detail=f"{fmt}, {count} rows")
