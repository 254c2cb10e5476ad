"""The association's details and privacy notice: kept by the board, shown where members pay,
on every public page, and consented to by version."""

from __future__ import annotations

from sqlalchemy import select

from foreningen.association.models import AssociationSettings, PrivacyNotice
from foreningen.core.audit import AuditEvent
from foreningen.core.extensions import db as _db
from foreningen.members.models import Consent, Member
from tests.dues import make_member, set_rate
from tests.support import submit

GOOD = {"name": "Föräldrar emellan", "organisation_number": "8029999904",
        "bankgiro": "50501055", "plusgiro": "", "swish": "1234567890",
        "contact_email": "kontakt@example.org", "contact_phone": "08-123 456 78",
        "postal_address": "Box 123\n111 22 Stockholm"}


def save(client, **changes):
    return submit(client, "/association/", {**GOOD, **changes})


def test_the_board_keeps_the_details_in_a_standard_format(app, client, login):
    board = login("board")
    assert save(client).status_code == 302
    with app.app_context():
        settings = _db.session.get(AssociationSettings, 1)
        assert (settings.organisation_number, settings.bankgiro, settings.swish) == (
            "802999-9904", "5050-1055", "123 456 78 90")
        event = _db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "association.settings_update"))
    assert event.actor_id == board.id and "bankgiro" in event.detail


def test_wrong_numbers_are_refused_next_to_their_field_and_nothing_is_lost(app, client, login):
    login("board")
    response = save(client, organisation_number="802999-9905", bankgiro="5050-1056",
                    swish="0701234567", contact_email="kontakt@")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Enter the organisation number as on the registration",
                    "A bankgiro number has seven or eight digits",
                    "A Swish number for organisations has ten digits and starts with 123",
                    "Enter a valid email address."):
        assert message in html
    assert 'value="5050-1056"' in html and 'value="Föräldrar emellan"' in html
    with app.app_context():
        assert _db.session.get(AssociationSettings, 1) is None


def test_members_see_how_to_pay_with_their_reference(app, client, login):
    login("board")
    save(client)
    client.post("/auth/sign-out", data={"csrf_token": _token(client)})
    user = login("member")
    member = make_member(app, email=user.email)
    with app.app_context():
        _db.session.get(Member, member.id).user_id = user.id
        _db.session.commit()
    page = client.get("/membership/").get_data(as_text=True)
    assert "5050-1055" in page and "123 456 78 90" in page and member.reference in page


def test_every_public_page_shows_how_to_reach_the_association(app, client, login):
    login("board")
    save(client)
    client.post("/auth/sign-out", data={"csrf_token": _token(client)})
    for url in ("/", "/join/", "/auth/sign-in", "/privacy"):
        html = client.get(url).get_data(as_text=True)
        assert "kontakt@example.org" in html and "08-123 456 78" in html, url
    welcome = client.get("/").get_data(as_text=True)
    assert "Do you need a support person?" in welcome and "Box 123" in welcome


def test_dues_reminders_say_where_to_pay(app, client, login, runner, inbox):
    login("board")
    save(client)
    set_rate(app, 25000)
    member = make_member(app)
    assert runner.invoke(args=["dues", "remind"]).exit_code == 0
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    body = inbox.body(inbox.to(member.email)[-1])
    assert "Bankgiro: 5050-1055" in body and "Swish: 123 456 78 90" in body


def test_a_new_privacy_notice_is_what_applicants_consent_to(app, client, login):
    login("board")
    published = submit(client, "/association/privacy-notice",
                       {"version": "2027-01", "body_sv": "Ny text.\n\nAndra stycket.",
                        "body_en": "New text.", "body_ar": ""})
    assert published.status_code == 302
    again = submit(client, "/association/privacy-notice",
                   {"version": "2027-01", "body_sv": "Något annat."})
    assert "already published" in again.get_data(as_text=True)
    client.post("/auth/sign-out", data={"csrf_token": _token(client)})

    assert "Version 2027-01" in client.get("/join/").get_data(as_text=True)
    submit(client, "/join/", {"first_name": "Ny", "last_name": "Sökande",
                              "email": "ny.sokande@example.org", "category": "supporting",
                              "privacy_notice": "y"})
    with app.app_context():
        consent = _db.session.scalar(select(Consent).join(Member).where(
            Member.email == "ny.sokande@example.org", Consent.purpose == "privacy_notice"))
        assert consent.version == "2027-01"
        assert _db.session.scalar(select(PrivacyNotice.body_ar)) is None

    english = client.get("/privacy").get_data(as_text=True)
    assert "New text." in english
    arabic = client.get("/privacy", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "Ny text." in arabic and "Andra stycket." in arabic  # Swedish where none is given


def test_earlier_versions_stay_readable(app, client, login):
    login("board")
    for version, text in (("2027-01", "Första."), ("2027-06", "Andra.")):
        submit(client, "/association/privacy-notice", {"version": version, "body_sv": text})
    page = client.get("/privacy/2027-01", headers={"Accept-Language": "sv"})
    assert "Första." in page.get_data(as_text=True)
    assert client.get("/privacy/1999-01").status_code == 404
    assert "Andra." in client.get("/privacy", headers={"Accept-Language": "sv"}).get_data(
        as_text=True)


def _token(client):
    from tests.support import csrf_token

    return csrf_token(client, "/account/")


