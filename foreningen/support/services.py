"""Every change to the support requests, each with its audit record. Callers commit.

Races are decided by the database: a request leaves the queue by a conditional UPDATE (one
coordinator wins, the other is told), at most one assignment is active per request (a
partial unique index), and a stödperson's last free place is taken under a lock on their
row (SELECT … FOR UPDATE on PostgreSQL; SQLite writes one transaction at a time)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from foreningen.accounts import queries as accounts
from foreningen.accounts.services import external_url
from foreningen.core import audit, clock, outbox
from foreningen.core.db import utcnow
from foreningen.core.errors import DomainError
from foreningen.core.extensions import db
from foreningen.support import crisis_clock, queries
from foreningen.support.models import (
    OPEN,
    Assignment,
    AssignmentStatus,
    Channel,
    CloseReason,
    Contact,
    Exclusion,
    Meeting,
    Origin,
    ParentAccount,
    Relation,
    Status,
    SupportParent,
    SupportRequest,
)
from foreningen.supporters.queries import Stage, Supporter

# The text of the parent's consent (templates/support/_consent.html holds its words).
CONSENT_VERSION = "2026-11"
# Readable by a person over the phone: no 0/O, 1/I/L (Crockford's alphabet without U).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH, CODE_LENGTH = 6, 10
FACT_FIELDS = ("placement_type", "legal_basis", "child_age", "since", "reason",
               "contact_decided")


class SupportError(DomainError):
    messages = {
        "taken": _l("Someone else dealt with this request a moment ago. Look again."),
        "not_open": _l("This request is no longer waiting in the queue."),
        "no_place": _l("%(name)s has no free place any more. Choose someone else."),
        "not_ready": _l("%(name)s cannot take a parent now: they are not active and ready."),
        "excluded": _l("The parent asked not to have %(name)s again."),
        "merge_self": _l("A request cannot be merged with itself."),
        "merge_unknown": _l("There is no open request with that reference."),
        "closed": _l("This assignment is already closed."),
        "erased": _l("The parent's details have been erased."),
        "not_assigned": _l("There is no support person to change yet."),
        "meeting_past": _l("A meeting is planned for a time still ahead."),
        "no_email": _l("An account needs the email address you gave. Ask again with one, "
                       "or keep following your request with its reference and code."),
        "link_invalid": _l("This link is not valid any more, or it is for another account. "
                           "Open your request with its reference and code and ask again."),
        "never_reached": _l("No contact with the parent was ever logged: close it as not "
                            "carried out."),
        "no_parent": _l("Give at least one parent."),
    }


def now() -> datetime:
    return clock.utcnow()


# --- references and personal codes ---------------------------------------------------------

def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(value: str | None) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes, with the letters
    people confuse with digits read as the digits."""
    cleaned = "".join(ch for ch in (value or "").upper() if ch not in " -\t")
    return cleaned.translate(str.maketrans("OILU", "0111"))


