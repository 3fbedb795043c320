"""Schema upgrades through alembic (what `nova-manage db sync` runs)."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

import migrations
from nova_conductor.db import session

MIGRATIONS_DIR = os.path.dirname(os.path.abspath(migrations.__file__))


def _config(connection=None):
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', MIGRATIONS_DIR)
    cfg.set_main_option('sqlalchemy.url',
                        str(session.get_engine().url).replace('%', '%%'))
    if connection is not None:
        cfg.attributes['connection'] = connection
    return cfg


def db_sync(revision='head'):
    with session.get_engine().begin() as conn:
        command.upgrade(_config(conn), revision)


def db_version():
    with session.get_engine().connect() as conn:
        return alembic_migration.MigrationContext.configure(
            conn).get_current_revision()


def head():
    """The newest revision migrations/ knows."""
    return alembic_script.ScriptDirectory.from_config(
        _config()).get_current_head()


def revision(message, autogenerate=True):
    """Write a new migration file (for developers changing models.py)."""
    return command.revision(_config(), message=message,
                            autogenerate=autogenerate)
