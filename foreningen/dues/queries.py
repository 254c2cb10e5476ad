"""Who has paid what: one aggregate per year, joined where it is needed (no N+1)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from foreningen.dues.models import DuesImport, DuesPayment, DuesRate
from foreningen.extensions import db
from foreningen.members.models import Member, MemberCategory, MemberStatus

# Members who owe dues: the overview counts them, reminders and lapsing concern them.
DUES_STATUSES = (MemberStatus.ACTIVE, MemberStatus.LAPSED)


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


@dataclass
class CategoryYear:
    category: str
    rate: DuesRate | None
    paid_up: int
    not_paid_up: int
    received_ore: int


def year_overview(year: int) -> list[CategoryYear]:
    """Per category: the rate, how many active or lapsed members are (not) paid up and what
    was received for the year. Three queries, whatever the number of members."""
    stmt, _ = with_dues(select(Member.id, Member.category), year)
    members = stmt.where(Member.status.in_(DUES_STATUSES)).subquery()
    counts = {category: (total or 0, paid or 0) for category, total, paid in db.session.execute(
        select(members.c.category, func.count(),
               func.sum(case((members.c.paid_up, 1), else_=0)))
        .group_by(members.c.category))}
    received = dict(db.session.execute(
        select(Member.category, func.sum(DuesPayment.amount_ore))
        .join(Member, Member.id == DuesPayment.member_id)
        .where(DuesPayment.year == year).group_by(Member.category)).all())
    by_category = {rate.category: rate for rate in rates(year)}
    overview = []
    for category in MemberCategory:
        total, paid = counts.get(str(category), (0, 0))
        overview.append(CategoryYear(str(category), by_category.get(str(category)), paid,
                                     total - paid, received.get(str(category)) or 0))
    return overview


def members_by_key(keys: list[str]) -> dict[str, Member]:
    """Members by what the board typed: a payment reference, or else a member number.
    The reference wins, so every member can be reached by theirs even when it equals
    another member's number. Anonymised members are not found."""
    keys = [k for k in set(keys) if k]
    numbers = [int(k) for k in keys if k.isdigit() and len(k) < 10]
    found = list(db.session.scalars(select(Member).where(
        Member.anonymised_at.is_(None),
        or_(Member.payment_reference.in_(keys), Member.number.in_(numbers)))))
    result: dict[str, Member] = {}
    for key in keys:
        by_reference = [m for m in found if m.payment_reference == key]
        by_number = [m for m in found if key.isdigit() and m.number == int(key)]
        match = (by_reference or by_number or [None])[0]
        if match is not None:
            result[key] = match
    return result


def dues_import(import_id: int) -> DuesImport | None:
    return db.session.get(DuesImport, import_id)


def import_payments(import_id: int) -> list[tuple[DuesPayment, Member]]:
    return list(db.session.execute(
        select(DuesPayment, Member).join(Member, Member.id == DuesPayment.member_id)
        .where(DuesPayment.import_id == import_id).order_by(DuesPayment.id)))
