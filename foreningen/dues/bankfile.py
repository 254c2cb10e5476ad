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
        "malformed": _l("The file cannot be read as a bank file: a line is broken or far "
                        "too long. Export it from the bank again."),
        "bgmax": _l("The BgMax file is not whole: %(problem)s Ask Bankgirot or the bank for "
                    "the file again."),
        "imported_before": _l("This file was already imported on %(date)s (%(filename)s). "
                              "Nothing was imported again."),
    }


COLUMNS = {
    "date": ("datum", "date", "bokföringsdag", "transaktionsdag"),
    "reference": ("referens", "reference", "ocr", "meddelande"),
    "amount": ("belopp", "amount"),
    "transaction": ("transaktions-id", "transaction id", "transaktionsid", "verifikation"),
    "year": ("år", "year", "avgiftsår"),
    "text": ("text", "namn", "name", "avsändare", "beskrivning", "description"),
}
# The years dues can be for: the same rule for a file and for the form.
FIRST_YEAR, LAST_YEAR = 2000, 2100
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
    text: str | None = None  # what the bank says about the payer: name, message
    deduction: bool = False  # BgMax: a payment taken back, to handle by hand


def payment_problem(paid_on: date, year: int, today: date):
    """Why a payment cannot be recorded as typed or read, or None: one rule for the form
    and for every bank file."""
    if paid_on.year > today.year:  # a typing slip such as 9999-12-31, or next year's
        return _l("The date paid cannot be later than this year.")
    if not FIRST_YEAR <= paid_on.year <= LAST_YEAR:
        return _l("The date paid must be between %(min)s and %(max)s.", min=FIRST_YEAR,
                  max=LAST_YEAR)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return _l("Enter a year between %(min)s and %(max)s.", min=FIRST_YEAR, max=LAST_YEAR)
    return None


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


def _parse_row(values: dict[str, str], today: date):
    """(None, (reference, amount_ore, paid_on, year, transaction, text)) or (message, None)."""
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
        if not values["year"].isdecimal() or not values["year"].isascii():
            return str(_l("The year is not a year.")), None
        year = int(values["year"])
    problem = payment_problem(paid_on, year, today)
    if problem:
        return str(problem), None
    reference = values["reference"].replace(" ", "")[:40]
    return None, (reference, amount, paid_on, year, values.get("transaction") or None,
                  values.get("text") or None)


def parse(data: bytes, today: date) -> tuple[str, list[ParsedRow], list[tuple[int, str]]]:
    """Read a bank file, BgMax or CSV: (kind, the rows that parse, and (line, message) for
    every row that does not). Raises BankFileError for a file that cannot be read at all."""
    if data.lstrip(b"\xef\xbb\xbf").startswith(b"01BGMAX"):
        rows, errors = parse_bgmax(data, today)
        return "bgmax", rows, errors
    try:
        rows, errors = _parse_csv(data, today)
    except csv.Error as exc:
        raise BankFileError("malformed") from exc
    return "csv", rows, errors


def _parse_csv(data: bytes, today: date):
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
        problem, fields = _parse_row(values, today)
        if problem:
            errors.append((start, problem))
        else:
            parsed.append(ParsedRow(start, *fields))
    return parsed, errors


# --- BgMax -----------------------------------------------------------------------------------
# Bankgirot's file of incoming payments: records of 80 characters, ISO-8859-1, the first two
# characters the record's code. Positions below are 1-based, as in Bankgirot's manual. A
# section is an opening record (05), payment records (20, and 21 for deductions) with their
# extra records (22-29), and a deposit record (15) that gives the payments their date; the
# end record (70) counts the payments, so a cut-off file is noticed.

BGMAX_ENCODING = "iso-8859-1"

def _columns(record: str, start: int, end: int) -> str:
    return record[start - 1:end]


def _bgmax_date(value: str) -> date:
    if not value.isdecimal() or len(value) != 8:
        raise ValueError(value)
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


def parse_bgmax(data: bytes, today: date) -> tuple[list[ParsedRow], list[tuple[int, str]]]:
    """The payments of a BgMax file. A deduction (21) is reported as a line to handle by
    hand; a broken file raises BankFileError."""
    records = [(number, record) for number, record
               in enumerate(data.decode(BGMAX_ENCODING).splitlines(), start=1)
               if record.strip()]
    rows: list[ParsedRow] = []
    errors: list[tuple[int, str]] = []
    section: list[ParsedRow] = []
    current: ParsedRow | None = None
    payments = 0
    ended = False
    for number, record in records:
        code = record[:2]
        if code == "01" or code == "05":
            section, current = [], None
        elif code in ("20", "21"):
            amount_text = _columns(record, 38, 55).strip()
            if not amount_text.isdecimal():
                raise BankFileError("bgmax", problem=_l("line %(line)s has no amount.",
                                                        line=number))
            reference = _columns(record, 13, 37).strip()
            current = ParsedRow(number, reference, int(amount_text), date.min, 0,
                                "BGC" + _columns(record, 58, 69).strip(), None,
                                deduction=code == "21")
            section.append(current)
            payments += code == "20"
        elif code in ("25", "26") and current is not None:
            words = " ".join(_columns(record, 3, 72).split())
            current.text = f"{current.text} {words}".strip() if current.text else words
        elif code == "15":
            try:
                paid_on = _bgmax_date(_columns(record, 38, 45))
            except ValueError:
                raise BankFileError("bgmax", problem=_l(
                    "the deposit on line %(line)s has no date.", line=number)) from None
            for row in section:
                row.paid_on, row.year = paid_on, paid_on.year
                problem = payment_problem(paid_on, paid_on.year, today)
                if problem:
                    errors.append((row.line, str(problem)))
                else:
                    rows.append(row)
            section, current = [], None
        elif code == "70":
            counted = _columns(record, 3, 10).strip()
            if not counted.isdecimal() or int(counted) != payments:
                raise BankFileError("bgmax", problem=_l(
                    "the end record counts %(counted)s payments, the file has %(found)s.",
                    counted=counted or "0", found=payments))
            ended = True
        elif code not in ("22", "23", "27", "28", "29"):
            raise BankFileError("bgmax", problem=_l("line %(line)s is no BgMax record.",
                                                    line=number))
    if not ended:
        raise BankFileError("bgmax", problem=_l("the end record is missing."))
    if section:
        raise BankFileError("bgmax", problem=_l("payments without their deposit record."))
    return rows, errors
