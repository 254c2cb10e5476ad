"""Reads of the membership domain: the board's register, applications, a member's page and
a member's own records. Every list a page shows goes through `policy.scope(user, stmt)`.

The register selects the columns it shows rather than whole members, so that a page never
decrypts addresses, phone numbers or why-join texts it does not display; a bounded number of
queries whatever the page size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, case, func, literal_column, null, or_, select, text
from sqlalchemy.orm import selectinload

from foreningen.accounts import queries as accounts
from foreningen.core import audit, clock
from foreningen.core.audit import AuditEvent
from foreningen.core.cache import Figures
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from foreningen.core.forms import digits
from foreningen.core.tokens import token_hash
from foreningen.dues import queries as dues
from foreningen.members import policy
from foreningen.members.models import (
    CURRENT_STATUSES,
    JOINED_LAST,
    LIFECYCLE_SQL,
    Member,
    MemberCategory,
    MemberStatus,
    MemberTally,
)
from foreningen.municipalities import queries as municipalities

# The codes other features may use (dues rates are per category, for example).
__all__ = ["CURRENT_STATUSES", "MemberCategory", "MemberStatus"]  # and the functions below

# How long an application's confirmation link works.
CONFIRM_HOURS = 72
# Members who owe dues: the overview counts them, reminders and lapsing concern them.
DUES_STATUSES = (MemberStatus.ACTIVE, MemberStatus.LAPSED)

PER_PAGE = 50
# The orders the register offers, as the indexes of models.Member hold them: applicants
# (no joining date) last either way, and statuses in the order of a membership's life.
LIFECYCLE = literal_column(LIFECYCLE_SQL.replace("status", "member.status", 1))
JOINED_LAST_FIRST = literal_column(JOINED_LAST.replace("joined_on", "member.joined_on"))
SORTS = {
    "name": ((), (Member.last_name, Member.first_name)),
    "number": ((), (Member.number,)),
    "joined": ((JOINED_LAST_FIRST,), (Member.joined_on,)),
    "status": ((), (LIFECYCLE, Member.last_name, Member.first_name)),
}
PAID_FILTERS = ("paid", "unpaid")

_MUNICIPALITY = municipalities.names_subquery()
LIST_COLUMNS = (
    Member.id, Member.number, Member.payment_reference, Member.first_name, Member.last_name,
    Member.organisation_name,
    Member.email, Member.category, Member.status, Member.joined_on, Member.left_on,
    Member.protected_identity, _MUNICIPALITY.c.name.label("municipality"),
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
    year: int = field(default_factory=lambda: clock.today().year)
    paid: str | None = None  # "paid", "unpaid" or None for both
    sort: str = "name"
    direction: str = "asc"


def _search(stmt: Select, q: str) -> Select:
    term = q.strip()
    if digits(term):
        # A payment reference from the bank statement, or a member number: both indexed.
        found = [Member.payment_reference == term]
        if len(term) <= 9:
            found.append(Member.number == int(term))
        return stmt.where(or_(*found))
    words = [word.casefold() for word in term.split()[:5]]
    for word in words:
        stmt = stmt.where(Member.search_key.contains(word, autoescape=True))
    # Parts of three characters or more are found by a trigram index (PostgreSQL: pg_trgm
    # serves the LIKE itself; SQLite: its FTS5 table narrows the rows first), so that a
    # search does not read the whole register.
    long_words = [word for word in words if len(word) >= 3]
    if long_words and db.session.get_bind().dialect.name == "sqlite":
        phrase = " AND ".join('"' + word.replace('"', '""') + '"' for word in long_words)
        stmt = stmt.where(Member.id.in_(
            select(literal_column("rowid")).select_from(text("member_search"))
            .where(text("member_search MATCH :phrase").bindparams(phrase=phrase))))
    return stmt


def _where(stmt: Select, f: RegisterFilter) -> Select:
    if f.q and f.q.strip():
        stmt = _search(stmt, f.q)
    if f.category:
        stmt = stmt.where(Member.category == f.category)
    if f.status == "all":
        pass
    elif f.status:
        stmt = stmt.where(Member.status == f.status)
    else:  # the register's default: applied, active and lapsed members
        stmt = stmt.where(Member.status.in_(CURRENT_STATUSES))
    if f.municipality_id:
        stmt = stmt.where(Member.municipality_id == f.municipality_id)
    return stmt


def _order(stmt: Select, f: RegisterFilter) -> Select:
    descending = f.direction == "desc"
    fixed, reversible = SORTS.get(f.sort, SORTS["name"])
    return stmt.order_by(*fixed, *(column.desc() if descending else column.asc()
                                   for column in (*reversible, Member.id)))


def _page_ids(user, f: RegisterFilter, limit: int, offset: int) -> Select:
    """The ids of one page of members, in order: walked along the sort's index until the
    page is full. With a paid filter each member's sum for the year is looked up by index
    on the way (dues.with_dues per_row), instead of summing the whole year first."""
    page = _order(_where(policy.scope(user, select(Member.id)), f), f)
    if f.paid in PAID_FILTERS:
        page, paid_up = dues.with_dues(page, f.year, Member.id, Member.category, per_row=True)
        page = page.where(paid_up if f.paid == "paid" else ~paid_up).with_only_columns(
            Member.id)
    return page.limit(limit).offset(offset)


def _listing(user, columns, f: RegisterFilter, *, limit: int | None = None, offset: int = 0
             ) -> Select:
    stmt = select(*columns).select_from(Member).outerjoin(
        _MUNICIPALITY, _MUNICIPALITY.c.id == Member.municipality_id)
    per_row = limit is not None
    if per_row:
        # Choose the page's members first (by index where the sort has one), then look up
        # their dues: the cost follows the page, not the whole register.
        stmt = stmt.where(Member.id.in_(_page_ids(user, f, limit, offset)))
    else:
        stmt = _where(policy.scope(user, stmt), f)
    stmt, paid_up = dues.with_dues(stmt, f.year, Member.id, Member.category, per_row=per_row)
    if f.paid in PAID_FILTERS and not per_row:
        stmt = stmt.where(paid_up if f.paid == "paid" else ~paid_up)
    return _order(stmt, f)


def _tally_sum(f: RegisterFilter) -> Select:
    """The number of members of a category and status from the tally the database keeps
    (models.MemberTally): no scan of the register."""
    stmt = select(func.coalesce(func.sum(MemberTally.delta), 0))
    if f.status != "all":
        stmt = stmt.where(MemberTally.status.in_([f.status] if f.status else CURRENT_STATUSES))
    if f.category:
        stmt = stmt.where(MemberTally.category == f.category)
    return stmt


def _count(user, f: RegisterFilter) -> Select:
    if (policy.can_view_register(user) and not (f.q and f.q.strip())
            and not f.municipality_id and f.paid not in PAID_FILTERS):
        return _tally_sum(f)
    if f.paid in PAID_FILTERS:
        # Paid up or not needs the dues joins; otherwise counting members is enough.
        return select(func.count()).select_from(_listing(user, (Member.id,), f).order_by(None)
                                                .subquery())
    return _where(policy.scope(user, select(func.count(Member.id))), f)


# How many members have paid (or not) sums the whole year against the whole register. For
# the register's readers, without a search or a municipality (whose members' names and
# places are not versioned), the figure is kept while the year's payments and rates and the
# members' categories and statuses are unchanged (core/cache.py).
paid_counts = Figures()


def _total(user, f: RegisterFilter) -> int:
    stmt = _count(user, f)
    if (f.paid in PAID_FILTERS and policy.can_view_register(user)
            and not (f.q and f.q.strip()) and not f.municipality_id):
        return paid_counts.get(
            lambda: (f.paid, f.year, f.category, f.status, register_version(),
                     dues.payments_version(f.year)),
            lambda: db.session.scalar(stmt) or 0)
    return db.session.scalar(stmt) or 0


class RowPagination(Pagination):
    """Flask-SQLAlchemy's pagination for a select of several columns (its own returns only
    the first column of each row)."""

    def _query_items(self) -> list:
        stmt = self._query_args["items"](self.per_page, self._query_offset)
        return list(db.session.execute(stmt).all())

    def _query_count(self) -> int:
        return self._query_args["total"]()


def register_page(user, f: RegisterFilter, page: int,
                  per_page: int = PER_PAGE) -> RowPagination:
    """Two queries: the page's rows with their dues for the year, and the total."""
    return RowPagination(page=page, per_page=per_page, max_per_page=500, error_out=False,
                         items=lambda limit, offset: _listing(user, LIST_COLUMNS, f,
                                                              limit=limit, offset=offset),
                         total=lambda: _total(user, f))


