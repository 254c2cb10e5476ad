"""the register's sort orders, each an index that also holds status and category

Revision ID: 0718293a4b52
Revises: f60718293a41
Create Date: 2026-11-23 20:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0718293a4b52"
down_revision = "f60718293a41"
branch_labels = None
depends_on = None

LIFECYCLE = ("(CASE status WHEN 'applied' THEN 0 WHEN 'active' THEN 1 WHEN 'lapsed' THEN 2 "
             "WHEN 'left' THEN 3 WHEN 'declined' THEN 4 ELSE 9 END)")
JOINED_LAST = "(joined_on IS NULL)"


def upgrade():
    op.drop_index("ix_member_name", table_name="member")
    op.create_index("ix_member_name", "member",
                    ["last_name", "first_name", "id", "status", "category"])
    op.create_index("ix_member_number_order", "member", ["number", "status", "category"])
    op.create_index("ix_member_joined_order", "member",
                    [sa.text(JOINED_LAST), "joined_on", "id", "status", "category"])
    op.create_index("ix_member_joined_order_desc", "member",
                    [sa.text(JOINED_LAST), sa.text("joined_on DESC"), sa.text("id DESC"),
                     "status", "category"])
    op.create_index("ix_member_lifecycle_order", "member",
                    [sa.text(LIFECYCLE), "last_name", "first_name", "id", "status", "category"])


def downgrade():
    for name in ("ix_member_lifecycle_order", "ix_member_joined_order_desc",
                 "ix_member_joined_order", "ix_member_number_order", "ix_member_name"):
        op.drop_index(name, table_name="member")
    op.create_index("ix_member_name", "member", ["last_name", "first_name"])
