import pytest
from argon2 import extract_parameters
from argon2.low_level import Type

from foreningen.accounts.passwords import hash_password, password_problems, verify_password


def test_default_argon2_parameters_meet_owasp(monkeypatch, tmp_path):
    from foreningen.core import config

    settings = config.load(tmp_path, {"ENV_NAME": "development"})
    assert settings["ARGON2_MEMORY_COST_KIB"] >= 19 * 1024
    assert settings["ARGON2_TIME_COST"] >= 2


def test_hashes_are_argon2id_with_the_configured_cost(app):
    with app.app_context():
        hashed = hash_password("en-helt-vanlig-mening")
    params = extract_parameters(hashed)
    assert hashed.startswith("$argon2id$")
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2


def test_verify(app):
    with app.app_context():
        hashed = hash_password("en-helt-vanlig-mening")
        assert verify_password(hashed, "en-helt-vanlig-mening")
        assert not verify_password(hashed, "en-helt-annan-mening")
        assert not verify_password(None, "whatever")
        assert not verify_password("garbage", "whatever")


@pytest.mark.parametrize("password", ["kort", "password123", "qwertyuiop", "1234567890",
                                      "aaaaaaaaaaaa", "sunshine2024"])
def test_weak_passwords_are_refused(app, password):
    with app.test_request_context(method="POST"):
        assert password_problems(password)


def test_email_as_password_is_refused(app):
    with app.test_request_context(method="POST"):
        assert password_problems("karin.holm@example.org", "karin.holm@example.org")


def test_a_good_passphrase_is_accepted(app):
    with app.test_request_context(method="POST"):
        assert password_problems("blåbär-i-november-regnet") == []