def export_rows(user, f: RegisterFilter, chunk: int = 1000):
    """Every member matching the filter, in the chosen order, with the contact details of
    members without protected identity: one query, read `chunk` rows at a time (a server-
    side cursor on PostgreSQL), so that an export of the whole register never holds it in
    memory. On SQLite the read does not take the write lock (core/sqlite.py). The query is
    built (and the user's scope applied) now; it runs when the rows are first asked for."""
    stmt = _listing(user, EXPORT_COLUMNS, f)

    def rows():
        db.session.connection(execution_options={"sqlite_deferred": True})
        yield from db.session.execute(stmt, execution_options={"yield_per": chunk})

    return rows()


def register_count(user, f: RegisterFilter) -> int:
    return _total(user, f)


def counts(user) -> dict[tuple[str, str], int]:
    """(category, status) → number of members in the register: for the register's readers
    from the tally the database keeps (a few rows, whatever the register's size)."""
    if policy.can_view_register(user):
        rows = db.session.execute(
            select(MemberTally.category, MemberTally.status, func.sum(MemberTally.delta))
            .group_by(MemberTally.category, MemberTally.status))
    else:
        rows = db.session.execute(policy.scope(user, select(
            Member.category, Member.status, func.count(Member.id)))
            .group_by(Member.category, Member.status))
    return {(category, status): int(n) for category, status, n in rows if n}


