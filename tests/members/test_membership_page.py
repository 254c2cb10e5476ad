"""A member's own page, through the real forms: details, dues, consents, data, leaving."""

import json
from datetime import date

from sqlalchemy import select

from foreningen.accounts.models import User
from foreningen.core import clock
from foreningen.core.audit import AuditEvent
from foreningen.core.extensions import db
from foreningen.dues.queries import rate_for
from foreningen.members import services
from foreningen.members.models import Consent, Member, MemberStatus
from tests import factories
from tests.support import submit

THIS_YEAR = clock.today().year


def make_member(app, user, *, first_name="Karin", last_name="Holm", category="ordinary",
                consents=("newsletter",), protected=False, **details):
    """An approved member linked to `user` (an account from make_user), through
    tests.factories. Returns plain values."""
    return factories.member(app, first_name=first_name, last_name=last_name, category=category,
                            account=user, why_join="Egen erfarenhet av placering.",
                            optional_consents=consents, protected=protected, **details)


def pay(app, member_id, year, amount_ore, rate_ore=None, category="ordinary"):
    """A payment on 1 March; `rate_ore` sets the year's rate unless one is set already."""
    with app.app_context():
        has_rate = rate_for(year, category) is not None
    if rate_ore is not None and not has_rate:
        factories.rate(app, rate_ore, category, year, "Årsmöte")
    factories.payment(app, member_id, amount_ore, year=year, paid_on=date(year, 3, 1))


def _get(app, member_id) -> Member:
    with app.app_context():
        member = db.session.get(Member, member_id)
        _ = (member.consents, member.history)  # load while the session is open
        return member


def _actions(app, member_id) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_type == "member", AuditEvent.subject_id == member_id)
            .order_by(AuditEvent.id)).all()


def _member_signed_in(app, login, make_user, **kwargs):
    user = make_user("member")
    member = make_member(app, user, **kwargs)
    login(user=user)
    return member


# --- access -------------------------------------------------------------------------------

