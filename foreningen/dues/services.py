"""Dues: rates, payments, bank-file import (all or nothing), reminders, lapsing."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from foreningen import audit, mail
from foreningen.db import utcnow
from foreningen.dues.models import DuesImport, DuesPayment, DuesRate
from foreningen.dues.queries import rate_for, with_dues
from foreningen.extensions import db
from foreningen.members.models import Member, MemberCategory, MemberStatus
from foreningen.members.services import change_status


class DuesError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def set_rate(year: int, category: str, amount_ore: int, decision_reference: str,
             actor) -> DuesRate:
    if amount_ore < 0:
        raise DuesError("negative")
    category = str(MemberCategory(category))
    rate = rate_for(year, category)
    if rate is None:
        rate = DuesRate(year=year, category=category)
        db.session.add(rate)
    rate.amount_ore = amount_ore
    rate.decision_reference = decision_reference.strip()
    db.session.flush()
    audit.record("dues.rate_set", rate, actor=actor, detail=f"{year} {category}")
    return rate


def record_payment(member: Member, year: int, amount_ore: int, paid_on: date, actor, *,
                   method: str = "manual", bank_transaction_id: str | None = None,
                   dues_import: DuesImport | None = None, note: str | None = None,
                   reactivate: bool = True) -> DuesPayment:
    """Add one payment (flushed with the next query or commit, so that a whole file is one
    batch). `reactivate=False` leaves the lapsed-member check to the caller, once for all."""
    if amount_ore <= 0:
        raise DuesError("amount")
    if member.anonymised_at is not None:
        raise DuesError("anonymised")
    payment = DuesPayment(member_id=member.id, year=year, amount_ore=amount_ore,
                          paid_on=paid_on, method=method,
                          bank_transaction_id=bank_transaction_id,
                          import_id=dues_import.id if dues_import else None,
                          recorded_by=getattr(actor, "id", None), note=note or None)
    db.session.add(payment)
    audit.record("dues.payment", member, actor=actor, detail=f"{year}")
    if reactivate:
        reactivate_paid_up([(member, year)], actor)
    return payment


def reactivate_paid_up(paid: list[tuple[Member, int]], actor) -> int:
    """A lapsed member who has now paid this year's dues is active again. One query for all
    the (member, dues year) pairs just paid, however many."""
    year = date.today().year
    lapsed = {m.id: m for m, paid_year in paid
              if paid_year == year and m.status == MemberStatus.LAPSED}
    if not lapsed:
        return 0
    stmt, paid_up = with_dues(select(Member.id), year)
    ids = set(db.session.scalars(stmt.where(Member.id.in_(lapsed), paid_up)))
    for member_id in sorted(ids):
        change_status(lapsed[member_id], MemberStatus.ACTIVE, "paid", actor)
    return len(ids)


# --- bank file import ---------------------------------------------------------------------

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
class ImportRow:
    line: int
    member: Member
    amount_ore: int
    paid_on: date
    year: int
    transaction: str | None


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


# Control characters other than tab and line breaks: bytes that are no text at all.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise DuesError("encoding")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")  # what Excel and Swedish banks often write
            except UnicodeDecodeError as exc:
                raise DuesError("encoding") from exc
    if CONTROL.search(text):
        raise DuesError("encoding")
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


def _parse_date(text: str) -> date:
    return datetime.strptime(text.strip(), "%Y-%m-%d").date()


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


def parse_bank_file(data: bytes) -> ImportResult:
    """Read a bank CSV; every bad row is reported, nothing is stored here."""
    result = ImportResult()
    text = _decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)  # blank lines before the header
    if not header:
        raise DuesError("empty")
    names = [h.strip().lower() for h in header]
    # By the first alias present: "Referens" wins over "Meddelande", wherever they stand.
    index = {key: names.index(alias) for key, aliases in COLUMNS.items()
             for alias in reversed(aliases) if alias in names}
    if any(key not in index for key in REQUIRED):
        raise DuesError("columns")

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
            result.errors.append((start, problem))
        else:
            parsed.append((start, *fields))

    references = {p[1] for p in parsed}
    members = {m.payment_reference: m for m in db.session.scalars(
        select(Member).where(Member.payment_reference.in_(references)))} if references else {}
    transactions = [p[5] for p in parsed if p[5]]
    known = set(db.session.scalars(select(DuesPayment.bank_transaction_id).where(
        DuesPayment.bank_transaction_id.in_(transactions)))) if transactions else set()
    seen: set[str] = set()
    for line, reference, amount, paid_on, year, transaction in parsed:
        member = members.get(reference)
        if member is None or member.anonymised_at is not None:
            result.errors.append((line, str(_l("No member has the payment reference %(ref)s.",
                                                ref=reference or "–"))))
        elif transaction and (transaction in known or transaction in seen):
            result.errors.append((line, str(_l("The transaction %(id)s is already imported.",
                                                id=transaction))))
        else:
            if transaction:
                seen.add(transaction)
            result.rows.append(ImportRow(line, member, amount, paid_on, year, transaction))
    result.errors.sort()
    return result


def import_bank_file(data: bytes, filename: str, actor) -> tuple[DuesImport | None,
                                                                  ImportResult]:
    """All rows or none: with any error nothing is stored and the errors are returned."""
    result = parse_bank_file(data)
    if result.errors or not result.rows:
        if not result.rows and not result.errors:
            raise DuesError("empty")
        return None, result
    dues_import = DuesImport(filename=filename[:200], actor_id=getattr(actor, "id", None),
                             row_count=len(result.rows),
                             total_ore=sum(r.amount_ore for r in result.rows))
    db.session.add(dues_import)
    db.session.flush()
    for row in result.rows:
        record_payment(row.member, row.year, row.amount_ore, row.paid_on, actor, method="bank",
                       bank_transaction_id=row.transaction, dues_import=dues_import,
                       reactivate=False)
    reactivate_paid_up([(row.member, row.year) for row in result.rows], actor)
    audit.record("dues.import", dues_import, actor=actor, detail=f"{len(result.rows)} rows")
    return dues_import, result


# --- reminders and lapsing ----------------------------------------------------------------

def _unpaid(year: int):
    stmt, paid_up = with_dues(select(Member), year)
    return stmt.where(Member.status.in_([MemberStatus.ACTIVE, MemberStatus.LAPSED]), ~paid_up)


def send_reminders(year: int, actor=None) -> int:
    """Remind those not paid up, at most once per interval, never someone who left."""
    interval = timedelta(days=current_app.config["DUES_REMINDER_INTERVAL_DAYS"])
    cutoff = utcnow() - interval
    stmt = _unpaid(year).where((Member.last_reminder_at.is_(None))
                               | (Member.last_reminder_at < cutoff))
    count = 0
    for member, paid_ore, rate_ore, _ in db.session.execute(stmt).all():
        if rate_ore is None:
            continue  # no rate decided for the category: nothing to remind about
        mail.queue(member.email, "dues_reminder", "Your membership dues", locale=member.locale,
                   year=year, amount=rate_ore - paid_ore, reference=member.payment_reference)
        member.last_reminder_at = utcnow()
        count += 1
    audit.record("dues.reminders", actor=actor, detail=f"{year}: {count}")
    return count


def lapse_date(year: int) -> date:
    month, day = (int(p) for p in current_app.config["DUES_LAPSE_DATE"].split("-"))
    return date(year, month, day)


def lapse_unpaid(today: date | None = None, actor=None) -> int:
    """After the lapse date, active members not paid up for the year become lapsed."""
    today = today or date.today()
    if today <= lapse_date(today.year):
        return 0
    stmt = _unpaid(today.year).where(Member.status == MemberStatus.ACTIVE)
    members = [row[0] for row in db.session.execute(stmt).all() if row[2] is not None]
    for member in members:
        change_status(member, MemberStatus.LAPSED, "not paid up", actor, effective_on=today)
    return len(members)

