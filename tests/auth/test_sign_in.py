import pyotp
from sqlalchemy import select

from foreningen.core.audit import AuditEvent
from foreningen.core.extensions import db
from tests.support import csrf_token, submit


def _events(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_sign_in_and_out_through_the_forms(app, client, make_user):
    user = make_user("member")
    response = submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Test Person" in client.get("/").get_data(as_text=True)
    assert [e.actor_id for e in _events(app, "auth.sign_in")] == [user.id]

    response = submit(client, "/", action_contains="/auth/sign-out")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302
    assert len(_events(app, "auth.sign_out")) == 1


def test_email_is_case_insensitive(client, make_user):
    user = make_user("member", email="Karin.Holm@Example.org")
    response = submit(client, "/auth/sign-in",
                      {"email": "  KARIN.HOLM@example.org ", "password": user.password})
    assert response.status_code == 302


def test_same_answer_for_unknown_account_and_wrong_password(app, client, make_user):
    user = make_user("member")
    wrong = submit(client, "/auth/sign-in", {"email": user.email, "password": "not-the-one-1"})
    unknown = submit(client, "/auth/sign-in",
                     {"email": "nobody@example.org", "password": "not-the-one-1"})
    assert wrong.status_code == unknown.status_code == 200
    message = "The email address or the password is wrong."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    failed = _events(app, "auth.sign_in_failed")
    assert [e.subject_id for e in failed] == [user.id, None]


def test_wrong_password_keeps_email(client, make_user):
    user = make_user("member")
    response = submit(client, "/auth/sign-in", {"email": user.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert user.email in response.get_data(as_text=True)


def test_disabled_account_cannot_sign_in(app, client, make_user):
    user = make_user("member")
    with app.app_context():
        from foreningen.accounts import services
        from foreningen.accounts.models import User

        services.disable_user(db.session.get(User, user.id))
        db.session.commit()
    response = submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert response.status_code == 200
    assert "The email address or the password is wrong." in response.get_data(as_text=True)


def test_rate_limit_per_account(client, make_user):
    user = make_user("member")
    token = csrf_token(client)
    statuses = [
        client.post("/auth/sign-in", data={"csrf_token": token, "email": user.email,
                                           "password": f"wrong-{i}-password"}).status_code
        for i in range(6)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    # The right password is refused too while the account is limited.
    blocked = client.post("/auth/sign-in", data={"csrf_token": token, "email": user.email,
                                                 "password": user.password})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_rate_limit_per_address_across_accounts(app, client):
    limit = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0])
    assert limit >= 30  # a meeting's mistyped passwords behind one address fit
    token = csrf_token(client)
    statuses = [
        client.post("/auth/sign-in", data={"csrf_token": token, "email": f"x{i}@example.org",
                                           "password": "whatever-123"}).status_code
        for i in range(limit + 1)
    ]
    assert statuses[:limit] == [200] * limit
    assert statuses[limit] == 429


def test_successful_sign_ins_do_not_count_toward_the_limits(app, client, make_user):
    """A board member signing in every day is never locked out; fifty members at an annual
    meeting behind one address all get in."""
    user = make_user("member")
    for _ in range(8):
        signed_in = submit(client, "/auth/sign-in", {"email": user.email,
                                                      "password": user.password})
        assert signed_in.status_code == 302
        client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/account/")})
    members = [make_user("member") for _ in range(3)]
    token = csrf_token(client)
    for _ in range(int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0]) - 1):
        client.post("/auth/sign-in", data={"csrf_token": token, "email": "nobody@example.org",
                                           "password": "mistyped-123"})
    for member in members:  # the address has one failure left, and successes cost nothing
        assert submit(client, "/auth/sign-in", {"email": member.email,
                                                "password": member.password}).status_code == 302
        client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/account/")})


def test_safe_next_redirect_only(client, make_user):
    user = make_user("member")
    good = submit(client, "/auth/sign-in?next=/account/",
                  {"email": user.email, "password": user.password})
    assert good.headers["Location"] == "/account/"
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/account/")})
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        bad = submit(client, f"/auth/sign-in?next={evil}",
                     {"email": user.email, "password": user.password})
        assert bad.headers["Location"] == "/", evil
        client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/account/")})


def test_second_factor_required_when_enrolled(app, client, make_user):
    user = make_user("coordinator", totp=True)
    response = submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert response.headers["Location"] == "/auth/two-factor"
    # Not signed in yet.
    assert client.get("/account/").status_code == 302

    bad = submit(client, "/auth/two-factor", {"code": "000000"})
    assert bad.status_code == 200
    assert "That code did not work" in bad.get_data(as_text=True)

    good = submit(client, "/auth/two-factor", {"code": pyotp.TOTP(user.totp_secret).now()})
    assert good.status_code == 302
    assert client.get("/account/").status_code == 200
    assert [e.detail for e in _events(app, "auth.sign_in")] == ["totp"]


def test_totp_code_cannot_be_replayed(client, make_user):
    user = make_user("admin", totp=True)
    code = pyotp.TOTP(user.totp_secret).now()
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert submit(client, "/auth/two-factor", {"code": code}).status_code == 302
    submit(client, "/", action_contains="/auth/sign-out")
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    replay = submit(client, "/auth/two-factor", {"code": code})
    assert replay.status_code == 200


def test_recovery_code_works_once(client, make_user):
    user = make_user("board", totp=True)
    code = user.recovery_codes[0]
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert submit(client, "/auth/two-factor", {"code": code.upper()}).status_code == 302
    submit(client, "/", action_contains="/auth/sign-out")
    submit(client, "/auth/sign-in", {"email": user.email, "password": user.password})
    assert submit(client, "/auth/two-factor", {"code": code}).status_code == 200


def test_two_factor_page_without_password_step_goes_back_to_sign_in(client):
    response = client.get("/auth/two-factor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")


def test_the_second_factor_page_sends_a_signed_in_user_to_the_start_page(client, login):
    login("member")
    response = client.get("/auth/two-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/"
