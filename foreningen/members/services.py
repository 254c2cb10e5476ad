"""Every change to the member register, each with its audit record. Callers commit."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from stdnum import luhn

from foreningen.accounts import queries as account_queries
from foreningen.accounts import services as accounts
from foreningen.association import queries as association
from foreningen.core import audit, clock, jobs, outbox
from foreningen.core.db import utcnow
from foreningen.core.errors import DomainError
from foreningen.core.extensions import db
from foreningen.core.security import Role
from foreningen.core.signals import housekeeping
from foreningen.core.tokens import new_token, token_hash
from foreningen.members import queries
from foreningen.members.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Member,
    MemberCategory,
    MemberNumber,
    MemberStatus,
    MemberStatusChange,
    MemberTally,
)
from foreningen.members.queries import CONFIRM_HOURS
from foreningen.members.signals import member_anonymised

FIRST_NUMBER = 1001
PRIVACY_NOTICE = ConsentPurpose.PRIVACY_NOTICE
OPTIONAL_PURPOSES = (ConsentPurpose.NEWSLETTER, ConsentPurpose.SURVEYS)

# Which status may follow which, and who may do it is decided in the views.
TRANSITIONS = {
    MemberStatus.APPLIED: {MemberStatus.ACTIVE, MemberStatus.DECLINED},
    MemberStatus.ACTIVE: {MemberStatus.LAPSED, MemberStatus.LEFT},
    MemberStatus.LAPSED: {MemberStatus.ACTIVE, MemberStatus.LEFT},
    MemberStatus.LEFT: {MemberStatus.APPLIED, MemberStatus.ACTIVE},
    MemberStatus.DECLINED: {MemberStatus.APPLIED},
}

CONTACT_FIELDS = ("phone", "street_address", "postal_code", "city")
DETAIL_FIELDS = ("first_name", "last_name", "organisation_name", "email", "municipality_id",
                 "locale", *CONTACT_FIELDS)


class MemberError(DomainError):
    messages = {
        "not_applied": _l("The application from %(name)s has already been handled."),
        "not_confirmed": _l("%(name)s has not confirmed their email address yet, so the "
                            "application cannot be approved."),
        "account_disabled": _l("%(name)s has a disabled account in the portal. Ask an "
                               "administrator to enable it, then approve."),
        "email_taken": _l("Another member already uses this email address."),
        "transition": _l("That change is not possible from the member's current status."),
        "anonymised": _l("This member's details are already erased."),
        "wrong_password": _l("The password is not right."),
        "link_invalid": _l("This link does not work any more. Change the address again from "
                           "your member page."),
    }


def today() -> date:
    return clock.today()


def reference_for(number: int) -> str:
    """The member number with a Luhn check digit, as Swedish banks' OCR references use."""
    return f"{number}{luhn.calc_check_digit(str(number))}"


def reserve_numbers(count: int) -> list[int]:
    """`count` new member numbers, in order, from the database's own counter (the first is
    FIRST_NUMBER, set by the migration): concurrent applications never share one."""
    now = utcnow()
    return list(db.session.execute(
        insert(MemberNumber).returning(MemberNumber.number, sort_by_parameter_order=True),
        [{"issued_at": now} for _ in range(count)]).scalars())


def _next_number() -> int:
    return reserve_numbers(1)[0]


def _new_member() -> Member:
    """A new applied member with the next number from the number table (never max()+1)."""
    number = _next_number()
    member = Member(number=number, payment_reference=reference_for(number),
                    status=MemberStatus.APPLIED, first_name="", last_name="", email="",
                    category=MemberCategory.SUPPORTING, privacy_notice_version="")
    member.history.append(MemberStatusChange(
        from_status=None, to_status=MemberStatus.APPLIED, effective_on=today()))
    db.session.add(member)
    db.session.flush()
    return member


def _record_change(member: Member, to_status: str, reason: str | None, actor,
                   effective_on: date | None = None) -> None:
    member.history.append(MemberStatusChange(
        from_status=member.status if member.id else None, to_status=to_status,
        effective_on=effective_on or today(), actor_id=getattr(actor, "id", None),
        reason=reason))
    member.status = to_status


