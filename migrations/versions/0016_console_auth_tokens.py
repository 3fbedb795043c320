"""console_auth_tokens: remote consoles' one-time tokens, stored hashed

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-05 07:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'console_auth_tokens',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('console_type', sa.String(32), nullable=False),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('internal_access_path', sa.String(255), nullable=True),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('access_url_base', sa.String(255), nullable=True),
        sa.Column('expires', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('token_hash',
                            name='uniq_console_auth_tokens0token_hash'),
    )
    op.create_index('console_auth_tokens_instance_uuid_idx',
                    'console_auth_tokens', ['instance_uuid'])
    op.create_index('console_auth_tokens_expires_idx',
                    'console_auth_tokens', ['expires'])


def downgrade():
    op.drop_table('console_auth_tokens')
