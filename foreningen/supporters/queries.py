"""Reads of the stödpersoner for pages, every list narrowed by the policy scope and each page
a fixed number of statements whatever the number of people."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, false, func, or_, select, text
from sqlalchemy.orm import load_only

from foreningen.accounts import queries as accounts
from foreningen.core.extensions import db
from foreningen.supporters import policy
from foreningen.supporters.models import (
    STAGE_ORDER_SQL,
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
from foreningen.supporters.readiness import Done, Need, Readiness, assess, problems

# Other features (support: choosing and assigning a stödperson) query by these, from here.
PUBLIC_MODELS = (Stage, Supporter, SupporterLanguage)

PER_PAGE = 50
COLUMN_SIZE = 8  # people shown in each column of the pipeline board
# Whose readiness the "needs attention" page watches: people who are, or are about to be,
# given parents.
WATCHED = (Stage.IN_TRAINING, Stage.APPROVED, Stage.ACTIVE, Stage.PAUSED)
SORTS = {
    "name": (Supporter.display_name, Supporter.id),
    "stage": (text(STAGE_ORDER_SQL), Supporter.display_name, Supporter.id),
    "changed": (Supporter.stage_changed_on, Supporter.id),
}


def stage_names() -> dict[str, str]:
    """The stages in words (another feature showing a person's own data)."""
    return Stage.names()


def own(user_id: int) -> Supporter | None:
    return db.session.scalar(select(Supporter).where(Supporter.user_id == user_id))


def supporter(actor, supporter_id: int) -> Supporter | None:
    return db.session.scalar(policy.scope(actor, select(Supporter))
                             .where(Supporter.id == supporter_id))


def history(supporter: Supporter) -> list[StageChange]:
    return list(db.session.scalars(select(StageChange).where(
        StageChange.supporter_id == supporter.id).order_by(StageChange.id.desc())))


def many(actor, ids) -> list[Supporter]:
    """These people, if the actor may see them all (a bulk action's selection)."""
    ids = {int(i) for i in ids}
    if not ids:
        return []
    # Only what a bulk action changes or names: the encrypted answers stay unread.
    found = list(db.session.scalars(policy.scope(actor, select(Supporter))
                                    .options(load_only(Supporter.id, Supporter.user_id,
                                                       Supporter.stage, Supporter.display_name,
                                                       Supporter.paused_until))
                                    .where(Supporter.id.in_(ids)).order_by(Supporter.id)))
    return found if len(found) == len(ids) else []


# --- the pipeline -------------------------------------------------------------------------

@dataclass
class PipelineFilter:
    q: str | None = None
    stage: str | None = None
    municipality_id: int | None = None
    language: str | None = None
    sort: str = "stage"
    direction: str = "asc"


# A list shows names, stages and languages: the encrypted answers are not read (each would
# be decrypted, 230 times a page).
_LIST_ONLY = load_only(Supporter.id, Supporter.user_id, Supporter.display_name,
                       Supporter.stage, Supporter.stage_changed_on, Supporter.municipality_id)


def counts(actor) -> dict[str, int]:
    found = dict(db.session.execute(policy.scope(actor, select(
        Supporter.stage, func.count(Supporter.id)).group_by(Supporter.stage))).all())
    return {stage: found.get(stage, 0) for stage in Stage}


def columns(actor) -> dict[str, list[Supporter]]:
    """The first people of each stage, longest waiting first: one statement."""
    ranked = policy.scope(actor, select(
        Supporter.id, func.row_number().over(
            partition_by=Supporter.stage,
            order_by=(Supporter.stage_changed_on, Supporter.id)).label("n"))).subquery()
    people = db.session.scalars(
        select(Supporter).options(_LIST_ONLY).join(ranked, ranked.c.id == Supporter.id)
        .where(ranked.c.n <= COLUMN_SIZE)
        .order_by(Supporter.stage_changed_on, Supporter.id))
    shown: dict[str, list[Supporter]] = {stage: [] for stage in Stage}
    for person in people:
        shown[person.stage].append(person)
    return shown


def pipeline_page(actor, f: PipelineFilter, page: int):
    stmt = policy.scope(actor, select(Supporter).options(_LIST_ONLY))
    if f.stage:
        stmt = stmt.where(Supporter.stage == f.stage)
    if f.municipality_id:
        stmt = stmt.where(Supporter.municipality_id == f.municipality_id)
    if f.language:
        stmt = stmt.where(Supporter.id.in_(select(SupporterLanguage.supporter_id).where(
            SupporterLanguage.language == f.language)))
    if f.q and f.q.strip():
        stmt = stmt.where(or_(Supporter.display_name.icontains(f.q.strip(), autoescape=True),
                              Supporter.user_id.in_(accounts.ids_named(f.q))))
    order = SORTS.get(f.sort, SORTS["stage"])
    if f.direction == "desc":
        order = tuple(column.desc() for column in order)
    return db.paginate(stmt.order_by(*order), page=page, per_page=PER_PAGE, error_out=False)


# What a list of many people needs of each: no encrypted column (each would be decrypted).
PERSON_COLUMNS = (Supporter.id, Supporter.user_id, Supporter.display_name, Supporter.stage,
                  Supporter.stage_changed_on, Supporter.paused_until,
                  Supporter.municipality_id)


def _people(actor=None):
    """A select of PERSON_COLUMNS and `name`, the name on the person's account."""
    names = accounts.names_subquery()
    stmt = (select(*PERSON_COLUMNS, names.c.display_name.label("name"))
            .outerjoin(names, names.c.id == Supporter.user_id))
    return stmt if actor is None else policy.scope(actor, stmt)


def row_names(rows) -> dict[int, str]:
    """user_id → name of rows from _people (as names() gives for records)."""
    return {row.user_id: row.name for row in rows}


def people_rows(actor, stages, municipality_id: int | None = None) -> list:
    """Rows (id, user_id, display_name, stage, stage_changed_on, paused_until,
    municipality_id, name) of the people at these stages, in pipeline order."""
    stmt = _people(actor).where(Supporter.stage.in_(stages))
    if municipality_id:
        stmt = stmt.where(Supporter.municipality_id == municipality_id)
    return list(db.session.execute(stmt.order_by(text(STAGE_ORDER_SQL), Supporter.display_name,
                                                 Supporter.id)))


def trainable(actor, stage: str | None = None, municipality_id: int | None = None) -> list:
    """Who may attend a training or supervision session (from training on, not those who
    ended), narrowed to one stage and kommun when asked."""
    stages = [stage] if stage in WATCHED else WATCHED
    return people_rows(actor, stages, municipality_id)


def names(people) -> dict[int, str]:
    """Each person's name on their account (coordinators know who they are)."""
    return accounts.display_names({p.user_id for p in people})


# --- requirements and readiness -----------------------------------------------------------

def current_requirements() -> list[Requirement]:
    return list(db.session.scalars(select(Requirement).where(Requirement.retired_at.is_(None))
                                   .order_by(Requirement.kind.desc(), Requirement.name,
                                             Requirement.id)))


def current_requirement(kind: str) -> Requirement | None:
    """The pledge or the record extract in force."""
    return db.session.scalar(select(Requirement).where(Requirement.key == str(kind),
                                                       Requirement.retired_at.is_(None)))


def requirement(requirement_id: int) -> Requirement | None:
    return db.session.get(Requirement, requirement_id)


def requirement_versions(key: str) -> list[Requirement]:
    return list(db.session.scalars(select(Requirement).where(Requirement.key == key)
                                   .order_by(Requirement.version.desc())))


def needs(requirements: list[Requirement] | None = None) -> list[Need]:
    return [Need(r.id, r.key, r.kind, r.title, r.required,
                 version_bound=r.kind == RequirementKind.PLEDGE)
            for r in (current_requirements() if requirements is None else requirements)]


def completions(supporter: Supporter) -> list[Completion]:
    return list(db.session.scalars(select(Completion).where(
        Completion.supporter_id == supporter.id).order_by(Completion.completed_on.desc(),
                                                          Completion.id.desc())))


def _done(supporter_ids=None) -> dict[int, list[Done]]:
    """Per person, the longest-lasting completion of each requirement version: one
    statement for any number of people (and one for the requirements' keys)."""
    keys = dict(db.session.execute(select(Requirement.id, Requirement.key)).all())
    stmt = (select(Completion.supporter_id, Completion.requirement_id,
                   func.max(Completion.completed_on),
                   func.max(Completion.expires_on),
                   func.max(case((Completion.expires_on.is_(None), 1), else_=0)))
            .group_by(Completion.supporter_id, Completion.requirement_id))
    if supporter_ids is not None:
        stmt = stmt.where(Completion.supporter_id.in_(supporter_ids))
    done: dict[int, list[Done]] = defaultdict(list)
    for person, requirement_id, completed_on, expires_on, forever in db.session.execute(stmt):
        done[person].append(Done(requirement_id, keys[requirement_id], completed_on,
                                 None if forever else expires_on))
    return done


def readiness(supporter: Supporter, today: date, window_days: int) -> Readiness:
    return assess(needs(), _done([supporter.id]).get(supporter.id, []), today, window_days)


def own_readiness(user, today: date, window_days: int) -> Readiness | None:
    """The signed-in stödperson's readiness, from training on (None before, or if none)."""
    person = own(user.id)
    if person is None or person.stage not in WATCHED:
        return None
    return readiness(person, today, window_days)


def readiness_of(people, today: date, window_days: int) -> dict[int, Readiness]:
    wanted = needs()
    done = _done([p.id for p in people])
    return {p.id: assess(wanted, done.get(p.id, []), today, window_days) for p in people}


def expiring_items(on: date):
    """(supporter, the required items with an expiry date) of everyone watched: three
    statements for the whole pipeline."""
    people = list(db.session.execute(_people().where(
        Supporter.stage.in_(WATCHED)).order_by(Supporter.id)))
    wanted = needs()
    done = _done(select(Supporter.id).where(Supporter.stage.in_(WATCHED)))
    for person in people:
        items = [i for i in assess(wanted, done.get(person.id, []), on, 0).items
                 if i.need.required and i.expires_on is not None]
        if items:
            yield person, items


# --- supervision --------------------------------------------------------------------------

def supervision_of(supporter: Supporter, since: date) -> list[SupervisionSession]:
    return list(db.session.scalars(
        select(SupervisionSession).join(SupervisionAttendance)
        .where(SupervisionAttendance.supporter_id == supporter.id,
               SupervisionSession.held_on >= since)
        .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())))


