"""Privacy by registration: every table that refers to a person is covered by a retention
rule (`flask purge`) and by a part of the person's data download — or says why not. A new
feature that forgets either fails here."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from foreningen.accounts.models import User
from foreningen.core import privacy
from foreningen.core.db import EncryptedText
from foreningen.core.extensions import db

PERSON_TABLES = {"user_account", "member"}
PERSON_COLUMNS = {"user_id", "actor_id", "member_id", "recorded_by"}


def tables_about_people(metadata) -> set[str]:
    """Tables that name or point at a person: the person tables, a foreign key to one, a
    column holding someone's id, or any encrypted (sensitive) field."""
    found = set()
    for table in metadata.sorted_tables:
        if table.name in PERSON_TABLES:
            found.add(table.name)
        for column in table.columns:
            if (isinstance(column.type, EncryptedText) or column.name in PERSON_COLUMNS
                    or any(fk.column.table.name in PERSON_TABLES for fk in column.foreign_keys)):
                found.add(table.name)
    return found


def uncovered(metadata) -> dict[str, list[str]]:
    kept = set(privacy.RETENTION_EXEMPT).union(*(r.tables for r in privacy.RETENTION.values()))
    given = set(privacy.DOWNLOAD_EXEMPT).union(*(p.tables for p in privacy.DOWNLOAD.values()))
    people = tables_about_people(metadata)
    return {"retention": sorted(people - kept), "download": sorted(people - given)}


def test_every_table_about_a_person_is_registered(app):
    assert uncovered(db.metadata) == {"retention": [], "download": []}


def test_an_unregistered_table_about_a_person_is_found(app):
    metadata = sa.MetaData()
    sa.Table("user_account", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("member", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("new_feature_note", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("author", sa.ForeignKey("user_account.id")))
    sa.Table("new_feature_secret", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("text", EncryptedText()))
    sa.Table("reference_data", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(20)))
    missing = uncovered(metadata)
    assert missing["retention"] == ["new_feature_note", "new_feature_secret"]
    assert missing["download"] == ["new_feature_note", "new_feature_secret"]


def test_registered_tables_exist(app):
    """A rule or part naming a table that is not in the schema is a typo hiding a gap."""
    names = {table.name for table in db.metadata.sorted_tables}
    named = set(privacy.RETENTION_EXEMPT) | set(privacy.DOWNLOAD_EXEMPT)
    for registered in (*privacy.RETENTION.values(), *privacy.DOWNLOAD.values()):
        named.update(registered.tables)
    assert named <= names, sorted(named - names)


def test_purge_runs_every_rule_and_the_download_collects_every_part(app, db, make_user):
    user = make_user("member")
    with app.app_context():
        results = privacy.purge(date(2026, 11, 23))
        assert set(results) == set(privacy.RETENTION)
        account = db.session.get(User, user.id)
        data = privacy.everything_about(account)
    assert data["account"]["email"] == user.email
    assert "generated_at" in data