# --- applications -------------------------------------------------------------------------

def submit_application(*, first_name: str, last_name: str, email: str, category: str,
                       locale: str, phone: str | None = None, street_address: str | None = None,
                       postal_code: str | None = None, city: str | None = None,
                       municipality_id: int | None = None, why_join: str | None = None,
                       organisation_name: str | None = None,
                       optional_consents: list[str] | tuple = ()) -> Member | None:
    """A public application. Returns None (and tells the address by mail) when the address
    already belongs to a current member, so the form never reveals who is a member."""
    email = email.strip().lower()
    category = str(MemberCategory(category))
    existing = queries.current_by_email(email)
    # An application never confirmed within its link's lifetime does not block the address
    # until the purge: applying again replaces it and sends a new link.
    expired = (existing is not None and existing.status == MemberStatus.APPLIED
               and existing.email_confirmed_at is None
               and utcnow() - existing.applied_at > timedelta(hours=CONFIRM_HOURS))
    if existing is not None and not expired:
        outbox.queue(email, "already_member", _l("About your application to Föreningen"),
                   locale=locale)
        audit.record("member.application_duplicate", existing, actor=None)
        return None
    # Rejoining reuses the record of a former member with the same address.
    member = existing or db.session.scalar(select(Member).where(
        Member.email == email, Member.status.in_([MemberStatus.LEFT, MemberStatus.DECLINED]),
        Member.anonymised_at.is_(None)).order_by(Member.id.desc()).limit(1))
    if member is None:
        member = _new_member()
    elif member.status != MemberStatus.APPLIED:
        _record_change(member, MemberStatus.APPLIED, None, None)
        member.left_on = member.joined_on = None
        member.leave_requested_at = member.erasure_requested_at = None
    member.first_name, member.last_name = first_name.strip(), last_name.strip()
    member.email, member.category, member.locale = email, category, locale
    member.phone, member.street_address = phone or None, street_address or None
    member.postal_code, member.city = postal_code or None, city or None
    member.municipality_id = municipality_id
    member.organisation_name = (organisation_name or None
                                if category == MemberCategory.ORGANISATION else None)
    member.why_join = why_join if category == MemberCategory.ORDINARY else None
    member.applied_at = utcnow()
    member.email_confirmed_at = None
    version = association.privacy_notice_version()
    member.privacy_notice_version = version
    for consent in member.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at = utcnow()
    member.consents.append(Consent(purpose=PRIVACY_NOTICE, version=version))
    for purpose in optional_consents:
        if purpose in OPTIONAL_PURPOSES:
            member.consents.append(Consent(purpose=purpose, version=version))
    token = new_token()
    member.confirmation_token_hash = token_hash(token)
    db.session.flush()
    outbox.queue(email, "application_confirm", _l("Confirm your email address"), locale=locale,
               link=accounts.external_url("join.confirm", token=token), hours=CONFIRM_HOURS)
    audit.record("member.apply", member, actor=None, municipality_id=municipality_id)
    return member


@jobs.handler("members.apply")
def _apply_later(**values) -> None:
    """The join form's work, done after its answer (core/jobs.py): the answer takes as long
    for a member's address as for a new one. Two applications from one address carried out
    at the same moment (a double click, two tabs): the second meets the first's unique
    address and is carried out again, now as an application from a known address."""
    try:
        with db.session.begin_nested():
            submit_application(**values)
    except IntegrityError:
        submit_application(**values)


def confirm_email(token: str) -> Member | None:
    member = db.session.scalar(select(Member).where(
        Member.confirmation_token_hash == token_hash(token)))
    if member is None or member.status != MemberStatus.APPLIED:
        return None
    if utcnow() - member.applied_at > timedelta(hours=CONFIRM_HOURS):
        return None
    member.email_confirmed_at = utcnow()
    member.confirmation_token_hash = None
    audit.record("member.email_confirm", member, actor=None)
    return member


