"""Who has paid what: one aggregate per year, joined where it is needed (no N+1)."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from foreningen.dues.models import DuesPayment, DuesRate
from foreningen.extensions import db
from foreningen.members.models import Member


def paid_sums(year: int):
    """Subquery: member_id, paid_ore for one year."""
    return (select(DuesPayment.member_id, func.sum(DuesPayment.amount_ore).label("paid_ore"))
            .where(DuesPayment.year == year).group_by(DuesPayment.member_id)
            .subquery(f"paid_{year}"))


def paid_up_clause(year: int, paid=None, rate=None):
    """A SQL condition true for members whose payments for the year cover their rate.
    Use with the joins of `with_dues` (outer joins on the paid sums and the rate)."""
    paid = paid if paid is not None else paid_sums(year)
    return and_(rate.c.amount_ore.is_not(None),
                func.coalesce(paid.c.paid_ore, 0) >= rate.c.amount_ore)


def with_dues(stmt, year: int):
    """Add paid_ore, rate_ore and paid_up columns for `year` to a select of Member."""
    paid = paid_sums(year)
    rate = select(DuesRate.category, DuesRate.amount_ore).where(
        DuesRate.year == year).subquery(f"rate_{year}")
    paid_up = paid_up_clause(year, paid, rate)
    stmt = (stmt.outerjoin(paid, paid.c.member_id == Member.id)
            .outerjoin(rate, rate.c.category == Member.category)
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


def payments_of(member_id: int) -> list[DuesPayment]:
    return list(db.session.scalars(select(DuesPayment).where(
        DuesPayment.member_id == member_id).order_by(DuesPayment.paid_on.desc(),
                                                     DuesPayment.id.desc())))


def paid_for(member_id: int, year: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(DuesPayment.amount_ore), 0)).where(
        DuesPayment.member_id == member_id, DuesPayment.year == year)) or 0


def is_paid_up(member: Member, year: int) -> bool:
    rate = rate_for(year, member.category)
    return rate is not None and paid_for(member.id, year) >= rate.amount_ore