def last_supervised(stages=None) -> dict[int, date]:
    """Each person's latest supervision: one statement."""
    stmt = (select(SupervisionAttendance.supporter_id, func.max(SupervisionSession.held_on))
            .join(SupervisionSession).group_by(SupervisionAttendance.supporter_id))
    if stages is not None:
        stmt = stmt.where(SupervisionAttendance.supporter_id.in_(
            select(Supporter.id).where(Supporter.stage.in_(stages))))
    return dict(db.session.execute(stmt).all())


def supervision_hours(actor, start: date, end: date) -> list:
    """Rows (user_id, display_name, sessions, minutes) between two dates, everyone who
    attended any."""
    totals = (select(SupervisionAttendance.supporter_id.label("id"),
                     func.count(SupervisionSession.id).label("sessions"),
                     func.sum(SupervisionSession.minutes).label("minutes"))
              .join(SupervisionSession)
              .where(SupervisionSession.held_on >= start, SupervisionSession.held_on <= end)
              .group_by(SupervisionAttendance.supporter_id).subquery())
    rows = db.session.execute(policy.scope(actor, select(
        Supporter.user_id, Supporter.display_name, totals.c.sessions, totals.c.minutes))
                              .join(totals, totals.c.id == Supporter.id)
                              .order_by(Supporter.display_name, Supporter.id)).all()
    return list(rows)


