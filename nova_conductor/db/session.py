"""Engine and transactions: `writer()` and `reader()` are the only ways in.

They also turn a lost database connection into a domain error, in this one
place: `DatabaseUnavailable` (nothing was written), or
`DatabaseCommitUnknown` when the connection went during the COMMIT itself
and the change may be stored. `retry_transaction` runs a transaction again
after either (the latter only when it is idempotent) or after a deadlock.
"""

import contextlib
import functools
import logging
import threading
import time

import sqlalchemy as sa
from sqlalchemy import event, exc as sa_exc, orm

from common import exception
from common import metrics

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_engine = None
_sessionmaker = None
# SQLite allows one writer; serialising our own writers avoids "database is
# locked" errors between threads of one conductor.
_sqlite_writer = threading.RLock()

# Errors that say the server is gone or cannot be reached, beyond those
# SQLAlchemy's dialects already count as disconnects (a connection lost in
# use): MySQL's "too many connections", "server shutdown in progress",
# "can't connect" (socket, TCP); PostgreSQL's connection exceptions (class
# 08) and "shutting down / starting up" (57P01-57P03). psycopg2 raises an
# OperationalError without a SQLSTATE only for libpq's own failures, which
# are all about the connection.
_MYSQL_UNREACHABLE = frozenset((1040, 1053, 2002, 2003, 2006, 2013, 2055,
                                1927))
_POSTGRES_UNREACHABLE = ('08', '57P01', '57P02', '57P03')


def configure(url, pool_size=10, max_overflow=20, echo=False):
    """Open (or re-open) the engine for `url`."""
    global _engine, _sessionmaker
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = _create_engine(url, pool_size, max_overflow, echo)
        _sessionmaker = orm.sessionmaker(bind=_engine,
                                         expire_on_commit=False)
    return _engine


def _create_engine(url, pool_size, max_overflow, echo):
    url = sa.engine.make_url(url)
    if url.get_backend_name() == 'sqlite':
        engine = sa.create_engine(
            url, echo=echo, connect_args={'check_same_thread': False,
                                          'timeout': 30})

        @event.listens_for(engine, 'connect')
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute('PRAGMA journal_mode=WAL')
            cur.execute('PRAGMA foreign_keys=ON')
            cur.execute('PRAGMA synchronous=NORMAL')
            cur.close()
        return engine
    kwargs = {}
    if url.get_backend_name() == 'mysql':
        # InnoDB's default REPEATABLE READ takes gap locks on FOR UPDATE
        # reads of absent rows (e.g. an allocation not yet made), which
        # stalls concurrent claims; READ COMMITTED does not.
        kwargs['isolation_level'] = 'READ COMMITTED'
    if url.get_driver_name() == 'psycopg2':
        # An UPDATE run for many rows (a batch of advances) goes in a few
        # round trips, not one per row.
        kwargs['executemany_mode'] = 'values_plus_batch'
    # pool_pre_ping replaces a pooled connection that died while idle; one
    # that dies in use is the handle_error hook's and writer()'s business.
    engine = sa.create_engine(url, echo=echo, pool_size=pool_size,
                              max_overflow=max_overflow, pool_pre_ping=True,
                              **kwargs)
    event.listen(engine, 'handle_error', _count_unreachable_as_disconnect)
    return engine


def _count_unreachable_as_disconnect(ctx):
    """A server that cannot be reached is a disconnect too: SQLAlchemy
    then flags the error (connection_invalidated) and renews the pool's
    connections, as for one lost in use."""
    if not ctx.is_disconnect and _unreachable(ctx.dialect,
                                              ctx.original_exception):
        ctx.is_disconnect = True


def _unreachable(dialect, error):
    dbapi = dialect.loaded_dbapi
    if not isinstance(error, dbapi.Error):
        return False
    if dialect.name == 'mysql':
        return bool(error.args) and error.args[0] in _MYSQL_UNREACHABLE
    if dialect.name == 'postgresql':
        code = getattr(error, 'pgcode', None)
        if code is None:
            return isinstance(error, dbapi.OperationalError)
        return code.startswith(_POSTGRES_UNREACHABLE)
    return False


