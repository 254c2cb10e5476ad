"""Reads for the board's register: a bounded number of queries whatever the page size.

The register selects the columns it shows rather than whole members, so that a page never
decrypts addresses, phone numbers or why-join texts it does not display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, case, func, null, or_, select
from sqlalchemy.orm import selectinload

from foreningen.auth.models import User
from foreningen.auth.queries import user_by_email
from foreningen.dues.queries import DuesStanding, paid_for, payments_of, rate_for, with_dues
from foreningen.extensions import db
from foreningen.members.models import Member, MemberStatus
from foreningen.municipalities.models import Municipality

PER_PAGE = 50
# Statuses sort in the order of a membership's life, not alphabetically.
LIFECYCLE = case({status: n for n, status in enumerate(
    (MemberStatus.APPLIED, MemberStatus.ACTIVE, MemberStatus.LAPSED, MemberStatus.LEFT,
     MemberStatus.DECLINED))}, value=Member.status, else_=9)
SORTS = {
    "name": (Member.last_name, Member.first_name),
    "number": (Member.number,),
    "joined": (Member.joined_on,),
    "status": (LIFECYCLE, Member.last_name, Member.first_name),
}
PAID_FILTERS = ("paid", "unpaid")

LIST_COLUMNS = (
    Member.id, Member.number, Member.payment_reference, Member.first_name, Member.last_name,
    Member.email, Member.category, Member.status, Member.joined_on, Member.left_on,
    Member.protected_identity, Municipality.name.label("municipality"),
)


def _unless_protected(column):
    """The column's value, or NULL for a member with protected identity: the database never
    even hands such an address to the application for an export."""
    return case((Member.protected_identity.is_(True), null()), else_=column).label(column.key)


EXPORT_COLUMNS = (*LIST_COLUMNS, *(_unless_protected(c) for c in (
    Member.street_address, Member.postal_code, Member.city, Member.phone)))


@dataclass
class RegisterFilter:
    q: str | None = None
    category: str | None = None
    status: str | None = None
    municipality_id: int | None = None
    year: int = field(default_factory=lambda: date.today().year)
    paid: str | None = None  # "paid", "unpaid" or None for both
    sort: str = "name"
    direction: str = "asc"


def _search(stmt: Select, q: str) -> Select:
    term = q.strip()
    if term.isdigit():
        # A payment reference from the bank statement, or a member number: both indexed.
        found = [Member.payment_reference == term]
        if len(term) <= 9:
            found.append(Member.number == int(term))
        return stmt.where(or_(*found))
    for word in term.split()[:5]:
        stmt = stmt.where(Member.search_key.contains(word.casefold(), autoescape=True))
    return stmt


def _where(stmt: Select, f: RegisterFilter) -> Select:
    if f.q and f.q.strip():
        stmt = _search(stmt, f.q)
    if f.category:
        stmt = stmt.where(Member.category == f.category)
    if f.status:
        stmt = stmt.where(Member.status == f.status)
    if f.municipality_id:
        stmt = stmt.where(Member.municipality_id == f.municipality_id)
    return stmt


def _order(stmt: Select, f: RegisterFilter) -> Select:
    descending = f.direction == "desc"
    ordering = []
    for column in (*SORTS.get(f.sort, SORTS["name"]), Member.id):
        term = column.desc() if descending else column.asc()
        # Members without a date (applications) come last either way, on every database.
        ordering.append(term.nulls_last() if getattr(column, "nullable", False) else term)
    return stmt.order_by(*ordering)


def _listing(columns, f: RegisterFilter, *, limit: int | None = None, offset: int = 0
             ) -> Select:
    stmt = select(*columns).select_from(Member).outerjoin(
        Municipality, Municipality.id == Member.municipality_id)
    if limit is not None and f.paid not in PAID_FILTERS:
        # Choose the page's members first (by index where the sort has one), then join
        # their dues: the joins then touch one page of members, not the whole register.
        page = _order(_where(select(Member.id), f), f).limit(limit).offset(offset)
        stmt = stmt.where(Member.id.in_(page))
        limit, offset = None, 0
    else:
        stmt = _where(stmt, f)
    stmt, paid_up = with_dues(stmt, f.year)
    if f.paid in PAID_FILTERS:
        stmt = stmt.where(paid_up if f.paid == "paid" else ~paid_up)
    stmt = _order(stmt, f)
    return stmt if limit is None else stmt.limit(limit).offset(offset)


def _count(f: RegisterFilter) -> Select:
    if f.paid in PAID_FILTERS:
        # Paid up or not needs the dues joins; otherwise counting members is enough.
        return select(func.count()).select_from(_listing((Member.id,), f).order_by(None)
                                                .subquery())
    return _where(select(func.count(Member.id)), f)


class RowPagination(Pagination):
    """Flask-SQLAlchemy's pagination for a select of several columns (its own returns only
    the first column of each row)."""

    def _query_items(self) -> list:
        stmt = self._query_args["items"](self.per_page, self._query_offset)
        return list(db.session.execute(stmt).all())

    def _query_count(self) -> int:
        return db.session.scalar(self._query_args["count_stmt"]) or 0


def register_page(f: RegisterFilter, page: int, per_page: int = PER_PAGE) -> RowPagination:
    """Two queries: the page's rows with their dues for the year, and the total."""
    return RowPagination(page=page, per_page=per_page, max_per_page=500, error_out=False,
                         items=lambda limit, offset: _listing(LIST_COLUMNS, f, limit=limit,
                                                              offset=offset),
                         count_stmt=_count(f))


