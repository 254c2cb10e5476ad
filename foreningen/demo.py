"""Demo data for `make run`: real kommun codes, one obviously fake account per role, and a
member register of invented people (Faker's Swedish names, example.org addresses, phone
numbers from the series that PTS keeps for fiction)."""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, date, datetime, time, timedelta

import click
from faker import Faker
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import insert, inspect, select, text

from foreningen import demo_support, demo_supporters
from foreningen.accounts import services as accounts
from foreningen.accounts.queries import has_accounts, user_by_email
from foreningen.association import queries as association_queries
from foreningen.association import services as association
from foreningen.core import clock
from foreningen.core.db import analyze, utcnow
from foreningen.core.extensions import db
from foreningen.dues.models import DuesPayment, DuesRate
from foreningen.members import services as members_service
from foreningen.members.models import (
    Consent,
    Member,
    MemberCategory,
    MemberStatus,
    MemberStatusChange,
)
from foreningen.members.services import PRIVACY_NOTICE, reference_for
from foreningen.municipalities import services as municipalities
from foreningen.municipalities.queries import by_code

# Public on purpose: printed by `flask demo-data`, which refuses to run in production.
DEMO_PASSWORD = "demo-forening-2026"  # noqa: S105

MUNICIPALITIES = [
    ("0180", "Stockholm"), ("1480", "Göteborg"), ("1280", "Malmö"), ("0380", "Uppsala"),
    ("0580", "Linköping"), ("1880", "Örebro"), ("0680", "Jönköping"), ("2480", "Umeå"),
]

# (email, name, roles, kommun code)
ACCOUNTS = [
    ("admin@example.org", "Alva Administratör", ["admin"], None),
    ("styrelse@example.org", "Bertil Styrelsesson", ["board", "member"], None),
    ("samordnare@example.org", "Cecilia Samordnare", ["coordinator", "member"], None),
    ("stodperson@example.org", "Dina Stödperson", ["supporter", "member"], None),
    ("foralder@example.org", "Erik Förälder", ["parent"], None),
    ("medlem@example.org", "Fatima Medlem", ["member"], None),
    ("granskare@example.org", "Gustav Granskare", ["reviewer"], "0180"),
    ("socialsekreterare@example.org", "Hanna Socialsekreterare", ["social_worker"], "0180"),
]


def load(members: int | None = None, supporters: int | None = None,
         requests: int | None = None) -> dict[str, int]:
    """Municipalities and accounts when missing; the demo register and pipeline once
    (None), or `members` more invented members and `supporters` more stödpersoner on every
    call (for measurements)."""
    created = {"municipalities": 0, "accounts": 0, "members": 0, "supporters": 0,
               "requests": 0}
    for code, name in MUNICIPALITIES:
        if by_code(code) is None:
            municipalities.create(code, name)
            created["municipalities"] += 1
    for email, name, roles, code in ACCOUNTS:
        if user_by_email(email) is None:
            municipality = by_code(code) if code else None
            accounts.create_user(email, name, roles, password=DEMO_PASSWORD,
                                 municipality_id=municipality.id if municipality else None)
            created["accounts"] += 1
    db.session.flush()
    _association()
    if members is None:
        if db.session.scalar(select(Member.id).limit(1)) is None:
            created["members"] = add_members(DEMO_MEMBERS) + _members_for_accounts()
        created["supporters"] = demo_supporters.load()
        created["requests"] = demo_support.load()
    elif members > 0:
        created["members"] = add_members(members)
    if supporters:
        created["supporters"] = demo_supporters.add_many(supporters)
    if requests:
        created["requests"] = demo_support.add_many(requests)
    if created["members"]:
        db.session.flush()
        members_service.compact_tally()
        analyze(everywhere=True)  # the planner must know the register's new size
    return created


