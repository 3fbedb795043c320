"""instance description, lock, tags, flavor id and IPv6 access address

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('access_ip_v6', sa.String(length=64),
                                   nullable=True))
        batch.add_column(sa.Column('display_description', sa.Text(),
                                   nullable=True))
        batch.add_column(sa.Column('flavorid', sa.String(length=255),
                                   nullable=True))
        batch.add_column(sa.Column('locked_by', sa.String(length=255),
                                   nullable=True))
        batch.add_column(sa.Column('locked_reason', sa.Text(),
                                   nullable=True))
        batch.add_column(sa.Column('tags', sa.Text(), nullable=False,
                                   server_default='[]'))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        for name in ('tags', 'locked_reason', 'locked_by', 'flavorid',
                     'display_description', 'access_ip_v6'):
            batch.drop_column(name)
