"""The board corrects a member's details and adds someone who joined on paper: audited, the
consent recorded as given on paper and by whom, an organisation with its own name."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from foreningen.accounts.models import User
from foreningen.core import clock
from foreningen.core.audit import AuditEvent
from foreningen.core.extensions import db as _db
from foreningen.members.models import Consent, Member, MemberStatus
from tests.dues import make_member
from tests.support import submit


def test_the_board_corrects_name_email_category_and_municipality(app, client, login):
    board = login("board", locale="en")
    member = make_member(app, first_name="Karn", email="karn@example.org")
    response = submit(client, f"/members/{member.id}/edit", {
        "first_name": "Karin", "email": "karin@example.org", "category": "supporting"})
    assert response.status_code == 302
    with app.app_context():
        row = _db.session.get(Member, member.id)
        assert (row.first_name, row.email, row.category) == ("Karin", "karin@example.org",
                                                             "supporting")
        event = _db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "member.update", AuditEvent.subject_id == member.id))
    assert event.actor_id == board.id
    assert set(event.detail.split()) == {"first_name", "email", "category"}
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "Karin" in page and "Supporting member" in page


def test_a_correction_keeps_what_was_typed_when_the_address_is_taken(app, client, login):
    login("board", locale="en")
    make_member(app, email="taken@example.org")
    member = make_member(app, email="mine@example.org")
    response = submit(client, f"/members/{member.id}/edit", {
        "email": "taken@example.org", "first_name": "Nytt namn"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Another member already uses this email address." in html
    assert 'value="Nytt namn"' in html
    with app.app_context():
        assert _db.session.get(Member, member.id).email == "mine@example.org"


def test_the_board_does_not_change_the_members_sign_in_address(app, client, login, make_user):
    account = make_user("member", email="own@example.org")
    member = make_member(app, email="own@example.org")
    with app.app_context():
        _db.session.get(Member, member.id).user_id = account.id
        _db.session.commit()
    login("board", locale="en")
    submit(client, f"/members/{member.id}/edit", {"email": "someone.else@example.org"})
    with app.app_context():
        assert _db.session.get(User, account.id).email == "own@example.org"


def test_an_organisation_needs_its_name_and_is_listed_by_it(app, client, login):
    login("board", locale="en")
    member = make_member(app, first_name="Kontakt", last_name="Person")
    refused = submit(client, f"/members/{member.id}/edit", {"category": "organisation"})
    assert "Give the name of the organisation." in refused.get_data(as_text=True)
    submit(client, f"/members/{member.id}/edit",
           {"category": "organisation", "organisation_name": "Stödföreningen Väst"})
    register = client.get("/members/?q=väst").get_data(as_text=True)
    assert "Stödföreningen Väst (Kontakt Person)" in register


def test_a_member_who_joined_on_paper(app, client, login, inbox, runner):
    board = login("board", locale="en")
    signed = clock.today() - timedelta(days=3)
    response = submit(client, "/members/new", {
        "category": "ordinary", "first_name": "Pappers", "last_name": "Medlem",
        "email": "pappers.medlem@example.org", "joined_on": signed.isoformat(),
        "consent_on_paper": "y", "consent_date": signed.isoformat(), "invite": "y",
        "locale": "sv"})
    assert response.status_code == 302
    with app.app_context():
        member = _db.session.scalar(select(Member).where(
            Member.email == "pappers.medlem@example.org"))
        assert member.status == MemberStatus.ACTIVE and member.joined_on == signed
        consent = _db.session.scalar(select(Consent).where(Consent.member_id == member.id))
        assert (consent.purpose, consent.method, consent.recorded_by) == (
            "privacy_notice", "paper", board.id)
        assert member.user_id is not None
        assert _db.session.scalar(select(AuditEvent.actor_id).where(
            AuditEvent.action == "member.add_on_paper")) == board.id
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert inbox.to("pappers.medlem@example.org")  # the invitation to choose a password


def test_no_paper_member_without_the_consent_of_the_form(app, client, login):
    login("board", locale="en")
    response = submit(client, "/members/new", {
        "category": "supporting", "first_name": "Utan", "last_name": "Samtycke",
        "email": "utan@example.org", "consent_on_paper": []})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A member is added only with the consent from the paper form." in html
    assert 'value="Utan"' in html
    with app.app_context():
        assert _db.session.scalar(select(Member).where(Member.email == "utan@example.org")) \
            is None


def test_coordinators_may_read_but_not_correct(app, client, login):
    login("coordinator", locale="en")
    member = make_member(app)
    assert client.get(f"/members/{member.id}/edit").status_code == 403
    assert "Correct the details" not in client.get(f"/members/{member.id}").get_data(
        as_text=True)


def test_an_organisation_applying_gives_its_name(client):
    refused = submit(client, "/join/", {
        "category": "organisation", "first_name": "Kontakt", "last_name": "Person",
        "email": "org@example.org", "privacy_notice": "y"})
    assert "Give the name of the organisation." in refused.get_data(as_text=True)
