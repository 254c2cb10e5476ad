"""Who has paid what: one aggregate per year, joined where it is needed (no N+1).

Dues belong to members, but this module knows no member table: a caller that selects
members passes its own member id and category columns (`with_dues`), or a selectable of
them (`year_overview`), and the policy scope narrows what the board's pages list.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from foreningen.core.cache import Figures
from foreningen.core.extensions import db
from foreningen.dues import policy
from foreningen.dues.models import (
    DuesImport,
    DuesImportLine,
    DuesPayment,
    DuesRate,
    LineReason,
    LineResolution,
    PaymentMethod,
)

__all__ = ["LineReason", "LineResolution", "PaymentMethod"]  # and the functions below


@dataclass
class DuesStanding:
    """One member's dues for one year: the rate of their category and what they paid."""

    year: int
    rate_ore: int | None
    paid_ore: int

    @property
    def paid_up(self) -> bool:
        return self.rate_ore is not None and self.paid_ore >= self.rate_ore

    @property
    def overpaid_ore(self) -> int:
        """What was paid beyond the rate: to pay back, or to carry to next year."""
        return max(self.paid_ore - self.rate_ore, 0) if self.rate_ore is not None else 0


def paid_sums(year: int):
    """Subquery: member_id, paid_ore for one year."""
    return (select(DuesPayment.member_id, func.sum(DuesPayment.amount_ore).label("paid_ore"))
            .where(DuesPayment.year == year).group_by(DuesPayment.member_id)
            .subquery(f"paid_{year}"))


def with_dues(stmt, year: int, member_id, category, *, per_row: bool = False):
    """Add paid_ore, rate_ore and paid_up columns for `year` to a select of members whose
    id and category are the columns given. Returns (stmt, paid_up condition).

    per_row: for a select already narrowed to a page of members, each row's sum is looked
    up by index (year, member_id) instead of aggregating every payment of the year first;
    the cost then follows the page, not the register."""
    if per_row:
        # Correlated lookups only (no join), so that the database walks the members in the
        # page's order and stops when the page is full.
        paid_ore = (select(func.coalesce(func.sum(DuesPayment.amount_ore), 0))
                    .where(DuesPayment.year == year, DuesPayment.member_id == member_id)
                    .correlate_except(DuesPayment).scalar_subquery())
        rate_ore = (select(DuesRate.amount_ore)
                    .where(DuesRate.year == year, DuesRate.category == category)
                    .correlate_except(DuesRate).scalar_subquery())
    else:
        paid = paid_sums(year)
        rate = select(DuesRate.category, DuesRate.amount_ore).where(
            DuesRate.year == year).subquery(f"rate_{year}")
        stmt = (stmt.outerjoin(paid, paid.c.member_id == member_id)
                .outerjoin(rate, rate.c.category == category))
        paid_ore = func.coalesce(paid.c.paid_ore, 0)
        rate_ore = rate.c.amount_ore
    paid_up = and_(rate_ore.is_not(None), paid_ore >= rate_ore)
    stmt = stmt.add_columns(paid_ore.label("paid_ore"), rate_ore.label("rate_ore"),
                            paid_up.label("paid_up"))
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
    overpaid: int = 0  # members who paid more than the rate
    overpaid_ore: int = 0  # how much more, together


# The year overview sums every payment of the year against every member: tens of
# milliseconds at national scale. It is kept per worker (core/cache.py) while nothing it
# depends on has changed: the year's payments and rates (payments_version) and the members'
# categories and statuses (`members_version`, a function from the caller).
overviews = Figures()


def payments_version(year: int) -> tuple:
    """Changes whenever a payment of the year is added or removed (payments are never
    updated: a correction is a new row; only the purge deletes them), or a rate is set."""
    payments = db.session.execute(select(func.count(DuesPayment.id), func.max(DuesPayment.id))
                                  .where(DuesPayment.year == year)).one()
    rates_set = db.session.execute(select(DuesRate.category, DuesRate.amount_ore)
                                   .where(DuesRate.year == year)
                                   .order_by(DuesRate.category)).all()
    return tuple(payments), tuple(map(tuple, rates_set))


def cached_year_overview(year: int, members, categories, members_version) -> list[CategoryYear]:
    """year_overview(), computed again only when its data has changed."""
    return overviews.get(
        lambda: (year, tuple(str(c) for c in categories), members_version(),
                 payments_version(year)),
        lambda: year_overview(year, members, categories))