def approve(member: Member, actor) -> None:
    """Active from today; the applicant gets an account with the member role."""
    if member.status != MemberStatus.APPLIED:
        raise MemberError("not_applied", name=member.name)
    if member.email_confirmed_at is None:
        raise MemberError("not_confirmed", name=member.name)
    user = account_queries.user(member.user_id) if member.user_id else None
    user = user or account_queries.user_by_email(member.email)
    if user is not None and not user.is_active:
        # An administrator must enable it first.
        raise MemberError("account_disabled", name=member.name)
    # A conditional update claims the application: of two board members approving it at the
    # same moment, the second waits for the first and then finds it approved.
    claimed = db.session.execute(
        update(Member).where(Member.id == member.id, Member.status == MemberStatus.APPLIED)
        .values(status=MemberStatus.ACTIVE)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise MemberError("not_applied", name=member.name)
    _record_change(member, MemberStatus.ACTIVE, None, actor)
    member.joined_on = member.joined_on or today()
    if user is None:
        user = accounts.create_user(member.email, member.name, [Role.MEMBER],
                                    locale=member.locale)
        accounts.invite(user, "member_invitation", _l("Welcome as a member of Föreningen"))
    else:
        if Role.MEMBER not in user.role_names:
            accounts.set_roles(user, [*user.role_names, Role.MEMBER], user.municipality_id)
        outbox.queue(member.email, "application_approved", _l("Welcome as a member of Föreningen"),
                   locale=member.locale,
                   link=accounts.external_url("membership.index"))
    member.user_id = user.id
    audit.record("member.approve", member, actor=actor, municipality_id=member.municipality_id)


def approve_many(members: list[Member], actor) -> None:
    """All or nothing: the first refusal raises and the caller rolls back."""
    for member in members:
        approve(member, actor)


def decline(member: Member, reason: str, actor) -> None:
    if member.status != MemberStatus.APPLIED:
        raise MemberError("not_applied", name=member.name)
    _record_change(member, MemberStatus.DECLINED, reason, actor)
    # The reason is free text about the person: not in a mail. The mail links to a page
    # that shows it, through a token of its own (kept only as a hash).
    token = new_token()
    member.confirmation_token_hash = token_hash(token)
    outbox.queue(member.email, "application_declined", _l("About your application to Föreningen"),
                 locale=member.locale,
                 link=accounts.external_url("join.decision", token=token))
    audit.record("member.decline", member, actor=actor, municipality_id=member.municipality_id)


# --- status and details -------------------------------------------------------------------

def change_status(member: Member, to_status: str, reason: str | None, actor,
                  effective_on: date | None = None) -> None:
    to_status = MemberStatus(to_status)
    if to_status not in TRANSITIONS[MemberStatus(member.status)]:
        raise MemberError("transition")
    if to_status == MemberStatus.ACTIVE and member.status == MemberStatus.APPLIED:
        return approve(member, actor)
    _record_change(member, to_status, reason, actor, effective_on)
    if to_status == MemberStatus.LEFT:
        member.left_on = effective_on or today()
    elif to_status == MemberStatus.ACTIVE:
        member.left_on = None
        member.joined_on = member.joined_on or today()
    elif to_status == MemberStatus.APPLIED:
        member.left_on = None  # applying again, as submit_application does
    audit.record(f"member.status_{to_status}", member, actor=actor,
                 municipality_id=member.municipality_id)


def update_details(member: Member, values: dict, actor) -> None:
    email = values.get("email")
    if email is not None:
        email = email.strip().lower()
        other = queries.current_by_email(email)
        if other is not None and other.id != member.id:
            raise MemberError("email_taken")
        values = {**values, "email": email}
        _follow_with_account(member, email)
    for name in DETAIL_FIELDS:
        if name in values:
            setattr(member, name,
                    (values[name] or None) if name in (*CONTACT_FIELDS, "organisation_name")
                    else values[name])
    if "category" in values:
        member.category = str(MemberCategory(values["category"]))
    audit.record("member.update", member, actor=actor, municipality_id=member.municipality_id)


EMAIL_CHANGE_HOURS = 24


def request_email_change(member: Member, new_email: str, password: str, actor) -> None:
    """A member's new address takes their password and a link sent to it; the old address
    is told. A stolen session alone cannot move the account to another inbox."""
    new_email = new_email.strip().lower()
    user = account_queries.user(member.user_id) if member.user_id else None
    if user is None or not accounts.password_matches(user, password):
        raise MemberError("wrong_password")
    other = queries.current_by_email(new_email)
    if other is not None and other.id != member.id:
        raise MemberError("email_taken")
    token = new_token()
    member.pending_email = new_email
    member.email_change_token_hash = token_hash(token)
    member.email_change_requested_at = utcnow()
    outbox.queue(new_email, "email_change_confirm", _l("Confirm your new email address"),
                 locale=member.locale, link=accounts.external_url("membership.confirm_email",
                                                                  token=token),
                 hours=EMAIL_CHANGE_HOURS)
    outbox.queue(member.email, "email_change_notice", _l("Your email address is being changed"),
                 locale=member.locale, link=accounts.external_url("membership.index"))
    audit.record("member.email_change_request", member, actor=actor)


def confirm_email_change(token: str, actor) -> Member:
    member = queries.email_change_for_token(token, EMAIL_CHANGE_HOURS)
    if member is None:
        raise MemberError("link_invalid")
    old, new = member.email, member.pending_email
    other = queries.current_by_email(new)
    if other is not None and other.id != member.id:
        raise MemberError("email_taken")
    _follow_with_account(member, new)
    member.email = new
    member.pending_email = member.email_change_token_hash = None
    member.email_change_requested_at = None
    outbox.queue(old, "email_change_notice", _l("Your email address is changed"),
                 locale=member.locale, link=accounts.external_url("membership.index"),
                 done=True)
    audit.record("member.email_change", member, actor=actor)
    return member


BOARD_FIELDS = ("first_name", "last_name", "organisation_name", "email", "category",
                "municipality_id", "locale", *CONTACT_FIELDS)


def correct_by_board(member: Member, values: dict, actor) -> list[str]:
    """The board corrects a member's details (a mistyped name, a new address, another
    category). The sign-in address of the member's account is not changed: that is the
    member's own, and changes only with their proof. Returns the fields that changed."""
    if member.anonymised_at is not None:
        raise MemberError("anonymised")
    values = {**values, "email": values["email"].strip().lower()}
    values["category"] = str(MemberCategory(values["category"]))
    if values["category"] != MemberCategory.ORGANISATION:
        values["organisation_name"] = None
    other = queries.current_by_email(values["email"])
    if other is not None and other.id != member.id:
        raise MemberError("email_taken")
    changed = [name for name in BOARD_FIELDS
               if name in values and (values[name] or None) != (getattr(member, name) or None)]
    for name in changed:
        setattr(member, name, values[name] or None if name in (*CONTACT_FIELDS,
                                                               "organisation_name")
                else values[name])
    audit.record("member.update", member, actor=actor, municipality_id=member.municipality_id,
                 detail=" ".join(changed)[:120] or None)
    return changed


def add_on_paper(values: dict, *, joined_on: date, consent_date: date, invite: bool,
                 actor) -> Member:
    """Someone who joined on a paper form: an active member from `joined_on`, with the
    privacy-notice consent of the form, recorded as given on paper and by whom."""
    email = values["email"].strip().lower()
    if queries.current_by_email(email) is not None:
        raise MemberError("email_taken")
    member = _new_member()
    member.history[0].to_status = MemberStatus.ACTIVE
    member.history[0].effective_on = joined_on
    member.history[0].actor_id = getattr(actor, "id", None)
    member.history[0].reason = "joined on a paper form"
    member.status = MemberStatus.ACTIVE
    member.joined_on = joined_on
    member.email_confirmed_at = None
    version = association.privacy_notice_version()
    member.privacy_notice_version = version
    for name in BOARD_FIELDS:
        if name in values:
            setattr(member, name, (values[name] or None) if name in (
                *CONTACT_FIELDS, "organisation_name") else values[name])
    member.email = email
    member.category = str(MemberCategory(values["category"]))
    if member.category != MemberCategory.ORGANISATION:
        member.organisation_name = None
    member.consents.append(Consent(
        purpose=PRIVACY_NOTICE, version=version, method=ConsentMethod.PAPER,
        given_at=clock.start_of(consent_date), recorded_by=getattr(actor, "id", None)))
    db.session.flush()
    if invite:
        user = account_queries.user_by_email(email)
        if user is None:
            user = accounts.create_user(email, member.name, [Role.MEMBER], locale=member.locale)
            accounts.invite(user, "member_invitation", _l("Welcome as a member of Föreningen"))
        elif Role.MEMBER not in user.role_names and user.is_active:
            accounts.set_roles(user, [*user.role_names, Role.MEMBER], user.municipality_id)
        member.user_id = user.id
    audit.record("member.add_on_paper", member, actor=actor,
                 municipality_id=member.municipality_id)
    return member


def _follow_with_account(member: Member, email: str) -> None:
    """The sign-in address follows the member's address when they were the same."""
    if not member.user_id or email == member.email:
        return
    user = account_queries.user(member.user_id)
    if user is None or user.email != member.email:
        return
    holder = account_queries.user_by_email(email)
    if holder is not None and holder.id != user.id:
        raise MemberError("email_taken")
    user.email = email
    audit.record("user.email_change", user, detail="member address")


def set_protected_identity(member: Member, protected: bool, actor) -> None:
    member.protected_identity = protected
    audit.record("member.protected_on" if protected else "member.protected_off", member,
                 actor=actor)


def reveal_contact(member: Member, actor) -> None:
    """A board member opens a protected member's address on purpose: always audited."""
    audit.record("member.reveal_contact", member, actor=actor,
                 municipality_id=member.municipality_id)


def record_view(member: Member, actor) -> None:
    audit.record("member.view", member, actor=actor)


def record_search(actor, found: int) -> None:
    """The board searched the register: who and how many were found, not the words (they
    may be a name)."""
    audit.record("member.search", ("member", None), actor=actor, detail=f"{found} found")


def record_download(member: Member, kind: str, actor) -> None:
    """A person downloaded what the portal holds on them ("json" or "html")."""
    audit.record("member.export", member, actor=actor, detail=kind)
    db.session.flush()


# --- the member's own requests ------------------------------------------------------------

def request_leave(member: Member, actor) -> None:
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.LAPSED):
        raise MemberError("transition")
    member.leave_requested_at = utcnow()
    change_status(member, MemberStatus.LEFT, "own request", actor)
    for consent in member.consents:
        if consent.purpose in OPTIONAL_PURPOSES and consent.withdrawn_at is None:
            consent.withdrawn_at = utcnow()