def export_rows(f: RegisterFilter) -> list:
    """Every member matching the filter, in the chosen order, with the contact details of
    members without protected identity. One query."""
    return list(db.session.execute(_listing(EXPORT_COLUMNS, f)).all())


def counts() -> dict[tuple[str, str], int]:
    """(category, status) → number of members in the whole register; one GROUP BY."""
    rows = db.session.execute(select(Member.category, Member.status, func.count(Member.id))
                              .group_by(Member.category, Member.status))
    return {(category, status): n for category, status, n in rows}


def municipality_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Municipality.id, Municipality.name)
                                   .order_by(Municipality.name)).all())


# --- one member ---------------------------------------------------------------------------

@dataclass
class MemberPage(DuesStanding):
    """The member, who changed what, the payments, and the dues of the year shown."""

    member: Member = None
    actors: dict[int, str] = None
    payments: list = None


def member_page(member_id: int, year: int | None = None) -> MemberPage | None:
    """The member with history, the names of who changed what, payments and this year's
    dues: six small indexed queries, whatever the size of the register."""
    member = db.session.get(Member, member_id, options=[selectinload(Member.history)])
    if member is None:
        return None
    year = year or date.today().year
    actor_ids = {change.actor_id for change in member.history if change.actor_id}
    actors = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_(actor_ids))).all()) if actor_ids else {}
    rate = rate_for(year, member.category)
    return MemberPage(member=member, actors=actors, payments=payments_of(member_id),
                      year=year, rate_ore=rate.amount_ore if rate else None,
                      paid_ore=paid_for(member_id, year))


def member(member_id: int) -> Member | None:
    return db.session.get(Member, member_id)


# --- applications -------------------------------------------------------------------------

def applications_page(page: int):
    """Pending applications, oldest first: whoever waited longest is seen first."""
    stmt = (select(Member).where(Member.status == MemberStatus.APPLIED)
            .order_by(Member.applied_at, Member.id))
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def applications(member_ids: list[int]) -> list[Member]:
    if not member_ids:
        return []
    return list(db.session.scalars(select(Member).where(Member.id.in_(member_ids))
                                   .order_by(Member.applied_at, Member.id)))


def approval_problems(member_ids: list[int]) -> dict[str, list[str]]:
    """Why a set of applications cannot all be approved: names by reason."""
    problems: dict[str, list[str]] = {"not_confirmed": [], "not_applied": [],
                                      "account_disabled": []}
    for applicant in applications(member_ids):
        if applicant.status != MemberStatus.APPLIED:
            problems["not_applied"].append(applicant.name)
        elif applicant.email_confirmed_at is None:
            problems["not_confirmed"].append(applicant.name)
        elif _disabled_account(applicant):
            problems["account_disabled"].append(applicant.name)
    return problems


def _disabled_account(member: Member) -> bool:
    user = db.session.get(User, member.user_id) if member.user_id else user_by_email(member.email)
    return user is not None and user.disabled_at is not None


def erasure_requests() -> list[Member]:
    """Members who asked to be erased and are not yet: the board acts within a month."""
    return list(db.session.scalars(
        select(Member).where(Member.erasure_requested_at.is_not(None),
                             Member.anonymised_at.is_(None))
        .order_by(Member.erasure_requested_at)))
