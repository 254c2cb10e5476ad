"""Reading a bank file of incoming payments (CSV): columns, encodings, Swedish amounts.

Pure parsing: nothing is stored here, and members are looked up by the caller.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from foreningen.core.errors import DomainError


class BankFileError(DomainError):
    messages = {
        "encoding": _l("The file's character encoding is unknown. Save it as UTF-8 or "
                       "Windows-1252 (\"CSV\" in Excel) and try again."),
        "columns": _l("The file does not have the expected columns. The first line must name "
                      "at least the columns Datum, Referens and Belopp."),
        "empty": _l("The file has no payments."),
        "size": _l("The file is too large. Split it into smaller files."),
    }


COLUMNS = {
    "date": ("datum", "date", "bokföringsdag", "transaktionsdag"),
    "reference": ("referens", "reference", "ocr", "meddelande"),
    "amount": ("belopp", "amount"),
    "transaction": ("transaktions-id", "transaction id", "transaktionsid", "verifikation"),
    "year": ("år", "year", "avgiftsår"),
}
REQUIRED = ("date", "reference", "amount")
DELIMITERS = (";", ",", "\t")


@dataclass
class ParsedRow:
    line: int
    reference: str
    amount_ore: int
    paid_on: date
    year: int
    transaction: str | None


# Control characters other than tab and line breaks: bytes that are no text at all.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise BankFileError("encoding")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")  # what Excel and Swedish banks often write
            except UnicodeDecodeError as exc:
                raise BankFileError("encoding") from exc
    if CONTROL.search(text):
        raise BankFileError("encoding")
    return text


AMOUNT = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]{1,2})?")
MAX_ORE = 2**31 - 1  # the amount columns are 32-bit integers


def parse_amount(text: str) -> int:
    """'1 234,50', '250', '250.00' → öre. Raises ValueError, also for '1e400' or 'Infinity',
    which Decimal would take."""
    cleaned = text
    for unwanted in ("\xa0", "\u202f", " ", "kr"):
        cleaned = cleaned.replace(unwanted, "")
    if not AMOUNT.fullmatch(cleaned):
        raise ValueError(text)
    ore = int(Decimal(cleaned.replace(",", ".")) * 100)
    if abs(ore) > MAX_ORE:
        raise ValueError(text)
    return ore


ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _parse_date(text: str) -> date:
    """YYYY-MM-DD, nothing else; ValueError otherwise (also for 2026-02-30)."""
    match = ISO_DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


def _delimiter(text: str) -> str:
    """The separator (semicolon, comma or tab) that splits the header into the known columns:
    surer than guessing from the whole file, where decimal commas look like separators."""
    header = next((line for line in io.StringIO(text) if line.strip()), "")
    for delimiter in DELIMITERS:
        names = {name.strip().strip('"').lower() for name in header.split(delimiter)}
        if all(names & set(COLUMNS[key]) for key in REQUIRED):
            return delimiter
    return max(DELIMITERS, key=header.count)


def _parse_row(values: dict[str, str]):
    """(None, (reference, amount_ore, paid_on, year, transaction)) or (message, None)."""
    try:
        paid_on = _parse_date(values["date"])
    except ValueError:
        return str(_l("The date must be written as YYYY-MM-DD.")), None
    try:
        amount = parse_amount(values["amount"])
    except ValueError:
        return str(_l("The amount is not a number.")), None
    if amount <= 0:
        return str(_l("The amount must be more than zero.")), None
    year = paid_on.year
    if values.get("year"):
        if not values["year"].isdigit():
            return str(_l("The year is not a year.")), None
        year = int(values["year"])
    return None, (values["reference"].replace(" ", ""), amount, paid_on, year,
                  values.get("transaction") or None)


def parse(data: bytes) -> tuple[list[ParsedRow], list[tuple[int, str]]]:
    """Read a bank CSV: the rows that parse, and (line, message) for every row that does
    not. Raises BankFileError for a file that cannot be read at all."""
    errors: list[tuple[int, str]] = []
    text = _decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)  # blank lines before the header
    if not header:
        raise BankFileError("empty")
    names = [h.strip().lower() for h in header]
    # By the first alias present: "Referens" wins over "Meddelande", wherever they stand.
    index = {key: names.index(alias) for key, aliases in COLUMNS.items()
             for alias in reversed(aliases) if alias in names}
    if any(key not in index for key in REQUIRED):
        raise BankFileError("columns")

    parsed = []
    line = reader.line_num + 1  # where the next record starts
    for row in reader:
        # The line a person sees in the file, also after a quoted cell with a line break.
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        values = {key: row[i].strip() if i < len(row) else "" for key, i in index.items()}
        problem, fields = _parse_row(values)
        if problem:
            errors.append((start, problem))
        else:
            parsed.append(ParsedRow(start, *fields))
    return parsed, errors
