"""Factories for test data: accounts, members and applications, dues rates and payments.

They go through the application's own services, so that what a test starts from is a state
the portal itself can reach, with its history and audit records, and they return plain
values (SimpleNamespace), never live ORM objects. The few things the services cannot do
(a chosen member number, a past date, a hand-written history) are set by hand, and each
says so where it happens.

The mail the factories cause (an applicant's confirmation link, a new member's invitation)
is taken out of the outbox again: a test sees only the mail it causes itself.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime
from types import SimpleNamespace

import pyotp
from sqlalchemy import delete, func, insert, select

from foreningen.accounts import services as accounts
from foreningen.accounts.passwords import hash_password
from foreningen.core import clock
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from foreningen.core.outbox import OutboxMessage
from foreningen.dues import services as dues
from foreningen.dues.models import DuesImport, DuesPayment
from foreningen.members import queries as member_queries
from foreningen.members import services as members
from foreningen.members.models import Member, MemberNumber, MemberStatus, MemberStatusChange
from foreningen.municipalities import services as municipalities
from foreningen.municipalities.queries import by_code

PASSWORD = "lagom-lang-fras-2026"
_counter = itertools.count(1)
_PASSWORD_HASH = "tests.factories.password_hash"


# --- accounts -----------------------------------------------------------------------------

def municipality(app, code: str = "0180", name: str = "Stockholm") -> int:
    with app.app_context():
        existing = by_code(code)
        if existing is not None:
            return existing.id
        created = municipalities.create(code, name)
        db.session.commit()
        return created.id


def password_hash(app) -> str:
    """The Argon2 hash of PASSWORD, made once per app with that app's cost settings: a hash
    takes tens of milliseconds and the suite makes hundreds of accounts. Tests of password
    handling itself use the forms or another password, which are hashed for real."""
    if _PASSWORD_HASH not in app.extensions:
        with app.app_context():
            app.extensions[_PASSWORD_HASH] = hash_password(PASSWORD)
    return app.extensions[_PASSWORD_HASH]


def user(app, roles, *, email=None, name=None, password=PASSWORD, municipality_code=None,
         totp=False, locale=None, invited=False, disabled=False):
    """An account made by accounts.create_user. With the default PASSWORD it gets the hash
    made once per app (password_hash); any other password is hashed by create_user."""
    n = next(_counter)
    email = email or f"user{n}@example.org"
    municipality_id = None
    if municipality_code or set(roles) & {"reviewer", "social_worker"}:
        municipality_id = municipality(app, municipality_code or "0180")
    reuse_hash = not invited and password == PASSWORD
    with app.app_context():
        created = accounts.create_user(
            email, name or f"Test Person {n}", roles, municipality_id=municipality_id,
            password=None if invited or reuse_hash else password, locale=locale)
        if reuse_hash:  # what create_user does with a password, minus the hashing
            created.password_hash = password_hash(app)
            created.password_changed_at = utcnow()
        secret = None
        codes = []
        if totp:
            secret = accounts.begin_totp(created)
            codes = accounts.confirm_totp(created, pyotp.TOTP(secret).now())
            created.totp_last_step = None  # the enrolment code may be reused by the test
        if disabled:
            accounts.disable_user(created)
        db.session.commit()
        return SimpleNamespace(id=created.id, email=email, password=password, totp_secret=secret,
                               recovery_codes=codes, municipality_id=municipality_id)


# --- members and applications -------------------------------------------------------------

def member(app, status: str = "active", *, first_name=None, last_name=None, email=None,
           category="ordinary", locale="en", municipality_id=None, phone=None,
           street_address=None, postal_code=None, city=None, why_join=None,
           optional_consents=(), confirmed=True, account=None, protected=False,
           erasure_requested=False, reason=None, left_on: date | None = None,
           joined_on: date | None = None, applied_at: datetime | None = None,
           number: int | None = None, history: list[str] | None = None) -> SimpleNamespace | None:
    """A member in any status, the way the portal gets there: the application
    (submit_application), the link in the confirmation mail (confirm_email, unless
    `confirmed=False`), then the board's approve, decline or change_status.

    - An approved member always has an account, as approval links one: `account` (a user()
      result) is linked by its address, otherwise approval makes a new invited account.
      Applications and declined members have none.
    - `reason` goes with the last change of status; approve takes none, so for an active
      member it is written on the approval's history row by hand.
    - `left_on` is when leaving took effect (change_status's effective_on).
    - By hand, because the services only ever act now or count on: `number` (a chosen
      member number), `joined_on` (approval on an earlier day) and `applied_at`.
    - `history`: the statuses after "applied", written by hand, only for a past the
      services cannot produce (e.g. applied → left, as moved from an older register);
      its last entry is the status. Such a member has no account.

    Returns None when submit_application refuses (the address is a current member's)."""
    n = next(_counter)
    status = MemberStatus(history[-1] if history else status)
    if account is not None and email is None:
        email = account.email
    with app.test_request_context(method="POST"):
        before = _last_mail_id()
        row = members.submit_application(
            first_name=first_name or f"Förnamn{n}", last_name=last_name or f"Efternamn{n}",
            email=email or f"member{n}@example.org", category=category, locale=locale,
            phone=phone, street_address=street_address, postal_code=postal_code, city=city,
            municipality_id=municipality_id, why_join=why_join,
            optional_consents=optional_consents)
        if row is None:
            assert status == MemberStatus.APPLIED, "the address belongs to a current member"
            _drop_mail_since(before)
            db.session.commit()
            return None
        if number is not None:
            _renumber(row, number)
        if confirmed:
            assert members.confirm_email(_confirmation_token(before)) is row
        if history:
            _write_history(row, history, reason, joined_on, left_on)
        elif status == MemberStatus.DECLINED:
            members.decline(row, reason or "Not in the association's target group", None)
        elif status != MemberStatus.APPLIED:
            assert confirmed, "approval needs a confirmed email address"
            members.approve(row, None)
            approval = row.history[-1]
            if joined_on is not None:
                row.joined_on = approval.effective_on = joined_on
            if status == MemberStatus.ACTIVE:
                approval.reason = reason
            else:
                members.change_status(row, status, reason, None,
                                      effective_on=left_on if status == MemberStatus.LEFT
                                      else None)
        if protected:
            members.set_protected_identity(row, True, None)
        if erasure_requested:
            members.request_erasure(row, None)
        if applied_at is not None:
            row.applied_at = applied_at
        db.session.flush()
        _drop_mail_since(before)
        db.session.commit()
        return SimpleNamespace(
            id=row.id, number=row.number, payment_reference=row.payment_reference,
            first_name=row.first_name, last_name=row.last_name, name=row.name,
            email=row.email, phone=row.phone, street_address=row.street_address,
            postal_code=row.postal_code, city=row.city, category=row.category,
            status=row.status, municipality_id=row.municipality_id, user_id=row.user_id,
            user=account)


def application(app, *, confirmed=False, **details) -> SimpleNamespace | None:
    """A pending application as the join form leaves it; `confirmed=True` once the applicant
    has used the link in the mail. None when the address is a current member's."""
    return member(app, "applied", confirmed=confirmed, **details)


def members_in_bulk(app, numbers, **values) -> list[str]:
    """Active members for volume tests, thousands at once, written straight into the table
    (through the services they would take minutes). Returns their payment references."""
    rows = [{"number": n, "payment_reference": members.reference_for(n), "first_name": "Test",
             "last_name": str(n), "email": f"bulk{n}@example.org", "category": "ordinary",
             "status": "active", "locale": "sv", "privacy_notice_version": "2026-11", **values}
            for n in numbers]
    with app.app_context():
        db.session.execute(insert(Member), rows)
        db.session.commit()
    return [row["payment_reference"] for row in rows]


def _last_mail_id() -> int:
    return db.session.scalar(select(func.max(OutboxMessage.id))) or 0


def _drop_mail_since(before: int) -> None:
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > before))


