"""image hashes and tags (Glance v2 fields)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('os_hash_algo', sa.String(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column('os_hash_value', sa.String(length=128),
                                      nullable=True))
        batch_op.add_column(sa.Column('tags', sa.Text(), nullable=False,
                                      server_default='[]'))


def downgrade():
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.drop_column('tags')
        batch_op.drop_column('os_hash_value')
        batch_op.drop_column('os_hash_algo')