def request_erasure(member: Member, actor) -> None:
    member.erasure_requested_at = member.erasure_requested_at or utcnow()
    audit.record("member.erasure_request", member, actor=actor)


def erase(member: Member, actor) -> None:
    """The board carries out an erasure request: the member leaves (if still a member) and
    is anonymised at once; payments stay, pseudonymised (accounting law)."""
    if member.anonymised_at is not None:
        raise MemberError("anonymised")
    if member.status in (MemberStatus.ACTIVE, MemberStatus.LAPSED):
        change_status(member, MemberStatus.LEFT, None, actor)
    elif member.status == MemberStatus.APPLIED:
        _record_change(member, MemberStatus.DECLINED, None, actor)
    audit.record("member.erase", member, actor=actor)
    anonymise(member, actor)


def set_consent(member: Member, purpose: str, given: bool, actor) -> None:
    if purpose not in OPTIONAL_PURPOSES:
        raise MemberError("purpose")
    active = [c for c in member.consents if c.purpose == purpose and c.withdrawn_at is None]
    if given and not active:
        member.consents.append(Consent(purpose=purpose,
                                       version=association.privacy_notice_version()))
    elif not given:
        for consent in active:
            consent.withdrawn_at = utcnow()
    audit.record(f"member.consent_{'give' if given else 'withdraw'}", member, actor=actor,
                 detail=purpose)


