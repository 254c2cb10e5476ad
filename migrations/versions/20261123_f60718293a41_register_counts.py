"""the register's counts kept by triggers (member_tally); an index for erasure requests

Revision ID: f60718293a41
Revises: e5f607182930
Create Date: 2026-11-23 20:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "f60718293a41"
down_revision = "e5f607182930"
branch_labels = None
depends_on = None

STATUSES = ("applied", "active", "lapsed", "left", "declined")
CATEGORIES = ("ordinary", "supporting", "organisation")
ERASURE = "erasure_requested_at IS NOT NULL AND anonymised_at IS NULL"

SQLITE_TRIGGERS = (
    """CREATE TRIGGER member_tally_insert AFTER INSERT ON member BEGIN
       INSERT INTO member_tally (category, status, delta) VALUES (NEW.category, NEW.status, 1);
       END""",
    """CREATE TRIGGER member_tally_delete AFTER DELETE ON member BEGIN
       INSERT INTO member_tally (category, status, delta) VALUES (OLD.category, OLD.status, -1);
       END""",
    """CREATE TRIGGER member_tally_update AFTER UPDATE OF category, status ON member
       WHEN OLD.category IS NOT NEW.category OR OLD.status IS NOT NEW.status BEGIN
       INSERT INTO member_tally (category, status, delta)
       VALUES (OLD.category, OLD.status, -1), (NEW.category, NEW.status, 1);
       END""",
)
POSTGRESQL_TRIGGERS = (
    """CREATE FUNCTION member_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'INSERT' THEN
           INSERT INTO member_tally (category, status, delta)
           VALUES (OLD.category, OLD.status, -1);
         END IF;
         IF TG_OP <> 'DELETE' THEN
           INSERT INTO member_tally (category, status, delta)
           VALUES (NEW.category, NEW.status, 1);
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER member_tally_insert_delete AFTER INSERT OR DELETE ON member
       FOR EACH ROW EXECUTE FUNCTION member_tally_change()""",
    """CREATE TRIGGER member_tally_update AFTER UPDATE OF category, status ON member
       FOR EACH ROW WHEN (OLD.category IS DISTINCT FROM NEW.category
                          OR OLD.status IS DISTINCT FROM NEW.status)
       EXECUTE FUNCTION member_tally_change()""",
)


def _listed(values):
    return ", ".join(f"'{value}'" for value in values)


def upgrade():
    op.create_table(
        "member_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"status IN ({_listed(STATUSES)})",
                           name=op.f("ck_member_tally_status_valid")),
        sa.CheckConstraint(f"category IN ({_listed(CATEGORIES)})",
                           name=op.f("ck_member_tally_category_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_tally")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRESQL_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO member_tally (category, status, delta) "
               "SELECT category, status, count(*) FROM member GROUP BY category, status")
    op.create_index("ix_member_erasure_requested", "member", ["erasure_requested_at"],
                    sqlite_where=sa.text(ERASURE), postgresql_where=sa.text(ERASURE))


def downgrade():
    op.drop_index("ix_member_erasure_requested", table_name="member")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("member_tally_insert", "member_tally_delete", "member_tally_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS member_tally_insert_delete ON member")
        op.execute("DROP TRIGGER IF EXISTS member_tally_update ON member")
        op.execute("DROP FUNCTION IF EXISTS member_tally_change()")
    op.drop_table("member_tally")
