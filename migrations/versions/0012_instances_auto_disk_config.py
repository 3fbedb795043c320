"""instances.auto_disk_config: the server's OS-DCF:diskConfig (true is
AUTO); the servers there before are MANUAL, what they showed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('auto_disk_config', sa.Boolean(),
                                   nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('auto_disk_config')
