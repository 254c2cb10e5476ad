"""association settings and privacy notice versions

Revision ID: 7c2d4e6f8a10
Revises: 5b1c7e9a2d40
Create Date: 2026-11-23 17:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "7c2d4e6f8a10"
down_revision = "5b1c7e9a2d40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "association_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("organisation_number", sa.String(length=11), nullable=True),
        sa.Column("bankgiro", sa.String(length=9), nullable=True),
        sa.Column("plusgiro", sa.String(length=10), nullable=True),
        sa.Column("swish", sa.String(length=16), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=30), nullable=True),
        sa.Column("postal_address", sa.String(length=300), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_association_settings_single_row")),
        sa.ForeignKeyConstraint(["updated_by"], ["user_account.id"],
                                name=op.f("fk_association_settings_updated_by_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_settings")),
    )
    op.create_table(
        "privacy_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("body_sv", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("body_ar", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["published_by"], ["user_account.id"],
                                name=op.f("fk_privacy_notice_published_by_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notice")),
        sa.UniqueConstraint("version", name=op.f("uq_privacy_notice_version")),
    )


def downgrade():
    op.drop_table("privacy_notice")
    op.drop_table("association_settings")
