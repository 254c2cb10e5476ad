"""Demo stödpersoner for `make run`: about forty people in every stage of the pipeline and
every state of readiness (ready, expiring, expired, missing an item, paused), drawn from the
demo register's active members, and the demo stödperson account active and ready."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text

from foreningen.accounts import services as accounts
from foreningen.accounts.queries import user_by_email
from foreningen.core import clock
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from foreningen.core.security import Role
from foreningen.core.vocabulary import ChildCameHome, Language, LegalBasis, PlacementType
from foreningen.members.models import Member, MemberCategory, MemberStatus
from foreningen.supporters import services as supporters
from foreningen.supporters.models import (
    Completion,
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

DEMO_SUPPORTER = "stodperson@example.org"
COORDINATOR = "samordnare@example.org"
# How many people stand at each stage (the demo stödperson is one more, active).
STAGES = {Stage.APPLIED: 5, Stage.INTERVIEW_BOOKED: 4, Stage.INTERVIEWED: 3,
          Stage.IN_TRAINING: 6, Stage.APPROVED: 4, Stage.ACTIVE: 14, Stage.PAUSED: 2,
          Stage.ENDED: 2}
PATH = [Stage.APPLIED, Stage.INTERVIEWED, Stage.IN_TRAINING, Stage.APPROVED, Stage.ACTIVE]
MODULES = [("Grundutbildning för stödpersoner", True, None),
           ("Samtal i kris", True, 24),
           ("Barnets rättigheter och LVU", False, None)]
OFFERS = [
    "Jag vet hur det känns när ett brev från socialtjänsten kommer. Jag lyssnar och följer "
    "med på möten om du vill.",
    "Min dotter var placerad i tre år. Jag kan berätta vad som hjälpte mig och vad jag "
    "önskar att jag hade vetat.",
    "Jag har gått igenom både familjehem och HVB. Jag dömer inte, och jag har tid på kvällarna.",
    "Jag kan hjälpa dig att förstå vad som händer och att förbereda dig inför umgänget.",
]
AREAS = [None, "Söder", "Centrum", "Norra delen", "Hela kommunen"]


def load() -> int:
    """Once: when there are no stödpersoner yet. Returns how many were added."""
    if db.session.scalar(select(Supporter.id).limit(1)) is not None:
        return 0
    rng = random.Random(20261123)
    today = clock.today()
    coordinator = user_by_email(COORDINATOR)
    modules = _modules(coordinator)
    record_check, pledge = _current(RequirementKind.RECORD_CHECK), _current(RequirementKind.PLEDGE)
    people = _people(sum(STAGES.values()))
    plan = [stage for stage, count in STAGES.items() for _ in range(count)]
    added = 0
    for (member, user), stage in zip(people, plan, strict=False):
        since = today - timedelta(days=rng.randint(3, 200))
        supporter = _supporter(rng, user, member, stage, since, coordinator)
        _readiness(rng, supporter, stage, since, today, modules, record_check, pledge,
                   coordinator, index=added)
        added += 1
    _supervision(rng, today, coordinator)
    dina = user_by_email(DEMO_SUPPORTER)
    if dina is not None:
        member = db.session.scalar(select(Member).where(Member.user_id == dina.id))
        since = today - timedelta(days=150)
        supporter = _supporter(rng, dina, member, Stage.ACTIVE, since, coordinator,
                               display_name="Dina")
        supporter.capacity = 2
        for requirement in [*modules, record_check, pledge]:
            _done(supporter, requirement, since - timedelta(days=20), coordinator)
        db.session.flush()
        for session in _sessions_held():
            session.attendance.append(SupervisionAttendance(supporter_id=supporter.id))
        added += 1
    db.session.flush()
    return added


def _supervision(rng, today: date, coordinator) -> None:
    """A group supervision each month of the last half year; everyone approved or active
    came to some, except one person, whom "needs attention" lists."""
    people = list(db.session.scalars(select(Supporter).where(
        Supporter.stage.in_([Stage.APPROVED, Stage.ACTIVE])).order_by(Supporter.id)))
    # The one active longest is the one left out (so that they are long overdue).
    active = [p for p in people if p.stage == Stage.ACTIVE]
    left_out = min(active, key=lambda p: (p.stage_changed_on, p.id)).id if active else None
    for months in range(6):
        session = SupervisionSession(held_on=add_months(today, -months) - timedelta(days=5),
                                     minutes=120, kind="group", leader="Maria Handledare",
                                     recorded_by=coordinator.id if coordinator else None)
        session.attendance = [SupervisionAttendance(supporter_id=p.id) for p in people
                              if p.id != left_out and (months == 0 or rng.random() < 0.6)]
        db.session.add(session)
    db.session.flush()


def _sessions_held() -> list[SupervisionSession]:
    return list(db.session.scalars(select(SupervisionSession).order_by(
        SupervisionSession.held_on.desc()).limit(3)))


def _current(kind: str) -> Requirement:
    return db.session.scalar(select(Requirement).where(Requirement.key == str(kind),
                                                       Requirement.retired_at.is_(None)))


def _modules(coordinator) -> list[Requirement]:
    return [supporters.add_requirement(RequirementKind.TRAINING, coordinator, name=name,
                                       required=required, validity_months=months)
            for name, required, months in MODULES]


def _people(count: int) -> list[tuple[Member, object]]:
    """Active ordinary members of the demo register, each given an account (invited: no
    password, so nobody signs in as them) with the member role."""
    found = list(db.session.scalars(select(Member).where(
        Member.status == MemberStatus.ACTIVE, Member.category == MemberCategory.ORDINARY,
        Member.user_id.is_(None), Member.protected_identity.is_(False))
        .order_by(Member.number).limit(count)))
    people = []
    for member in found:
        user = user_by_email(member.email) or accounts.create_user(
            member.email, f"{member.first_name} {member.last_name}", [Role.MEMBER],
            municipality_id=None, locale=member.locale)
        member.user_id = user.id
        people.append((member, user))
    db.session.flush()
    return people


def _supporter(rng, user, member, stage, since: date, coordinator, *, display_name=None):
    answers = {
        "placement_types": rng.sample([str(p) for p in PlacementType], rng.randint(1, 2)),
        "legal_bases": rng.sample([str(b) for b in LegalBasis], rng.randint(1, 2)),
        "child_age": rng.randint(0, 17), "years_since": rng.randint(1, 15),
        "child_came_home": str(rng.choice(list(ChildCameHome)))}
    languages = ["sv", *rng.sample([str(code) for code in Language if code != "sv"],
                                   rng.choice([0, 0, 1, 1, 2]))]
    supporter = Supporter(
        user_id=user.id, stage=stage, stage_changed_on=since,
        display_name=display_name or member.first_name, municipality_id=member.municipality_id,
        area=rng.choice(AREAS), meets_in_person=True, meets_by_phone=rng.random() < 0.7,
        meets_by_video=rng.random() < 0.4, weekday_daytime=rng.random() < 0.5,
        evenings=rng.random() < 0.7, weekends=rng.random() < 0.5,
        gender=rng.choice([None, "woman", "woman", "man"]), offer=rng.choice(OFFERS),
        experience=json.dumps(answers, sort_keys=True), consent_version=supporters.CONSENT_VERSION,
        capacity=rng.choice([1, 1, 2, 3]),
        interview_on=since + timedelta(days=7) if stage == Stage.INTERVIEW_BOOKED else None,
        paused_until=since + timedelta(days=rng.randint(20, 90))
        if stage == Stage.PAUSED else None)
    supporter.languages = [SupporterLanguage(language=code) for code in sorted(set(languages))]
    supporter.history = _history(stage, since, coordinator)
    db.session.add(supporter)
    db.session.flush()
    if stage in supporters.WITH_ROLE and Role.SUPPORTER not in user.role_names:
        accounts.set_roles(user, [*user.role_names, Role.SUPPORTER], user.municipality_id)
    return supporter


def _history(stage, since: date, coordinator) -> list[StageChange]:
    """The steps to `stage`, a couple of weeks apart, ending on `since`."""
    if stage in PATH:
        steps = PATH[:PATH.index(stage) + 1]
    elif stage == Stage.INTERVIEW_BOOKED:
        steps = [Stage.APPLIED, Stage.INTERVIEW_BOOKED]
    else:  # paused after being active; ended after applying
        steps = [*PATH, Stage.PAUSED] if stage == Stage.PAUSED else [Stage.APPLIED, Stage.ENDED]
    changes, previous = [], None
    for n, step in enumerate(steps):
        day = since - timedelta(days=14 * (len(steps) - 1 - n))
        changes.append(StageChange(from_stage=previous, to_stage=step, effective_on=day,
                                   actor_id=None if step == Stage.APPLIED else coordinator.id,
                                   note="Flyttar till en annan stad." if step == Stage.ENDED
                                   else None))
        previous = step
    return changes


def _done(supporter, requirement, day: date, coordinator, *, dated: date | None = None):
    start = dated or day
    db.session.add(Completion(
        supporter_id=supporter.id, requirement_id=requirement.id, completed_on=day,
        document_dated_on=dated,
        expires_on=add_months(start, requirement.validity_months)
        if requirement.validity_months else None,
        recorded_by=None if requirement.kind == RequirementKind.PLEDGE else coordinator.id))


def _readiness(rng, supporter, stage, since, today, modules, record_check, pledge,
               coordinator, *, index: int) -> None:
    """In training: the basic module for some. Approved and on: everything, with the record
    extract's age chosen so that some are expiring, two expired and one is missing."""
    basic, crisis, optional = modules
    if stage == Stage.IN_TRAINING:
        if rng.random() < 0.5:
            _done(supporter, basic, since + timedelta(days=1), coordinator)
        return
    if stage not in (Stage.APPROVED, Stage.ACTIVE, Stage.PAUSED):
        return
    trained = since - timedelta(days=30)
    _done(supporter, basic, trained, coordinator)
    _done(supporter, crisis, trained, coordinator)
    if rng.random() < 0.4:
        _done(supporter, optional, trained, coordinator)
    if index % 9 != 4:  # every ninth has not signed the pledge yet
        _done(supporter, pledge, trained, coordinator)
    # The extract's age in days: most valid; some in the 60-day window; two expired.
    age = {0: 330, 1: 345, 2: 400, 3: 380}.get(index % 12, rng.randint(20, 250))
    seen = min(today, today - timedelta(days=age) + timedelta(days=3))
    _done(supporter, record_check, seen, coordinator, dated=today - timedelta(days=age))


