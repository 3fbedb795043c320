"""services.version: the service version each daemon reports when it
registers (common/service_version.py), read by `nova-status upgrade
check`; NULL for a daemon older than this column

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 03:15:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('services', sa.Column('version', sa.Integer(),
                                        nullable=True))


def downgrade():
    with op.batch_alter_table('services') as batch:
        batch.drop_column('version')