def code_hash(reference: str, code: str) -> str:
    """A keyed hash of the code, bound to its reference: the code itself is never stored."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{reference}:{normalise(code)}".encode(), hashlib.sha256).hexdigest()


def grouped(value: str, size: int = 5) -> str:
    """A code as it is shown: in groups, easier to copy."""
    return "-".join(value[i:i + size] for i in range(0, len(value), size))


def _new_reference() -> str:
    while True:
        reference = _random(REFERENCE_LENGTH)
        if queries.by_reference(reference) is None:
            return reference


def find_by_code(reference: str, code: str) -> SupportRequest | None:
    """The request whose reference and code these are, or None. The same work whether the
    reference exists or not, so that neither the answer nor its time tells."""
    reference = normalise(reference)[:REFERENCE_LENGTH + 2]
    # One light statement either way (no object, no related rows loaded before the match).
    row = queries.code_of(reference)
    expected = row.code_hash if row is not None and row.code_hash else "0" * 64
    given = code_hash(reference, code)
    if hmac.compare_digest(expected, given) and row is not None and row.erased_at is None:
        return db.session.get(SupportRequest, row.id)
    return None


# --- telling the parent ---------------------------------------------------------------------

SUBJECTS = {
    "support_received": _l("Your request for a support person"),
    "support_info_requested": _l("We would like to know a little more"),
    "support_declined": _l("About your request for a support person"),
    "support_assigned": _l("You have a support person"),
}


def _tell(parent: SupportParent, template: str, **context) -> None:
    """A message to a parent by the way they chose: mail to an address, a text message to a
    phone. It says only that something happened (no names of children, no placement)."""
    details = queries.contact_of(parent)
    if parent.channel == Channel.EMAIL and details.get("email"):
        outbox.queue(details["email"], template, SUBJECTS[template], locale=parent.language,
                     **context)
    elif details.get("phone"):
        # A text message to a mobile (a fixed line gets none: the coordinator calls). Never a
        # name or a fact: the same words for everyone.
        outbox.queue_sms(details["phone"], template, locale=parent.language, link=context.get(
            "link"))


def _tell_parents(support_request: SupportRequest, template: str, **context) -> None:
    for parent in support_request.parents:
        _tell(parent, template, **context)


def _status_link() -> str:
    return external_url("ask.status")


# --- a parent asks ---------------------------------------------------------------------------

def _facts_json(values: dict) -> str | None:
    facts = {name: values.get(name) for name in FACT_FIELDS if values.get(name) not in (None, "")}
    return json.dumps(facts, sort_keys=True, ensure_ascii=False) if facts else None


def _contact_json(values: dict) -> str:
    return json.dumps({name: values.get(name) or None for name in ("name", "phone", "email",
                                                                   "when")},
                      sort_keys=True, ensure_ascii=False)


def ask(values: dict) -> tuple[SupportRequest, str]:
    """A parent's own request: (the request, its personal code, shown once)."""
    code = _random(CODE_LENGTH)
    reference = _new_reference()
    support_request = SupportRequest(
        reference=reference, code_hash=code_hash(reference, code), origin=Origin.SELF,
        status=Status.NEW, urgency=2, received_at=now(), status_changed_at=now(),
        municipality_id=values.get("municipality_id"), language=values["language"],
        facts=_facts_json(values), wish_gender=values.get("wish_gender"),
        wish_language=values.get("wish_language"), wish_meeting=values.get("wish_meeting"),
        consent_version=CONSENT_VERSION, consented_at=utcnow())
    parent = SupportParent(position=0, relation=Relation.PARENT, channel=values["channel"],
                           language=values["language"], contact=_contact_json(values))
    support_request.parents.append(parent)
    db.session.add(support_request)
    db.session.flush()
    audit.record("support_request.ask", support_request, actor=None,
                 municipality_id=support_request.municipality_id)
    if parent.channel == Channel.EMAIL:
        _tell(parent, "support_received", reference=reference, code=grouped(code),
              link=_status_link())
    return support_request, code


# --- a social worker refers ------------------------------------------------------------------

def refer(social_worker, values: dict, parents: list[dict]) -> SupportRequest:
    """A crisis referral at placement: one request for the parents referred together, due
    by the crisis clock, the coordinators told at once (no content in the mail)."""
    if not parents:
        raise SupportError("no_parent")
    received = now()
    closes = current_app.config["SUPPORT_OFFICE_CLOSES"]
    support_request = SupportRequest(
        reference=_new_reference(), origin=Origin.REFERRAL, status=Status.NEW, urgency=0,
        received_at=received, status_changed_at=received,
        due_at=crisis_clock.first_contact_due(received, closes),
        municipality_id=social_worker.municipality_id, language=parents[0]["language"],
        facts=_facts_json(values), referred_by_id=social_worker.id,
        referrer_phone=values.get("referrer_phone") or None)
    for position, person in enumerate(parents):
        support_request.parents.append(SupportParent(
            position=position, relation=person.get("relation") or Relation.PARENT,
            channel=Channel.PHONE if person.get("phone") else Channel.EMAIL,
            language=person["language"], contact=_contact_json(person)))
    db.session.add(support_request)
    db.session.flush()
    audit.record("support_request.refer", support_request, actor=social_worker,
                 municipality_id=support_request.municipality_id)
    for email, locale in accounts.emails_with_role("coordinator"):
        outbox.queue(email, "support_new_referral", _l("A new crisis referral"), locale=locale,
                     link=external_url("support.queue"))
    return support_request


# --- triage ---------------------------------------------------------------------------------