# --- many, for measurements (`flask demo-data --supporters N`) -----------------------------

# The pipeline of a national association: most people active, a steady stream applying.
WEIGHTS = {Stage.APPLIED: 8, Stage.INTERVIEW_BOOKED: 4, Stage.INTERVIEWED: 3,
           Stage.IN_TRAINING: 10, Stage.APPROVED: 5, Stage.ACTIVE: 55, Stage.PAUSED: 5,
           Stage.ENDED: 10}
CHUNK = 2000


def add_many(count: int) -> int:
    """`count` stödpersoner with accounts, languages, history, completions and monthly
    supervision: bulk inserts, so 3,000 take seconds. Not members of the register (the
    register's size is set apart, with --members)."""
    from faker import Faker

    from foreningen.accounts.models import User
    from foreningen.municipalities.queries import all_municipalities

    rng = random.Random(count)
    fake = Faker("sv_SE")
    fake.seed_instance(count)
    names = sorted({fake.name() for _ in range(800)})
    today = clock.today()
    now = utcnow()
    coordinator = user_by_email(COORDINATOR)
    places = [m.id for m in all_municipalities()]
    modules = [r for r in _current_all() if r.kind == RequirementKind.TRAINING] or \
        _modules(coordinator)
    record_check, pledge = _current(RequirementKind.RECORD_CHECK), _current(RequirementKind.PLEDGE)
    first = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    users = [{"email": f"stodperson.{first + n}@example.org", "display_name": rng.choice(names),
              "locale": "sv", "created_at": now, "updated_at": now} for n in range(count)]
    _bulk(User, users)
    user_ids = list(db.session.scalars(select(User.id).where(
        User.email.in_([u["email"] for u in users])).order_by(User.id)))
    stages = rng.choices(list(WEIGHTS), list(WEIGHTS.values()), k=count)
    rows = []
    for user_id, user, stage in zip(user_ids, users, stages, strict=True):
        since = today - timedelta(days=rng.randint(1, 400))
        rows.append({
            "user_id": user_id, "stage": str(stage), "stage_changed_on": since,
            "display_name": user["display_name"].split(" ")[0],
            "municipality_id": rng.choice(places) if places else None,
            "meets_in_person": True, "meets_by_phone": rng.random() < 0.7,
            "meets_by_video": rng.random() < 0.4, "weekday_daytime": rng.random() < 0.5,
            "evenings": rng.random() < 0.7, "weekends": rng.random() < 0.5,
            "offer": rng.choice(OFFERS), "experience": json.dumps({
                "placement_types": [str(rng.choice(list(PlacementType)))],
                "legal_bases": [str(rng.choice(list(LegalBasis)))],
                "child_age": rng.randint(0, 17), "years_since": rng.randint(1, 15),
                "child_came_home": str(rng.choice(list(ChildCameHome)))}),
            "consent_version": supporters.CONSENT_VERSION, "consented_at": now,
            "capacity": rng.choice([1, 1, 2, 3]), "created_at": now, "updated_at": now,
            "paused_until": since + timedelta(days=rng.randint(20, 120))
            if stage == Stage.PAUSED else None, "area": None, "gender": None,
            "interview_on": None})
    _bulk(Supporter, rows)
    ids = dict(db.session.execute(select(Supporter.user_id, Supporter.id).where(
        Supporter.user_id.in_(user_ids))).all())
    languages, history, done, attendance = [], [], [], []
    sessions = _monthly_sessions(today, coordinator)
    for row in rows:
        supporter_id, stage = ids[row["user_id"]], Stage(row["stage"])
        languages += [{"supporter_id": supporter_id, "language": code} for code in sorted(
            {"sv", *rng.sample(["en", "ar", "so", "fa", "ti", "pl", "fi"], rng.choice([0, 1]))})]
        history.append({"supporter_id": supporter_id, "from_stage": None, "to_stage": "applied",
                        "effective_on": row["stage_changed_on"], "changed_at": now,
                        "actor_id": None})
        if stage != Stage.APPLIED:
            history.append({"supporter_id": supporter_id, "from_stage": "applied",
                            "to_stage": str(stage), "effective_on": row["stage_changed_on"],
                            "changed_at": now, "actor_id": coordinator.id if coordinator
                            else None})
        if stage in (Stage.APPROVED, Stage.ACTIVE, Stage.PAUSED):
            trained = row["stage_changed_on"] - timedelta(days=20)
            for requirement in [*modules, pledge]:
                if requirement.required or rng.random() < 0.3:
                    done.append(_completion_row(supporter_id, requirement, trained))
            dated = today - timedelta(days=rng.randint(5, 420))
            done.append(_completion_row(supporter_id, record_check, dated, dated=dated))
            attendance += [{"session_id": s, "supporter_id": supporter_id}
                           for s in sessions if rng.random() < 0.3]
    for model, many in ((SupporterLanguage, languages), (StageChange, history),
                        (Completion, done), (SupervisionAttendance, attendance)):
        _bulk(model, many)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE supporter, supporter_completion, supporter_language, "
                                "supervision_attendance"))
    return count


def _bulk(model, rows) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model.__table__), rows[start:start + CHUNK])


def _current_all() -> list[Requirement]:
    return list(db.session.scalars(select(Requirement).where(Requirement.retired_at.is_(None))))


def _completion_row(supporter_id: int, requirement, day: date, *, dated=None) -> dict:
    start = dated or day
    return {"supporter_id": supporter_id, "requirement_id": requirement.id,
            "completed_on": day, "document_dated_on": dated, "recorded_by": None,
            "expires_on": add_months(start, requirement.validity_months)
            if requirement.validity_months else None, "recorded_at": utcnow()}


def _monthly_sessions(today: date, coordinator) -> list[int]:
    """A group supervision each month of the last year (the attendance is drawn per
    person)."""
    ids = []
    for months in range(12):
        session = SupervisionSession(held_on=add_months(today, -months) - timedelta(days=3),
                                     minutes=120, kind="group", leader="Handledare Hansson",
                                     recorded_by=coordinator.id if coordinator else None)
        db.session.add(session)
        db.session.flush()
        ids.append(session.id)
    return ids