def year_overview(year: int, members, categories) -> list[CategoryYear]:
    """Per category: the rate, how many members owing dues are (not) paid up and what was
    received for the year. `members` is a selectable of (id, category, owes_dues) for every
    member; `categories` the category codes in the order shown. Three queries."""
    stmt, _ = with_dues(select(members.c.id, members.c.category), year, members.c.id,
                        members.c.category)
    owing = stmt.where(members.c.owes_dues.is_(True)).subquery()
    over = owing.c.paid_ore > owing.c.rate_ore
    counts = {category: (total or 0, paid or 0, overpaid or 0, overpaid_ore or 0)
              for category, total, paid, overpaid, overpaid_ore in db.session.execute(
                  select(owing.c.category, func.count(),
                         func.sum(case((owing.c.paid_up, 1), else_=0)),
                         func.sum(case((over, 1), else_=0)),
                         func.sum(case((over, owing.c.paid_ore - owing.c.rate_ore), else_=0)))
                  .group_by(owing.c.category))}
    received = dict(db.session.execute(
        select(members.c.category, func.sum(DuesPayment.amount_ore))
        .join(members, members.c.id == DuesPayment.member_id)
        .where(DuesPayment.year == year).group_by(members.c.category)).all())
    by_category = {rate.category: rate for rate in rates(year)}
    overview = []
    for category in categories:
        total, paid, overpaid, overpaid_ore = counts.get(str(category), (0, 0, 0, 0))
        overview.append(CategoryYear(str(category), by_category.get(str(category)), paid,
                                     total - paid, received.get(str(category)) or 0,
                                     overpaid, overpaid_ore))
    return overview


def import_by_hash(digest: str) -> DuesImport | None:
    return db.session.scalar(select(DuesImport).where(DuesImport.file_sha256 == digest))


def known_transactions(transactions: list[str]) -> set[str]:
    if not transactions:
        return set()
    return set(db.session.scalars(select(DuesPayment.bank_transaction_id).where(
        DuesPayment.bank_transaction_id.in_(transactions))))


def same_payments(keys: set[tuple]) -> set[tuple]:
    """Which (member_id, paid_on, amount_ore) are already recorded (and not reversed):
    one indexed query for a whole file or form."""
    if not keys:
        return set()
    member_ids = {k[0] for k in keys}
    reversed_ids = select(DuesPayment.reverses_id).where(DuesPayment.reverses_id.is_not(None))
    found = db.session.execute(
        select(DuesPayment.member_id, DuesPayment.paid_on, DuesPayment.amount_ore)
        .where(DuesPayment.member_id.in_(member_ids), DuesPayment.amount_ore > 0,
               DuesPayment.paid_on.in_({k[1] for k in keys}),
               DuesPayment.id.not_in(reversed_ids))).all()
    return {tuple(row) for row in found} & keys


def submission_recorded(key: str | None) -> bool:
    """Whether the payments of this form (its submission key) are already recorded."""
    if not key or len(key) != 32 or not all(c in "0123456789abcdef" for c in key):
        return False  # not a key this portal made: the form's own check refuses it
    return db.session.scalar(select(DuesPayment.id).where(
        DuesPayment.submission_key == key).limit(1)) is not None


def reversal_of(payment_id: int) -> DuesPayment | None:
    return db.session.scalar(select(DuesPayment).where(DuesPayment.reverses_id == payment_id))


def reversible_payments_of_import(import_id: int) -> list[DuesPayment]:
    reversed_ids = select(DuesPayment.reverses_id).where(DuesPayment.reverses_id.is_not(None))
    return list(db.session.scalars(select(DuesPayment).where(
        DuesPayment.import_id == import_id, DuesPayment.reverses_id.is_(None),
        DuesPayment.id.not_in(reversed_ids)).order_by(DuesPayment.id)))


def dues_import_of(line: DuesImportLine) -> DuesImport:
    return db.session.get(DuesImport, line.import_id)


def imports_page(user, page: int, per_page: int = 50):
    """Bank files imported, newest first, and how many lines of each are still open:
    three queries (the page, its total, the open lines of the page's imports)."""
    stmt = (policy.scope(user, select(DuesImport))
            .order_by(DuesImport.imported_at.desc(), DuesImport.id.desc()))
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    ids = [dues_import.id for dues_import in pagination.items]
    open_lines = dict(db.session.execute(
        select(DuesImportLine.import_id, func.count(DuesImportLine.id))
        .where(DuesImportLine.import_id.in_(ids), DuesImportLine.resolved_at.is_(None))
        .group_by(DuesImportLine.import_id)).all()) if ids else {}
    return pagination, open_lines


def import_lines(import_id: int) -> list[DuesImportLine]:
    return list(db.session.scalars(select(DuesImportLine).where(
        DuesImportLine.import_id == import_id).order_by(DuesImportLine.line_number)))


def import_line(user, import_id: int, line_id: int) -> DuesImportLine | None:
    return db.session.scalar(policy.scope(user, select(DuesImportLine)).where(
        DuesImportLine.id == line_id, DuesImportLine.import_id == import_id))


def payment(user, payment_id: int) -> DuesPayment | None:
    return db.session.scalar(policy.scope(user, select(DuesPayment)).where(
        DuesPayment.id == payment_id))


def reversed_payment_ids(payment_ids) -> set[int]:
    if not payment_ids:
        return set()
    return set(db.session.scalars(select(DuesPayment.reverses_id).where(
        DuesPayment.reverses_id.in_(payment_ids))))


def imports_scope(user):
    return policy.scope(user, select(DuesImport))


def dues_import(user, import_id: int) -> DuesImport | None:
    return db.session.scalar(imports_scope(user).where(DuesImport.id == import_id))


def import_payments(import_id: int) -> list[DuesPayment]:
    return list(db.session.scalars(select(DuesPayment).where(DuesPayment.import_id == import_id)
                                   .order_by(DuesPayment.id)))
