import pytest

from tests.support import csrf_token, submit


def test_security_headers_on_pages(client):
    response = client.get("/auth/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]


def test_personal_pages_are_not_cached(client, login):
    login("member")
    assert client.get("/account/").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client):
    client.get("/auth/sign-in")
    cookie = client.get_cookie("foreningen_session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_secure_cookie_and_hsts_in_production(monkeypatch, tmp_path):
    from cryptography.fernet import Fernet
    from flask_migrate import upgrade

    from foreningen import create_app

    monkeypatch.setenv("FORENINGEN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 10 + "0123456789abcdefghijklmnopqrstuvwxyz")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")  # one process here
    monkeypatch.setenv("ALLOW_SQLITE_IN_PRODUCTION", "1")
    app = create_app()
    with app.app_context():
        upgrade()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REQUIRE_STAFF_2FA"] is True
    with app.test_client() as c:
        response = c.get("/auth/sign-in", base_url="https://portal.example.org")
        assert "max-age" in response.headers["Strict-Transport-Security"]


def test_post_without_csrf_token_is_refused(client, make_user):
    user = make_user("member")
    response = client.post("/auth/sign-in", data={"email": user.email,
                                                  "password": user.password})
    assert response.status_code == 400
    assert "The form could not be sent" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_post_with_forged_csrf_token_is_refused(client, login):
    login("admin")
    response = client.post("/admin/municipalities/new",
                           data={"csrf_token": "forged", "code": "9999", "name": "Falsk"})
    assert response.status_code == 400


def test_sign_out_requires_post(client, login):
    login("member")
    assert client.get("/auth/sign-out").status_code == 405
    assert client.get("/account/").status_code == 200


def test_no_state_change_on_get(app):
    """Every route that changes state takes POST only; GET routes are reads."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"main.set_language", "auth.sign_out"} or "action" in rule.arguments:
            assert "GET" not in rule.methods, rule


@pytest.mark.parametrize("path", ["/", "/auth/sign-in", "/auth/reset"])
def test_public_pages_have_no_personal_cache(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_language_switch_is_csrf_protected(client):
    response = client.post("/language", data={"locale": "en"})
    assert response.status_code == 400
    ok = client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client),
                                        "next": "/auth/sign-in"})
    assert ok.status_code == 302
    assert ok.headers["Location"] == "/auth/sign-in"
    assert 'lang="en"' in client.get("/auth/sign-in").get_data(as_text=True)


def test_language_switch_rejects_offsite_next(client):
    response = submit(client, "/auth/sign-in", {"locale": "en", "next": "https://evil.example/"},
                      action_contains="/language")
    assert response.headers["Location"] == "/"
