"""stödpersoner: supervision sessions and who came, expiry notices sent once, conflicts of
interest and payout details (encrypted)

Revision ID: 3a405c6d7e85
Revises: 29304b5c6d74
Create Date: 2026-11-23 21:14:13

"""
import sqlalchemy as sa
from alembic import op


PAYOUT_AND_CONFLICTS = ('conflicts', 'personnummer', 'clearing_number', 'account_number')
STAGE_ORDER_SQL = ("(CASE stage WHEN 'applied' THEN 0 WHEN 'interview_booked' THEN 1 "
                   "WHEN 'interviewed' THEN 2 WHEN 'in_training' THEN 3 WHEN 'approved' THEN 4 "
                   "WHEN 'active' THEN 5 WHEN 'paused' THEN 6 WHEN 'ended' THEN 7 ELSE 99 END)")

revision = '3a405c6d7e85'
down_revision = '29304b5c6d74'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('leader', sa.String(length=120), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('group', 'individual')", name=op.f('ck_supervision_session_kind_valid')),
    sa.CheckConstraint('minutes BETWEEN 15 AND 600', name=op.f('ck_supervision_session_minutes_range')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_supervision_session_recorded_by_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_session'))
    )
    with op.batch_alter_table('supervision_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_session_held_on'), ['held_on'], unique=False)

    op.create_table('supervision_attendance',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_session.id'], name=op.f('fk_supervision_attendance_session_id_supervision_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporter.id'], name=op.f('fk_supervision_attendance_supporter_id_supporter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'supporter_id', name=op.f('pk_supervision_attendance'))
    )
    with op.batch_alter_table('supervision_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_attendance_supporter', ['supporter_id', 'session_id'], unique=False)

    op.create_table('supporter_expiry_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.Column('requirement_key', sa.String(length=40), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporter.id'], name=op.f('fk_supporter_expiry_notice_supporter_id_supporter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supporter_expiry_notice')),
    sa.UniqueConstraint('supporter_id', 'requirement_key', 'expires_on', 'threshold', name=op.f('uq_supporter_expiry_notice_supporter_id_requirement_key_expires_on_threshold'))
    )
    # Plain ADD COLUMN (no batch copy of the table on SQLite, which would lose the
    # expression index ix_supporter_stage_order: SQLAlchemy cannot reflect it).
    for column in PAYOUT_AND_CONFLICTS:
        op.add_column('supporter', sa.Column(column, sa.Text(), nullable=True))


def downgrade():
    # The expression index goes first and comes back after (see upgrade).
    op.drop_index('ix_supporter_stage_order', table_name='supporter')
    with op.batch_alter_table('supporter', schema=None) as batch_op:
        for column in reversed(PAYOUT_AND_CONFLICTS):
            batch_op.drop_column(column)
    op.create_index('ix_supporter_stage_order', 'supporter',
                    [sa.text(STAGE_ORDER_SQL), 'display_name', 'id'], unique=False)

    op.drop_table('supporter_expiry_notice')
    with op.batch_alter_table('supervision_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_attendance_supporter')

    op.drop_table('supervision_attendance')
    with op.batch_alter_table('supervision_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_session_held_on'))

    op.drop_table('supervision_session')