def register_version() -> tuple:
    """Changes whenever a member is added or removed or changes category or status (each
    such change adds a tally row; folding the tally changes it too): for caches of figures
    that depend on who is a member of what kind."""
    return tuple(db.session.execute(select(func.count(MemberTally.id),
                                           func.max(MemberTally.id))).one())


def municipality_choices() -> list[tuple[int, str]]:
    return [(m.id, m.name) for m in municipalities.all_municipalities()]


def dues_members():
    """Every member as (id, category, owes_dues), for the dues overview."""
    return select(Member.id, Member.category,
                  Member.status.in_(DUES_STATUSES).label("owes_dues")).subquery("members")


# --- one member ---------------------------------------------------------------------------

@dataclass
class MemberPage(dues.DuesStanding):
    """The member, who changed what, the payments, and the dues of the year shown."""

    member: Member = None
    actors: dict[int, str] = None
    payments: list = None
    reversed_ids: set = None


def member_page(user, member_id: int, year: int | None = None) -> MemberPage | None:
    """The member with history, the names of who changed what, payments and this year's
    dues: six small indexed queries, whatever the size of the register."""
    member = db.session.scalar(policy.scope(user, select(Member)).where(
        Member.id == member_id).options(selectinload(Member.history)))
    if member is None:
        return None
    year = year or clock.today().year
    actor_ids = {change.actor_id for change in member.history if change.actor_id}
    rate = dues.rate_for(year, member.category)
    payments = dues.payments_of(member_id)
    return MemberPage(member=member, actors=accounts.display_names(actor_ids),
                      payments=payments,
                      reversed_ids=dues.reversed_payment_ids([p.id for p in payments]),
                      year=year, rate_ore=rate.amount_ore if rate else None,
                      paid_ore=dues.paid_for(member_id, year))


def member(user, member_id: int) -> Member | None:
    """One member, if the user may see them."""
    return db.session.scalar(policy.scope(user, select(Member)).where(Member.id == member_id))


# --- applications -------------------------------------------------------------------------

def applications_page(user, page: int):
    """Pending applications, oldest first: whoever waited longest is seen first."""
    stmt = (policy.scope(user, select(Member)).where(Member.status == MemberStatus.APPLIED)
            .order_by(Member.applied_at, Member.id))
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def applications(user, member_ids: list[int]) -> list[Member]:
    if not member_ids:
        return []
    return list(db.session.scalars(policy.scope(user, select(Member))
                                   .where(Member.id.in_(member_ids))
                                   .order_by(Member.applied_at, Member.id)))


def approval_problems(user, member_ids: list[int]) -> dict[str, list[str]]:
    """Why a set of applications cannot all be approved: names by reason."""
    problems: dict[str, list[str]] = {"not_confirmed": [], "not_applied": [],
                                      "account_disabled": []}
    for applicant in applications(user, member_ids):
        if applicant.status != MemberStatus.APPLIED:
            problems["not_applied"].append(applicant.name)
        elif applicant.email_confirmed_at is None:
            problems["not_confirmed"].append(applicant.name)
        elif _disabled_account(applicant):
            problems["account_disabled"].append(applicant.name)
    return problems


def _disabled_account(member: Member) -> bool:
    return accounts.is_disabled(user_id=member.user_id, email=member.email)


def erasure_requests(user) -> list[Member]:
    """Members who asked to be erased and are not yet: the board acts within a month."""
    return list(db.session.scalars(
        policy.scope(user, select(Member)).where(Member.erasure_requested_at.is_not(None),
                                                 Member.anonymised_at.is_(None))
        .order_by(Member.erasure_requested_at)))


# --- for services and other features (no page lists these) --------------------------------

def current_by_email(email: str) -> Member | None:
    return db.session.scalar(select(Member).where(
        Member.email == email.strip().lower(), Member.status.in_(CURRENT_STATUSES)))