def _confirmation_token(before: int) -> str:
    """The token in the confirmation link, read from the mail as the applicant would."""
    body = db.session.scalar(select(OutboxMessage.body).where(
        OutboxMessage.id > before, OutboxMessage.template == "application_confirm")
        .order_by(OutboxMessage.id.desc()).limit(1))
    return re.search(r"/join/confirm/(\S+)", body).group(1)


def _renumber(row: Member, number: int) -> None:
    """By hand: the services give the next number from the counter, never a chosen one.
    The number is noted in the counter's table as one given, as the services would."""
    if db.session.get(MemberNumber, number) is None:
        db.session.add(MemberNumber(number=number))
    row.number = number
    row.payment_reference = members.reference_for(number)
    db.session.flush()


def _write_history(row: Member, statuses: list[str], reason, joined_on, left_on) -> None:
    """By hand: a past the services' transitions do not allow."""
    today = clock.today()
    for index, to_status in enumerate(statuses):
        to_status = MemberStatus(to_status)
        last = index == len(statuses) - 1
        row.history.append(MemberStatusChange(
            from_status=row.status, to_status=to_status, effective_on=today,
            reason=reason if last else None))
        row.status = to_status
        if to_status in (MemberStatus.ACTIVE, MemberStatus.LAPSED, MemberStatus.LEFT):
            row.joined_on = row.joined_on or joined_on or today
        if to_status == MemberStatus.LEFT:
            row.left_on = left_on or today
    if row.status in (MemberStatus.APPLIED, MemberStatus.DECLINED):
        row.joined_on = None


