"""searching the register by a part of a name or an address: a trigram index

PostgreSQL: pg_trgm's GIN index on member.search_key serves LIKE '%…%'. SQLite: an FTS5
table with the trigram tokenizer, kept by triggers, mirrors member.search_key (external
content: the text is not stored twice).

Revision ID: 18293a4b5c63
Revises: 0718293a4b52
Create Date: 2026-11-23 21:00:00

"""
from alembic import op

revision = "18293a4b5c63"
down_revision = "0718293a4b52"
branch_labels = None
depends_on = None

SQLITE = (
    "CREATE VIRTUAL TABLE member_search USING fts5(search_key, content='member', "
    "content_rowid='id', tokenize='trigram')",
    """CREATE TRIGGER member_search_insert AFTER INSERT ON member BEGIN
       INSERT INTO member_search (rowid, search_key) VALUES (NEW.id, NEW.search_key);
       END""",
    """CREATE TRIGGER member_search_delete AFTER DELETE ON member BEGIN
       INSERT INTO member_search (member_search, rowid, search_key)
       VALUES ('delete', OLD.id, OLD.search_key);
       END""",
    """CREATE TRIGGER member_search_update AFTER UPDATE OF search_key ON member BEGIN
       INSERT INTO member_search (member_search, rowid, search_key)
       VALUES ('delete', OLD.id, OLD.search_key);
       INSERT INTO member_search (rowid, search_key) VALUES (NEW.id, NEW.search_key);
       END""",
    "INSERT INTO member_search (member_search) VALUES ('rebuild')",
)
POSTGRESQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_member_search_trgm ON member USING gin (search_key gin_trgm_ops)",
)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE if sqlite else POSTGRESQL:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("member_search_insert", "member_search_delete", "member_search_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS member_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_member_search_trgm")
