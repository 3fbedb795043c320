"""instances.config_drive, key_data, key_type and password: what a guest
learns about itself (the metadata service and the config drive) and the
password it posts back

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 21:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('config_drive', sa.Boolean(),
                                   nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('key_data', sa.Text(), nullable=True))
        batch.add_column(sa.Column('key_type', sa.String(20),
                                   nullable=True))
        batch.add_column(sa.Column('password', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        for column in ('password', 'key_type', 'key_data', 'config_drive'):
            batch.drop_column(column)
