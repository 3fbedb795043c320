"""block_device_mappings: an instance's disks, image or Cinder volume, and
each volume's progress (made, attached) as the compute records it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 14:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'block_device_mappings',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('source_type', sa.String(32), nullable=False),
        sa.Column('destination_type', sa.String(32), nullable=False),
        sa.Column('uuid', sa.String(255), nullable=True),
        sa.Column('volume_id', sa.String(36), nullable=True),
        sa.Column('volume_size', sa.Integer(), nullable=True),
        sa.Column('volume_type', sa.String(255), nullable=True),
        sa.Column('boot_index', sa.Integer(), nullable=True),
        sa.Column('device_name', sa.String(255), nullable=True),
        sa.Column('disk_bus', sa.String(32), nullable=True),
        sa.Column('device_type', sa.String(32), nullable=True),
        sa.Column('guest_format', sa.String(255), nullable=True),
        sa.Column('delete_on_termination', sa.Boolean(), nullable=False,
                  server_default=sa.false()),
        sa.Column('tag', sa.String(60), nullable=True),
        sa.Column('attachment_id', sa.String(36), nullable=True),
        sa.Column('connection_info', sa.Text(), nullable=True),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_block_device_mappings_instance_uuid',
                    'block_device_mappings', ['instance_uuid'])
    op.create_index('ix_block_device_mappings_volume_id',
                    'block_device_mappings', ['volume_id'])


def downgrade():
    op.drop_table('block_device_mappings')