# --- dues ---------------------------------------------------------------------------------

def rate(app, amount_ore: int, category="ordinary", year: int | None = None,
         reference="Årsmöte § 7") -> SimpleNamespace:
    """The annual meeting's rate for a year and category (dues.set_rate; replaces one)."""
    year = year or clock.today().year
    with app.app_context():
        row = dues.set_rate(year, category, amount_ore, reference, actor=None)
        db.session.commit()
        return SimpleNamespace(id=row.id, year=row.year, category=row.category,
                               amount_ore=row.amount_ore,
                               decision_reference=row.decision_reference)


def payment(app, member, amount_ore: int, *, year: int | None = None,
            paid_on: date | None = None, note=None, imported=False,
            transaction: str | None = None) -> SimpleNamespace:
    """A payment of dues: recorded by the board (dues.record_payment), or with
    `imported=True` one line of a bank file through the import. `member` is a member()
    result or an id; `paid_on` is 1 February of the dues year unless given."""
    year = year or clock.today().year
    paid_on = paid_on or date(year, 2, 1)
    if imported:
        assert note is None, "a bank file has no notes"
        return bank_import(app, [(member, amount_ore, paid_on, year, transaction)]).payments[0]
    with app.app_context():
        row = dues.record_payment(db.session.get(Member, _id(member)), year, amount_ore,
                                  paid_on, None, note=note)
        db.session.commit()
        return _payment_values(row)


def bank_import(app, lines, filename="bank.csv") -> SimpleNamespace:
    """A bank file imported by dues.import_bank_file. Each line is (member, amount_ore) and
    optionally paid_on, year and transaction id, in that order."""
    csv = ["Datum;Referens;Belopp;Transaktions-ID;År"]
    with app.app_context():
        for member_, amount_ore, *more in lines:
            paid_on, year, transaction = (*more, None, None, None)[:3]
            paid_on = paid_on or clock.today()
            reference = db.session.get(Member, _id(member_)).payment_reference
            csv.append(f"{paid_on:%Y-%m-%d};{reference};{amount_ore // 100},"
                       f"{amount_ore % 100:02d};{transaction or ''};{year or ''}")
    with app.test_request_context(method="POST"):
        done, result = dues.import_bank_file("\n".join(csv).encode(), filename, None)
        assert done is not None, result.errors
        db.session.commit()
        payments = db.session.scalars(select(DuesPayment).where(
            DuesPayment.import_id == done.id).order_by(DuesPayment.id)).all()
        imported = db.session.get(DuesImport, done.id)
        return SimpleNamespace(id=imported.id, filename=imported.filename,
                               row_count=imported.row_count, total_ore=imported.total_ore,
                               payments=[_payment_values(p) for p in payments])