def _leave_queue(support_request: SupportRequest, to_status: str, **changes) -> None:
    """Move an open request on, if it is still open: one coordinator wins a race."""
    done = db.session.execute(
        update(SupportRequest)
        .where(SupportRequest.id == support_request.id, SupportRequest.status.in_(OPEN))
        .values(status=to_status, status_changed_at=now(), **changes)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise SupportError("taken")
    db.session.refresh(support_request)


def start_search(actor, support_request: SupportRequest) -> None:
    """The coordinator has read the request and is looking for a stödperson."""
    _move_open(support_request, Status.SEARCHING)
    audit.record("support_request.search", support_request, actor=actor,
                 municipality_id=support_request.municipality_id)


def _move_open(support_request: SupportRequest, to_status: str) -> None:
    done = db.session.execute(
        update(SupportRequest)
        .where(SupportRequest.id == support_request.id, SupportRequest.status.in_(OPEN),
               SupportRequest.status != to_status)
        .values(status=to_status, status_changed_at=now())
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise SupportError("taken")
    db.session.refresh(support_request)


def request_info(actor, support_request: SupportRequest) -> None:
    """Ask the parent for more: by mail or text message; the coordinator calls otherwise."""
    _move_open(support_request, Status.INFO_REQUESTED)
    audit.record("support_request.info_requested", support_request, actor=actor,
                 municipality_id=support_request.municipality_id)
    _tell_parents(support_request, "support_info_requested", link=_status_link())


def decline(actor, support_request: SupportRequest, reason: str) -> None:
    _leave_queue(support_request, Status.DECLINED, decline_reason=reason)
    audit.record("support_request.decline", support_request, actor=actor,
                 municipality_id=support_request.municipality_id, detail=reason)
    _tell_parents(support_request, "support_declined", reason=reason, link=_status_link())


def merge(actor, support_request: SupportRequest, into_reference: str) -> SupportRequest:
    """A duplicate: this request closes as merged into the other (open) one, whose parents
    gain this request's parents (a parent who asked and was also referred)."""
    into = queries.open_by_reference(actor, normalise(into_reference))
    if into is None:
        raise SupportError("merge_unknown")
    if into.id == support_request.id:
        raise SupportError("merge_self")
    _leave_queue(support_request, Status.MERGED, merged_into_id=into.id)
    position = max((p.position for p in into.parents), default=-1)
    for parent in list(support_request.parents):
        position += 1
        parent.request_id, parent.position = into.id, position
    if support_request.is_crisis and not into.is_crisis:
        into.origin, into.urgency = Origin.REFERRAL, 0
        into.due_at, into.referred_by_id = support_request.due_at, support_request.referred_by_id
    audit.record("support_request.merge", support_request, actor=actor,
                 municipality_id=support_request.municipality_id, detail=into.reference)
    db.session.flush()
    db.session.expire(into)
    return into


def _lock_supporter(supporter_id: int) -> Supporter | None:
    return db.session.scalar(select(Supporter).where(Supporter.id == supporter_id)
                             .with_for_update())


def assign(actor, support_request: SupportRequest, supporter_id: int, today,
           window_days: int) -> Assignment:
    """Give the request to a ready stödperson with a free place. The parents are told who
    (a first name) and how they will be contacted; the referring social worker sees
    "assigned"."""
    supporter = _lock_supporter(supporter_id)
    if supporter is None:
        raise SupportError("not_ready", name="?")
    if supporter.stage != Stage.ACTIVE or not queries.supporters.readiness(
            supporter, today, window_days).ready:
        raise SupportError("not_ready", name=supporter.display_name)
    if supporter_id in queries.excluded_ids(support_request):
        raise SupportError("excluded", name=supporter.display_name)
    if queries.active_count(supporter_id) >= supporter.capacity:
        raise SupportError("no_place", name=supporter.display_name)
    _leave_queue(support_request, Status.ASSIGNED)
    assignment = Assignment(request_id=support_request.id, supporter_id=supporter_id,
                            status=AssignmentStatus.ACTIVE, started_at=now(),
                            assigned_by=getattr(actor, "id", None))
    db.session.add(assignment)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise SupportError("taken") from None
    audit.record("support_assignment.start", assignment, actor=actor,
                 municipality_id=support_request.municipality_id)
    _tell_parents(support_request, "support_assigned", name=supporter.display_name,
                  link=_status_link())
    user = accounts.user(supporter.user_id)
    if user is not None:
        outbox.queue(user.email, "support_new_parent", _l("A parent for you"),
                     locale=user.locale, link=external_url("mine.index"))
    return assignment


def close_assignment(actor, assignment: Assignment, reason: str) -> None:
    """End an assignment with its reason; the request closes too (unless a parent asked for
    another stödperson: ask_for_another puts it back in the queue). One that never reached
    the parent cannot be called completed: it counts as not carried out."""
    if reason == CloseReason.COMPLETED and used_conversations(assignment.id) == 0:
        raise SupportError("never_reached")
    done = db.session.execute(
        update(Assignment).where(Assignment.id == assignment.id,
                                 Assignment.status == AssignmentStatus.ACTIVE)
        .values(status=AssignmentStatus.CLOSED, closed_at=now(), close_reason=reason,
                closed_by=getattr(actor, "id", None))
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise SupportError("closed")
    db.session.refresh(assignment)
    support_request = assignment.request
    if reason != CloseReason.ANOTHER_ASKED and support_request.status == Status.ASSIGNED:
        support_request.status, support_request.status_changed_at = Status.CLOSED, now()
    audit.record("support_assignment.close", assignment, actor=actor,
                 municipality_id=support_request.municipality_id, detail=reason)


# --- what a parent does from the status page ----------------------------------------------

def withdraw(support_request: SupportRequest) -> None:
    """The parent no longer wants support: an open request is withdrawn; an active
    assignment closes as ended by the parent."""
    active = queries.active_assignment(support_request)
    if active is not None:
        close_assignment(None, active, CloseReason.PARENT_ENDED)
    support_request.status, support_request.status_changed_at = Status.WITHDRAWN, now()
    support_request.urgency = 2
    audit.record("support_request.withdraw", support_request, actor=None,
                 municipality_id=support_request.municipality_id)


def erase(support_request: SupportRequest) -> None:
    """The parent asks for their data to be erased. A request no stödperson ever had goes
    entirely; otherwise what identifies the parents is erased and what the fee and the
    indicators need stays, pseudonymised (dates, kommun, the contacts' length and kind)."""
    had_assignment = bool(queries.assignments_of(support_request))
    if support_request.status not in (Status.WITHDRAWN, Status.CLOSED, Status.DECLINED):
        withdraw(support_request)
    audit.record("support_request.erase", support_request, actor=None,
                 municipality_id=support_request.municipality_id)
    if not had_assignment:
        db.session.delete(support_request)
        return
    pseudonymise(support_request)


def pseudonymise(support_request: SupportRequest) -> None:
    support_request.facts = None
    support_request.code_hash = None
    support_request.referrer_phone = None
    support_request.wish_gender = support_request.wish_meeting = None
    support_request.erased_at = utcnow()
    for parent in support_request.parents:
        parent.contact = None
    db.session.execute(delete(ParentAccount).where(
        ParentAccount.request_id == support_request.id))
    of_request = select(Assignment.id).where(Assignment.request_id == support_request.id)
    db.session.execute(update(Contact).where(Contact.assignment_id.in_(of_request))
                       .values(note=None).execution_options(synchronize_session=False))
    db.session.execute(update(Meeting).where(Meeting.assignment_id.in_(of_request))
                       .values(place=None).execution_options(synchronize_session=False))


def ask_for_another(support_request: SupportRequest) -> None:
    """The parent wants another stödperson: the assignment closes, the person is excluded
    and the request goes back to the top of the queue."""
    active = queries.active_assignment(support_request)
    if active is None:
        raise SupportError("not_assigned")
    close_assignment(None, active, CloseReason.ANOTHER_ASKED)
    db.session.add(Exclusion(request_id=support_request.id, supporter_id=active.supporter_id))
    support_request.status, support_request.status_changed_at = Status.SEARCHING, now()
    support_request.urgency = 0 if (support_request.is_crisis
                                    and support_request.first_contact_at is None) else 1
    audit.record("support_request.another", support_request, actor=None,
                 municipality_id=support_request.municipality_id)


# --- a parent's own account ---------------------------------------------------------------

CONNECT_SALT = "support-connect"
CONNECT_HOURS = 48


def invite_parent(support_request: SupportRequest) -> None:
    """The parent prefers an account to the reference and code. A new address gets a
    `parent` account and an invitation to choose a password; an address that already has
    an account gets a link to connect the request after signing in. The parent is told the
    same either way (the page never says whether the address had an account)."""
    parent = support_request.parents[0] if support_request.parents else None
    details = queries.contact_of(parent) if parent is not None else {}
    email = details.get("email")
    if parent is None or parent.channel != Channel.EMAIL or not email:
        raise SupportError("no_email")
    existing = accounts.user_by_email(email)
    if existing is None:
        from foreningen.accounts import services as account_services

        user = account_services.create_user(email, details.get("name") or email, ["parent"],
                                            locale=parent.language)
        account_services.invite(user, "parent_invitation",
                                _l("Your account for following your request"))
        _connect(support_request, user.id)
    else:
        from itsdangerous import URLSafeTimedSerializer

        token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], CONNECT_SALT).dumps(
            {"request": support_request.id, "user": existing.id})
        outbox.queue(email, "parent_connect", _l("Connect your request to your account"),
                     locale=existing.locale or parent.language,
                     link=external_url("ask.connect", token=token), hours=CONNECT_HOURS)
    audit.record("support_request.invite_parent", support_request, actor=None,
                 municipality_id=support_request.municipality_id)


def _connect(support_request: SupportRequest, user_id: int) -> None:
    link = db.session.get(ParentAccount, support_request.id)
    if link is None:
        db.session.add(ParentAccount(request_id=support_request.id, user_id=user_id))
    else:
        link.user_id = user_id


def connect_parent(user, token: str) -> SupportRequest:
    """The signed-in account holder followed the link: the request is theirs to follow."""
    from itsdangerous import BadData, URLSafeTimedSerializer

    try:
        found = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], CONNECT_SALT).loads(
            token, max_age=CONNECT_HOURS * 3600)
    except BadData:
        raise SupportError("link_invalid") from None
    support_request = db.session.get(SupportRequest, found.get("request"))
    if support_request is None or found.get("user") != user.id or \
            support_request.erased_at is not None:
        raise SupportError("link_invalid")
    _connect(support_request, user.id)
    audit.record("support_request.connect", support_request, actor=user,
                 municipality_id=support_request.municipality_id)
    return support_request


