"""Reads of the support requests, each list through the policy's scope. A read of a parent's
identity or placement facts (`parent_details`, `facts`) writes its audit record in the same
transaction (services.py and the views call them with the actor)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from foreningen.core import audit
from foreningen.core.extensions import db
from foreningen.support import policy
from foreningen.support.models import (
    OPEN,
    Assignment,
    AssignmentStatus,
    Contact,
    Exclusion,
    Meeting,
    Origin,
    ParentAccount,
    Status,
    SupportParent,
    SupportRequest,
)
from foreningen.supporters import queries as supporters
from foreningen.supporters.queries import Stage, Supporter, SupporterLanguage

QUEUE_PAGE = 50


# --- one request ------------------------------------------------------------------------

def request(actor, request_id: int) -> SupportRequest | None:
    return db.session.scalar(policy.scope(actor, select(SupportRequest).where(
        SupportRequest.id == request_id)))


def by_reference(reference: str) -> SupportRequest | None:
    return db.session.scalar(select(SupportRequest).where(SupportRequest.reference == reference))


def code_of(reference: str):
    """(id, code_hash, erased_at) of the request with this reference, or None: what the
    status page compares, in one statement whether or not the reference exists."""
    return db.session.execute(select(
        SupportRequest.id, SupportRequest.code_hash, SupportRequest.erased_at).where(
        SupportRequest.reference == reference)).first()


def open_by_reference(actor, reference: str) -> SupportRequest | None:
    return db.session.scalar(policy.scope(actor, select(SupportRequest).where(
        SupportRequest.reference == reference, SupportRequest.status.in_(OPEN))))


def contact_of(parent: SupportParent) -> dict:
    return json.loads(parent.contact) if parent.contact else {}


def facts_of(support_request: SupportRequest) -> dict:
    return json.loads(support_request.facts) if support_request.facts else {}


def parent_details(actor, support_request: SupportRequest, why: str) -> list[dict]:
    """The parents' names and ways to reach them, decrypted: audited as a read of this
    request's parent data, with the reason (`why`: the page that shows them)."""
    audit.record("support_request.read_parent", support_request,
                 municipality_id=support_request.municipality_id, detail=why, actor=actor)
    return [{"id": p.id, "relation": p.relation, "channel": p.channel, "language": p.language,
             **contact_of(p)} for p in support_request.parents]


def facts(actor, support_request: SupportRequest) -> dict:
    audit.record("support_request.read_facts", support_request,
                 municipality_id=support_request.municipality_id, actor=actor)
    return facts_of(support_request)


def active_assignment(support_request: SupportRequest) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(
        Assignment.request_id == support_request.id,
        Assignment.status == AssignmentStatus.ACTIVE))


def assignments_of(support_request: SupportRequest) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(
        Assignment.request_id == support_request.id).order_by(Assignment.started_at)))


def excluded_ids(support_request: SupportRequest) -> set[int]:
    return set(db.session.scalars(select(Exclusion.supporter_id).where(
        Exclusion.request_id == support_request.id)))


# --- the coordinators' queue ----------------------------------------------------------------

@dataclass
class QueueCounts:
    open: int
    crisis: int
    overdue: int


def queue_counts(actor, now: datetime) -> QueueCounts:
    """One statement: open requests, open crisis referrals not yet contacted, overdue."""
    crisis = and_(SupportRequest.urgency == 0)
    row = db.session.execute(policy.scope(actor, select(
        func.count(),
        func.count(case((crisis, 1))),
        func.count(case((and_(crisis, SupportRequest.due_at < now), 1))),
    ).select_from(SupportRequest).where(SupportRequest.status.in_(OPEN)))).one()
    return QueueCounts(*row)


