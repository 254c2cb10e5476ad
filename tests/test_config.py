import pytest
from cryptography.fernet import Fernet

from foreningen import create_app
from foreningen.core.config import ConfigError

STRONG = "Zq8v1s-KpL0x9wRt2YhN4mB7cD6fGjUe3aSi5oQ"


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setenv("FORENINGEN_ENV", "production")
    for name in ("SECRET_KEY", "DATABASE_URL", "FIELD_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_settings(production):
    with pytest.raises(ConfigError) as error:
        create_app()
    message = str(error.value)
    for name in ("SECRET_KEY", "DATABASE_URL", "FIELD_ENCRYPTION_KEY"):
        assert name in message


def test_production_refuses_a_weak_secret_key(production, tmp_path):
    production.setenv("SECRET_KEY", "secret")
    production.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    production.setenv("FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_a_broken_encryption_key(production, tmp_path):
    production.setenv("SECRET_KEY", STRONG)
    production.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    production.setenv("FIELD_ENCRYPTION_KEY", "not-a-fernet-key")
    with pytest.raises(ConfigError, match="FIELD_ENCRYPTION_KEY"):
        create_app()


def test_production_starts_with_strong_settings(production, tmp_path):
    production.setenv("SECRET_KEY", STRONG)
    production.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1:1/foreningen")
    production.setenv("FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_makes_and_keeps_random_keys(monkeypatch, tmp_path):
    from pathlib import Path

    from foreningen.core import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = config.load(Path(tmp_path), {"ENV_NAME": "development"})
    second = config.load(Path(tmp_path), {"ENV_NAME": "development"})
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path):
    from sqlalchemy import text

    from foreningen.core.extensions import db
    from tests.support import base_config

    app = create_app(base_config(f"sqlite:///{tmp_path / 'wal.sqlite3'}", 25))
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
