"""index instances by task_state and updated_at, for the sweep of builds
that never got a host

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 09:00:00.000000
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('instances_task_state_updated_at_idx', 'instances',
                    ['task_state', 'updated_at'])


def downgrade():
    op.drop_index('instances_task_state_updated_at_idx',
                  table_name='instances')
