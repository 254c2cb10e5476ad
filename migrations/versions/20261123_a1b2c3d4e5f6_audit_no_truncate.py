"""the audit log refuses TRUNCATE too (PostgreSQL)

Revision ID: a1b2c3d4e5f6
Revises: 9e4f6a8b0c32
Create Date: 2026-11-23 19:10:00

"""
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = "9e4f6a8b0c32"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite has no TRUNCATE (a DELETE without WHERE, which its trigger already refuses).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
            FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
        """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