def expiry_notices(supporter: Supporter) -> list[ExpiryNotice]:
    return list(db.session.scalars(select(ExpiryNotice).where(
        ExpiryNotice.supporter_id == supporter.id).order_by(ExpiryNotice.id)))


def coordinators_to_tell() -> list[tuple[str, str]]:
    return accounts.emails_with_role("coordinator")


# --- needs attention ----------------------------------------------------------------------

@dataclass
class Attention:
    expired: list = field(default_factory=list)  # (supporter, items)
    expiring: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # approved or active, an item never done
    paused: list = field(default_factory=list)
    approved_not_active: list = field(default_factory=list)
    unassigned: list = field(default_factory=list)  # active, supporting no parent now
    unsupervised: list = field(default_factory=list)  # (supporter, last date or None)
    names: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {"expired": len(self.expired), "expiring": len(self.expiring),
                "missing": len(self.missing), "paused": len(self.paused),
                "approved_not_active": len(self.approved_not_active),
                "unassigned": len(self.unassigned),
                "unsupervised": len(self.unsupervised)}


SUPERVISED = (Stage.APPROVED, Stage.ACTIVE)


def _with_problems(wanted: list[Need], today: date, window_days: int):
    """A select of the watched people who lack a required item valid beyond the renewal
    window: counted by the database, so that only their completions are read (most people
    have everything and are never looked at one by one)."""
    required = [n for n in wanted if n.required]
    if not required:
        return select(Supporter.id).where(false())
    counts_for = or_(*[
        (Completion.requirement_id == n.requirement_id) if n.version_bound
        else (Requirement.key == n.key) for n in required])
    lasting = or_(Completion.expires_on.is_(None),
                  Completion.expires_on > today + timedelta(days=window_days))
    fine = (select(Completion.supporter_id)
            .join(Requirement, Requirement.id == Completion.requirement_id)
            .where(counts_for, lasting)
            .group_by(Completion.supporter_id)
            .having(func.count(func.distinct(Requirement.key)) == len(required)))
    return select(Supporter.id).where(Supporter.stage.in_(WATCHED), Supporter.id.not_in(fine))