ASSOCIATION = {
    "name": "Föreningen Föräldrar emellan", "organisation_number": "802999-9904",
    # Bankgiro and Swish numbers in the series the banks use in their own examples.
    "bankgiro": "5050-1055", "plusgiro": None, "swish": "123 456 78 90",
    "contact_email": "kontakt@example.org", "contact_phone": "08-123 456 78",
    "postal_address": "Box 123, 111 22 Stockholm",
}
NOTICE = {
    "sv": "Föreningen sparar ditt namn, din e-postadress och de uppgifter du själv väljer att "
          "lämna, för att sköta ditt medlemskap: medlemsregistret, medlemsavgifterna och "
          "kallelser till årsmötet. Bara styrelsen och samordnarna ser registret. Vi lämnar "
          "aldrig ut dina uppgifter till socialtjänsten.\n\n"
          "Varje gång någon läser eller ändrar dina uppgifter registreras det, och du ser det "
          "på din medlemssida. Där kan du också rätta dina uppgifter, ladda ner allt vi har om "
          "dig och be oss radera det.\n\n"
          "När du lämnar föreningen sparar vi dina uppgifter en begränsad tid och anonymiserar "
          "dem sedan. Betalningar sparas i sju år enligt bokföringslagen.",
    "en": "The association keeps your name, email address and the details you choose to give, "
          "to run your membership: the member register, dues and notices of the annual "
          "meeting. Only the board and the coordinators see the register. We never give your "
          "details to the social services.\n\n"
          "Every time someone looks at or changes your details it is recorded, and you can "
          "see it on your member page. There you can also correct your details, download "
          "everything we hold about you, and ask us to erase it.\n\n"
          "When you leave, we keep your details for a limited time and then anonymise them. "
          "Payments are kept for seven years, as the accounting law requires.",
    "ar": "تحتفظ الجمعية باسمك وعنوان بريدك الإلكتروني والبيانات التي تختار تقديمها، لإدارة "
          "عضويتك: سجل الأعضاء ورسوم العضوية ودعوات الاجتماع السنوي. لا يرى السجل إلا مجلس "
          "الإدارة والمنسقون. لا نعطي بياناتك أبدًا للخدمات الاجتماعية.\n\n"
          "يُسجَّل كل اطلاع على بياناتك أو تغيير لها، ويمكنك رؤية ذلك في صفحة عضويتك. هناك "
          "يمكنك أيضًا تصحيح بياناتك وتنزيل كل ما نحتفظ به عنك وطلب حذفه.\n\n"
          "عندما تغادر، نحتفظ ببياناتك لفترة محدودة ثم نجعلها مجهولة الهوية. تُحفظ المدفوعات "
          "سبع سنوات كما يقتضي قانون المحاسبة.",
}


def _association() -> None:
    """The association's details and its privacy notice, once."""
    if association_queries.settings() is None:
        association.update_settings(ASSOCIATION, actor=None)
    if association_queries.current_notice() is None:
        association.publish_notice(current_app.config["PRIVACY_NOTICE_VERSION"], NOTICE,
                                   actor=None)


def summary(created: dict[str, int] | None) -> str:
    """What was loaded (None: the database had accounts, nothing was loaded) and the logins."""
    if created is None:
        head = "Demo data: the database already has accounts; nothing loaded."
    else:
        head = (f"Demo data: {created['municipalities']} municipalities and "
                f"{created['accounts']} accounts added; "
                f"{created.get('members', 0)} members added to the register, "
                f"{created.get('supporters', 0)} support persons to the pipeline, "
                f"{created.get('requests', 0)} requests for support.")
    lines = [head, "", f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {email:32} {', '.join(roles)}" for email, _, roles, _ in ACCOUNTS]
    lines += ["", demo_support.summary()]
    return "\n".join(lines)


# --- the member register ------------------------------------------------------------------

DEMO_MEMBERS = 300
CATEGORY_WEIGHTS = {MemberCategory.ORDINARY: 70, MemberCategory.SUPPORTING: 25,
                    MemberCategory.ORGANISATION: 5}
STATUS_WEIGHTS = {MemberStatus.ACTIVE: 64, MemberStatus.LAPSED: 12, MemberStatus.LEFT: 14,
                  MemberStatus.APPLIED: 6, MemberStatus.DECLINED: 4}
# Decided by the (invented) annual meeting, in öre.
RATES = {MemberCategory.ORDINARY: 20000, MemberCategory.SUPPORTING: 30000,
         MemberCategory.ORGANISATION: 100000}
WHY_JOIN = [
    "Min son placerades i familjehem för tre år sedan. Jag vill stötta andra föräldrar.",
    "Jag vill träffa andra som vet hur det är när barnen bor någon annanstans.",
    "En stödperson hjälpte mig genom det värsta. Nu vill jag ge tillbaka.",
    "Jag vill vara med och påverka hur föräldrar blir bemötta.",
    "Mina döttrar bor på HVB och jag behöver någon att prata med.",
]
LEFT_REASONS = ["Flyttat utomlands", "Egen begäran", "Har inte betalat på två år"]
DECLINE_REASONS = ["Ansökan gällde en annan förening.", "Dubblett av en tidigare ansökan."]
CHUNK = 5000


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c == "-") or "x"


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=UTC)


def _ensure_rates(years) -> None:
    for year in years:
        for category, amount in RATES.items():
            if db.session.scalar(select(DuesRate.id).where(
                    DuesRate.year == year, DuesRate.category == category)) is None:
                db.session.add(DuesRate(year=year, category=category, amount_ore=amount,
                                        decision_reference=f"Årsmöte {year - 1}, § 9"))
    db.session.flush()


