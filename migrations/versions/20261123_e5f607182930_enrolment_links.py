"""a staff member's first second factor is set up through a link sent by mail

Revision ID: e5f607182930
Revises: d4e5f6071829
Create Date: 2026-11-23 19:30:00

"""
from alembic import op

revision = "e5f607182930"
down_revision = "d4e5f6071829"
branch_labels = None
depends_on = None


def _purposes(values):
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table("account_token") as batch:
        batch.drop_constraint(op.f("ck_account_token_purpose_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_account_token_purpose_valid"),
                                      f"purpose IN ({listed})")


def upgrade():
    _purposes(("reset", "invite", "enrol"))


def downgrade():
    op.execute("DELETE FROM account_token WHERE purpose = 'enrol'")
    _purposes(("reset", "invite"))
