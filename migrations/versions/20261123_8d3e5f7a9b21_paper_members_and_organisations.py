"""organisations' names; consents given on paper and who recorded them

Revision ID: 8d3e5f7a9b21
Revises: 7c2d4e6f8a10
Create Date: 2026-11-23 18:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "8d3e5f7a9b21"
down_revision = "7c2d4e6f8a10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("organisation_name", sa.String(length=120), nullable=True))
    with op.batch_alter_table("member_consent") as batch:
        batch.add_column(sa.Column("method", sa.String(length=8), nullable=False,
                                   server_default="web"))
        batch.add_column(sa.Column("recorded_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_member_consent_recorded_by_user_account"),
                                 "user_account", ["recorded_by"], ["id"], ondelete="SET NULL")
        batch.create_check_constraint(op.f("ck_member_consent_method_valid"),
                                      "method IN ('web', 'paper')")
    with op.batch_alter_table("member_consent") as batch:
        batch.alter_column("method", server_default=None, existing_type=sa.String(length=8))


def downgrade():
    with op.batch_alter_table("member_consent") as batch:
        batch.drop_constraint(op.f("ck_member_consent_method_valid"), type_="check")
        batch.drop_constraint(op.f("fk_member_consent_recorded_by_user_account"),
                              type_="foreignkey")
        batch.drop_column("recorded_by")
        batch.drop_column("method")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("organisation_name")
