"""The conductor's database layer against real PostgreSQL and MySQL servers
that terminate its connections (pg_terminate_backend, KILL): what each
driver raises is turned into DatabaseUnavailable, or DatabaseCommitUnknown
when the connection went at the COMMIT, and a transaction run again gets
a fresh connection. The whole deployment under the same fault is in
test_faults.py."""

import time

import pytest
import sqlalchemy as sa

from common import exception
from nova_conductor.db import catalog
from nova_conductor.db import migration
from nova_conductor.db import models
from nova_conductor.db import session
from tests import services

_flavors = models.Flavor.__table__


class Server:
    """Terminates connections to one test database, as an operator (or a
    failover) would, from a connection of its own."""

    def __init__(self, backend, url):
        self.backend = backend
        url = sa.engine.make_url(url)
        self.database = url.database
        self.admin = sa.create_engine(
            url.set(database='postgres' if backend == 'postgresql' else ''),
            isolation_level='AUTOCOMMIT')

    def own_id(self, s):
        """The server's id of the connection session `s` uses."""
        query = ('SELECT pg_backend_pid()' if self.backend == 'postgresql'
                 else 'SELECT CONNECTION_ID()')
        return s.execute(sa.text(query)).scalar()

    def terminate(self, conn_id):
        """Terminate connection `conn_id` and wait until it is gone, so
        that the client's next statement meets a dead connection."""
        with self.admin.connect() as conn:
            if self.backend == 'postgresql':
                conn.execute(sa.text('SELECT pg_terminate_backend(:pid)'),
                             {'pid': conn_id})
                alive = sa.text('SELECT count(*) FROM pg_stat_activity '
                                'WHERE pid = :id')
            else:
                conn.exec_driver_sql('KILL %d' % int(conn_id))
                alive = sa.text('SELECT count(*) FROM '
                                'information_schema.processlist '
                                'WHERE id = :id')
            deadline = time.monotonic() + 10
            while conn.execute(alive, {'id': conn_id}).scalar():
                assert time.monotonic() < deadline, 'connection not ended'
                time.sleep(0.01)

    def terminate_all(self):
        with self.admin.connect() as conn:
            if self.backend == 'postgresql':
                return conn.execute(sa.text(
                    'SELECT count(pg_terminate_backend(pid)) FROM '
                    'pg_stat_activity WHERE datname = :db'),
                    {'db': self.database}).scalar()
            ids = conn.execute(sa.text(
                'SELECT id FROM information_schema.processlist '
                'WHERE db = :db'), {'db': self.database}).scalars().all()
            for conn_id in ids:
                conn.exec_driver_sql('KILL %d' % int(conn_id))
            return len(ids)


@pytest.fixture(scope='module', params=['postgresql', 'mysql'])
def server(request):
    url, drop = services.create_database(request.param)
    session.configure(url)
    migration.db_sync()
    srv = Server(request.param, url)
    yield srv
    session.dispose()
    srv.admin.dispose()
    drop()


@pytest.fixture
def clean(server):
    yield server
    with session.writer() as s:
        s.execute(sa.delete(_flavors))


def _insert(s, flavorid):
    s.execute(sa.insert(_flavors).values(
        flavorid=flavorid, name='f-%s' % flavorid, vcpus=1, memory_mb=512,
        root_gb=1))


def _flavor_ids():
    with session.reader() as s:
        return sorted(s.execute(sa.select(_flavors.c.flavorid)).scalars())


def test_a_connection_terminated_mid_transaction_writes_nothing(clean):
    with pytest.raises(exception.DatabaseUnavailable) as raised:
        with session.writer() as s:
            _insert(s, 'a')
            clean.terminate(clean.own_id(s))
            _insert(s, 'b')
    assert not isinstance(raised.value, exception.DatabaseCommitUnknown)
    assert 'INSERT' not in raised.value.message
    assert _flavor_ids() == []


def test_a_connection_terminated_before_the_commit_is_an_unknown_outcome(
        clean):
    # The COMMIT meets a dead connection: the conductor cannot tell
    # whether the server committed, and says so. (Here it had not.)
    with pytest.raises(exception.DatabaseCommitUnknown):
        with session.writer() as s:
            _insert(s, 'a')
            clean.terminate(clean.own_id(s))
    assert _flavor_ids() == []


def test_a_transaction_run_again_gets_a_fresh_connection(clean):
    runs = []

    @session.retry_transaction
    def add():
        with session.writer() as s:
            runs.append(1)
            if len(runs) == 1:
                clean.terminate(clean.own_id(s))
            _insert(s, 'a')
    add()
    assert len(runs) == 2
    assert _flavor_ids() == ['a']


def test_reads_after_every_connection_was_terminated_succeed(clean):
    with session.writer() as s:
        _insert(s, 'a')
    # Several pooled connections, all terminated while idle: each is
    # replaced as it is checked out (pool_pre_ping).
    sessions = [session.reader() for _ in range(3)]
    for cm in sessions:
        cm.__enter__().execute(sa.text('SELECT 1'))
    for cm in sessions:
        cm.__exit__(None, None, None)
    assert clean.terminate_all() >= 1
    for _ in range(3):
        assert [f['flavorid'] for f in catalog.flavor_get_all()] == ['a']


def test_a_server_that_cannot_be_reached_is_database_unavailable(server):
    real = session.get_engine().url
    session.configure(real.set(host='127.0.0.1', port=1))
    try:
        with pytest.raises(exception.DatabaseUnavailable):
            catalog.flavor_get_all()
    finally:
        session.configure(real)
