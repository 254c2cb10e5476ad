"""support: a parent may follow their request from an account of their own

Revision ID: c42b998a388d
Revises: e1b3674c2cdb
Create Date: 2026-11-24 00:52:22.345702

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c42b998a388d'
down_revision = 'e1b3674c2cdb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('support_parent_account',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('connected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['support_request.id'], name=op.f('fk_support_parent_account_request_id_support_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_support_parent_account_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_support_parent_account'))
    )
    with op.batch_alter_table('support_parent_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_parent_account_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('support_parent_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_parent_account_user_id'))

    op.drop_table('support_parent_account')
