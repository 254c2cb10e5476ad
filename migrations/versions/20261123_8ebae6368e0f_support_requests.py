"""support: requests (self-referrals and crisis referrals), their parents (encrypted), assignments
of one stödperson, exclusions and the contact log

Revision ID: 8ebae6368e0f
Revises: 3a405c6d7e85
Create Date: 2026-11-23 23:08:29.743302

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ebae6368e0f'
down_revision = '3a405c6d7e85'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('support_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=12), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('urgency', sa.SmallInteger(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_contact_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('facts', sa.Text(), nullable=True),
    sa.Column('wish_gender', sa.String(length=16), nullable=True),
    sa.Column('wish_language', sa.String(length=8), nullable=True),
    sa.Column('wish_meeting', sa.String(length=16), nullable=True),
    sa.Column('referred_by_id', sa.Integer(), nullable=True),
    sa.Column('referrer_phone', sa.Text(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.String(length=16), nullable=True),
    sa.Column('consent_version', sa.String(length=20), nullable=True),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decline_reason IN ('not_covered', 'no_one_free', 'other_help', 'not_reached', 'other')", name=op.f('ck_support_request_decline_reason_valid')),
    sa.CheckConstraint("language IN ('sv', 'en', 'ar', 'so', 'fa', 'prs', 'ti', 'ku', 'pl', 'bs', 'fi', 'tr', 'es', 'ru', 'uk', 'rom', 'swl')", name=op.f('ck_support_request_language_valid')),
    sa.CheckConstraint("origin = 'self' OR due_at IS NOT NULL", name=op.f('ck_support_request_referral_due')),
    sa.CheckConstraint("origin IN ('self', 'referral')", name=op.f('ck_support_request_origin_valid')),
    sa.CheckConstraint("status IN ('new', 'searching', 'info_requested', 'assigned', 'closed', 'declined', 'withdrawn', 'merged')", name=op.f('ck_support_request_status_valid')),
    sa.CheckConstraint("wish_gender IN ('woman', 'man', 'non_binary')", name=op.f('ck_support_request_wish_gender_valid')),
    sa.CheckConstraint("wish_language IN ('sv', 'en', 'ar', 'so', 'fa', 'prs', 'ti', 'ku', 'pl', 'bs', 'fi', 'tr', 'es', 'ru', 'uk', 'rom', 'swl')", name=op.f('ck_support_request_wish_language_valid')),
    sa.CheckConstraint("wish_meeting IN ('in_person', 'phone', 'video')", name=op.f('ck_support_request_wish_meeting_valid')),
    sa.CheckConstraint('urgency BETWEEN 0 AND 2', name=op.f('ck_support_request_urgency_range')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['support_request.id'], name=op.f('fk_support_request_merged_into_id_support_request'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_support_request_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['user_account.id'], name=op.f('fk_support_request_referred_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_request')),
    sa.UniqueConstraint('reference', name=op.f('uq_support_request_reference'))
    )
    with op.batch_alter_table('support_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_request_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index('ix_support_request_queue', ['urgency', 'due_at', 'received_at', 'id'], unique=False, sqlite_where=sa.text("status IN ('new', 'searching', 'info_requested')"), postgresql_where=sa.text("status IN ('new', 'searching', 'info_requested')"))
        batch_op.create_index('ix_support_request_referrer', ['referred_by_id', 'received_at'], unique=False)
        batch_op.create_index('ix_support_request_status_changed', ['status', 'status_changed_at'], unique=False)

    op.create_table('support_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.String(length=20), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'active') = (closed_at IS NULL)", name=op.f('ck_support_assignment_closed_when_closed')),
    sa.CheckConstraint("close_reason IN ('completed', 'parent_ended', 'not_carried_out', 'parent_moved', 'supporter_stopped', 'another_asked', 'other')", name=op.f('ck_support_assignment_close_reason_valid')),
    sa.CheckConstraint("status IN ('active', 'closed')", name=op.f('ck_support_assignment_status_valid')),
    sa.ForeignKeyConstraint(['assigned_by'], ['user_account.id'], name=op.f('fk_support_assignment_assigned_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['closed_by'], ['user_account.id'], name=op.f('fk_support_assignment_closed_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['support_request.id'], name=op.f('fk_support_assignment_request_id_support_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporter.id'], name=op.f('fk_support_assignment_supporter_id_supporter'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_assignment'))
    )
    with op.batch_alter_table('support_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_assignment_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_support_assignment_supporter', ['supporter_id', 'status', 'started_at'], unique=False)
        batch_op.create_index('uq_support_assignment_active', ['request_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('support_parent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('relation', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.CheckConstraint("channel IN ('phone', 'email')", name=op.f('ck_support_parent_channel_valid')),
    sa.CheckConstraint("language IN ('sv', 'en', 'ar', 'so', 'fa', 'prs', 'ti', 'ku', 'pl', 'bs', 'fi', 'tr', 'es', 'ru', 'uk', 'rom', 'swl')", name=op.f('ck_support_parent_language_valid')),
    sa.CheckConstraint("relation IN ('parent', 'step_parent')", name=op.f('ck_support_parent_relation_valid')),
    sa.ForeignKeyConstraint(['request_id'], ['support_request.id'], name=op.f('fk_support_parent_request_id_support_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_parent'))
    )
    with op.batch_alter_table('support_parent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_parent_request_id'), ['request_id'], unique=False)

    op.create_table('support_request_exclusion',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['support_request.id'], name=op.f('fk_support_request_exclusion_request_id_support_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporter.id'], name=op.f('fk_support_request_exclusion_supporter_id_supporter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'supporter_id', name=op.f('pk_support_request_exclusion'))
    )
    op.create_table('support_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('km', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('expenses_ore', sa.Integer(), nullable=False),
    sa.Column('wellbeing', sa.SmallInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("form IN ('in_person', 'phone', 'video', 'accompanying')", name=op.f('ck_support_contact_form_valid')),
    sa.CheckConstraint('expenses_ore >= 0 AND expenses_ore <= 10000000', name=op.f('ck_support_contact_expenses_range')),
    sa.CheckConstraint('km >= 0 AND km <= 5000', name=op.f('ck_support_contact_km_range')),
    sa.CheckConstraint('minutes BETWEEN 1 AND 720', name=op.f('ck_support_contact_minutes_range')),
    sa.CheckConstraint('wellbeing IS NULL OR wellbeing BETWEEN 1 AND 10', name=op.f('ck_support_contact_wellbeing_range')),
    sa.ForeignKeyConstraint(['assignment_id'], ['support_assignment.id'], name=op.f('fk_support_contact_assignment_id_support_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporter.id'], name=op.f('fk_support_contact_supporter_id_supporter'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_contact'))
    )
    with op.batch_alter_table('support_contact', schema=None) as batch_op:
        batch_op.create_index('ix_support_contact_assignment', ['assignment_id', 'occurred_on'], unique=False)
        batch_op.create_index('ix_support_contact_supporter', ['supporter_id', 'occurred_on', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('support_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_support_contact_supporter')
        batch_op.drop_index('ix_support_contact_assignment')

    op.drop_table('support_contact')
    op.drop_table('support_request_exclusion')
    with op.batch_alter_table('support_parent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_parent_request_id'))

    op.drop_table('support_parent')
    with op.batch_alter_table('support_assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_support_assignment_active', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_support_assignment_supporter')
        batch_op.drop_index(batch_op.f('ix_support_assignment_request_id'))

    op.drop_table('support_assignment')
    with op.batch_alter_table('support_request', schema=None) as batch_op:
        batch_op.drop_index('ix_support_request_status_changed')
        batch_op.drop_index('ix_support_request_referrer')
        batch_op.drop_index('ix_support_request_queue', sqlite_where=sa.text("status IN ('new', 'searching', 'info_requested')"), postgresql_where=sa.text("status IN ('new', 'searching', 'info_requested')"))
        batch_op.drop_index(batch_op.f('ix_support_request_municipality_id'))

    op.drop_table('support_request')
