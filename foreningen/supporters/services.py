"""Every change to the stödpersoner, each with its audit record. Callers commit."""

from __future__ import annotations

import json
import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from foreningen.accounts import services as accounts
from foreningen.core import audit, clock, outbox
from foreningen.core.db import utcnow
from foreningen.core.errors import DomainError
from foreningen.core.extensions import db
from foreningen.core.security import Role
from foreningen.supporters import queries
from foreningen.supporters.models import (
    Completion,
    ExpiryNotice,
    Requirement,
    RequirementKind,
    Stage,
    StageChange,
    SupervisionAttendance,
    SupervisionSession,
    Supporter,
    SupporterLanguage,
)
from foreningen.supporters.readiness import add_months

# The text of the consent to this processing, by version (templates/supporters/_consent.html
# holds the words of each version).
CONSENT_VERSION = "2026-11"

# Which stage may follow which. Who may move people is decided by the policy (coordinators).
TRANSITIONS = {
    Stage.APPLIED: {Stage.INTERVIEW_BOOKED, Stage.INTERVIEWED, Stage.ENDED},
    Stage.INTERVIEW_BOOKED: {Stage.APPLIED, Stage.INTERVIEWED, Stage.ENDED},
    Stage.INTERVIEWED: {Stage.IN_TRAINING, Stage.ENDED},
    Stage.IN_TRAINING: {Stage.APPROVED, Stage.ENDED},
    Stage.APPROVED: {Stage.ACTIVE, Stage.PAUSED, Stage.ENDED},
    Stage.ACTIVE: {Stage.PAUSED, Stage.ENDED},
    Stage.PAUSED: {Stage.ACTIVE, Stage.ENDED},
    Stage.ENDED: {Stage.APPLIED},
}
# From approval on, the account carries the stödperson role (their pages, later matching).
WITH_ROLE = frozenset({Stage.APPROVED, Stage.ACTIVE, Stage.PAUSED})
PROFILE_FIELDS = ("display_name", "municipality_id", "area", "meets_in_person", "meets_by_phone",
                  "meets_by_video", "weekday_daytime", "evenings", "weekends", "gender", "offer")
EXPERIENCE_FIELDS = ("placement_types", "legal_bases", "child_age", "years_since",
                     "child_came_home")


class SupporterError(DomainError):
    messages = {
        "not_member": _l("Only an active member can apply to become a support person. Your "
                         "membership page says how to become one."),
        "applied": _l("You have already applied. Your support person page shows where your "
                      "application stands."),
        "transition": _l("%(name)s cannot go from “%(from_stage)s” to “%(to_stage)s”."),
        "moved": _l("Someone else moved %(name)s a moment ago. Look again and choose."),
        "interview_date": _l("Give the date of the interview."),
        "note_needed": _l("Say briefly why (kept in the history)."),
        "changed": _l("Someone else changed this requirement a moment ago. Look again."),
        "no_pledge": _l("There is no confidentiality pledge to sign yet."),
        "pledge_changed": _l("The pledge was changed while you read it. Read the new text "
                             "and sign again."),
        "extract_expired": _l("An extract dated %(date)s is no longer valid. Ask for a new "
                              "one."),
        "not_training": _l("Training is recorded for training modules only."),
        "nobody": _l("Choose at least one person."),
        "resume_past": _l("The date to resume must be after today."),
        "capacity_below": _l("The number cannot be lower than the parents you support now "
                             "(%(num)s). Talk to the coordinator if an assignment should end."),
    }


def today() -> date:
    return clock.today()


# --- applying -----------------------------------------------------------------------------

def _experience_json(values: dict) -> str:
    return json.dumps({name: values.get(name) for name in EXPERIENCE_FIELDS},
                      sort_keys=True, ensure_ascii=False)


def _set_profile(supporter: Supporter, values: dict) -> None:
    for name in PROFILE_FIELDS:
        if name in values:
            setattr(supporter, name, values[name])
    if "languages" in values:
        wanted = set(values["languages"])
        supporter.languages = [row for row in supporter.languages if row.language in wanted] + [
            SupporterLanguage(language=code) for code in sorted(wanted - set(
                supporter.language_codes))]


