"""Alembic environment: runs against the connection nova-manage hands over."""

from alembic import context

from nova_conductor.db import models

config = context.config
target_metadata = models.Base.metadata


def run_migrations_online():
    connection = config.attributes.get('connection')
    if connection is not None:
        _run(connection)
        return
    import sqlalchemy as sa
    engine = sa.create_engine(config.get_main_option('sqlalchemy.url'))
    with engine.begin() as conn:
        _run(conn)


def _run(connection):
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == 'sqlite')
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
