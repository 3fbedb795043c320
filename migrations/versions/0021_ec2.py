"""ec2_credentials and ec2_client_tokens: the EC2 API's access keys
without Keystone, and RunInstances' ClientToken idempotency
(nova_api/ec2/, nova_conductor/db/ec2.py)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 05:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ec2_credentials',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('access', sa.String(64), nullable=False),
        sa.Column('secret', sa.String(64), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('access', name='uniq_ec2_credentials0access'))
    op.create_index('ec2_credentials_project_id_idx', 'ec2_credentials',
                    ['project_id'])
    op.create_table(
        'ec2_client_tokens',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('client_token', sa.String(64), nullable=False),
        sa.Column('request_hash', sa.String(64), nullable=False),
        sa.Column('reservation_id', sa.String(255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('project_id', 'client_token',
                            name='uniq_ec2_client_tokens0project_id0token'))


def downgrade():
    op.drop_table('ec2_client_tokens')
    op.drop_index('ec2_credentials_project_id_idx', 'ec2_credentials')
    op.drop_table('ec2_credentials')
