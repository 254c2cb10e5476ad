"""outbox: a channel per message, "email" or "sms" (text messages through 46elks)

Revision ID: 29bd38f71db6
Revises: 8ebae6368e0f
Create Date: 2026-11-23 23:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "29bd38f71db6"
down_revision = "8ebae6368e0f"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, with its CHECK inline (SQLite and PostgreSQL both take that): the
    # outbox is not copied, and every message already queued is a mail.
    op.add_column("outbox_message", sa.Column(
        "channel", sa.String(length=8), sa.CheckConstraint(
            "channel IN ('email', 'sms')", name=op.f("ck_outbox_message_channel_valid")),
        server_default="email", nullable=False))


def downgrade():
    # A text message left in the outbox would be taken for a mail to its phone number.
    op.execute("DELETE FROM outbox_message WHERE channel = 'sms'")
    op.drop_column("outbox_message", "channel")