def _supporting() -> set[int]:
    """The stödpersoner with an active assignment now (one statement)."""
    from foreningen.support import queries as support

    return support.supporting_now()


def active_parents(supporter: Supporter) -> int:
    """How many requests the stödperson supports now."""
    from foreningen.support import queries as support

    return support.active_count(supporter.id)


def attention(actor, today: date, window_days: int, supervision_days: int) -> Attention:
    """Who needs a coordinator's attention: a fixed number of statements for the whole
    pipeline, and only the completions of those who lack something are read."""
    people = list(db.session.execute(_people(actor).where(Supporter.stage.in_(WATCHED))
                                     .order_by(Supporter.display_name, Supporter.id)))
    wanted = needs()
    done = _done(_with_problems(wanted, today, window_days))  # only theirs are read
    found = Attention()
    supervised = last_supervised(SUPERVISED)
    checked = set(db.session.scalars(_with_problems(wanted, today, window_days)))
    supporting = _supporting()
    nothing: list = []
    for person in people:
        found_problems = (problems(wanted, done.get(person.id, nothing), today, window_days)
                          if person.id in checked else nothing)
        expired = [i for i in found_problems if i.state == "expired"]
        expiring = [i for i in found_problems if i.state == "expiring"]
        missing = [i for i in found_problems if i.state == "missing"]
        if expired:
            found.expired.append((person, expired))
        if expiring:
            found.expiring.append((person, expiring))
        if missing and person.stage != Stage.IN_TRAINING:
            found.missing.append((person, missing))
        if person.stage == Stage.PAUSED:
            found.paused.append((person, []))
        if person.stage == Stage.APPROVED:
            found.approved_not_active.append((person, []))
        if person.stage == Stage.ACTIVE and person.id not in supporting:
            found.unassigned.append((person, []))
        if person.stage in SUPERVISED:
            last = supervised.get(person.id)
            since = max(last or person.stage_changed_on, person.stage_changed_on)
            if (today - since).days > supervision_days:
                found.unsupervised.append((person, last))
    found.names = row_names(people)
    return found