def lost_connection(error):
    """Whether `error` (from SQLAlchemy) is a lost or unreachable server."""
    return isinstance(error, sa_exc.DBAPIError) and \
        bool(error.connection_invalidated)


def get_engine():
    if _engine is None:
        raise RuntimeError('database is not configured')
    return _engine


def dispose():
    global _engine, _sessionmaker
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _sessionmaker = None


def _is_sqlite():
    return get_engine().dialect.name == 'sqlite'


def _unavailable(error):
    # The reason names the kind of failure only: the driver's text may
    # carry SQL and addresses, which stay in the log.
    LOG.warning('Database connection lost: %s', error)
    return exception.DatabaseUnavailable(
        reason='the connection to it was lost or could not be opened')


def _rollback(session):
    """Roll back, when the connection still allows it: a connection the
    server dropped has nothing left to roll back."""
    try:
        session.rollback()
    except sa_exc.DBAPIError as error:
        if not lost_connection(error):
            raise


@contextlib.contextmanager
def writer():
    """A read-write transaction, committed on success, rolled back on error.

    A connection lost before the COMMIT raises DatabaseUnavailable (the
    server rolled the transaction back); one lost during the COMMIT raises
    DatabaseCommitUnknown.
    """
    get_engine()
    lock = _sqlite_writer if _is_sqlite() else contextlib.nullcontext()
    with metrics.timed('nova_db_transaction_seconds', kind='write'), \
            lock, _sessionmaker() as session:
        committing = False
        try:
            session.begin()
            try:
                yield session
                # What the ORM still holds goes now, so that a failure in
                # commit() below is the COMMIT's own.
                session.flush()
            except BaseException:
                _rollback(session)
                raise
            committing = True
            session.commit()
        except sa_exc.DBAPIError as error:
            if not lost_connection(error):
                raise
            if committing:
                LOG.warning('Database connection lost during COMMIT: %s',
                            error)
                raise exception.DatabaseCommitUnknown() from error
            raise _unavailable(error) from error


@contextlib.contextmanager
def reader():
    """A read-only session (nothing it does is committed). A connection
    lost while reading raises DatabaseUnavailable; one lost after the
    reads, at the closing rollback, loses nothing."""
    get_engine()
    with metrics.timed('nova_db_transaction_seconds', kind='read'), \
            _sessionmaker() as session:
        try:
            yield session
        except sa_exc.DBAPIError as error:
            if lost_connection(error):
                raise _unavailable(error) from error
            raise
        _rollback(session)


def retry_transaction(func=None, *, idempotent=False, attempts=5):
    """Run `func` (which opens its own transactions) again when the
    database picked it as a deadlock victim, or when its connection was
    lost before the COMMIT (nothing was written). After a COMMIT whose
    outcome is unknown it runs again only when `idempotent`: running it
    a second time after it succeeded gives the same result. The pauses
    are short: a caller that must wait longer is the RPC client, which
    sends a call safe to repeat again (common.rpc)."""
    if func is None:
        return functools.partial(retry_transaction, idempotent=idempotent,
                                 attempts=attempts)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return func(*args, **kwargs)
            except exception.DatabaseCommitUnknown:
                if last or not idempotent:
                    raise
                pause, reason = 0.05 * 2 ** attempt, 'commit_unknown'
            except exception.DatabaseUnavailable:
                if last:
                    raise
                # A fresh connection: the pool renewed them on the loss.
                pause, reason = 0.05 * 2 ** attempt, 'unavailable'
            except sa_exc.OperationalError as e:
                if last or not _is_deadlock(e):
                    raise
                pause, reason = 0.01 * (attempt + 1), 'deadlock'
            metrics.inc('nova_db_retries_total', reason=reason)
            time.sleep(pause)
    return wrapper


def _is_deadlock(error):
    text = str(getattr(error, 'orig', error)).lower()
    # MySQL 1213 / 1205, PostgreSQL 40P01 / 40001, SQLite busy.
    return any(code in text for code in (
        '1213', '1205', 'deadlock', 'could not serialize',
        'database is locked'))
