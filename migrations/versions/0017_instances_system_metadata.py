"""instances.system_metadata: what the system keeps of an instance beyond
its columns, as Nova's system_metadata (a shelved server's image, host and
time)

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-05 07:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('system_metadata', sa.Text(),
                                   nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('system_metadata')
