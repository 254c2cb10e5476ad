"""one house: ciphertext in Text, CHECK constraints on enum-like columns, an audit log
without foreign keys, encrypted payment notes, member numbers from a counter table

Revision ID: 5b1c7e9a2d40
Revises: 30b042d3f6cd
Create Date: 2026-11-23 17:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "5b1c7e9a2d40"
down_revision = "30b042d3f6cd"
branch_labels = None
depends_on = None

FIRST_NUMBER = 1001
MEMBER_STATUSES = ("applied", "active", "lapsed", "left", "declined")
CATEGORIES = ("ordinary", "supporting", "organisation")
ROLES = ("member", "parent", "supporter", "coordinator", "board", "reviewer", "social_worker",
         "admin")
CHECKS = [  # table, constraint name (without the ck_<table>_ prefix), column, values
    ("member", "status_valid", "status", MEMBER_STATUSES),
    ("member", "category_valid", "category", CATEGORIES),
    ("member_status_change", "to_status_valid", "to_status", MEMBER_STATUSES),
    ("member_status_change", "from_status_valid", "from_status", MEMBER_STATUSES),
    ("member_consent", "purpose_valid", "purpose", ("privacy_notice", "newsletter", "surveys")),
    ("dues_rate", "category_valid", "category", CATEGORIES),
    ("dues_payment", "method_valid", "method", ("manual", "bank")),
    ("user_role", "role_valid", "role", ROLES),
    ("account_token", "purpose_valid", "purpose", ("reset", "invite")),
]
CIPHERTEXT = [  # table, column, its former type
    ("member", "phone", sa.String(255)), ("member", "street_address", sa.String(512)),
    ("member", "postal_code", sa.String(255)), ("member", "city", sa.String(255)),
    ("member", "why_join", sa.String()), ("member_status_change", "reason", sa.String()),
    ("outbox_message", "recipient", sa.String(1024)), ("outbox_message", "body", sa.String()),
    ("user_account", "totp_secret", sa.String(255)),
]
SQLITE_TRIGGERS = """
CREATE TRIGGER audit_event_no_{verb_lower} BEFORE {verb} ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
"""


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _recreate_sqlite_audit_triggers():
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{verb.lower()}")
        op.execute(SQLITE_TRIGGERS.format(verb=verb, verb_lower=verb.lower()))


def _payment_notes(transform):
    """Encrypt (or decrypt) the existing payment notes with the application's field key."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, note FROM dues_payment WHERE note IS NOT NULL"))
    for payment_id, note in rows.all():
        bind.execute(sa.text("UPDATE dues_payment SET note = :note WHERE id = :id"),
                     {"note": transform(note), "id": payment_id})


def upgrade():
    from foreningen.core.crypto import encrypt

    for table, column, former in CIPHERTEXT:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.Text(), existing_type=former)
    with op.batch_alter_table("dues_payment") as batch:
        batch.alter_column("note", type_=sa.Text(), existing_type=sa.String(200))
    _payment_notes(encrypt)

    for table, name, column, values in CHECKS:
        listed = ", ".join(f"'{v}'" for v in values)
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(op.f(f"ck_{table}_{name}"), f"{column} IN ({listed})")

    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint(op.f("fk_audit_event_actor_id_user_account"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_audit_event_municipality_id_municipality"),
                              type_="foreignkey")
    if _sqlite():
        _recreate_sqlite_audit_triggers()  # a batch rebuild of the table loses them

    op.create_table(
        "member_number",
        sa.Column("number", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_member_number")),
    )
    # Every number given so far, or the one before the first: the counter goes on from there.
    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO member_number (number, issued_at) SELECT number, created_at FROM member"))
    if bind.execute(sa.text("SELECT COUNT(*) FROM member_number")).scalar() == 0:
        bind.execute(sa.text("INSERT INTO member_number (number, issued_at) "
                             "VALUES (:n, CURRENT_TIMESTAMP)"), {"n": FIRST_NUMBER - 1})
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT setval(pg_get_serial_sequence('member_number', 'number'), "
                             "(SELECT MAX(number) FROM member_number))"))


def downgrade():
    from foreningen.core.crypto import decrypt

    op.drop_table("member_number")
    with op.batch_alter_table("audit_event") as batch:
        batch.create_foreign_key(op.f("fk_audit_event_actor_id_user_account"), "user_account",
                                 ["actor_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_audit_event_municipality_id_municipality"),
                                 "municipality", ["municipality_id"], ["id"],
                                 ondelete="SET NULL")
    if _sqlite():
        _recreate_sqlite_audit_triggers()
    for table, name, _column, _values in reversed(CHECKS):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    _payment_notes(decrypt)
    with op.batch_alter_table("dues_payment") as batch:
        batch.alter_column("note", type_=sa.String(200), existing_type=sa.Text())
    for table, column, former in reversed(CIPHERTEXT):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=former, existing_type=sa.Text())
