"""Helpers for the dues tests: members, rates and payments from tests.factories, and what
the dues tables hold."""

from __future__ import annotations

import itertools
import re
from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, select

from foreningen.core import clock
from foreningen.core.extensions import db
from foreningen.dues.models import DuesImport, DuesPayment, DuesRate
from foreningen.members.models import Member
from tests import factories

THIS_YEAR = clock.today().year
_numbers = itertools.count(1001)


def make_member(app, *, status="active", category="ordinary", number=None, locale="en",
                left_on=None, **details) -> SimpleNamespace:
    """A member through the factory, with contact details and joined three years ago;
    `number` chooses the member number. Also has `.reference`, the payment reference."""
    n = next(_numbers)
    values = {"first_name": f"Förnamn{n}", "last_name": f"Efternamn{n}",
              "email": f"medlem{n}@example.org", "phone": f"070-{n:07d}",
              "street_address": f"Storgatan {n}", "postal_code": "111 22",
              "city": "Stockholm", **details}
    made = factories.member(app, status, category=category, number=number, locale=locale,
                            left_on=left_on, joined_on=date(THIS_YEAR - 3, 1, 10), **values)
    return SimpleNamespace(**vars(made), reference=made.payment_reference)


def set_rate(app, ore: int, category="ordinary", year=THIS_YEAR, reference="Årsmöte § 7"):
    factories.rate(app, ore, category, year, reference)


def pay(app, member, ore: int, year=THIS_YEAR, paid_on=None, note=None):
    factories.payment(app, member, ore, year=year, paid_on=paid_on, note=note)


def member_row(app, member_id) -> Member | None:
    """A detached copy of the member's row, or None when it was deleted."""
    with app.app_context():
        row = db.session.get(Member, member_id)
        if row is not None:
            db.session.expunge(row)
        return row


def payments(app, **where) -> list[tuple]:
    """(member_id, year, amount_ore, paid_on, method, transaction id, note), in id order."""
    with app.app_context():
        stmt = select(DuesPayment).order_by(DuesPayment.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(DuesPayment, name) == value)
        return [(p.member_id, p.year, p.amount_ore, p.paid_on, p.method, p.bank_transaction_id,
                 p.note) for p in db.session.scalars(stmt)]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def rates(app) -> list[tuple]:
    with app.app_context():
        return [(r.year, r.category, r.amount_ore, r.decision_reference)
                for r in db.session.scalars(select(DuesRate).order_by(DuesRate.id))]


def imports(app) -> list[tuple]:
    with app.app_context():
        return [(i.filename, i.row_count, i.total_ore)
                for i in db.session.scalars(select(DuesImport).order_by(DuesImport.id))]


def text_of(html: str) -> str:
    """The page's text with tags and repeated white space removed, to read like a person."""
    text = re.sub(r"<[^>]+>", " ", html.replace("<wbr>", ""))  # a line-break chance only
    text = text.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))