def by_keys(keys: list[str]) -> dict[str, Member]:
    """Members by what the board typed: a payment reference, or else a member number.
    The reference wins, so every member can be reached by theirs even when it equals
    another member's number. Anonymised members are not found."""
    keys = [k for k in set(keys) if k and digits(k) and len(k) <= 20]  # references are digits
    numbers = [int(k) for k in keys if len(k) < 10]
    found = list(db.session.scalars(select(Member).where(
        Member.anonymised_at.is_(None),
        or_(Member.payment_reference.in_(keys), Member.number.in_(numbers)))))
    result: dict[str, Member] = {}
    for key in keys:
        by_reference = [m for m in found if m.payment_reference == key]
        by_number = [m for m in found if digits(key) and m.number == int(key)]
        match = (by_reference or by_number or [None])[0]
        if match is not None:
            result[key] = match
    return result


def by_references(references) -> dict[str, Member]:
    """Members by payment reference (a bank file's)."""
    if not references:
        return {}
    return {m.payment_reference: m for m in db.session.scalars(
        select(Member).where(Member.payment_reference.in_(references)))}


def by_ids(member_ids) -> dict[int, Member]:
    if not member_ids:
        return {}
    return {m.id: m for m in db.session.scalars(select(Member).where(
        Member.id.in_(member_ids)))}


def owing(year: int, statuses=DUES_STATUSES, reminded_before=None) -> list[tuple]:
    """(member, paid_ore, rate_ore) of members in `statuses` not paid up for `year`, whose
    category has a rate; optionally only those not reminded since `reminded_before`."""
    stmt, paid_up = dues.with_dues(select(Member), year, Member.id, Member.category)
    stmt = stmt.where(Member.status.in_(list(statuses)), ~paid_up)
    if reminded_before is not None:
        stmt = stmt.where(Member.last_reminder_at.is_(None)
                          | (Member.last_reminder_at < reminded_before))
    return [(member, paid, rate) for member, paid, rate, _paid_up
            in db.session.execute(stmt).all() if rate is not None]


def paid_up_ids(member_ids, year: int) -> set[int]:
    """Which of these members are paid up for the year."""
    stmt, paid_up = dues.with_dues(select(Member.id), year, Member.id, Member.category)
    return set(db.session.scalars(stmt.where(Member.id.in_(member_ids), paid_up)))


# --- a member's own records ---------------------------------------------------------------

def own_member(user_id: int) -> Member | None:
    """The member record of this account, and only this one."""
    return db.session.scalar(select(Member).where(Member.user_id == user_id,
                                                  Member.anonymised_at.is_(None)))


def email_change_for_token(token: str, hours: int) -> Member | None:
    member = db.session.scalar(select(Member).where(
        Member.email_change_token_hash == token_hash(token), Member.anonymised_at.is_(None)))
    if member is None or member.pending_email is None or member.email_change_requested_at is None:
        return None
    if utcnow() - member.email_change_requested_at > timedelta(hours=hours):
        return None
    return member


def declined_for_token(token: str) -> tuple[Member, str | None] | None:
    """The declined application a decision link points at, and the board's reason."""
    member = db.session.scalar(select(Member).options(selectinload(Member.history)).where(
        Member.confirmation_token_hash == token_hash(token)))
    if member is None or member.status != MemberStatus.DECLINED or not member.history:
        return None
    return member, member.history[-1].reason


def application_for_token(token: str) -> Member | None:
    """The application a confirmation link points at, while the link still works.
    Reads only: the same rules as services.confirm_email, which does the change."""
    member = db.session.scalar(select(Member).where(
        Member.confirmation_token_hash == token_hash(token)))
    if member is None or member.status != MemberStatus.APPLIED:
        return None
    if utcnow() - member.applied_at > timedelta(hours=CONFIRM_HOURS):
        return None
    return member


DuesYear = dues.DuesStanding


def dues_years(member: Member, payments: list, this_year: int) -> list[DuesYear]:
    """One row per year of membership (and any year paid for), newest first: two queries."""
    rates = dues.rates_of_category(member.category)
    paid: dict[int, int] = {}
    for payment in payments:
        paid[payment.year] = paid.get(payment.year, 0) + payment.amount_ore
    years = set(paid)
    if member.joined_on is not None:
        last = member.left_on.year if member.left_on else this_year
        years.update(range(member.joined_on.year, last + 1))
    return [DuesYear(year, rates.get(year), paid.get(year, 0))
            for year in sorted(years, reverse=True)]


def payments(member: Member) -> list:
    return dues.payments_of(member.id)


def events_about(member: Member) -> list[AuditEvent]:
    """Who did or saw what about this member: the audit events whose subject they are."""
    return audit.events_about(Member.__tablename__, member.id)
