"""dues corrections: reversals, bank files imported once, unmatched lines, one form once

Revision ID: 9e4f6a8b0c32
Revises: 8d3e5f7a9b21
Create Date: 2026-11-23 18:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "9e4f6a8b0c32"
down_revision = "8d3e5f7a9b21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dues_import") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=8), nullable=False,
                                   server_default="csv"))
        batch.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reversed_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_dues_import_reversed_by_user_account"),
                                 "user_account", ["reversed_by"], ["id"], ondelete="SET NULL")
        batch.create_unique_constraint(op.f("uq_dues_import_file_sha256"), ["file_sha256"])
        batch.create_check_constraint(op.f("ck_dues_import_kind_valid"),
                                      "kind IN ('csv', 'bgmax')")
    with op.batch_alter_table("dues_import") as batch:
        batch.alter_column("kind", server_default=None, existing_type=sa.String(length=8))

    with op.batch_alter_table("dues_payment") as batch:
        batch.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("submission_key", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("submission_line", sa.Integer(), nullable=True))
        batch.drop_constraint(op.f("ck_dues_payment_amount_positive"), type_="check")
        batch.drop_constraint(op.f("ck_dues_payment_method_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_dues_payment_amount_not_zero"), "amount_ore <> 0")
        batch.create_check_constraint(op.f("ck_dues_payment_reversal_negative"),
                                      "(amount_ore > 0) = (reverses_id IS NULL)")
        batch.create_check_constraint(op.f("ck_dues_payment_method_valid"),
                                      "method IN ('manual', 'bank', 'reversal')")
        batch.create_foreign_key(op.f("fk_dues_payment_reverses_id_dues_payment"),
                                 "dues_payment", ["reverses_id"], ["id"])
        batch.create_unique_constraint(op.f("uq_dues_payment_reverses_id"), ["reverses_id"])
        batch.create_unique_constraint(op.f("uq_dues_payment_submission_key_submission_line"),
                                       ["submission_key", "submission_line"])
        batch.create_index(op.f("ix_dues_payment_member_paid_on"),
                           ["member_id", "paid_on", "amount_ore"], unique=False)

    op.create_table(
        "dues_import_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=True),
        sa.Column("amount_ore", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("bank_transaction_id", sa.String(length=80), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("resolution", sa.String(length=12), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("reason IN ('unknown_reference', 'possible_duplicate', "
                           "'already_imported', 'deduction')",
                           name=op.f("ck_dues_import_line_reason_valid")),
        sa.CheckConstraint("resolution IN ('assigned', 'dismissed')",
                           name=op.f("ck_dues_import_line_resolution_valid")),
        sa.ForeignKeyConstraint(["import_id"], ["dues_import.id"],
                                name=op.f("fk_dues_import_line_import_id_dues_import"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["payment_id"], ["dues_payment.id"],
                                name=op.f("fk_dues_import_line_payment_id_dues_payment")),
        sa.ForeignKeyConstraint(["resolved_by"], ["user_account.id"],
                                name=op.f("fk_dues_import_line_resolved_by_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dues_import_line")),
    )
    op.create_index("ix_dues_import_line_open", "dues_import_line",
                    ["import_id", "resolved_at"], unique=False)


def downgrade():
    op.drop_index("ix_dues_import_line_open", table_name="dues_import_line")
    op.drop_table("dues_import_line")
    op.execute("DELETE FROM dues_payment WHERE reverses_id IS NOT NULL")
    with op.batch_alter_table("dues_payment") as batch:
        batch.drop_index(op.f("ix_dues_payment_member_paid_on"))
        batch.drop_constraint(op.f("uq_dues_payment_submission_key_submission_line"), type_="unique")
        batch.drop_constraint(op.f("uq_dues_payment_reverses_id"), type_="unique")
        batch.drop_constraint(op.f("fk_dues_payment_reverses_id_dues_payment"),
                              type_="foreignkey")
        batch.drop_constraint(op.f("ck_dues_payment_method_valid"), type_="check")
        batch.drop_constraint(op.f("ck_dues_payment_reversal_negative"), type_="check")
        batch.drop_constraint(op.f("ck_dues_payment_amount_not_zero"), type_="check")
        batch.create_check_constraint(op.f("ck_dues_payment_amount_positive"), "amount_ore > 0")
        batch.create_check_constraint(op.f("ck_dues_payment_method_valid"),
                                      "method IN ('manual', 'bank')")
        batch.drop_column("submission_line")
        batch.drop_column("submission_key")
        batch.drop_column("reverses_id")
    with op.batch_alter_table("dues_import") as batch:
        batch.drop_constraint(op.f("ck_dues_import_kind_valid"), type_="check")
        batch.drop_constraint(op.f("uq_dues_import_file_sha256"), type_="unique")
        batch.drop_constraint(op.f("fk_dues_import_reversed_by_user_account"),
                              type_="foreignkey")
        batch.drop_column("reversed_by")
        batch.drop_column("reversed_at")
        batch.drop_column("file_sha256")
        batch.drop_column("kind")