def test_anonymous_is_sent_to_sign_in(client):
    for path in ("/membership/", "/membership/details", "/membership/my-data.json",
                 "/membership/my-data", "/membership/leave", "/membership/erasure"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/sign-in?next="), path


def test_a_user_without_membership_gets_the_way_to_join(client, login):
    login("coordinator")
    for path in ("/membership/", "/membership/my-data.json", "/membership/leave"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "not linked to a membership" in html
        assert 'href="/join/"' in html


def test_start_page_of_a_member_links_to_the_membership_page(client, login):
    login("member")
    assert 'href="/membership/"' in client.get("/").get_data(as_text=True)


def test_other_members_data_is_never_shown(app, client, login, make_user):
    other = make_member(app, make_user("member"), first_name="Olle", last_name="Främling",
                        phone="08-999 99 99", street_address="Hemligvägen 7")
    pay(app, other.id, THIS_YEAR, 43219, rate_ore=30000)
    me = _member_signed_in(app, login, make_user)
    for path in ("/membership/", "/membership/details", "/membership/my-data",
                 "/membership/my-data.json", "/membership/leave", "/membership/erasure"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        if "leave" not in path and "erasure" not in path:
            assert me.email in body, path
        # (The amount as it would be shown: a bare "432" could be part of a CSRF token.)
        for secret in ("Olle", "Främling", other.email, "999 99", "Hemligvägen", "432.19",
                       "432,19", "43219"):
            assert secret not in body, (path, secret)
    # No address takes a member id: there is nothing to point at another record.
    assert client.get(f"/membership/{other.id}").status_code == 404


# --- the page -----------------------------------------------------------------------------

def test_own_page_shows_details_dues_and_status(app, client, login, make_user):
    kommun = factories.municipality(app, "1281", "Lund")
    me = _member_signed_in(app, login, make_user, phone="070-123 45 67",
                           street_address="Storgatan 1", postal_code="123 45", city="Lund",
                           municipality_id=kommun)
    pay(app, me.id, THIS_YEAR, 30000, rate_ore=30000)
    html = client.get("/membership/").get_data(as_text=True)
    for expected in ("Karin Holm", me.email, "070-123 45 67", "Storgatan 1", "123 45",
                     str(me.number), "Ordinary member", "Paid up", "300.00"):
        assert expected in html, expected
    row = html.split(f'<th scope="row">{THIS_YEAR}</th>')[1].split("</tr>")[0]
    assert "Yes" in row
    history = html.split('id="history-heading"')[1].split("</section>")[0]
    assert "Applied" in history and "Active" in history


def test_unpaid_year_shows_not_paid_up(app, client, login, make_user):
    me = _member_signed_in(app, login, make_user)
    pay(app, me.id, THIS_YEAR, 10000, rate_ore=30000)
    html = client.get("/membership/").get_data(as_text=True)
    row = html.split(f'<th scope="row">{THIS_YEAR}</th>')[1].split("</tr>")[0]
    assert "100.00" in row and "300.00" in row and "No" in row


def test_a_protected_member_sees_their_own_address(app, client, login, make_user):
    _member_signed_in(app, login, make_user, protected=True, street_address="Skyddsgatan 3",
                      city="Umeå")
    html = client.get("/membership/").get_data(as_text=True)
    assert "Skyddsgatan 3" in html and "Umeå" in html
    assert "Your identity is protected" in html


# --- details ------------------------------------------------------------------------------

def test_member_corrects_their_details(app, client, login, make_user):
    me = _member_signed_in(app, login, make_user)
    form = client.get("/membership/details").get_data(as_text=True)
    assert 'value="Karin"' in form  # the current details are filled in
    done = submit(client, "/membership/details",
                  {"phone": "070-765 43 21", "city": "Malmö", "last_name": "Holm-Berg"})
    assert done.status_code == 302
    member = _get(app, me.id)
    assert (member.phone, member.city, member.last_name) == ("070-765 43 21", "Malmö",
                                                             "Holm-Berg")
    assert "member.update" in _actions(app, me.id)
    assert "Your details are saved." in client.get("/membership/").get_data(as_text=True)


def test_an_email_of_another_current_member_is_refused(app, client, login, make_user):
    other = make_member(app, make_user("member"), first_name="Olle")
    me = _member_signed_in(app, login, make_user)
    answer = submit(client, "/membership/details",
                    {"email": other.email.upper(), "city": "Kiruna",
                     "current_password": factories.PASSWORD})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Another member already uses this email address." in html
    assert 'value="Kiruna"' in html  # what was typed is kept
    member = _get(app, me.id)
    assert member.email == me.email and member.city is None


def test_bad_details_get_errors_and_keep_input(app, client, login, make_user):
    me = _member_signed_in(app, login, make_user)
    answer = submit(client, "/membership/details",
                    {"first_name": "", "postal_code": "abc", "city": "Visby"})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "This field is required." in html
    assert "A postal code has five digits" in html
    assert 'value="Visby"' in html and 'value="abc"' in html
    assert _get(app, me.id).first_name == "Karin"


# --- language and consents ----------------------------------------------------------------

def test_member_changes_language(app, client, login, make_user):
    me = _member_signed_in(app, login, make_user)
    answer = submit(client, "/membership/", {"locale": "sv"},
                    action_contains="/membership/language")
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(User, me.user.id).locale == "sv"
    assert _get(app, me.id).locale == "sv"  # the association's mail follows
    assert '<html lang="sv"' in client.get("/membership/").get_data(as_text=True)


def test_withdraw_and_give_consent_are_recorded_with_times(app, client, login, make_user):
    me = _member_signed_in(app, login, make_user, consents=("newsletter",))
    withdrawn = submit(client, "/membership/", action_contains="/consents/newsletter/withdraw")
    assert withdrawn.status_code == 302
    newsletter = [c for c in _get(app, me.id).consents if c.purpose == "newsletter"]
    assert len(newsletter) == 1 and newsletter[0].withdrawn_at is not None
    html = client.get("/membership/").get_data(as_text=True)
    assert "/consents/newsletter/give" in html
    submit(client, "/membership/", action_contains="/consents/newsletter/give")
    submit(client, "/membership/", action_contains="/consents/surveys/give")
    consents = _get(app, me.id).consents
    active = {c.purpose for c in consents if c.withdrawn_at is None}
    assert active == {"privacy_notice", "newsletter", "surveys"}
    newsletter = [c for c in consents if c.purpose == "newsletter"]
    assert len(newsletter) == 2 and newsletter[1].given_at >= newsletter[0].withdrawn_at
    actions = _actions(app, me.id)
    assert actions.count("member.consent_give") == 2
    assert actions.count("member.consent_withdraw") == 1


def test_an_unknown_consent_purpose_is_not_found(client, app, login, make_user):
    me = _member_signed_in(app, login, make_user)
    from tests.support import csrf_token

    token = csrf_token(client, "/membership/")
    assert client.post("/membership/consents/marketing/give",
                       data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Consent).where(
            Consent.member_id == me.id, Consent.purpose == "marketing")) is None


# --- the member's data --------------------------------------------------------------------

def test_json_download_holds_everything_and_who_looked(app, client, login, make_user):
    board = make_user("board", email="styrelsen@example.org")
    me = _member_signed_in(app, login, make_user, phone="070-123 45 67")
    pay(app, me.id, THIS_YEAR, 30000, rate_ore=30000)
    with app.test_request_context(method="POST"):
        services.record_view(db.session.get(Member, me.id), db.session.get(User, board.id))
        db.session.commit()
    response = client.get("/membership/my-data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"{me.number}.json" in disposition
    text = response.get_data(as_text=True)
    assert board.email not in text  # other people by role only
    data = json.loads(text)
    assert data["member"]["email"] == me.email
    assert data["member"]["phone"] == "070-123 45 67"
    assert data["member"]["number"] == me.number
    assert [h["to_status"] for h in data["status_history"]] == ["applied", "active"]
    assert {c["purpose"] for c in data["consents"]} == {"privacy_notice", "newsletter"}
    assert data["payments"][0]["amount_ore"] == 30000
    assert data["dues"][0] == {"year": THIS_YEAR, "rate_ore": 30000, "paid_ore": 30000,
                               "paid_up": True}
    events = {e["action"]: e for e in data["audit_events"]}
    assert events["member.view"]["actor_role"] == "board"
    assert events["member.view"]["by_you"] is False
    assert {"member.apply", "member.approve", "member.export"} <= set(events)
    assert events["member.export"]["by_you"] is True


def test_html_download_is_readable_and_audited(app, client, login, make_user):
    board = make_user("board", email="styrelsen@example.org")
    me = _member_signed_in(app, login, make_user)
    with app.test_request_context(method="POST"):
        services.reveal_contact(db.session.get(Member, me.id), db.session.get(User, board.id))
        db.session.commit()
    page = client.get("/membership/my-data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for expected in ("Everything we hold about you", "Karin", me.email, str(me.number),
                     "Your protected address was looked at", "Board", "Newsletter"):
        assert expected in html, expected
    assert board.email not in html
    download = client.get("/membership/my-data?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert ".html" in download.headers["Content-Disposition"]
    exports = [a for a in _actions(app, me.id) if a == "member.export"]
    assert len(exports) == 2


# --- leaving and erasure ------------------------------------------------------------------

def test_leaving_needs_a_confirmation(app, client, login, make_user):
    me = _member_signed_in(app, login, make_user)
    page = client.get("/membership/leave")
    assert "Yes, I want to leave" in page.get_data(as_text=True)
    assert _get(app, me.id).status == MemberStatus.ACTIVE  # showing changes nothing
    done = submit(client, "/membership/leave")
    assert done.status_code == 302
    member = _get(app, me.id)
    assert member.status == MemberStatus.LEFT
    assert member.left_on == clock.today() and member.leave_requested_at is not None
    html = client.get("/membership/").get_data(as_text=True)
    assert "You have left the association." in html
    history = html.split('id="history-heading"')[1].split("</section>")[0]
    assert "Left" in history
    assert "member.status_left" in _actions(app, me.id)
    # Nothing left to leave: the page says so instead of offering the button.
    assert "Yes, I want to leave" not in client.get("/membership/leave").get_data(as_text=True)


def test_erasure_request_is_recorded(app, client, login, make_user):
    me = _member_signed_in(app, login, make_user)
    page = client.get("/membership/erasure").get_data(as_text=True)
    assert "within one month" in page
    assert _get(app, me.id).erasure_requested_at is None
    assert submit(client, "/membership/erasure").status_code == 302
    member = _get(app, me.id)
    assert member.erasure_requested_at is not None
    assert member.status == MemberStatus.ACTIVE  # the board carries it out
    assert "member.erasure_request" in _actions(app, me.id)
    html = client.get("/membership/").get_data(as_text=True)
    assert "You asked us to erase your data" in html
    assert "within one month" in html