# --- retention ----------------------------------------------------------------------------

ANONYMOUS = "Anonymiserad"


def anonymise(member: Member, actor=None) -> None:
    """Keep the row (payments point at it, seven years) but nothing that names the person."""
    member.first_name = ANONYMOUS
    member.last_name = f"#{member.number}"
    member.email = f"anonymised-{member.id}@invalid.example"
    for name in (*CONTACT_FIELDS, "why_join", "confirmation_token_hash", "pending_email",
                 "email_change_token_hash"):
        setattr(member, name, None)
    member.municipality_id = None
    member.protected_identity = False
    member.anonymised_at = utcnow()
    for change in member.history:
        change.reason = None
    for consent in list(member.consents):
        member.consents.remove(consent)
    # Other features remove what they hold that could name the person (dues: payment notes).
    member_anonymised.send(current_app._get_current_object(), member_id=member.id)
    if member.user_id:
        user = account_queries.user(member.user_id)
        member.user_id = None
        if user is not None and user.role_names <= {Role.MEMBER}:
            accounts.anonymise_user(user)
    audit.record("member.anonymise", member, actor=actor)


# --- dues (the dues feature calls these: the member's status follows their payments) ----

def reactivate_paid_up(paid: list[tuple[Member, int]], actor) -> int:
    """A lapsed member who has now paid this year's dues is active again. One query for all
    the (member, dues year) pairs just paid, however many."""
    year = today().year
    lapsed = {m.id: m for m, paid_year in paid
              if paid_year == year and m.status == MemberStatus.LAPSED}
    if not lapsed:
        return 0
    ids = queries.paid_up_ids(list(lapsed), year)
    for member_id in sorted(ids):
        change_status(lapsed[member_id], MemberStatus.ACTIVE, "paid", actor)
    return len(ids)


