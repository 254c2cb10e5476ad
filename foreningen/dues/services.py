"""Dues: rates, payments, bank-file import (all or nothing), reminders, lapsing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from foreningen import audit, mail
from foreningen.db import utcnow
from foreningen.dues.models import DuesImport, DuesPayment, DuesRate
from foreningen.dues.queries import is_paid_up, rate_for, with_dues
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
                   ) -> DuesPayment:
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
    db.session.flush()
    audit.record("dues.payment", member, actor=actor, detail=f"{year}")
    # A lapsed member who has now paid is active again.
    if member.status == MemberStatus.LAPSED and year == date.today().year \
            and is_paid_up(member, year):
        change_status(member, MemberStatus.ACTIVE, "paid", actor)
    return payment


# --- bank file import ---------------------------------------------------------------------

COLUMNS = {
    "date": ("datum", "date", "bokföringsdag", "transaktionsdag"),
    "reference": ("referens", "reference", "ocr", "meddelande"),
    "amount": ("belopp", "amount"),
    "transaction": ("transaktions-id", "transaction id", "transaktionsid", "verifikation"),
    "year": ("år", "year", "avgiftsår"),
}
REQUIRED = ("date", "reference", "amount")


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


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise DuesError("encoding")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # what Excel and Swedish banks often write
    except UnicodeDecodeError as exc:
        raise DuesError("encoding") from exc


def parse_amount(text: str) -> int:
    """'1 234,50', '250', '250.00' → öre. Raises ValueError."""
    cleaned = text.replace("\xa0", "").replace(" ", "").replace("kr", "").strip()
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    ore = value * 100
    if ore != ore.to_integral_value():
        raise ValueError(text)
    return int(ore)


def _parse_date(text: str) -> date:
    return datetime.strptime(text.strip(), "%Y-%m-%d").date()


def parse_bank_file(data: bytes) -> ImportResult:
    """Read a bank CSV; every bad row is reported, nothing is stored here."""
    result = ImportResult()
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise DuesError("empty")
    names = [h.strip().lower() for h in header]
    index = {}
    for key, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                index[key] = i
    if any(key not in index for key in REQUIRED):
        raise DuesError("columns")

    parsed = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        def cell(key, row=row):
            i = index.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""
        try:
            paid_on = _parse_date(cell("date"))
        except ValueError:
            result.errors.append((line, str(_l("The date must be written as YYYY-MM-DD."))))
            continue
        try:
            amount = parse_amount(cell("amount"))
        except ValueError:
            result.errors.append((line, str(_l("The amount is not a number."))))
            continue
        if amount <= 0:
            result.errors.append((line, str(_l("The amount must be more than zero."))))
            continue
        year = paid_on.year
        if cell("year"):
            if not cell("year").isdigit():
                result.errors.append((line, str(_l("The year is not a year."))))
                continue
            year = int(cell("year"))
        parsed.append((line, cell("reference").replace(" ", ""), amount, paid_on, year,
                       cell("transaction") or None))

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
                       bank_transaction_id=row.transaction, dues_import=dues_import)
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