# --- contacts --------------------------------------------------------------------------------

def log_contact(actor, assignment: Assignment, values: dict) -> Contact:
    """A contact or an attempt. The first in which the parent was reached stops the crisis
    clock."""
    if assignment.status != AssignmentStatus.ACTIVE:
        raise SupportError("closed")
    contact = Contact(assignment_id=assignment.id, supporter_id=assignment.supporter_id,
                      occurred_on=values["occurred_on"], minutes=values["minutes"],
                      form=values["form"], reached=values["reached"],
                      km=values.get("km") or 0, expenses_ore=values.get("expenses_ore") or 0,
                      wellbeing=values.get("wellbeing"), note=values.get("note") or None)
    db.session.add(contact)
    db.session.flush()
    if contact.reached:
        db.session.execute(
            update(SupportRequest).where(SupportRequest.id == assignment.request_id,
                                         SupportRequest.first_contact_at.is_(None))
            .values(first_contact_at=now(), urgency=2)
            .execution_options(synchronize_session=False))
    audit.record("support_contact.log", contact, actor=actor,
                 municipality_id=assignment.request.municipality_id)
    return contact


# --- planned meetings ---------------------------------------------------------------------

def plan_meeting(actor, assignment: Assignment, values: dict) -> Meeting:
    """The stödperson plans a meeting; the parents see it on their status page."""
    if assignment.status != AssignmentStatus.ACTIVE:
        raise SupportError("closed")
    if values["starts_at"] <= now():
        raise SupportError("meeting_past")
    meeting = Meeting(assignment_id=assignment.id, starts_at=values["starts_at"],
                      minutes=values["minutes"], form=values["form"],
                      place=values.get("place") or None)
    db.session.add(meeting)
    db.session.flush()
    audit.record("support_meeting.plan", meeting, actor=actor,
                 municipality_id=assignment.request.municipality_id)
    return meeting


