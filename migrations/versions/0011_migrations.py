"""migrations: the moves of instances between hosts that /os-migrations
lists (resize, cold and live migration, evacuation record them)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:05:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'migrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=True),
        sa.Column('migration_type', sa.String(length=32), nullable=True),
        sa.Column('status', sa.String(length=255), nullable=True),
        sa.Column('source_compute', sa.String(length=255), nullable=True),
        sa.Column('source_node', sa.String(length=255), nullable=True),
        sa.Column('dest_compute', sa.String(length=255), nullable=True),
        sa.Column('dest_node', sa.String(length=255), nullable=True),
        sa.Column('dest_host', sa.String(length=255), nullable=True),
        sa.Column('old_instance_type_id', sa.Integer(), nullable=True),
        sa.Column('new_instance_type_id', sa.Integer(), nullable=True),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=True),
        sa.Column('project_id', sa.String(length=255), nullable=True),
        sa.Column('deleted', sa.Boolean(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid', name='uniq_migrations0uuid'))
    op.create_index('migrations_instance_uuid_idx', 'migrations',
                    ['instance_uuid'])
    op.create_index('migrations_created_at_idx', 'migrations',
                    ['created_at'])


def downgrade():
    op.drop_index('migrations_created_at_idx', table_name='migrations')
    op.drop_index('migrations_instance_uuid_idx', table_name='migrations')
    op.drop_table('migrations')