def apply(user, member, values: dict) -> Supporter:
    """A member applies: their answers and consent, at the first stage. One who ended may
    apply again; their earlier history stays."""
    if member is None or member.status != "active":
        raise SupporterError("not_member")
    supporter = queries.own(user.id)
    if supporter is not None and supporter.stage != Stage.ENDED:
        raise SupporterError("applied")
    if supporter is None:
        supporter = Supporter(user_id=user.id, stage=Stage.APPLIED, stage_changed_on=today(),
                              capacity=1)
        db.session.add(supporter)
        from_stage = None
    else:
        from_stage = supporter.stage
        supporter.stage, supporter.stage_changed_on = Stage.APPLIED, today()
    _set_profile(supporter, values)
    supporter.experience = _experience_json(values)
    supporter.consent_version, supporter.consented_at = CONSENT_VERSION, utcnow()
    supporter.history.append(StageChange(from_stage=from_stage, to_stage=Stage.APPLIED,
                                         effective_on=today(), actor_id=user.id))
    db.session.flush()
    audit.record("supporter.apply", supporter, actor=user)
    return supporter


def experience(supporter: Supporter) -> dict:
    """The private answers (callers record who read them: record_private_read)."""
    return json.loads(supporter.experience or "{}")


def update_own(supporter: Supporter, values: dict, actor) -> None:
    """The stödperson changes their answers and profile."""
    _set_profile(supporter, values)
    supporter.experience = _experience_json(values)
    audit.record("supporter.update", supporter, actor=actor)


def record_private_read(supporter: Supporter, actor) -> None:
    """Someone other than the stödperson read the private answers."""
    if actor is not None and actor.id != supporter.user_id:
        audit.record("supporter.view_private", supporter, actor=actor)


# --- the pipeline -------------------------------------------------------------------------