def queue(actor, page: int = 1, per_page: int = QUEUE_PAGE) -> list[SupportRequest]:
    """The open requests, most urgent first: crisis referrals not yet contacted by their due
    time (so the overdue ones first), then those put back because a parent asked for another
    stödperson, then the rest, oldest first. Served by ix_support_request_queue."""
    stmt = (select(SupportRequest).where(SupportRequest.status.in_(OPEN))
            .order_by(SupportRequest.urgency, SupportRequest.due_at, SupportRequest.received_at,
                      SupportRequest.id)
            .limit(per_page).offset((page - 1) * per_page))
    return list(db.session.scalars(policy.scope(actor, stmt)))


def assigned_recently(actor, limit: int = 20) -> list[tuple[SupportRequest, Assignment, str]]:
    """The active assignments, newest first, with the stödperson's display name."""
    stmt = (select(SupportRequest, Assignment, Supporter.display_name)
            .join(Assignment, and_(Assignment.request_id == SupportRequest.id,
                                   Assignment.status == AssignmentStatus.ACTIVE))
            .join(Supporter, Supporter.id == Assignment.supporter_id)
            .order_by(Assignment.started_at.desc()).limit(limit))
    return [tuple(row) for row in db.session.execute(policy.scope(actor, stmt))]


# --- choosing a stödperson (until matching ranks them) -------------------------------------

@dataclass
class Candidate:
    supporter: Supporter
    active: int
    free: int
    speaks: bool
    same_municipality: bool


def candidates(actor, support_request: SupportRequest, today: date, window_days: int,
               municipality_only: bool = True, language: str | None = None) -> list[Candidate]:
    """Active, ready stödpersoner with a free place, not excluded for this request: those in
    the request's municipality (unless widened), speaking `language` if given. Four
    statements whatever the number of people."""
    active = (select(Assignment.supporter_id, func.count().label("n"))
              .where(Assignment.status == AssignmentStatus.ACTIVE)
              .group_by(Assignment.supporter_id).subquery())
    used = func.coalesce(active.c.n, 0)
    stmt = (select(Supporter, used).outerjoin(active, active.c.supporter_id == Supporter.id)
            .where(Supporter.stage == Stage.ACTIVE, used < Supporter.capacity)
            .where(Supporter.id.not_in(select(Exclusion.supporter_id).where(
                Exclusion.request_id == support_request.id))))
    if municipality_only and support_request.municipality_id:
        stmt = stmt.where(Supporter.municipality_id == support_request.municipality_id)
    if language:
        spoken = aliased(SupporterLanguage)
        stmt = stmt.where(select(spoken.supporter_id).where(
            spoken.supporter_id == Supporter.id, spoken.language == language).exists())
    rows = list(db.session.execute(supporters_scope(actor, stmt.order_by(
        Supporter.display_name, Supporter.id).limit(200))))
    readiness = supporters.readiness_of([s for s, _ in rows], today, window_days)
    wanted = support_request.language
    return [Candidate(s, n, s.capacity - n, wanted in s.language_codes,
                      s.municipality_id == support_request.municipality_id)
            for s, n in rows if readiness[s.id].ready]


def supporters_scope(actor, stmt):
    from foreningen.supporters import policy as supporters_policy

    return supporters_policy.scope(actor, stmt)


def free_places(supporter_id: int) -> int:
    capacity = db.session.scalar(select(Supporter.capacity).where(Supporter.id == supporter_id))
    used = db.session.scalar(select(func.count()).where(
        Assignment.supporter_id == supporter_id, Assignment.status == AssignmentStatus.ACTIVE))
    return (capacity or 0) - used


def supporting_now() -> set[int]:
    """The ids of the stödpersoner with an active assignment (ix_support_assignment_supporter)."""
    return set(db.session.scalars(select(Assignment.supporter_id).where(
        Assignment.status == AssignmentStatus.ACTIVE).distinct()))


def active_count(supporter_id: int) -> int:
    return db.session.scalar(select(func.count()).where(
        Assignment.supporter_id == supporter_id, Assignment.status == AssignmentStatus.ACTIVE))