def note_reminded(member: Member) -> None:
    """The member was sent a dues reminder now (reminders are spaced by this)."""
    member.last_reminder_at = utcnow()



@housekeeping.connect
def _fold_tally(_sender, **_) -> None:
    compact_tally()


def compact_tally() -> None:
    """Fold the register's tally (+1/−1 rows written by the database's triggers) into one
    row per category and status. Safe beside writers: on PostgreSQL one statement (a row
    added meanwhile is neither summed nor deleted); on SQLite the write lock is held."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(
            "WITH gone AS (DELETE FROM member_tally RETURNING category, status, delta) "
            "INSERT INTO member_tally (category, status, delta) "
            "SELECT category, status, sum(delta) FROM gone GROUP BY category, status "
            "HAVING sum(delta) <> 0"))
        return
    last = db.session.scalar(select(func.max(MemberTally.id)))
    if last is None:
        return
    db.session.execute(insert(MemberTally).from_select(
        ["category", "status", "delta"],
        select(MemberTally.category, MemberTally.status, func.sum(MemberTally.delta))
        .where(MemberTally.id <= last).group_by(MemberTally.category, MemberTally.status)
        .having(func.sum(MemberTally.delta) != 0)))
    db.session.execute(delete(MemberTally).where(MemberTally.id <= last))

# --- the audit log in words -------------------------------------------------------------

audit.describe("member", _l("Membership"), {
    "member.apply": _l("Application received"),
    "member.application_duplicate": _l("Applied again with an address already known"),
    "member.email_confirm": _l("Email address confirmed"),
    "member.approve": _l("Application approved"),
    "member.decline": _l("Application declined"),
    "member.update": _l("Member's details changed"),
    "member.view": _l("Member's page opened"),
    "member.search": _l("Register searched"),
    "member.reveal_contact": _l("Protected contact details shown"),
    "member.export": _l("Member data exported"),
    "member.consent_give": _l("Consent given"),
    "member.consent_withdraw": _l("Consent withdrawn"),
    "member.erasure_request": _l("Erasure asked for"),
    "member.erase": _l("Erased at the member's request"),
    "member.protected_on": _l("Protected identity turned on"),
    "member.protected_off": _l("Protected identity turned off"),
    "member.anonymise": _l("Member anonymised"),
    "member.delete": _l("Application deleted"),
    "member.add_on_paper": _l("Member added from a paper form"),
    "member.email_change_request": _l("New email address asked for"),
    "member.email_change": _l("Email address changed"),
    **{f"member.status_{status}": _l("Status changed to: %(status)s", status=status.label)
       for status in MemberStatus},
})
audit.subject_kind("member", _l("Member"), endpoint="members.member", argument="member_id",
                   may_open="members.view_register")
