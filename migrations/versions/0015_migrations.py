"""migrations: what a resize or a cold/live migration needs to carry out
and undo a move: the flavors before and after (snapshots, as the
instance keeps its own), the vm_state to return to on revert, and a live
migration's progress counters

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 07:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_COUNTERS = ('memory_total', 'memory_processed', 'memory_remaining',
             'disk_total', 'disk_processed', 'disk_remaining')


def upgrade():
    with op.batch_alter_table('migrations') as batch:
        batch.add_column(sa.Column('old_flavor', sa.Text(), nullable=True))
        batch.add_column(sa.Column('new_flavor', sa.Text(), nullable=True))
        batch.add_column(sa.Column('old_vm_state', sa.String(255),
                                   nullable=True))
        batch.add_column(sa.Column('dest_compute_node_id', sa.Integer(),
                                   nullable=True))
        for name in _COUNTERS:
            batch.add_column(sa.Column(name, sa.BigInteger(),
                                       nullable=True))
    op.create_index('migrations_status_updated_at_idx', 'migrations',
                    ['status', 'updated_at'])


def downgrade():
    op.drop_index('migrations_status_updated_at_idx',
                  table_name='migrations')
    with op.batch_alter_table('migrations') as batch:
        for name in _COUNTERS + ('dest_compute_node_id', 'old_vm_state',
                                 'new_flavor', 'old_flavor'):
            batch.drop_column(name)
