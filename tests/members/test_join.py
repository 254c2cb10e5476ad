"""The public application and its email confirmation, through the real forms and mail."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from foreningen.core import outbox
from foreningen.core.audit import AuditEvent
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from foreningen.members import services
from foreningen.members.models import Member, MemberStatus
from foreningen.municipalities import services as municipalities
from tests import factories
from tests.support import submit

ORDINARY = {
    "category": "ordinary", "first_name": "Karin", "last_name": "Holm",
    "email": "karin.holm@example.org", "phone": "070-123 45 67",
    "street_address": "Storgatan 1", "postal_code": "123 45", "city": "Lund",
    "why_join": "Min son är placerad sedan två år.", "privacy_notice": "y",
    "optional_consents": ["newsletter"],
}


def _send(app):
    with app.app_context():
        sent = outbox.send_pending()
        db.session.commit()
        return sent


def _member(app, email):
    with app.app_context():
        return db.session.scalar(select(Member).where(Member.email == email))


def _members(app):
    with app.app_context():
        return db.session.scalars(select(Member)).all()


def _main(html: str) -> str:
    return html.split("<main")[1].split("</main>")[0]


def test_apply_as_ordinary_member(app, client, inbox):
    kommun = factories.municipality(app, "1281", "Lund")
    answer = submit(client, "/join/", {**ORDINARY, "municipality_id": str(kommun)})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/join/submitted"
    page = client.get("/join/submitted").get_data(as_text=True)
    assert "Check your email" in page
    member = _member(app, ORDINARY["email"])
    assert member.status == MemberStatus.APPLIED
    assert member.category == "ordinary"
    assert member.why_join == ORDINARY["why_join"]
    assert (member.phone, member.postal_code, member.city) == ("070-123 45 67", "123 45", "Lund")
    assert member.municipality_id == kommun
    assert member.locale == "en"  # the language the applicant used
    assert member.email_confirmed_at is None
    with app.app_context():
        member = db.session.get(Member, member.id)
        consents = {c.purpose: c.version for c in member.consents}
    version = app.config["PRIVACY_NOTICE_VERSION"]
    assert consents == {"privacy_notice": version, "newsletter": version}
    assert _send(app) == (1, 0)
    assert "/join/confirm/" in inbox.link(ORDINARY["email"])


def test_apply_as_supporting_member_without_a_reason(app, client, inbox):
    data = {**ORDINARY, "category": "supporting", "why_join": "", "email": "stod@example.org",
            "optional_consents": []}
    assert submit(client, "/join/", data).status_code == 302
    member = _member(app, "stod@example.org")
    assert member.category == "supporting"
    assert member.why_join is None
    with app.app_context():
        purposes = [c.purpose for c in db.session.get(Member, member.id).consents]
    assert purposes == ["privacy_notice"]


def test_application_form_is_labelled_and_lists_active_municipalities_only(app, client):
    factories.municipality(app, "1281", "Lund")
    with app.app_context():
        municipalities.create("0999", "Nedlagda", active=False)
        db.session.commit()
    html = client.get("/join/").get_data(as_text=True)
    assert "Lund" in html
    assert "Nedlagda" not in html
    for name in ("first_name", "last_name", "email", "phone", "postal_code", "why_join"):
        assert f'for="{name}"' in html
    assert app.config["PRIVACY_NOTICE_VERSION"] in html


def test_bad_input_gets_clear_errors_and_keeps_what_was_typed(app, client, inbox):
    data = {**ORDINARY, "last_name": "", "email": "inte-en-adress", "postal_code": "12",
            "why_join": "", "privacy_notice": []}
    answer = submit(client, "/join/", data)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Please correct the following" in html
    assert "This field is required." in html
    assert "Enter a valid email address." in html
    assert "A postal code has five digits" in html
    assert "Tell us briefly why you want to become an ordinary member." in html
    assert "You need to agree to the privacy notice" in html
    # What the person typed is still there.
    assert 'value="Karin"' in html
    assert 'value="inte-en-adress"' in html
    assert 'value="070-123 45 67"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="newsletter"|value="newsletter"[^>]*checked',
                     html)
    assert _members(app) == []
    _send(app)
    assert inbox.messages == []


def test_a_missing_category_is_explained(app, client):
    data = {**ORDINARY, "category": []}
    html = submit(client, "/join/", data).get_data(as_text=True)
    assert "Choose a kind of membership." in html
    assert 'value="Karin"' in html
    assert _members(app) == []


def test_an_unknown_municipality_is_refused_not_a_500(app, client):
    answer = submit(client, "/join/", {**ORDINARY, "municipality_id": "999999"})
    assert answer.status_code == 200
    assert "Choose a municipality from the list." in answer.get_data(as_text=True)
    answer = submit(client, "/join/", {**ORDINARY, "municipality_id": "abc"})
    assert answer.status_code == 200


def test_control_characters_and_overlong_text_are_refused_not_a_500(app, client):
    answer = submit(client, "/join/", {**ORDINARY, "first_name": "Ka\x00rin",
                                       "why_join": "x" * 2001})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Remove the invisible control characters" in html
    assert "2000" in html  # the length limit is named
    assert _members(app) == []


def test_same_answer_when_the_address_is_already_a_member(app, client, inbox):
    first = submit(client, "/join/", ORDINARY, follow_redirects=True)
    again = submit(client, "/join/", {**ORDINARY, "first_name": "Någon"},
                   follow_redirects=True)
    assert first.status_code == again.status_code == 200
    assert _main(first.get_data(as_text=True)) == _main(again.get_data(as_text=True))
    assert len(_members(app)) == 1
    assert _member(app, ORDINARY["email"]).first_name == "Karin"  # nothing overwritten
    _send(app)
    mails = inbox.to(ORDINARY["email"])
    assert len(mails) == 2
    assert "already belongs to a member" in inbox.body(mails[-1])
    assert "/join/confirm/" not in inbox.body(mails[-1])


def _applied_link(app, client, inbox, data=ORDINARY) -> str:
    submit(client, "/join/", data)
    _send(app)
    return inbox.link(data["email"]).removeprefix("http://localhost")


def test_confirmation_link_shows_a_button_and_confirms_on_post(app, client, inbox):
    path = _applied_link(app, client, inbox)
    page = client.get(path)  # what a mail scanner does
    assert page.status_code == 200
    assert "Confirm my email address" in page.get_data(as_text=True)
    assert _member(app, ORDINARY["email"]).email_confirmed_at is None
    done = submit(client, path)
    assert done.status_code == 302
    assert done.headers["Location"] == "/join/confirmed"
    assert "is confirmed" in client.get("/join/confirmed").get_data(as_text=True)
    member = _member(app, ORDINARY["email"])
    assert member.email_confirmed_at is not None
    assert member.status == MemberStatus.APPLIED  # the board decides
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_type == "member", AuditEvent.subject_id == member.id)).all()
    assert "member.email_confirm" in actions
    # Second use: the link is spent.
    again = client.get(path)
    assert again.status_code == 410
    assert "Apply again" in again.get_data(as_text=True)


def test_a_link_used_between_showing_and_pressing_is_refused(app, client, inbox):
    path = _applied_link(app, client, inbox)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(path).get_data(as_text=True)
    assert submit(other, path).status_code == 302
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post(path, data={"csrf_token": token}).status_code == 410


def test_expired_or_unknown_link_is_gone(app, client, inbox):
    path = _applied_link(app, client, inbox)
    with app.app_context():
        db.session.execute(update(Member).values(
            applied_at=utcnow() - timedelta(hours=services.CONFIRM_HOURS + 1)))
        db.session.commit()
    assert client.get(path).status_code == 410
    assert client.get("/join/confirm/not-a-real-token").status_code == 410
    assert _member(app, ORDINARY["email"]).email_confirmed_at is None


def test_applying_again_after_the_link_expired_sends_a_new_link(app, client, inbox):
    old_path = _applied_link(app, client, inbox)
    with app.app_context():
        db.session.execute(update(Member).values(
            applied_at=utcnow() - timedelta(hours=services.CONFIRM_HOURS + 1)))
        db.session.commit()
    new_path = _applied_link(app, client, inbox, {**ORDINARY, "city": "Ystad"})
    assert new_path != old_path
    assert "already belongs" not in inbox.body(inbox.to(ORDINARY["email"])[-1])
    assert client.get(old_path).status_code == 410
    assert submit(client, new_path).status_code == 302
    members = _members(app)
    assert len(members) == 1
    assert members[0].city == "Ystad" and members[0].email_confirmed_at is not None
    with app.app_context():
        member = db.session.get(Member, members[0].id)
        assert [h.to_status for h in member.history] == ["applied"]
        active = [c.purpose for c in member.consents if c.withdrawn_at is None]
    assert sorted(active) == ["newsletter", "privacy_notice"]


def test_confirm_post_without_csrf_changes_nothing(app, client, inbox):
    path = _applied_link(app, client, inbox)
    assert client.post(path).status_code == 400
    assert _member(app, ORDINARY["email"]).email_confirmed_at is None


def test_rejoining_after_leaving_reuses_the_record(app, client, inbox, make_user):
    user = make_user("member", email=ORDINARY["email"])
    path = _applied_link(app, client, inbox)
    submit(client, path)
    member = _member(app, ORDINARY["email"])
    with app.test_request_context(method="POST"):
        services.approve(db.session.get(Member, member.id), None)
        db.session.commit()
    # The member leaves from their own page, then applies again.
    signed_in = app.test_client()
    signed_in.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit(signed_in, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert submit(signed_in, "/membership/leave").status_code == 302
    assert _member(app, ORDINARY["email"]).status == MemberStatus.LEFT
    assert submit(client, "/join/", {**ORDINARY, "first_name": "Karin-Maria"}).status_code == 302
    members = _members(app)
    assert len(members) == 1
    again = members[0]
    assert (again.id, again.number) == (member.id, member.number)
    assert again.status == MemberStatus.APPLIED
    assert again.first_name == "Karin-Maria"
    with app.app_context():
        history = [h.to_status for h in db.session.get(Member, again.id).history]
    assert history == ["applied", "active", "left", "applied"]


def test_the_application_post_is_rate_limited(app, client):
    for _ in range(10):
        assert submit(client, "/join/", {"first_name": ""}).status_code == 200
    assert submit(client, "/join/", {"first_name": ""}).status_code == 429
    assert client.get("/join/").status_code == 200  # reading the form is not limited


def test_welcome_page_links_to_the_application(client):
    assert 'href="/join/"' in client.get("/").get_data(as_text=True)
