"""A lost database connection becomes a domain error in one place
(session.writer / reader), and retry_transaction runs a transaction
again when that is safe."""

import types

import pytest
import sqlalchemy as sa

from common import exception
from nova_conductor.db import catalog
from nova_conductor.db import models
from nova_conductor.db import session
from tests.unit.nova_conductor import dbhelpers

_flavors = models.Flavor.__table__


def _add_flavor(flavorid):
    with session.writer() as s:
        s.execute(sa.insert(_flavors).values(
            flavorid=flavorid, name='f-%s' % flavorid, vcpus=1,
            memory_mb=512, root_gb=1))


def _flavor_ids():
    with session.reader() as s:
        return sorted(s.execute(sa.select(_flavors.c.flavorid)).scalars())


def test_a_connection_lost_while_reading_is_database_unavailable(
        db, monkeypatch):
    dbhelpers.LostConnections(monkeypatch, statements=1)
    with pytest.raises(exception.DatabaseUnavailable) as raised:
        catalog.flavor_get_all()
    assert not isinstance(raised.value, exception.DatabaseCommitUnknown)
    assert raised.value.code == 503
    # What the client reads says what happened, never the SQL or driver.
    message = raised.value.message
    assert 'database is unavailable' in message
    assert 'SELECT' not in message and 'closed the connection' not in message
    # The next read gets a fresh connection.
    assert catalog.flavor_get_all() is not None


def test_a_connection_lost_before_the_commit_writes_nothing(db, monkeypatch):
    lost = dbhelpers.LostConnections(monkeypatch)
    with pytest.raises(exception.DatabaseUnavailable) as raised:
        with session.writer() as s:
            s.execute(sa.insert(_flavors).values(
                flavorid='a', name='a', vcpus=1, memory_mb=512, root_gb=1))
            lost.statements = 1
            s.execute(sa.select(_flavors.c.id))
    assert not isinstance(raised.value, exception.DatabaseCommitUnknown)
    assert 'a' not in _flavor_ids()


@pytest.mark.parametrize('after_commit', [False, True])
def test_a_connection_lost_during_the_commit_is_an_unknown_outcome(
        db, monkeypatch, after_commit):
    dbhelpers.LostConnections(monkeypatch, commits=1,
                              after_commit=after_commit)
    with pytest.raises(exception.DatabaseCommitUnknown) as raised:
        _add_flavor('a')
    assert raised.value.code == 503
    assert 'may or may not have been saved' in raised.value.message
    # Either can be true; the error cannot tell which.
    assert _flavor_ids() == (['a'] if after_commit else [])


def test_a_connection_lost_at_a_readers_closing_rollback_keeps_the_read(
        db, monkeypatch):
    _add_flavor('a')
    dialect = session.get_engine().dialect
    error = dialect.loaded_dbapi.OperationalError('connection went')
    monkeypatch.setattr(dialect, 'is_disconnect', lambda e, *a: e is error)

    def do_rollback(dbapi_connection):
        raise error
    monkeypatch.setattr(dialect, 'do_rollback', do_rollback)
    assert _flavor_ids() == ['a']


def test_other_database_errors_pass_unchanged(db):
    _add_flavor('a')
    with pytest.raises(sa.exc.IntegrityError):
        _add_flavor('a')


def test_a_transaction_is_run_again_after_a_lost_connection(db, monkeypatch):
    lost = dbhelpers.LostConnections(monkeypatch, statements=2)
    runs = []

    @session.retry_transaction
    def add():
        runs.append(1)
        _add_flavor('a')
    add()
    assert lost.raised == 2 and len(runs) == 3
    assert _flavor_ids() == ['a']


def test_after_an_unknown_commit_only_an_idempotent_transaction_runs_again(
        db, monkeypatch):
    dbhelpers.LostConnections(monkeypatch, commits=1, after_commit=True)
    runs = []

    @session.retry_transaction
    def add():
        runs.append(1)
        _add_flavor('a')
    with pytest.raises(exception.DatabaseCommitUnknown):
        add()
    assert len(runs) == 1

    dbhelpers.LostConnections(monkeypatch, commits=1, after_commit=True)

    @session.retry_transaction(idempotent=True)
    def upsert():
        runs.append(1)
        with session.writer() as s:
            s.execute(sa.update(_flavors).where(_flavors.c.flavorid == 'a')
                      .values(vcpus=2))
    upsert()
    assert len(runs) == 3
    assert catalog.flavor_get('a')['vcpus'] == 2


def test_retries_end_with_the_error(db, monkeypatch):
    dbhelpers.LostConnections(monkeypatch, statements=10)
    runs = []

    @session.retry_transaction(attempts=3)
    def read():
        runs.append(1)
        return _flavor_ids()
    with pytest.raises(exception.DatabaseUnavailable):
        read()
    assert len(runs) == 3


def _dialect(name, dbapi):
    return types.SimpleNamespace(name=name, loaded_dbapi=dbapi)


def test_servers_that_cannot_be_reached_count_as_disconnects():
    class Error(Exception):
        pass

    class OperationalError(Error):
        pgcode = None

    class ServerError(OperationalError):
        def __init__(self, pgcode):
            super().__init__(pgcode)
            self.pgcode = pgcode

    dbapi = types.SimpleNamespace(Error=Error,
                                  OperationalError=OperationalError)
    mysql = _dialect('mysql', dbapi)
    postgres = _dialect('postgresql', dbapi)
    # MySQL: can't connect, server shutting down, lost, killed.
    for code in (2003, 2002, 1053, 2013, 1927):
        assert session._unreachable(mysql, OperationalError(code, 'x'))
    # ...but not a deadlock, a duplicate key or a syntax error.
    for code in (1213, 1062, 1064):
        assert not session._unreachable(mysql, OperationalError(code, 'x'))
    # PostgreSQL: libpq's own failures (no SQLSTATE), class 08, shutdown.
    assert session._unreachable(postgres, OperationalError('refused'))
    for code in ('08006', '08001', '57P01', '57P03'):
        assert session._unreachable(postgres, ServerError(code))
    for code in ('40P01', '23505', '57014'):
        assert not session._unreachable(postgres, ServerError(code))
    assert not session._unreachable(postgres, ValueError('not the driver'))