def _id(value) -> int:
    return value if isinstance(value, int) else value.id


def _payment_values(row: DuesPayment) -> SimpleNamespace:
    return SimpleNamespace(id=row.id, member_id=row.member_id, year=row.year,
                           amount_ore=row.amount_ore, paid_on=row.paid_on, method=row.method,
                           bank_transaction_id=row.bank_transaction_id,
                           import_id=row.import_id, note=row.note)


# --- stödpersoner -------------------------------------------------------------------------

SUPPORTER_ANSWERS = {
    "placement_types": ["foster_family"], "legal_bases": ["lvu"], "child_age": 7,
    "years_since": 4, "child_came_home": "partly", "area": None, "gender": None,
    "meets_in_person": True, "meets_by_phone": True, "meets_by_video": False,
    "weekday_daytime": False, "evenings": True, "weekends": True,
    "offer": "I know what the first weeks are like and I listen.",
}
# The way through the pipeline to each stage, as coordinators move people.
_PATH = {"applied": [], "interview_booked": ["interview_booked"],
         "interviewed": ["interviewed"], "in_training": ["interviewed", "in_training"],
         "approved": ["interviewed", "in_training", "approved"],
         "active": ["interviewed", "in_training", "approved", "active"],
         "paused": ["interviewed", "in_training", "approved", "active", "paused"],
         "ended": ["ended"]}


def supporter(app, stage: str = "applied", *, account=None, display_name=None,
              languages=("sv",), municipality_id=None, **answers) -> SimpleNamespace:
    """A stödperson the way the portal gets there: an active member (member()) applies
    (supporters.services.apply), then a coordinator moves them stage by stage to `stage`."""
    from foreningen.accounts import queries as account_queries
    from foreningen.supporters import services as supporters

    account = account or user(app, ["member"])
    row = member(app, account=account, municipality_id=municipality_id)
    with app.test_request_context(method="POST"):
        person = account_queries.user(account.id)
        values = {**SUPPORTER_ANSWERS, **answers,
                  "display_name": display_name or person.display_name.split(" ")[0],
                  "languages": list(languages),
                  "municipality_id": municipality_id or row.municipality_id}
        record = supporters.apply(person, member_queries.own_member(account.id), values)
        for step in _PATH[stage]:
            supporters.move(record, step, None, note="Ended by the test" if step == "ended"
                            else None, interview_on=clock.today())
        db.session.commit()
        return SimpleNamespace(id=record.id, user_id=account.id, account=account,
                               member_id=row.id, display_name=record.display_name,
                               stage=record.stage)


def training_module(app, name: str = "Grundutbildning", *, validity_months=None,
                    required=True) -> int:
    from foreningen.supporters import services as supporters

    with app.test_request_context(method="POST"):
        requirement = supporters.add_requirement("training", None, name=name, required=required,
                                                 validity_months=validity_months)
        db.session.commit()
        return requirement.id


def completion(app, supporter_id: int, requirement_id: int, completed_on: date,
               *, document_dated_on: date | None = None) -> int:
    """A completion recorded on a past day (the services record today's sessions; a test
    of expiry needs older ones), with the expiry its requirement gives."""
    from foreningen.supporters.models import Completion, Requirement
    from foreningen.supporters.readiness import add_months

    with app.app_context():
        requirement = db.session.get(Requirement, requirement_id)
        start = document_dated_on or completed_on
        row = Completion(supporter_id=supporter_id, requirement_id=requirement_id,
                         completed_on=completed_on, document_dated_on=document_dated_on,
                         expires_on=add_months(start, requirement.validity_months)
                         if requirement.validity_months else None)
        db.session.add(row)
        db.session.commit()
        return row.id


