"""The schema comes from the migrations; they go up and down and agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from foreningen import create_app
from foreningen.core.extensions import db
from tests.support import base_config, scratch_database


def test_migrations_go_up_and_down_and_match_the_models(tmp_path):
    app = create_app(base_config(scratch_database(tmp_path, "migrations"), 25))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "user_account" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_revision_files_have_dated_names():
    from pathlib import Path

    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    for name in names:
        assert name[:8].isdigit() and name[8] == "_", name