def add_members(count: int) -> int:
    """`count` invented members of every category and status, with their history, consent
    and payments for this and last year: bulk inserts, so 30,000 take seconds."""
    today = clock.today()
    this_year, last_year = today.year, today.year - 1
    _ensure_rates((last_year, this_year))
    numbers = members_service.reserve_numbers(count)
    first = numbers[0]
    rng = random.Random(first)
    fake = Faker("sv_SE")
    fake.seed_instance(first)
    first_names = sorted({fake.first_name() for _ in range(400)})
    last_names = sorted({fake.last_name() for _ in range(400)})
    streets = sorted({fake.street_name() for _ in range(300)})
    places = [(m.id, m.name) for m in (by_code(code) for code, _name in MUNICIPALITIES) if m]
    board = user_by_email("styrelse@example.org")
    board_id = board.id if board else None
    now = utcnow()
    notice = current_app.config["PRIVACY_NOTICE_VERSION"]
    people = []
    for n in range(count):
        number = numbers[n]
        category = str(rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0])
        status = str(rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0])
        given, family = rng.choice(first_names), rng.choice(last_names)
        place = rng.choice(places) if places and rng.random() < 0.95 else (None, fake.city())
        person = _dates(rng, status, today)
        person.update(
            number=number, payment_reference=reference_for(number), first_name=given,
            last_name=family, email=f"{_ascii(given)}.{_ascii(family)}.{number}@example.org",
            phone=f"070-174 06 {rng.randint(5, 99):02d}" if rng.random() < 0.8 else None,
            street_address=f"{rng.choice(streets)} {rng.randint(1, 80)}",
            postal_code=f"{rng.randint(100, 989)} {rng.randint(0, 99):02d}",
            city=place[1], municipality_id=place[0], category=category, status=status,
            why_join=rng.choice(WHY_JOIN) if category == MemberCategory.ORDINARY else None,
            locale=rng.choices(["sv", "en", "ar"], [90, 7, 3])[0],
            protected_identity=rng.random() < 0.02, privacy_notice_version=notice,
            created_at=now, updated_at=now)
        people.append(person)
    for start in range(0, count, CHUNK):
        db.session.execute(insert(Member.__table__), [
            {k: v for k, v in p.items() if not k.startswith("_")}
            for p in people[start:start + CHUNK]])
    ids = dict(db.session.execute(select(Member.number, Member.id).where(
        Member.number.between(numbers[0], numbers[-1]))).all())
    history, consents, payments = [], [], []
    for person in people:
        member_id = ids[person["number"]]
        for from_status, to_status, on, reason in person["_history"]:
            history.append({"member_id": member_id,
                            "from_status": str(from_status) if from_status else None,
                            "to_status": str(to_status), "effective_on": on, "reason": reason,
                            "changed_at": _moment(on, rng),
                            "actor_id": board_id if from_status else None})
        consents.append({"member_id": member_id, "purpose": PRIVACY_NOTICE,
                         "version": notice, "given_at": person["applied_at"]})
        payments += _payments(rng, person, member_id, (last_year, this_year), today)
    for table, rows in ((MemberStatusChange, history), (Consent, consents),
                        (DuesPayment, payments)):
        for start in range(0, len(rows), CHUNK):
            # Core inserts of the tables: one executemany per chunk (the ORM's bulk insert
            # would split the rows wherever the pattern of empty columns changes).
            db.session.execute(insert(table.__table__), rows[start:start + CHUNK])
    if db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics, or the planner takes a big new table for an empty one until
        # autovacuum comes by (a nested loop over every payment: seconds per page).
        db.session.execute(text("ANALYZE member, member_status_change, dues_payment"))
    return count


def _dates(rng: random.Random, status: str, today: date) -> dict:
    """Applied, joined and left dates and the history that leads to the status."""
    if status in (MemberStatus.APPLIED, MemberStatus.DECLINED):
        applied = today - timedelta(days=rng.randint(0, 20))
        confirmed = rng.random() < 0.5 if status == MemberStatus.APPLIED else True
        history = [(None, MemberStatus.APPLIED, applied, None)]
        if status == MemberStatus.DECLINED:
            history.append((MemberStatus.APPLIED, MemberStatus.DECLINED,
                            applied + timedelta(days=2), rng.choice(DECLINE_REASONS)))
        return {"applied_at": _moment(applied, rng), "joined_on": None, "left_on": None,
                "email_confirmed_at": _moment(applied, rng) if confirmed else None,
                "_history": history}
    latest_join = date(today.year - 1, 12, 31) if status == MemberStatus.LAPSED else today
    joined = _day_between(rng, date(2012, 1, 1), latest_join - timedelta(days=10))
    applied = joined - timedelta(days=rng.randint(3, 20))
    history = [(None, MemberStatus.APPLIED, applied, None),
               (MemberStatus.APPLIED, MemberStatus.ACTIVE, joined, None)]
    left = None
    if status == MemberStatus.LAPSED:
        lapsed_on = max(date(today.year, 4, 1) if today >= date(today.year, 4, 1)
                        else date(today.year - 1, 4, 1), joined + timedelta(days=1))
        history.append((MemberStatus.ACTIVE, MemberStatus.LAPSED, lapsed_on,
                        "Ej betalat medlemsavgiften"))
    elif status == MemberStatus.LEFT:
        left = _day_between(rng, joined + timedelta(days=1), today)
        history.append((MemberStatus.ACTIVE, MemberStatus.LEFT, left, rng.choice(LEFT_REASONS)))
    return {"applied_at": _moment(applied, rng), "joined_on": joined, "left_on": left,
            "email_confirmed_at": _moment(applied, rng), "_history": history}


