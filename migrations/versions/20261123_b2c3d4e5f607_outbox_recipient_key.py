"""outbox: a keyed hash of the recipient, to cap mail per address and day

Revision ID: b2c3d4e5f607
Revises: a1b2c3d4e5f6
Create Date: 2026-11-23 19:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "b2c3d4e5f607"
down_revision = "a1b2c3d4e5f6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("recipient_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_outbox_message_recipient_day",
                           ["recipient_key", "template", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index("ix_outbox_message_recipient_day")
        batch.drop_column("recipient_key")