def ready_supporter(app, stage: str = "active", **values) -> SimpleNamespace:
    """A stödperson with every requirement in force done today: ready."""
    from foreningen.supporters import queries

    made = supporter(app, stage, **values)
    with app.app_context():  # read first: a context's session is rolled back as it closes
        requirements = [(r.id, r.kind) for r in queries.current_requirements()]
    for requirement_id, kind in requirements:
        completion(app, made.id, requirement_id, clock.today(),
                   document_dated_on=clock.today() if kind == "record_check" else None)
    return made


# --- support requests ---------------------------------------------------------------------

ASK_VALUES = {"name": "Sara", "channel": "email", "phone": None, "email": "sara@example.org",
              "when": ["evenings"], "language": "en", "placement_type": "foster_family",
              "legal_basis": "lvu", "child_age": 6, "since": "weeks", "wish_gender": None,
              "wish_language": None, "wish_meeting": None}


def support_request(app, municipality_id=None, *, received_at: datetime | None = None,
                    parent_user_id: int | None = None, **values) -> SimpleNamespace:
    """A parent's own request as support.services.ask makes it: (id, reference, code);
    connected to the account `parent_user_id` when given."""
    from foreningen.support import services as support

    with app.test_request_context(method="POST"):
        made, code = support.ask({**ASK_VALUES, "municipality_id": municipality_id
                                  or municipality(app, "1281", "Lund"), **values})
        if parent_user_id is not None:
            from foreningen.support.models import ParentAccount

            db.session.add(ParentAccount(request_id=made.id, user_id=parent_user_id))
        if received_at is not None:
            made.received_at = received_at
        db.session.commit()
        return SimpleNamespace(id=made.id, reference=made.reference, code=code)


def referral(app, social_worker, parents=None, *, at: datetime | None = None,
             **values) -> SimpleNamespace:
    """A crisis referral by `social_worker` (a user() with that role), received `at`."""
    from foreningen.accounts import queries as account_queries
    from foreningen.support import services as support

    parents = parents or [{"name": "Amal", "phone": "+46701234567", "email": None,
                           "language": "ar", "relation": "parent"}]
    with app.test_request_context(method="POST"):
        worker = account_queries.user(social_worker.id)
        made = support.refer(worker, {"reason": "mental_health", "legal_basis": "lvu",
                                      "contact_decided": "yes", "child_age": 4,
                                      "referrer_phone": "+46812345678", **values}, parents)
        if at is not None:
            from foreningen.support import crisis_clock

            made.received_at = at
            made.due_at = crisis_clock.first_contact_due(at)
        db.session.commit()
        return SimpleNamespace(id=made.id, reference=made.reference, due_at=made.due_at)


def assignment(app, request_id: int, supporter_id: int) -> int:
    from foreningen.support import queries as support_queries
    from foreningen.support import services as support

    with app.test_request_context(method="POST"):
        found = db.session.get(support_queries.SupportRequest, request_id)
        made = support.assign(None, found, supporter_id, clock.today(), 60)
        db.session.commit()
        return made.id


def meeting(app, assignment_id: int, *, starts_at: datetime | None = None) -> int:
    """A meeting planned for tomorrow at 18:00 Swedish time unless told otherwise."""
    from datetime import time, timedelta

    from foreningen.support import services as support
    from foreningen.support.crisis_clock import STOCKHOLM
    from foreningen.support.models import Assignment

    starts_at = starts_at or datetime.combine(clock.today() + timedelta(days=1), time(18),
                                              tzinfo=STOCKHOLM)
    with app.test_request_context(method="POST"):
        made = support.plan_meeting(None, db.session.get(Assignment, assignment_id),
                                    {"starts_at": starts_at, "minutes": 60, "form": "in_person",
                                     "place": "Stadsbiblioteket, entrén"})
        db.session.commit()
        return made.id