def cancel_meeting(actor, meeting: Meeting) -> None:
    audit.record("support_meeting.cancel", meeting, actor=actor)
    db.session.delete(meeting)


def _when(starts_at: datetime, locale: str | None) -> str:
    from flask_babel import force_locale, format_datetime

    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return format_datetime(starts_at, "short")


def remind_meetings(at: datetime) -> int:
    """The day before: the stödperson by mail, the parents by the way they chose (a text
    message to a mobile). Each meeting once, whichever host runs this (a conditional
    update claims it). Returns the number of meetings reminded of."""
    from foreningen.core.clock import start_of

    tomorrow = at.astimezone(crisis_clock.STOCKHOLM).date() + timedelta(days=1)
    reminded = 0
    for meeting in queries.meetings_to_remind(start_of(tomorrow),
                                              start_of(tomorrow + timedelta(days=1))):
        claimed = db.session.execute(
            update(Meeting).where(Meeting.id == meeting.id, Meeting.reminded_at.is_(None))
            .values(reminded_at=utcnow()).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        assignment = db.session.get(Assignment, meeting.assignment_id)
        supporter = db.session.get(Supporter, assignment.supporter_id) \
            if assignment.supporter_id else None
        user = accounts.user(supporter.user_id) if supporter else None
        if user is not None:
            outbox.queue(user.email, "support_meeting_tomorrow", _l("Your meeting tomorrow"),
                         locale=user.locale, when=_when(meeting.starts_at, user.locale),
                         link=external_url("mine.assignment", assignment_id=assignment.id))
        for parent in assignment.request.parents:
            details = queries.contact_of(parent)
            when = _when(meeting.starts_at, parent.language)
            if parent.channel == Channel.EMAIL and details.get("email"):
                outbox.queue(details["email"], "support_meeting_reminder",
                             _l("A reminder of your meeting"), locale=parent.language,
                             when=when, link=_status_link())
            elif details.get("phone"):
                outbox.queue_sms(details["phone"], "meeting_reminder", locale=parent.language,
                                 when=when)
        reminded += 1
    return reminded


# --- reminders --------------------------------------------------------------------------------

def remind_overdue(at: datetime) -> int:
    """Tell the coordinators how many crisis referrals are overdue (a count and a link: no
    content). Returns the number overdue."""
    overdue = queries.overdue(at)
    if overdue:
        for email, locale in accounts.emails_with_role("coordinator"):
            outbox.queue(email, "support_overdue", _l("Crisis referrals are overdue"),
                         locale=locale, count=len(overdue),
                         link=external_url("support.queue"))
    return len(overdue)


def used_conversations(assignment_id: int) -> int:
    return db.session.scalar(select(func.count()).where(
        Contact.assignment_id == assignment_id, Contact.reached.is_(True))) or 0


audit.describe("support_request", _l("Support requests"), {
    "support_request.ask": _l("A parent asked for a support person"),
    "support_request.refer": _l("Crisis referral made"),
    "support_request.read_parent": _l("A parent's contact details read"),
    "support_request.read_facts": _l("A request's placement facts read"),
    "support_request.search": _l("Looking for a support person"),
    "support_request.info_requested": _l("More information asked for"),
    "support_request.decline": _l("Request declined"),
    "support_request.merge": _l("Request merged with another"),
    "support_request.withdraw": _l("Request withdrawn by the parent"),
    "support_request.erase": _l("A parent's details erased at their request"),
    "support_request.another": _l("The parent asked for another support person"),
    "support_request.invite_parent": _l("The parent asked for an account"),
    "support_request.connect": _l("The parent connected the request to their account"),
    "support_request.purge": _l("Request deleted or pseudonymised after the retention period"),
})
audit.describe("support_assignment", _l("Assignments"), {
    "support_assignment.start": _l("Support person assigned"),
    "support_assignment.close": _l("Assignment closed"),
})
audit.describe("support_contact", _l("Contacts"), {
    "support_contact.log": _l("Contact logged"),
})
audit.describe("support_meeting", _l("Planned meetings"), {
    "support_meeting.plan": _l("Meeting planned"),
    "support_meeting.cancel": _l("Meeting cancelled"),
})
audit.subject_kind("support_request", _l("Support request"), endpoint="support.request_page",
                   argument="request_id", may_open="support.triage")
audit.subject_kind("support_assignment", _l("Assignment"))
audit.subject_kind("support_contact", _l("Contact"))
audit.subject_kind("support_meeting", _l("Planned meeting"))
