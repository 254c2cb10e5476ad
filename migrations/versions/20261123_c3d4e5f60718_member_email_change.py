"""a member's new email address waits for its confirmation

Revision ID: c3d4e5f60718
Revises: b2c3d4e5f607
Create Date: 2026-11-23 19:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c3d4e5f60718"
down_revision = "b2c3d4e5f607"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("pending_email", sa.Text(), nullable=True))
        batch.add_column(sa.Column("email_change_token_hash", sa.String(length=64),
                                   nullable=True))
        batch.add_column(sa.Column("email_change_requested_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.create_unique_constraint(op.f("uq_member_email_change_token_hash"),
                                       ["email_change_token_hash"])


def downgrade():
    with op.batch_alter_table("member") as batch:
        batch.drop_constraint(op.f("uq_member_email_change_token_hash"), type_="unique")
        batch.drop_column("email_change_requested_at")
        batch.drop_column("email_change_token_hash")
        batch.drop_column("pending_email")