def _payments(rng: random.Random, person: dict, member_id: int, years, today: date) -> list:
    """Most active members have paid both years, some only part; lapsed members last year."""
    status, joined, left = person["status"], person["joined_on"], person["left_on"]
    if joined is None:
        return []
    rows = []
    for year in years:
        if joined.year > year or (left is not None and left.year < year):
            continue
        full = RATES[person["category"]]
        chance = rng.random()
        if year == today.year and status != MemberStatus.ACTIVE:
            amount = full // 2 if chance < 0.2 else 0
        elif chance < 0.8:
            amount = full
        elif chance < 0.9:
            amount = full // 2
        else:
            amount = 0
        if amount:
            start = max(date(year, 1, 1), joined)
            end = min(date(year, 12, 31), today, left or today)
            bank = rng.random() < 0.85
            rows.append({
                "member_id": member_id, "year": year, "amount_ore": amount,
                "paid_on": _day_between(rng, start, end),
                "method": "bank" if bank else "manual",
                "bank_transaction_id": f"DEMO-{person['number']}-{year}" if bank else None,
                "created_at": utcnow()})
    return rows


def _members_for_accounts() -> int:
    """The demo accounts with the member role are active, paid-up ordinary members."""
    today = clock.today()
    notice = current_app.config["PRIVACY_NOTICE_VERSION"]
    added = 0
    for email, name, roles, _code in ACCOUNTS:
        user = user_by_email(email)
        if "member" not in roles or user is None or db.session.scalar(
                select(Member.id).where(Member.email == email)) is not None:
            continue
        number = members_service.reserve_numbers(1)[0]
        given, _, family = name.partition(" ")
        joined = date(today.year - 2, 3, 1)
        member = Member(number=number, payment_reference=reference_for(number),
                        first_name=given, last_name=family, email=email,
                        category=MemberCategory.ORDINARY, status=MemberStatus.ACTIVE,
                        locale="sv", user_id=user.id, joined_on=joined,
                        applied_at=_moment(joined - timedelta(days=7), random.Random(number)),
                        email_confirmed_at=_moment(joined - timedelta(days=7),
                                                   random.Random(number)),
                        privacy_notice_version=notice)
        member.history = [
            MemberStatusChange(from_status=None, to_status=MemberStatus.APPLIED,
                               effective_on=joined - timedelta(days=7)),
            MemberStatusChange(from_status=MemberStatus.APPLIED, to_status=MemberStatus.ACTIVE,
                               effective_on=joined)]
        member.consents = [Consent(purpose=PRIVACY_NOTICE, version=notice)]
        db.session.add(member)
        db.session.flush()
        db.session.add(DuesPayment(member_id=member.id, year=today.year,
                                   amount_ore=RATES[MemberCategory.ORDINARY],
                                   paid_on=min(today, date(today.year, 1, 15)),
                                   method="manual"))
        added += 1
    return added


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when there are already accounts.")
@click.option("--members", type=click.IntRange(min=1), default=None,
              help="Add this many invented members every time (for measurements); without "
                   "it a demo register of a few hundred is added once.")
@click.option("--supporters", type=click.IntRange(min=1), default=None,
              help="Add this many invented stödpersoner every time (for measurements).")
@click.option("--requests", type=click.IntRange(min=1), default=None,
              help="Add this many invented support requests, most closed with about fourteen "
                   "contacts each (for measurements).")
def demo_data(if_empty, members, supporters, requests):
    """Load realistic Swedish demo data: municipalities, one account per role, members."""
    if current_app.config["PRODUCTION"]:
        # Eight accounts with a published password, one of them an administrator.
        raise click.UsageError("Demo data is for development, not in production.")
    if not inspect(db.engine).has_table("user_account"):
        raise click.UsageError("The database has no tables yet: run `flask init-db` first.")
    if if_empty and has_accounts():
        click.echo(summary(None))
        return
    created = load(members=members, supporters=supporters, requests=requests)
    db.session.commit()
    click.echo(summary(created))


commands = (demo_data,)
