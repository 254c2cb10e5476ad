"""The schema comes from the migrations; they go up and down and agree with the models."""

import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.sql.elements import TextClause

from foreningen import create_app
from foreningen.core.db import include_in_autogenerate
from foreningen.core.extensions import db
from tests.support import base_config, scratch_database


def test_migrations_go_up_and_down_and_match_the_models(tmp_path):
    app = create_app(base_config(scratch_database(tmp_path, "migrations"), 25))
    with app.app_context():
        upgrade()
        expression_indexes = {(table.name, index.name) for table in db.metadata.tables.values()
                              for index in table.indexes
                              if any(isinstance(e, TextClause) for e in index.expressions)}
        with db.engine.connect() as connection, warnings.catch_warnings():
            # Alembic cannot compare indexes on expressions (the register's sort orders):
            # here only their names are compared, and tests/members/test_register_scale.py
            # checks that the planner uses them.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified")
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, reflected, compare_to: not (
                    type_ == "index" and name in {n for _, n in expression_indexes}) and (
                    include_in_autogenerate(obj, name, type_, reflected, compare_to))})
            assert compare_metadata(context, db.metadata) == []
            for table, name in expression_indexes:
                assert name in _index_names(connection, table), name
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "user_account" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _index_names(connection, table: str) -> set[str]:
    if connection.dialect.name == "sqlite":
        return {row[1] for row in connection.exec_driver_sql(f"PRAGMA index_list({table})")}
    return set(connection.scalars(sa.text(
        "SELECT indexname FROM pg_indexes WHERE tablename = :table"), {"table": table}))


def test_revision_files_have_dated_names():
    from pathlib import Path

    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    for name in names:
        assert name[:8].isdigit() and name[8] == "_", name