# --- a stödperson's own ------------------------------------------------------------------

@dataclass
class OwnAssignment:
    assignment: Assignment
    contacts: int
    reached: int
    failed: int
    last_contact: date | None


def own_assignments(actor) -> list[OwnAssignment]:
    """The signed-in stödperson's active assignments with their contact counts: two
    statements, however many contacts there are (ix_support_contact_assignment)."""
    found = list(db.session.scalars(policy.assignment_scope(actor, select(Assignment).where(
        Assignment.status == AssignmentStatus.ACTIVE).order_by(Assignment.started_at))))
    counts = contact_counts([a.id for a in found])
    return [OwnAssignment(a, *counts.get(a.id, (0, 0, 0, None))) for a in found]


def contact_counts(assignment_ids: list[int]) -> dict[int, tuple[int, int, int, date | None]]:
    if not assignment_ids:
        return {}
    rows = db.session.execute(select(
        Contact.assignment_id, func.count(), func.count(case((Contact.reached, 1))),
        func.count(case((Contact.reached.is_(False), 1))), func.max(Contact.occurred_on))
        .where(Contact.assignment_id.in_(assignment_ids)).group_by(Contact.assignment_id))
    return {row[0]: tuple(row[1:]) for row in rows}


def assignment(actor, assignment_id: int) -> Assignment | None:
    return db.session.scalar(policy.assignment_scope(actor, select(Assignment).where(
        Assignment.id == assignment_id)))


def contacts_of(assignment: Assignment) -> list[Contact]:
    return list(db.session.scalars(select(Contact).where(
        Contact.assignment_id == assignment.id).order_by(Contact.occurred_on.desc(),
                                                         Contact.id.desc())))


def own_contacts(supporter_id: int, limit: int | None = None) -> list[Contact]:
    stmt = (select(Contact).where(Contact.supporter_id == supporter_id)
            .order_by(Contact.occurred_on.desc(), Contact.id.desc()))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def own_supporter(user) -> Supporter | None:
    return supporters.own(user.id)


# --- a social worker's referrals -----------------------------------------------------------

REFERRAL_STATES = ("received", "assigned", "contacted", "closed")


def referral_state(support_request: SupportRequest) -> str:
    """What a social worker may know: received, assigned, contacted, closed (nothing of
    what the parent said or who the stödperson is)."""
    if support_request.status in (Status.CLOSED, Status.DECLINED, Status.WITHDRAWN,
                                  Status.MERGED):
        return "closed"
    if support_request.first_contact_at is not None:
        return "contacted"
    if support_request.status == Status.ASSIGNED:
        return "assigned"
    return "received"


def own_referrals(actor, limit: int = 100) -> list[SupportRequest]:
    stmt = (select(SupportRequest).where(SupportRequest.origin == Origin.REFERRAL)
            .order_by(SupportRequest.received_at.desc()).limit(limit))
    return list(db.session.scalars(policy.scope(actor, stmt)))


def awaiting_first_contact(actor, limit: int = 50) -> list[tuple[SupportRequest, str]]:
    """Assigned crisis referrals whose parents have not been reached yet, by due time, with
    the stödperson's display name."""
    stmt = (select(SupportRequest, Supporter.display_name)
            .join(Assignment, and_(Assignment.request_id == SupportRequest.id,
                                   Assignment.status == AssignmentStatus.ACTIVE))
            .join(Supporter, Supporter.id == Assignment.supporter_id)
            .where(SupportRequest.status == Status.ASSIGNED,
                   SupportRequest.origin == Origin.REFERRAL,
                   SupportRequest.first_contact_at.is_(None))
            .order_by(SupportRequest.due_at).limit(limit))
    return [tuple(row) for row in db.session.execute(policy.scope(actor, stmt))]


# --- reminders -----------------------------------------------------------------------------

