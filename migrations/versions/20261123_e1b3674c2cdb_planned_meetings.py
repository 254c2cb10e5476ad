"""support: meetings a stödperson plans with the parents (place encrypted), reminded once the day before

Revision ID: e1b3674c2cdb
Revises: 29bd38f71db6
Create Date: 2026-11-23 23:31:55.222685

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1b3674c2cdb'
down_revision = '29bd38f71db6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('support_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('place', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("form IN ('in_person', 'phone', 'video', 'accompanying')", name=op.f('ck_support_meeting_form_valid')),
    sa.CheckConstraint('minutes BETWEEN 15 AND 480', name=op.f('ck_support_meeting_minutes_range')),
    sa.ForeignKeyConstraint(['assignment_id'], ['support_assignment.id'], name=op.f('fk_support_meeting_assignment_id_support_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_meeting'))
    )
    with op.batch_alter_table('support_meeting', schema=None) as batch_op:
        batch_op.create_index('ix_support_meeting_assignment', ['assignment_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_support_meeting_reminder', ['starts_at'], unique=False, sqlite_where=sa.text('reminded_at IS NULL'), postgresql_where=sa.text('reminded_at IS NULL'))



def downgrade():
    with op.batch_alter_table('support_meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_support_meeting_reminder', sqlite_where=sa.text('reminded_at IS NULL'), postgresql_where=sa.text('reminded_at IS NULL'))
        batch_op.drop_index('ix_support_meeting_assignment')

    op.drop_table('support_meeting')
