"""public forms defer their work: the deferred_job table

Revision ID: d4e5f6071829
Revises: c3d4e5f60718
Create Date: 2026-11-23 18:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d4e5f6071829"
down_revision = "c3d4e5f60718"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deferred_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deferred_job")),
    )
    op.create_index("ix_deferred_job_due", "deferred_job", ["failed_at", "next_attempt_at"])


def downgrade():
    op.drop_index("ix_deferred_job_due", table_name="deferred_job")
    op.drop_table("deferred_job")
