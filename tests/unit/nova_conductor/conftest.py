"""A fresh SQLite database, migrated to head, for each test."""

import pytest

from nova_conductor.db import migration
from nova_conductor.db import session


@pytest.fixture
def db(tmp_path):
    session.configure('sqlite:///%s' % (tmp_path / 'nova.sqlite'))
    migration.db_sync()
    yield session
    session.dispose()
