"""conductor workers, and the owner and resume count of each build, so a
build whose conductor worker died is resumed by another

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'conductor_workers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('build_owner', sa.Integer(),
                                   nullable=True))
        batch.add_column(sa.Column('build_resumes', sa.Integer(),
                                   nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('build_resumes')
        batch.drop_column('build_owner')
    op.drop_table('conductor_workers')
