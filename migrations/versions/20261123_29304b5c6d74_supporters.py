"""stödpersoner: the application, the pipeline, readiness requirements and completions

The police record extract and the confidentiality pledge exist from the start (the extract
valid 12 months, the pledge in the association's words, which a coordinator can revise).

Revision ID: 29304b5c6d74
Revises: 18293a4b5c63
Create Date: 2026-11-23 21:02:46

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

STAGE_ORDER_SQL = ("(CASE stage WHEN 'applied' THEN 0 WHEN 'interview_booked' THEN 1 "
                   "WHEN 'interviewed' THEN 2 WHEN 'in_training' THEN 3 WHEN 'approved' THEN 4 "
                   "WHEN 'active' THEN 5 WHEN 'paused' THEN 6 WHEN 'ended' THEN 7 ELSE 99 END)")
PLEDGE = (
    "Jag lovar att inte föra vidare något av det jag får veta om föräldrar, deras barn och "
    "andra personer i mitt uppdrag som stödperson i föreningen. Jag berättar inte för någon "
    "att en viss förälder har kontakt med föreningen. Löftet gäller också när mitt uppdrag "
    "har upphört.\n\n"
    "Det jag behöver prata om tar jag upp med samordnaren eller i handledningen, utan att "
    "nämna fler uppgifter än som behövs. Får jag veta att ett barn far illa gör jag en "
    "orosanmälan till socialtjänsten och berättar det för samordnaren.")


revision = '29304b5c6d74'
down_revision = '18293a4b5c63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supporter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('stage_changed_on', sa.Date(), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('area', sa.String(length=120), nullable=True),
    sa.Column('meets_in_person', sa.Boolean(), nullable=False),
    sa.Column('meets_by_phone', sa.Boolean(), nullable=False),
    sa.Column('meets_by_video', sa.Boolean(), nullable=False),
    sa.Column('weekday_daytime', sa.Boolean(), nullable=False),
    sa.Column('evenings', sa.Boolean(), nullable=False),
    sa.Column('weekends', sa.Boolean(), nullable=False),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('offer', sa.Text(), nullable=True),
    sa.Column('experience', sa.Text(), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('interview_on', sa.Date(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("gender IN ('woman', 'man', 'non_binary')", name=op.f('ck_supporter_gender_valid')),
    sa.CheckConstraint("stage IN ('applied', 'interview_booked', 'interviewed', 'in_training', 'approved', 'active', 'paused', 'ended')", name=op.f('ck_supporter_stage_valid')),
    sa.CheckConstraint('capacity >= 0 AND capacity <= 10', name=op.f('ck_supporter_capacity_range')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_supporter_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_supporter_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supporter')),
    sa.UniqueConstraint('user_id', name=op.f('uq_supporter_user_id'))
    )
    with op.batch_alter_table('supporter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supporter_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supporter_stage'), ['stage'], unique=False)
    op.create_index('ix_supporter_stage_order', 'supporter',
                    [sa.text(STAGE_ORDER_SQL), 'display_name', 'id'], unique=False)

    op.create_table('supporter_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('validity_months', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('training', 'pledge', 'record_check')", name=op.f('ck_supporter_requirement_kind_valid')),
    sa.CheckConstraint('validity_months IS NULL OR validity_months BETWEEN 1 AND 120', name=op.f('ck_supporter_requirement_validity_range')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_supporter_requirement_created_by_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supporter_requirement')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_supporter_requirement_key_version'))
    )
    with op.batch_alter_table('supporter_requirement', schema=None) as batch_op:
        batch_op.create_index('uq_supporter_requirement_current', ['key'], unique=True, sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'))

    op.create_table('supporter_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('document_dated_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_on IS NULL OR expires_on > COALESCE(document_dated_on, completed_on)', name=op.f('ck_supporter_completion_expires_after_completed')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_supporter_completion_recorded_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requirement_id'], ['supporter_requirement.id'], name=op.f('fk_supporter_completion_requirement_id_supporter_requirement')),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporter.id'], name=op.f('fk_supporter_completion_supporter_id_supporter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supporter_completion'))
    )
    with op.batch_alter_table('supporter_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supporter_completion_requirement_id'), ['requirement_id'], unique=False)
        batch_op.create_index('ix_supporter_completion_supporter', ['supporter_id', 'requirement_id'], unique=False)

    op.create_table('supporter_language',
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.CheckConstraint("language IN ('sv', 'en', 'ar', 'so', 'fa', 'prs', 'ti', 'ku', 'pl', 'bs', 'fi', 'tr', 'es', 'ru', 'uk', 'rom', 'swl')", name=op.f('ck_supporter_language_language_valid')),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporter.id'], name=op.f('fk_supporter_language_supporter_id_supporter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('supporter_id', 'language', name=op.f('pk_supporter_language'))
    )
    with op.batch_alter_table('supporter_language', schema=None) as batch_op:
        batch_op.create_index('ix_supporter_language_language', ['language', 'supporter_id'], unique=False)

    op.create_table('supporter_stage_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=True),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("from_stage IN ('applied', 'interview_booked', 'interviewed', 'in_training', 'approved', 'active', 'paused', 'ended')", name=op.f('ck_supporter_stage_change_from_stage_valid')),
    sa.CheckConstraint("to_stage IN ('applied', 'interview_booked', 'interviewed', 'in_training', 'approved', 'active', 'paused', 'ended')", name=op.f('ck_supporter_stage_change_to_stage_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_supporter_stage_change_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporter.id'], name=op.f('fk_supporter_stage_change_supporter_id_supporter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supporter_stage_change'))
    )
    with op.batch_alter_table('supporter_stage_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supporter_stage_change_supporter_id'), ['supporter_id'], unique=False)

    requirements = sa.table(
        'supporter_requirement', sa.column('key', sa.String), sa.column('version', sa.Integer),
        sa.column('kind', sa.String), sa.column('required', sa.Boolean),
        sa.column('validity_months', sa.Integer), sa.column('body', sa.Text),
        sa.column('created_at', sa.DateTime(timezone=True)))
    now = datetime.now(UTC)
    op.bulk_insert(requirements, [
        {'key': 'record_check', 'version': 1, 'kind': 'record_check', 'required': True,
         'validity_months': 12, 'body': None, 'created_at': now},
        {'key': 'pledge', 'version': 1, 'kind': 'pledge', 'required': True,
         'validity_months': None, 'body': PLEDGE, 'created_at': now},
    ])


def downgrade():
    with op.batch_alter_table('supporter_stage_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supporter_stage_change_supporter_id'))

    op.drop_table('supporter_stage_change')
    with op.batch_alter_table('supporter_language', schema=None) as batch_op:
        batch_op.drop_index('ix_supporter_language_language')

    op.drop_table('supporter_language')
    with op.batch_alter_table('supporter_completion', schema=None) as batch_op:
        batch_op.drop_index('ix_supporter_completion_supporter')
        batch_op.drop_index(batch_op.f('ix_supporter_completion_requirement_id'))

    op.drop_table('supporter_completion')
    with op.batch_alter_table('supporter_requirement', schema=None) as batch_op:
        batch_op.drop_index('uq_supporter_requirement_current', sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'))

    op.drop_table('supporter_requirement')
    op.drop_index('ix_supporter_stage_order', table_name='supporter')
    with op.batch_alter_table('supporter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supporter_stage'))
        batch_op.drop_index(batch_op.f('ix_supporter_municipality_id'))

    op.drop_table('supporter')
