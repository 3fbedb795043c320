"""services: indexes on last_seen_up and updated_at, so the scheduler's
refresh finds the nodes down now and the services an admin changed
without reading every service

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 11:50:00.000000
"""

from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('services_last_seen_up_idx', 'services',
                    ['last_seen_up'])
    op.create_index('services_updated_at_idx', 'services', ['updated_at'])


def downgrade():
    op.drop_index('services_updated_at_idx', 'services')
    op.drop_index('services_last_seen_up_idx', 'services')
