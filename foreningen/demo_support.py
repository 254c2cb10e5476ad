"""Demo support requests for `make run`: parents' own requests in every state, crisis
referrals by the demo social worker (two of them overdue), the demo stödperson with two
parents and their contacts, and the demo parent's own request with a stödperson (opened on
the status page with the reference and code below)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from foreningen.accounts.queries import user_by_email
from foreningen.core import clock
from foreningen.core.extensions import db
from foreningen.municipalities.queries import by_code
from foreningen.support import crisis_clock, services
from foreningen.support.models import ParentAccount, Status, SupportRequest
from foreningen.supporters import queries as supporter_queries
from foreningen.supporters.models import Stage, Supporter

DEMO_SUPPORTER = "stodperson@example.org"
DEMO_PARENT = "foralder@example.org"
SOCIAL_WORKER = "socialsekreterare@example.org"
COORDINATOR = "samordnare@example.org"
# The demo parent's request, to open at /ask/status (shown in the README and by demo-data).
PARENT_REFERENCE, PARENT_CODE = "DEM026", "FAMK1J26QR"
NAMES = ["Sara", "Amina", "Jonas", "Leyla", "Mikael", "Hodan", "Petra", "Ali", "Nadia",
         "Tomas", "Zeynep", "Kristin", "Omar", "Lina", "Farah", "Anders", "Yasmin", "Emma"]
LANGUAGES = ["sv", "sv", "sv", "ar", "ar", "so", "fa", "en", "ti", "pl"]
CODES = ["0180", "1480", "1280", "0380", "0580"]
STATES = ([Status.NEW] * 6 + [Status.SEARCHING] * 3 + [Status.INFO_REQUESTED] * 2
          + [Status.DECLINED, Status.WITHDRAWN])


def load() -> int:
    """Once, when there are no requests yet. Returns how many requests were added."""
    if db.session.scalar(select(SupportRequest.id).limit(1)) is not None:
        return 0
    rng = random.Random(20261124)
    now = clock.utcnow()
    coordinator = user_by_email(COORDINATOR)
    added = 0
    for n, status in enumerate(STATES):
        made = _ask(rng, n, now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 20)))
        if status == Status.SEARCHING:
            services.start_search(coordinator, made)
        elif status == Status.INFO_REQUESTED:
            services.request_info(coordinator, made)
        elif status == Status.DECLINED:
            services.decline(coordinator, made, "not_covered")
        elif status == Status.WITHDRAWN:
            services.withdraw(made)
        added += 1
    added += _referrals(rng, now, coordinator)
    added += _dina(rng, now, coordinator)
    db.session.flush()
    return added


def _ask(rng, n: int, received: datetime, **values) -> SupportRequest:
    language = LANGUAGES[n % len(LANGUAGES)]
    by_phone = n % 3 == 0
    made, _code = services.ask({
        "name": NAMES[n % len(NAMES)], "channel": "phone" if by_phone else "email",
        "phone": f"+4670{rng.randint(1000000, 9999999)}" if by_phone else None,
        "email": None if by_phone else f"forfragan{n}@example.org",
        "when": rng.sample(["weekday_daytime", "evenings", "weekends"], 1),
        "language": language, "municipality_id": by_code(CODES[n % len(CODES)]).id,
        "placement_type": rng.choice([None, "foster_family", "residential_care"]),
        "legal_basis": rng.choice([None, "lvu", "sol"]), "child_age": rng.randint(1, 16),
        "since": rng.choice([None, "days", "weeks", "months"]),
        "wish_gender": rng.choice([None, None, "woman"]),
        "wish_language": language if language != "sv" and rng.random() < .5 else None,
        "wish_meeting": rng.choice([None, "in_person", "phone"]), **values})
    made.received_at = made.status_changed_at = received
    return made


def _refer(worker, received: datetime, parents: list[dict], reason: str) -> SupportRequest:
    made = services.refer(worker, {"reason": reason, "legal_basis": "lvu",
                                   "contact_decided": "not_yet", "child_age": 5,
                                   "referrer_phone": "+46850812345"}, parents)
    made.received_at = made.status_changed_at = received
    made.due_at = crisis_clock.first_contact_due(received)
    return made


def _referrals(rng, now: datetime, coordinator) -> int:
    """Two overdue, one due today, one assigned and contacted, one closed."""
    worker = user_by_email(SOCIAL_WORKER)
    if worker is None:
        return 0
    both = [{"name": "Amal", "phone": "+46701112233", "email": None, "language": "ar",
             "relation": "parent"},
            {"name": "Karim", "phone": "+46702223344", "email": None, "language": "ar",
             "relation": "parent"}]
    one = [{"name": "Jessica", "phone": None, "email": "jessica@example.org", "language": "sv",
            "relation": "parent"}]
    _refer(worker, now - timedelta(days=4), both, "mental_health")
    _refer(worker, now - timedelta(days=2, hours=3), one, "substance_use")
    _refer(worker, now - timedelta(minutes=40), [{**one[0], "name": "Maria",
                                                  "email": "maria@example.org"}], "violence")
    active = list(db.session.scalars(select(Supporter).where(
        Supporter.stage == Stage.ACTIVE, Supporter.user_id != _user_id(DEMO_SUPPORTER))
        .order_by(Supporter.id)))
    ready = supporter_queries.readiness_of(active, clock.today(), _window())
    others = [s for s in active if ready[s.id].ready][:2]
    if len(others) == 2:
        contacted = _refer(worker, now - timedelta(days=9), [{**one[0], "name": "Petra",
                                                             "email": "petra@example.org"}],
                           "neglect")
        _assign_with_contacts(rng, contacted, others[0], coordinator, contacts=3)
        closed = _refer(worker, now - timedelta(days=60), [{**one[0], "name": "Lisa",
                                                           "email": "lisa@example.org"}],
                        "parenting")
        assignment = _assign_with_contacts(rng, closed, others[1], coordinator, contacts=4)
        services.close_assignment(coordinator, assignment, "completed")
        return 5
    return 3


def _window() -> int:
    return current_app.config["SUPPORTER_RENEWAL_DAYS"]


def _user_id(email: str) -> int | None:
    user = user_by_email(email)
    return user.id if user else None


def _assign_with_contacts(rng, made: SupportRequest, supporter: Supporter, coordinator, *,
                          contacts: int, attempt_first: bool = True):
    """An assignment made directly (the demo's stödpersoner are ready by construction) and
    its contacts over the weeks since."""
    assignment = services.assign(coordinator, made, supporter.id, clock.today(), _window())
    assignment.started_at = made.received_at + timedelta(hours=2)
    day = made.received_at.date()
    for n in range(contacts):
        reached = not (attempt_first and n == 0)
        contact = services.log_contact(None, assignment, {
            "occurred_on": clock.today(), "minutes": 5 if not reached else
            rng.choice([30, 45, 60, 90]), "form": "phone" if n < 2 else rng.choice(
                ["in_person", "accompanying", "video"]),
            "reached": reached, "km": rng.choice([0, 0, 12.5, 24]),
            "expenses_ore": rng.choice([0, 0, 4500]), "wellbeing": rng.randint(3, 8)
            if reached else None, "note": None})
        contact.occurred_on = min(day, clock.today())
        day += timedelta(days=rng.randint(2, 7))
    return assignment


def _dina(rng, now: datetime, coordinator) -> int:
    """The demo stödperson: a crisis referral (one attempt so far, overdue no more once she
    reaches them) and the demo parent's own request, with meetings logged."""
    dina = db.session.scalar(select(Supporter).where(
        Supporter.user_id == _user_id(DEMO_SUPPORTER)))
    worker = user_by_email(SOCIAL_WORKER)
    if dina is None or worker is None:
        return 0
    crisis = _refer(worker, now - timedelta(hours=5), [
        {"name": "Hodan", "phone": "+46703334455", "email": None, "language": "so",
         "relation": "parent"}], "honour")
    assignment = services.assign(coordinator, crisis, dina.id, clock.today(), _window())
    services.log_contact(None, assignment, {
        "occurred_on": clock.today(), "minutes": 3, "form": "phone", "reached": False,
        "km": 0, "expenses_ore": 0, "wellbeing": None, "note": "Inget svar, ringer igen i kväll."})
    parent = _ask(rng, 3, now - timedelta(days=21), name="Erik", channel="email",
                  email="foralder@example.org", phone=None, language="sv",
                  municipality_id=by_code("0180").id)
    parent.reference = PARENT_REFERENCE
    parent.code_hash = services.code_hash(PARENT_REFERENCE, PARENT_CODE)
    erik = user_by_email(DEMO_PARENT)
    if erik is not None:  # the demo parent's account follows it too
        db.session.add(ParentAccount(request_id=parent.id, user_id=erik.id))
    ongoing = _assign_with_contacts(rng, parent, dina, coordinator, contacts=3)
    services.plan_meeting(None, ongoing, {
        "starts_at": datetime.combine(clock.today() + timedelta(days=2), time(17, 30),
                                      tzinfo=crisis_clock.STOCKHOLM),
        "minutes": 60, "form": "in_person", "place": "Stadsbiblioteket, Odengatan 63"})
    return 2


def summary() -> str:
    return (f"The demo parent's request: reference {PARENT_REFERENCE}, personal code "
            f"{services.grouped(PARENT_CODE)} (at /ask/status).")



# --- national scale, for measurements (`flask demo-data --requests N`) ----------------------

OPEN_SHARE = 12  # one request in twelve still open (5,000 of 60,000)


def add_many(count: int, contacts_per_closed: int = 14) -> int:
    """`count` requests over the last three years: one in twelve open (a few of them crisis
    referrals), the rest closed with an assignment to an active stödperson and about
    `contacts_per_closed` contacts each (60,000 requests give about 615,000 contacts).
    Bulk inserts; the demo stödperson gets her share. Returns the number of requests."""
    from sqlalchemy import func

    from foreningen.municipalities.queries import all_municipalities
    from foreningen.support.models import Assignment, Contact, SupportParent

    rng = random.Random(count)
    now = clock.utcnow()
    today = clock.today()
    places = [m.id for m in all_municipalities()]
    people = list(db.session.scalars(select(Supporter.id).where(
        Supporter.stage == Stage.ACTIVE).order_by(Supporter.id)))
    dina = db.session.scalar(select(Supporter.id).where(
        Supporter.user_id == _user_id(DEMO_SUPPORTER)))
    first = (db.session.scalar(select(func.max(SupportRequest.id))) or 0) + 1
    requests, parents = [], []
    for n in range(count):
        received = now - timedelta(days=rng.randint(0 if n % OPEN_SHARE == 0 else 30, 1100),
                                   minutes=rng.randint(0, 1440))
        crisis = rng.random() < 0.3
        still_open = n % OPEN_SHARE == 0
        status = rng.choice(["new", "searching", "info_requested"]) if still_open else \
            rng.choice(["closed"] * 8 + ["declined", "withdrawn"])
        requests.append({
            "reference": None,
            "code_hash": None, "origin": "referral" if crisis else "self", "status": status,
            "status_changed_at": received, "urgency": 0 if crisis and still_open else 2,
            "received_at": received,
            "due_at": crisis_clock.first_contact_due(received) if crisis else None,
            "first_contact_at": None if still_open else received + timedelta(hours=5),
            "municipality_id": rng.choice(places), "language": rng.choice(LANGUAGES),
            "facts": None, "wish_gender": None, "wish_language": None, "wish_meeting": None,
            "referred_by_id": None, "referrer_phone": None, "merged_into_id": None,
            "decline_reason": "no_one_free" if status == "declined" else None,
            "consent_version": services.CONSENT_VERSION, "consented_at": received,
            "erased_at": None})
    taken = set(db.session.scalars(select(SupportRequest.reference)))
    for row in requests:
        while row["reference"] is None or row["reference"] in taken:
            row["reference"] = "".join(rng.choice(services.ALPHABET) for _ in range(
                services.REFERENCE_LENGTH))
        taken.add(row["reference"])
    _bulk(SupportRequest, requests)
    ids = list(db.session.scalars(select(SupportRequest.id).where(
        SupportRequest.id >= first).order_by(SupportRequest.id)))
    assignments = []
    for request_id, row in zip(ids, requests, strict=True):
        parents.append({"request_id": request_id, "position": 0, "relation": "parent",
                        "channel": "email", "language": row["language"],
                        "contact": '{"name": "Förälder", "email": "x@example.org"}'})
        if row["status"] == "closed" and people:
            started = row["received_at"] + timedelta(hours=2)
            assignments.append({
                "request_id": request_id, "supporter_id": dina if dina and rng.random() < 0.002
                else rng.choice(people), "status": "closed", "started_at": started,
                "assigned_by": None, "closed_at": started + timedelta(days=rng.randint(10, 90)),
                "close_reason": "completed", "closed_by": None})
    _bulk(SupportParent, parents)
    _bulk(Assignment, assignments)
    made = list(db.session.execute(select(Assignment.id, Assignment.supporter_id,
                                          Assignment.started_at).where(
        Assignment.request_id >= first)))
    contacts = []
    for assignment_id, supporter_id, started in made:
        day = started.date()
        for k in range(rng.randint(contacts_per_closed - 4, contacts_per_closed + 4)):
            contacts.append({
                "assignment_id": assignment_id, "supporter_id": supporter_id,
                "occurred_on": min(day, today), "minutes": rng.choice([30, 45, 60, 90]),
                "form": rng.choice(["in_person", "phone", "video", "accompanying"]),
                "reached": k > 0 or rng.random() < 0.7, "km": 0, "expenses_ore": 0,
                "wellbeing": rng.randint(2, 9), "note": None, "created_at": now})
            day += timedelta(days=rng.randint(1, 10))
        if len(contacts) >= 50_000:
            _bulk(Contact, contacts)
            contacts = []
    _bulk(Contact, contacts)
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("ANALYZE support_request, support_parent, support_assignment, "
                                "support_contact"))
    return count


def _bulk(model, rows, chunk: int = 5000) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), chunk):
        db.session.execute(insert(model.__table__), rows[start:start + chunk])
