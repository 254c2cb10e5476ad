import re
from datetime import timedelta

import pyotp
from sqlalchemy import select, update

from foreningen.accounts.models import User, UserSession
from foreningen.core import outbox
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from tests.support import csrf_token, submit


def _cookie(client):
    return client.get_cookie("foreningen_session").value


def test_new_session_cookie_at_sign_in(client, make_user):
    user = make_user("member")
    client.get("/auth/sign-in")
    before = _cookie(client)
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert _cookie(client) != before


def test_session_revoked_server_side_at_sign_out(app, client, make_user):
    user = make_user("member")
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    stolen = _cookie(client)
    submit(client, "/", action_contains="/auth/sign-out")

    # Someone who kept a copy of the cookie gets nothing.
    other = app.test_client()
    other.set_cookie("foreningen_session", stolen)
    assert other.get("/account/").status_code == 302
    with app.app_context():
        revoked = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
        assert [s.revoked_reason for s in revoked] == ["sign_out"]


def test_password_change_signs_out_other_devices(app, client, make_user):
    user = make_user("member")
    laptop = app.test_client()
    submit(laptop, "/auth/sign-in", {"email": user.email, "password": user.password})
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    new_password = "ny-vinterjacka-paraply"
    response = submit(client, "/account/password", {
        "current": user.password, "password": new_password, "confirm": new_password})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200, "this device stays signed in"
    assert laptop.get("/account/").status_code == 302, "the other device is signed out"


def test_password_change_refuses_wrong_current_and_weak_new(client, login):
    user = login("member")
    wrong = submit(client, "/account/password", {
        "current": "not-my-password", "password": "ny-vinterjacka-paraply",
        "confirm": "ny-vinterjacka-paraply"})
    assert "The password is not right." in wrong.get_data(as_text=True)
    weak = submit(client, "/account/password", {
        "current": user.password, "password": "password123", "confirm": "password123"})
    assert "too common" in weak.get_data(as_text=True)


def test_staff_idle_timeout(app, client, make_user):
    user = make_user("coordinator")
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert client.get("/account/").status_code == 200
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                           .values(last_seen_at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    assert client.get("/account/").status_code == 302


def test_member_is_not_timed_out_after_sixteen_minutes(app, client, make_user):
    user = make_user("member")
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                           .values(last_seen_at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    assert client.get("/account/").status_code == 200


def test_end_other_sessions(app, client, make_user):
    user = make_user("member")
    phone = app.test_client()
    submit(phone, "/auth/sign-in", {"email": user.email, "password": user.password})
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    response = submit(client, "/account/", action_contains="end-others", follow_redirects=True)
    assert "Signed out on 1 other device." in response.get_data(as_text=True)
    assert phone.get("/account/").status_code == 302
    assert client.get("/account/").status_code == 200


def test_voluntary_totp_enrolment_and_recovery_codes(app, client, login):
    login("member")
    page = submit(client, "/auth/two-factor/setup", {"action": "begin"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "data:image/svg+xml" in html
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    wrong = submit(client, "/auth/two-factor/setup", {"code": "123456"})
    assert "That code did not work" in wrong.get_data(as_text=True)
    done = submit(client, "/auth/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    account = client.get("/account/").get_data(as_text=True)
    assert "10 unused recovery codes left." in account


def _send(app):
    with app.app_context():
        outbox.send_pending()
        db.session.commit()


def _enrol_link(inbox) -> str:
    mail = next(m for m in inbox.messages if m["Subject"] == "Set up your second factor")
    return re.search(r"http://localhost(/auth/two-factor/enrol/\S+)",
                     mail.get_content()).group(1)


def test_forced_enrolment_for_staff_needs_the_link_sent_by_mail(app, client, make_user, inbox,
                                                                 monkeypatch):
    """Probe finding 11: a staff account without a second factor could be enrolled by
    whoever had the password. Now the password leads to a mailed link, and only the link
    (with the password once more) leads to the set-up."""
    monkeypatch.setitem(app.config, "REQUIRE_STAFF_2FA", True)
    user = make_user("reviewer", locale="en")
    answer = submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert answer.status_code == 200
    assert "we have sent a link to your email address" in answer.get_data(as_text=True)
    # The password alone reaches neither the set-up nor the account.
    assert client.get("/auth/two-factor/setup").headers["Location"] == "/auth/sign-in"
    begin = client.post("/auth/two-factor/setup", data={
        "action": "begin", "csrf_token": csrf_token(client, "/auth/sign-in")})
    assert begin.headers["Location"] == "/auth/sign-in"
    with app.app_context():
        assert db.session.get(User, user.id).totp_secret is None
    assert client.get("/account/").status_code == 302, "not signed in before enrolling"
    _send(app)
    link = _enrol_link(inbox)
    assert "someone knows your password" in inbox.messages[-1].get_content()
    # The link asks for the password again (it may be opened on another device).
    phone = app.test_client()
    phone.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    wrong = submit(phone, link, {"password": "inte-mitt-losenord"})
    assert "The password is wrong." in wrong.get_data(as_text=True)
    assert submit(phone, link, {"password": user.password}).headers["Location"] == (
        "/auth/two-factor/setup")
    page = submit(phone, "/auth/two-factor/setup", {"action": "begin"}, follow_redirects=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.get_data(as_text=True)).group(1)
    assert "That code did not work" in submit(
        phone, "/auth/two-factor/setup", {"code": "000000"}).get_data(as_text=True)
    done = submit(phone, "/auth/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "Your recovery codes" in done.get_data(as_text=True)
    assert phone.get("/account/").status_code == 200
    # Staff cannot turn it off while it is required.
    assert "Turn off the second factor" not in phone.get("/account/").get_data(as_text=True)
    # The link worked once.
    assert app.test_client().get(link).status_code == 410


def test_an_enrolment_link_without_the_password_enrols_nothing(app, client, make_user, inbox,
                                                              monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_STAFF_2FA", True)
    user = make_user("board", locale="en")
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    _send(app)
    reader = app.test_client()  # someone who reads the mailbox but has no password
    assert reader.get(_enrol_link(inbox)).status_code == 200
    assert reader.get("/auth/two-factor/setup").headers["Location"] == "/auth/sign-in"
    # A newer sign-in sends a new link and the old one stops working.
    old = _enrol_link(inbox)
    inbox.clear()
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    _send(app)
    assert reader.get(old).status_code == 410
    assert reader.get(_enrol_link(inbox)).status_code == 200


def test_member_can_turn_totp_off_with_password(client, login, make_user):
    user = make_user("member", totp=True)
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    submit(client, "/auth/two-factor", {"code": pyotp.TOTP(user.totp_secret).now()})
    response = submit(client, "/account/", {"password": user.password},
                      action_contains="recovery-codes")
    assert response.status_code == 200
    assert "Your recovery codes" in response.get_data(as_text=True)
    off = client.post("/account/two-factor/disable", data={
        "csrf_token": csrf_token(client, "/account/"),
        "password": user.password}, follow_redirects=True)
    assert "The second factor is turned off." in off.get_data(as_text=True)
