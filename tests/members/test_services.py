"""The member register's rules, through the services and a real database."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from stdnum import luhn

from foreningen.core.audit import AuditEvent
from foreningen.members import services
from foreningen.members.models import Member, MemberStatus
from tests import factories


def _apply(app, email="karin@example.org", category="ordinary", **extra):
    """An application through tests.factories (submit_application); None when refused."""
    made = factories.application(
        app, first_name="Karin", last_name="Holm", email=email, category=category,
        locale="sv", why_join="Jag har själv varit med om en placering.", **extra)
    return made.id if made else None


def test_payment_reference_is_the_number_with_a_luhn_digit():
    reference = services.reference_for(1001)
    assert reference.startswith("1001")
    assert luhn.is_valid(reference)


def test_application_gets_number_reference_history_and_consent(app, db):
    member_id = _apply(app, optional_consents=["newsletter", "not-a-purpose"])
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert member.status == MemberStatus.APPLIED
        assert member.number >= services.FIRST_NUMBER
        assert luhn.is_valid(member.payment_reference)
        assert [h.to_status for h in member.history] == ["applied"]
        assert sorted(c.purpose for c in member.consents) == ["newsletter", "privacy_notice"]
        assert member.privacy_notice_version == app.config["PRIVACY_NOTICE_VERSION"]


def test_why_join_only_kept_for_ordinary_members(app, db):
    member_id = _apply(app, category="supporting")
    with app.app_context():
        assert db.session.get(Member, member_id).why_join is None


def test_duplicate_application_reveals_nothing_and_creates_nothing(app, db):
    _apply(app)
    assert _apply(app) is None
    with app.app_context():
        assert len(db.session.scalars(select(Member)).all()) == 1


def test_database_refuses_two_current_members_with_one_email(app, db):
    _apply(app)
    with app.app_context():
        db.session.add(Member(number=5000, payment_reference=services.reference_for(5000),
                              first_name="A", last_name="B", email="karin@example.org",
                              category="ordinary", status="active", privacy_notice_version="x"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_approve_requires_confirmed_email_then_creates_member_account(app, db):
    member_id = _apply(app)
    with app.test_request_context(method="POST"):
        member = db.session.get(Member, member_id)
        with pytest.raises(services.MemberError, match="not_confirmed"):
            services.approve(member, None)
        db.session.rollback()
        member = db.session.get(Member, member_id)
        member.email_confirmed_at = services.utcnow()
        services.approve(member, None)
        db.session.commit()
        member = db.session.get(Member, member_id)
        assert member.status == MemberStatus.ACTIVE
        assert member.joined_on is not None
        from foreningen.accounts.models import User

        user = db.session.get(User, member.user_id)
        assert user.role_names == {"member"}
        assert user.password_hash is None  # they choose it through the invitation


def test_status_lifecycle_and_illegal_transition(app, db):
    member_id = _apply(app)
    with app.test_request_context(method="POST"):
        member = db.session.get(Member, member_id)
        member.email_confirmed_at = services.utcnow()
        services.approve(member, None)
        services.change_status(member, "lapsed", "not paid up", None)
        services.change_status(member, "left", "moved abroad", None)
        with pytest.raises(services.MemberError):
            services.change_status(member, "lapsed", None, None)
        db.session.commit()
        member = db.session.get(Member, member_id)
        assert [h.to_status for h in member.history] == ["applied", "active", "lapsed", "left"]
        assert member.history[-1].reason == "moved abroad"
        assert member.left_on is not None


def test_rejoining_reuses_the_record(app, db):
    member_id = _apply(app)
    with app.test_request_context(method="POST"):
        member = db.session.get(Member, member_id)
        member.email_confirmed_at = services.utcnow()
        services.approve(member, None)
        services.change_status(member, "left", None, None)
        db.session.commit()
    again = _apply(app)
    assert again == member_id
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert member.status == MemberStatus.APPLIED
        assert member.left_on is None


def test_anonymise_keeps_the_row_but_not_the_person(app, db):
    member_id = _apply(app, phone="070-123 45 67", street_address="Storgatan 1")
    with app.test_request_context(method="POST"):
        member = db.session.get(Member, member_id)
        services.anonymise(member)
        db.session.commit()
        member = db.session.get(Member, member_id)
        assert "Karin" not in member.name and "Holm" not in member.name
        assert "karin" not in member.email
        assert member.phone is None and member.street_address is None
        assert member.why_join is None
        assert member.consents == []
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_type == "member", AuditEvent.subject_id == member_id)).all()
        assert "member.anonymise" in actions


def test_contact_details_are_encrypted_at_rest(app, db):
    member_id = _apply(app, phone="070-123 45 67", street_address="Storgatan 1", city="Lund")
    from sqlalchemy import text

    with app.app_context():
        row = db.session.execute(text("SELECT phone, street_address, city, why_join FROM member "
                                      "WHERE id = :id"), {"id": member_id}).one()
    assert "070" not in row.phone and "Storgatan" not in row.street_address
    assert "Lund" not in row.city and "placering" not in row.why_join


def test_a_new_address_follows_to_the_sign_in_account(app, db):
    member_id = _apply(app)
    with app.test_request_context(method="POST"):
        member = db.session.get(Member, member_id)
        member.email_confirmed_at = services.utcnow()
        services.approve(member, None)
        services.update_details(member, {"email": "Karin.Ny@Example.org"}, None)
        db.session.commit()
        from foreningen.accounts.models import User

        member = db.session.get(Member, member_id)
        assert member.email == "karin.ny@example.org"
        assert db.session.get(User, member.user_id).email == "karin.ny@example.org"


def test_leaving_withdraws_optional_consents(app, db):
    member_id = _apply(app, optional_consents=["newsletter"])
    with app.test_request_context(method="POST"):
        member = db.session.get(Member, member_id)
        member.email_confirmed_at = services.utcnow()
        services.approve(member, None)
        services.request_leave(member, None)
        db.session.commit()
        member = db.session.get(Member, member_id)
        newsletter = [c for c in member.consents if c.purpose == "newsletter"]
        assert newsletter and all(c.withdrawn_at for c in newsletter)
        privacy = [c for c in member.consents if c.purpose == "privacy_notice"]
        assert privacy[0].withdrawn_at is None


def test_approval_refused_while_the_account_is_disabled(app, db, client, login):
    from foreningen.accounts import services as accounts
    from tests.support import submit

    member_id = _apply(app, email="avstangd@example.org")
    with app.test_request_context(method="POST"):
        user = accounts.create_user("avstangd@example.org", "Avstängd", ["parent"])
        user.disabled_at = services.utcnow()
        db.session.get(Member, member_id).email_confirmed_at = services.utcnow()
        db.session.commit()
    login("board", locale="en")
    page = submit(client, "/members/applications", action_contains=f"/{member_id}/approve",
                  follow_redirects=True).get_data(as_text=True)
    assert "has a disabled account in the portal" in page
    with app.app_context():
        assert db.session.get(Member, member_id).status == MemberStatus.APPLIED
