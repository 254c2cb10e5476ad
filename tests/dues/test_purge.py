"""`flask purge`: former members anonymised after RETENTION_LEFT_MONTHS, stale applications
deleted, payments kept seven years (pseudonymised, still linked), then deleted."""

from __future__ import annotations

from datetime import date, timedelta

from foreningen.accounts.models import User
from foreningen.core import clock
from foreningen.core.db import utcnow
from foreningen.core.extensions import db as _db
from foreningen.members import services as members
from foreningen.members.models import Member
from tests import factories
from tests.dues import make_member, member_row, pay, payments

TODAY = clock.today()


def apply(app, *, confirm=False, approve=False, days_ago=0, **details) -> int:
    """An application through tests.factories: submitted, maybe confirmed by the link in
    the mail and approved; `days_ago` moves the application back in time."""
    email = details.pop("email", f"sokande{next(_ids)}@example.org")
    return factories.member(
        app, "active" if approve else "applied", first_name="Sara", last_name="Sökande",
        email=email, category="ordinary", locale="en", phone="070-123 45 67",
        street_address="Sökvägen 3", postal_code="123 45", city="Uppsala",
        why_join="Min dotter är placerad", confirmed=confirm,
        applied_at=utcnow() - timedelta(days=days_ago), **details).id


_ids = iter(range(1, 10_000))


def leave(app, member_id: int, days_ago: int) -> None:
    with app.app_context():
        members.change_status(_db.session.get(Member, member_id), "left", "own request", None,
                              effective_on=TODAY - timedelta(days=days_ago))
        _db.session.commit()


def purge(runner) -> str:
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_former_members_are_anonymised_and_their_payments_kept(app, db, runner):
    old = apply(app, confirm=True, approve=True)
    recent = apply(app, confirm=True, approve=True)
    with app.app_context():
        user_id = _db.session.get(Member, old).user_id
        number = _db.session.get(Member, old).number
    assert user_id is not None
    old_member = member_row(app, old)
    pay(app, old_member, 25000, year=TODAY.year - 2, paid_on=TODAY - timedelta(days=800),
        note="Betalt av Kalle Sökande")
    pay(app, old_member, 5000, year=TODAY.year - 3, paid_on=TODAY - timedelta(days=1100))
    leave(app, old, days_ago=760)     # more than 24 months ago
    leave(app, recent, days_ago=700)  # less than 24 months ago

    output = purge(runner)
    assert ("Former members anonymised: 1\nUnconfirmed or declined applications deleted: 0\n"
            "Payments past the accounting period deleted: 0") \
        in output

    gone = member_row(app, old)
    assert (gone.first_name, gone.last_name) == ("Anonymiserad", f"#{number}")
    assert gone.email == f"anonymised-{old}@invalid.example"
    assert (gone.phone, gone.street_address, gone.postal_code, gone.city, gone.why_join,
            gone.municipality_id, gone.user_id) == (None,) * 7
    assert gone.anonymised_at is not None and gone.status == "left"
    with app.app_context():
        assert _db.session.get(Member, old).consents == []
        account = _db.session.get(User, user_id)
        assert account.email == f"erased-{user_id}@invalid.example"
        assert account.password_hash is None
    # Still there and still linked to the (now pseudonymous) member row; the note is gone.
    assert [(p[0], p[2], p[6]) for p in payments(app)] == [(old, 25000, None),
                                                           (old, 5000, None)]

    kept = member_row(app, recent)
    assert kept.first_name == "Sara" and kept.phone == "070-123 45 67"
    assert kept.anonymised_at is None

    assert "Former members anonymised: 0" in purge(runner)  # nothing left to do


def test_stale_unconfirmed_applications_are_deleted(app, db, runner):
    stale = apply(app, days_ago=31)
    fresh = apply(app, days_ago=29)
    confirmed = apply(app, confirm=True, days_ago=31)
    declined = apply(app, confirm=True, days_ago=31)
    with app.app_context():
        members.decline(_db.session.get(Member, declined), "Inte i målgruppen", None)
        _db.session.commit()

    output = purge(runner)
    assert "Unconfirmed or declined applications deleted: 2" in output
    assert member_row(app, stale) is None and member_row(app, declined) is None
    assert member_row(app, fresh).first_name == "Sara"
    assert member_row(app, confirmed).email_confirmed_at is not None


def test_an_unconfirmed_application_with_a_payment_is_kept(app, db, runner):
    """Accounting: a payment's member row is never deleted."""
    early = apply(app, days_ago=40)
    pay(app, member_row(app, early), 25000)
    assert "Unconfirmed or declined applications deleted: 0" in purge(runner)
    assert member_row(app, early) is not None
    assert len(payments(app)) == 1


def test_payments_are_deleted_seven_years_after_the_year_they_were_paid(app, db, runner):
    member = make_member(app)
    year = TODAY.year
    pay(app, member, 100, year=year - 8, paid_on=date(year - 8, 12, 31))  # deleted
    pay(app, member, 200, year=year - 7, paid_on=date(year - 7, 1, 1))    # kept
    pay(app, member, 300, year=year - 8, paid_on=date(year - 6, 3, 1))    # late: kept
    pay(app, member, 400, year=year, paid_on=TODAY)                       # kept

    assert "Payments past the accounting period deleted: 1" in purge(runner)
    assert [p[2] for p in payments(app)] == [200, 300, 400]
    assert member_row(app, member.id).first_name == member.first_name  # an active member


def test_the_retention_period_comes_from_the_configuration(app, db, runner, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_LEFT_MONTHS", 1)
    member = make_member(app, status="active")
    just_left = make_member(app, status="active")
    leave(app, member.id, days_ago=40)
    leave(app, just_left.id, days_ago=20)
    assert "Former members anonymised: 1" in purge(runner)
    assert member_row(app, member.id).first_name == "Anonymiserad"
    assert member_row(app, just_left.id).first_name == just_left.first_name
