"""flavor access and aggregate image cache requests

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'flavor_projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('flavor_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(['flavor_id'], ['flavors.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('flavor_id', 'project_id',
                            name='uniq_flavor_projects0flavor_id0project_id'))
    op.create_index(op.f('ix_flavor_projects_flavor_id'), 'flavor_projects',
                    ['flavor_id'], unique=False)
    op.create_index(op.f('ix_flavor_projects_project_id'), 'flavor_projects',
                    ['project_id'], unique=False)
    op.create_table(
        'aggregate_image_cache',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('aggregate_id', sa.Integer(), nullable=False),
        sa.Column('image_id', sa.String(length=36), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['aggregate_id'], ['aggregates.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'aggregate_id', 'image_id',
            name='uniq_aggregate_image_cache0aggregate_id0image_id'))
    op.create_index(op.f('ix_aggregate_image_cache_aggregate_id'),
                    'aggregate_image_cache', ['aggregate_id'], unique=False)


def downgrade():
    op.drop_table('aggregate_image_cache')
    op.drop_table('flavor_projects')
