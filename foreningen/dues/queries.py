"""Who has paid what: one aggregate per year, joined where it is needed (no N+1).

Dues belong to members, but this module knows no member table: a caller that selects
members passes its own member id and category columns (`with_dues`), or a selectable of
them (`year_overview`), and the policy scope narrows what the board's pages list.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from foreningen.core.extensions import db
from foreningen.dues import policy
from foreningen.dues.models import DuesImport, DuesPayment, DuesRate, PaymentMethod

__all__ = ["PaymentMethod"]  # and the functions below, for other features


@dataclass
class DuesStanding:
    """One member's dues for one year: the rate of their category and what they paid."""

    year: int
    rate_ore: int | None
    paid_ore: int

    @property
    def paid_up(self) -> bool:
        return self.rate_ore is not None and self.paid_ore >= self.rate_ore


def paid_sums(year: int):
    """Subquery: member_id, paid_ore for one year."""
    return (select(DuesPayment.member_id, func.sum(DuesPayment.amount_ore).label("paid_ore"))
            .where(DuesPayment.year == year).group_by(DuesPayment.member_id)
            .subquery(f"paid_{year}"))


def with_dues(stmt, year: int, member_id, category):
    """Add paid_ore, rate_ore and paid_up columns for `year` to a select of members whose
    id and category are the columns given. Returns (stmt, paid_up condition)."""
    paid = paid_sums(year)
    rate = select(DuesRate.category, DuesRate.amount_ore).where(
        DuesRate.year == year).subquery(f"rate_{year}")
    paid_up = and_(rate.c.amount_ore.is_not(None),
                   func.coalesce(paid.c.paid_ore, 0) >= rate.c.amount_ore)
    stmt = (stmt.outerjoin(paid, paid.c.member_id == member_id)
            .outerjoin(rate, rate.c.category == category)
            .add_columns(func.coalesce(paid.c.paid_ore, 0).label("paid_ore"),
                         rate.c.amount_ore.label("rate_ore"), paid_up.label("paid_up")))
    return stmt, paid_up


def rates(year: int | None = None) -> list[DuesRate]:
    stmt = select(DuesRate).order_by(DuesRate.year.desc(), DuesRate.category)
    if year is not None:
        stmt = stmt.where(DuesRate.year == year)
    return list(db.session.scalars(stmt))


def rate_for(year: int, category: str) -> DuesRate | None:
    return db.session.scalar(select(DuesRate).where(DuesRate.year == year,
                                                    DuesRate.category == category))


def rates_of_category(category: str) -> dict[int, int]:
    """Year → rate in öre for one category."""
    return dict(db.session.execute(select(DuesRate.year, DuesRate.amount_ore)
                                   .where(DuesRate.category == category)).all())


def payments_of(member_id: int) -> list[DuesPayment]:
    return list(db.session.scalars(select(DuesPayment).where(
        DuesPayment.member_id == member_id).order_by(DuesPayment.paid_on.desc(),
                                                     DuesPayment.id.desc())))


def paid_for(member_id: int, year: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(DuesPayment.amount_ore), 0)).where(
        DuesPayment.member_id == member_id, DuesPayment.year == year)) or 0


def is_paid_up(member, year: int) -> bool:
    """Whether a member (anything with an id and a category) has paid the year's rate."""
    rate = rate_for(year, member.category)
    return rate is not None and paid_for(member.id, year) >= rate.amount_ore


def payer_ids():
    """A select of the ids of members with any payment kept (their rows must stay)."""
    return select(DuesPayment.member_id)


@dataclass
class CategoryYear:
    category: str
    rate: DuesRate | None
    paid_up: int
    not_paid_up: int
    received_ore: int


def year_overview(year: int, members, categories) -> list[CategoryYear]:
    """Per category: the rate, how many members owing dues are (not) paid up and what was
    received for the year. `members` is a selectable of (id, category, owes_dues) for every
    member; `categories` the category codes in the order shown. Three queries."""
    stmt, _ = with_dues(select(members.c.id, members.c.category), year, members.c.id,
                        members.c.category)
    owing = stmt.where(members.c.owes_dues.is_(True)).subquery()
    counts = {category: (total or 0, paid or 0) for category, total, paid in db.session.execute(
        select(owing.c.category, func.count(),
               func.sum(case((owing.c.paid_up, 1), else_=0)))
        .group_by(owing.c.category))}
    received = dict(db.session.execute(
        select(members.c.category, func.sum(DuesPayment.amount_ore))
        .join(members, members.c.id == DuesPayment.member_id)
        .where(DuesPayment.year == year).group_by(members.c.category)).all())
    by_category = {rate.category: rate for rate in rates(year)}
    overview = []
    for category in categories:
        total, paid = counts.get(str(category), (0, 0))
        overview.append(CategoryYear(str(category), by_category.get(str(category)), paid,
                                     total - paid, received.get(str(category)) or 0))
    return overview


def imports_scope(user):
    return policy.scope(user, select(DuesImport))


def dues_import(user, import_id: int) -> DuesImport | None:
    return db.session.scalar(imports_scope(user).where(DuesImport.id == import_id))


def import_payments(import_id: int) -> list[DuesPayment]:
    return list(db.session.scalars(select(DuesPayment).where(DuesPayment.import_id == import_id)
                                   .order_by(DuesPayment.id)))
