"""compute_nodes.service_id and services.forced_down indexes, so the
scheduler's refresh finds forced-down and orphaned nodes, and the nodes
of services an admin changed, without reading every node

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 16:30:00.000000
"""

from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('compute_nodes_service_id_idx', 'compute_nodes',
                    ['service_id'])
    op.create_index('services_forced_down_idx', 'services', ['forced_down'])


def downgrade():
    op.drop_index('services_forced_down_idx', 'services')
    op.drop_index('compute_nodes_service_id_idx', 'compute_nodes')