def overdue(now: datetime) -> list[SupportRequest]:
    return list(db.session.scalars(select(SupportRequest).where(
        SupportRequest.status.in_((*OPEN, Status.ASSIGNED)),
        SupportRequest.origin == Origin.REFERRAL,
        SupportRequest.first_contact_at.is_(None), SupportRequest.due_at < now)
        .order_by(SupportRequest.due_at)))


def supporter_names(supporter_ids) -> dict[int, str]:
    """supporter id → the name parents see (display_name), in one statement."""
    wanted = {i for i in supporter_ids if i}
    if not wanted:
        return {}
    rows = db.session.execute(select(Supporter.id, Supporter.display_name)
                              .where(Supporter.id.in_(wanted)))
    return {row[0]: row[1] for row in rows}


def referrer(support_request: SupportRequest) -> dict | None:
    """Who referred (a social worker: their name and email from the account, the phone
    given with the referral)."""
    if support_request.referred_by_id is None:
        return None
    from foreningen.accounts import queries as accounts

    user = accounts.user(support_request.referred_by_id)
    if user is None:
        return None
    return {"name": user.display_name, "email": user.email,
            "phone": support_request.referrer_phone}


def remembered(request_id) -> SupportRequest | None:
    """The request a parent opened in this browser, while it is still theirs to open."""
    if not isinstance(request_id, int):
        return None
    found = db.session.get(SupportRequest, request_id)
    if found is None or found.erased_at is not None or found.code_hash is None:
        return None
    return found


# --- planned meetings ----------------------------------------------------------------------

def upcoming_meetings(assignment_ids, now: datetime) -> list[Meeting]:
    """The meetings still ahead (begun less than their length ago counts), soonest first."""
    ids = list(assignment_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(Meeting).where(
        Meeting.assignment_id.in_(ids), Meeting.starts_at >= now - timedelta(hours=8))
        .order_by(Meeting.starts_at)))


def next_meeting(assignment_id: int | None, now: datetime) -> Meeting | None:
    if assignment_id is None:
        return None
    found = upcoming_meetings([assignment_id], now)
    return found[0] if found else None


def meeting(assignment: Assignment, meeting_id: int) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id,
                                                   Meeting.assignment_id == assignment.id))


def own_meeting(actor, meeting_id: int) -> Meeting | None:
    """A meeting of one of the user's assignments (through the assignment scope)."""
    return db.session.scalar(select(Meeting).join(
        Assignment, Assignment.id == Meeting.assignment_id).where(Meeting.id == meeting_id)
        .where(Assignment.id.in_(policy.assignment_scope(actor, select(Assignment.id)))))


def meetings_to_remind(start: datetime, end: datetime) -> list[Meeting]:
    """Meetings starting in [start, end) of active assignments, not yet reminded of."""
    return list(db.session.scalars(select(Meeting).join(
        Assignment, Assignment.id == Meeting.assignment_id).where(
        Meeting.starts_at >= start, Meeting.starts_at < end, Meeting.reminded_at.is_(None),
        Assignment.status == AssignmentStatus.ACTIVE).order_by(Meeting.starts_at)))


# --- a parent's own ------------------------------------------------------------------------

def own_requests(user) -> list[SupportRequest]:
    """The requests a signed-in parent connected to their account, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    mine = select(ParentAccount.request_id).where(ParentAccount.user_id == user.id)
    return list(db.session.scalars(policy.scope(user, select(SupportRequest).where(
        SupportRequest.id.in_(mine), SupportRequest.erased_at.is_(None))
        .order_by(SupportRequest.received_at.desc()))))


def has_account(support_request: SupportRequest) -> bool:
    return db.session.get(ParentAccount, support_request.id) is not None


def own_request(user, request_id: int) -> SupportRequest | None:
    return next((r for r in own_requests(user) if r.id == request_id), None)


def status_names() -> dict[str, str]:
    """A request's statuses in the current language (for other features' pages)."""
    return Status.names()