def move(supporter: Supporter, to_stage: str, actor, *, note: str | None = None,
         effective_on: date | None = None, interview_on: date | None = None) -> None:
    to_stage = Stage(to_stage)
    from_stage = Stage(supporter.stage)
    name = supporter.display_name
    if to_stage not in TRANSITIONS[from_stage]:
        raise SupporterError("transition", name=name, from_stage=from_stage.label,
                             to_stage=to_stage.label)
    if to_stage == Stage.INTERVIEW_BOOKED and interview_on is None:
        raise SupporterError("interview_date")
    if to_stage == Stage.ENDED and not (note or "").strip():
        raise SupporterError("note_needed")
    effective_on = effective_on or today()
    # A conditional update claims the move: of two coordinators moving the same person at
    # once, the second finds the stage changed and is told so, instead of both succeeding.
    claimed = db.session.execute(
        update(Supporter).where(Supporter.id == supporter.id, Supporter.stage == from_stage)
        .values(stage=to_stage, stage_changed_on=effective_on)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise SupporterError("moved", name=name)
    supporter.stage, supporter.stage_changed_on = to_stage, effective_on
    if to_stage == Stage.INTERVIEW_BOOKED:
        supporter.interview_on = interview_on
    if to_stage != Stage.PAUSED:
        supporter.paused_until = None
    supporter.history.append(StageChange(from_stage=from_stage, to_stage=to_stage,
                                         effective_on=effective_on,
                                         actor_id=getattr(actor, "id", None),
                                         note=(note or "").strip() or None))
    _keep_role(supporter, to_stage)
    audit.record(f"supporter.stage_{to_stage}", supporter, actor=actor)


def move_many(supporters: list[Supporter], to_stage: str, actor, *, note: str | None = None,
              effective_on: date | None = None, interview_on: date | None = None) -> int:
    """All or nothing: the first refusal raises and the caller rolls back."""
    if not supporters:
        raise SupporterError("nobody")
    for supporter in supporters:
        move(supporter, to_stage, actor, note=note, effective_on=effective_on,
             interview_on=interview_on)
    return len(supporters)


def _keep_role(supporter: Supporter, stage: Stage) -> None:
    from foreningen.accounts import queries as account_queries

    user = account_queries.user(supporter.user_id)
    has = Role.SUPPORTER in user.role_names
    if (stage in WITH_ROLE) != has:
        roles = ([*user.role_names, Role.SUPPORTER] if not has
                 else [r for r in user.role_names if r != Role.SUPPORTER])
        accounts.set_roles(user, roles, user.municipality_id)


# --- readiness requirements ---------------------------------------------------------------

def _new_key(kind: str) -> str:
    """The pledge and the extract are one requirement each; a training module gets a key of
    its own that its later versions keep."""
    return kind if kind != RequirementKind.TRAINING else f"training-{secrets.token_hex(6)}"


def add_requirement(kind: str, actor, *, name: str | None = None, required: bool = True,
                    validity_months: int | None = None, body: str | None = None) -> Requirement:
    """A new requirement (a training module); the pledge and the extract exist from the
    start and are revised instead."""
    requirement = Requirement(key=_new_key(kind), version=1, kind=kind, name=name,
                              required=required, validity_months=validity_months, body=body,
                              created_by=getattr(actor, "id", None))
    db.session.add(requirement)
    db.session.flush()
    audit.record("supporter.requirement_add", requirement, actor=actor)
    return requirement


def _retire(current: Requirement) -> None:
    """Out of force from now, if nobody retired it a moment ago (a conditional update:
    of two coordinators changing it at once, the second is told)."""
    retired = db.session.execute(
        update(Requirement).where(Requirement.id == current.id, Requirement.retired_at.is_(None))
        .values(retired_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not retired:
        raise SupporterError("changed")


def revise_requirement(current: Requirement, actor, *, name: str | None, required: bool,
                       validity_months: int | None, body: str | None) -> Requirement:
    """A new version in force from now; the old one is retired, and what was done under it
    keeps its terms. A new pledge text asks everyone to sign again."""
    _retire(current)
    db.session.flush()
    revised = Requirement(key=current.key, version=current.version + 1, kind=current.kind,
                          name=name if current.kind == RequirementKind.TRAINING else None,
                          required=required, validity_months=validity_months,
                          body=body if current.kind == RequirementKind.PLEDGE else None,
                          created_by=getattr(actor, "id", None))
    db.session.add(revised)
    db.session.flush()
    audit.record("supporter.requirement_revise", revised, actor=actor,
                 detail=f"version {revised.version}")
    return revised


def retire_requirement(current: Requirement, actor) -> None:
    """A training module no longer asked for (the pledge and the extract stay)."""
    if current.kind != RequirementKind.TRAINING:
        raise SupporterError("not_training")
    _retire(current)
    audit.record("supporter.requirement_retire", current, actor=actor)


def _expiry(requirement: Requirement, start: date) -> date | None:
    months = requirement.validity_months
    return add_months(start, months) if months else None


def record_training(supporters: list[Supporter], requirement: Requirement | None,
                    completed_on: date, actor) -> int:
    """One session attended by a whole group: one completion each, all or nothing. Only a
    training module in force can be recorded."""
    if (requirement is None or requirement.kind != RequirementKind.TRAINING
            or requirement.retired_at is not None):
        raise SupporterError("not_training")
    if not supporters:
        raise SupporterError("nobody")
    expires_on = _expiry(requirement, completed_on)
    for supporter in supporters:
        db.session.add(Completion(supporter_id=supporter.id, requirement_id=requirement.id,
                                  completed_on=completed_on, expires_on=expires_on,
                                  recorded_by=getattr(actor, "id", None)))
        audit.record("supporter.training", supporter, actor=actor,
                     detail=f"requirement {requirement.id}")
    db.session.flush()
    return len(supporters)


def record_extract(supporter: Supporter, requirement: Requirement, *, seen_on: date,
                   dated_on: date, actor) -> Completion:
    """A coordinator saw the police record extract: who, when and the date printed on it.
    The document itself is never stored."""
    expires_on = _expiry(requirement, dated_on)
    if expires_on is not None and expires_on <= today():
        raise SupporterError("extract_expired", date=dated_on.isoformat())
    completion = Completion(supporter_id=supporter.id, requirement_id=requirement.id,
                            completed_on=seen_on, document_dated_on=dated_on,
                            expires_on=expires_on, recorded_by=getattr(actor, "id", None))
    db.session.add(completion)
    db.session.flush()
    audit.record("supporter.record_check", supporter, actor=actor)
    return completion


def sign_pledge(supporter: Supporter, requirement_id: int, actor) -> Completion:
    """The stödperson signs the pledge they were shown: if a new version came into force
    meanwhile, they are shown that one instead."""
    current = queries.current_requirement(RequirementKind.PLEDGE)
    if current is None:
        raise SupporterError("no_pledge")
    if current.id != requirement_id:
        raise SupporterError("pledge_changed")
    completion = Completion(supporter_id=supporter.id, requirement_id=current.id,
                            completed_on=today(), expires_on=_expiry(current, today()),
                            recorded_by=getattr(actor, "id", None))
    db.session.add(completion)
    db.session.flush()
    audit.record("supporter.pledge_sign", supporter, actor=actor,
                 detail=f"version {current.version}")
    return completion


# --- capacity, pause, conflicts and payout details (the stödperson's own) -----------------

def set_capacity(supporter: Supporter, capacity: int, actor) -> None:
    """Never below the parents supported now: they are not dropped by a number."""
    supporting = queries.active_parents(supporter)
    if capacity < supporting:
        raise SupporterError("capacity_below", num=supporting)
    supporter.capacity = capacity
    audit.record("supporter.capacity", supporter, actor=actor, detail=f"capacity {capacity}")


def pause(supporter: Supporter, until: date | None, actor, note: str | None = None) -> None:
    """Pause taking parents, until a date or until resumed. From the date on they are
    available again without anyone acting (resume_due, run daily). Already paused: the
    date changes."""
    if until is not None and until <= today():
        raise SupporterError("resume_past")
    if supporter.stage != Stage.PAUSED:
        move(supporter, Stage.PAUSED, actor, note=note)
    else:
        audit.record("supporter.pause_until", supporter, actor=actor)
    supporter.paused_until = until


def resume(supporter: Supporter, actor) -> None:
    move(supporter, Stage.ACTIVE, actor)


def resume_due(on: date) -> int:
    """Everyone whose pause ended by `on` is active again (flask supporters daily)."""
    due = list(db.session.scalars(select(Supporter).where(
        Supporter.stage == Stage.PAUSED, Supporter.paused_until.is_not(None),
        Supporter.paused_until <= on)))
    for supporter in due:
        until = supporter.paused_until
        move(supporter, Stage.ACTIVE, None, effective_on=until,
             note=None)
    return len(due)


def set_conflicts(supporter: Supporter, text: str | None, actor) -> None:
    """People or places the stödperson must not be matched with (only matching reads it)."""
    supporter.conflicts = (text or "").strip() or None
    audit.record("supporter.conflicts", supporter, actor=actor)


def set_payout(supporter: Supporter, *, personnummer: str, clearing_number: str,
               account_number: str, actor) -> None:
    """Validated by the form (python-stdnum, bankkonto); kept encrypted. The stödperson is
    told by mail that they changed, never what they are."""
    supporter.personnummer = personnummer
    supporter.clearing_number = clearing_number
    supporter.account_number = account_number
    audit.record("supporter.payout", supporter, actor=actor)
    from foreningen.accounts import queries as account_queries

    user = account_queries.user(supporter.user_id)
    outbox.queue(user.email, "supporter_payout_changed",
                 _l("Your payout details were changed"), locale=user.locale,
                 link=accounts.external_url("supporter.index"))


def masked(value: str | None) -> str | None:
    """The last four characters, the rest as dots: what the stödperson is shown."""
    if not value:
        return None
    digits = "".join(c for c in value if c.isdigit())
    return "••••" + digits[-4:]


# --- expiry notices ------------------------------------------------------------------------

THRESHOLDS = (60, 14, 0)  # days before an item lapses; 0: the day it lapses (or after)


def _threshold(days_left: int) -> int | None:
    """The nearest threshold reached: 50 days left → 60; 10 → 14; lapsed → 0."""
    reached = [t for t in THRESHOLDS if days_left <= t]
    return min(reached) if reached else None


def notify_expiring(on: date, coordinator_emails: list[tuple[str, str]]) -> int:
    """Tell each stödperson whose item reached a threshold, once per item, expiry date and
    threshold, whichever host runs it (the unique constraint decides; the loser skips), and
    each coordinator once per run how many there are. Mail says only that something needs
    renewing, with a link. Returns the number of people told."""
    told = 0
    for supporter, items in queries.expiring_items(on):
        new = []
        for item in items:
            threshold = _threshold((item.expires_on - on).days)
            if threshold is None:
                continue
            try:
                with db.session.begin_nested():
                    db.session.add(ExpiryNotice(supporter_id=supporter.id,
                                                requirement_key=item.need.key,
                                                expires_on=item.expires_on,
                                                threshold=threshold))
            except IntegrityError:
                continue  # sent already, here or by another host
            new.append(item)
        if new:
            _tell_supporter(supporter)
            audit.record("supporter.expiry_notice", supporter, actor=None,
                         detail=f"{len(new)} item(s)")
            told += 1
    if told:
        for email, locale in coordinator_emails:
            outbox.queue(email, "supporters_expiring_digest",
                         _l("Support persons with something to renew"), locale=locale,
                         count=told, link=accounts.external_url("supporters.attention"))
    return told


def _tell_supporter(supporter: Supporter) -> None:
    from foreningen.accounts import queries as account_queries

    user = account_queries.user(supporter.user_id)
    outbox.queue(user.email, "supporter_expiring", _l("Something in your profile needs renewing"),
                 locale=user.locale, link=accounts.external_url("supporter.index"))


# --- supervision --------------------------------------------------------------------------

def record_supervision(*, held_on: date, minutes: int, kind: str, leader: str,
                       supporters: list[Supporter], actor) -> SupervisionSession:
    if not supporters:
        raise SupporterError("nobody")
    session = SupervisionSession(held_on=held_on, minutes=minutes, kind=kind, leader=leader,
                                 recorded_by=getattr(actor, "id", None))
    session.attendance = [SupervisionAttendance(supporter_id=s.id) for s in supporters]
    db.session.add(session)
    db.session.flush()
    for supporter in supporters:
        audit.record("supporter.supervision", supporter, actor=actor,
                     detail=f"session {session.id}")
    return session


def record_supervision_export(count: int) -> None:
    audit.record("supporter.supervision_export", None, detail=f"{count} people")


# --- the audit log in words ---------------------------------------------------------------

audit.describe("supporter", _l("Support persons"), {
    "supporter.apply": _l("Applied to become a support person"),
    "supporter.update": _l("Support person's answers changed"),
    "supporter.view_private": _l("Support person's private answers read"),
    "supporter.requirement_add": _l("Readiness requirement added"),
    "supporter.requirement_revise": _l("Readiness requirement changed"),
    "supporter.requirement_retire": _l("Readiness requirement retired"),
    "supporter.training": _l("Training recorded"),
    "supporter.record_check": _l("Police record extract seen"),
    "supporter.pledge_sign": _l("Confidentiality pledge signed"),
    "supporter.delete": _l("Support person deleted after the retention period"),
    "supporter.capacity": _l("Capacity changed"),
    "supporter.pause_until": _l("Date to resume changed"),
    "supporter.conflicts": _l("Conflicts of interest changed"),
    "supporter.payout": _l("Payout details changed"),
    "supporter.view_payout": _l("Payout details read"),
    "supporter.supervision": _l("Supervision recorded"),
    "supporter.supervision_export": _l("Supervision hours exported"),
    "supporter.expiry_notice": _l("Told that something needs renewing"),
    **{f"supporter.stage_{stage}": _l("Stage changed to: %(stage)s", stage=stage.label)
       for stage in Stage},
})
audit.subject_kind("supporter", _l("Support person"), endpoint="supporters.supporter",
                   argument="supporter_id", may_open="supporters.view_list")
audit.subject_kind("supporter_requirement", _l("Readiness requirement"))
