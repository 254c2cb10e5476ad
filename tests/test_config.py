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
    production.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-foreningen_session"


def test_production_refuses_limits_counted_per_worker_and_sqlite(production, tmp_path):
    """A limit counted in each worker's memory lets through that many per worker; SQLite is
    for development unless said otherwise."""
    production.setenv("SECRET_KEY", STRONG)
    production.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    production.setenv("FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())
    with pytest.raises(ConfigError) as error:
        create_app()
    assert "RATELIMIT_STORAGE_URI" in str(error.value) and "ALLOW_SQLITE" in str(error.value)
    production.setenv("RATELIMIT_ALLOW_MEMORY", "1")
    production.setenv("ALLOW_SQLITE_IN_PRODUCTION", "1")
    assert create_app().config["PRODUCTION"] is True


def test_the_instance_folder_is_the_owners_alone(monkeypatch, tmp_path):
    """The database, its WAL, mail files and the development keys live there."""
    import stat

    from foreningen.core import config

    monkeypatch.delenv("FORENINGEN_ENV", raising=False)
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o755)
    config.load(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "dev-secrets.json").stat().st_mode) == 0o600


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
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
