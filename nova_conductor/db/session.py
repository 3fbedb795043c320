"""Engine and transactions: `writer()` and `reader()` are the only ways in."""

import contextlib
import functools
import threading
import time

import sqlalchemy as sa
from sqlalchemy import event, exc as sa_exc, orm

_lock = threading.Lock()
_engine = None
_sessionmaker = None
# SQLite allows one writer; serialising our own writers avoids "database is
# locked" errors between threads of one conductor.
_sqlite_writer = threading.RLock()


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
    return sa.create_engine(url, echo=echo, pool_size=pool_size,
                            max_overflow=max_overflow, pool_pre_ping=True,
                            **kwargs)


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


@contextlib.contextmanager
def writer():
    """A read-write transaction, committed on success, rolled back on error."""
    get_engine()
    lock = _sqlite_writer if _is_sqlite() else contextlib.nullcontext()
    with lock:
        with _sessionmaker.begin() as session:
            yield session


def retry_on_deadlock(func, attempts=5):
    """Run `func` again when the database picked it as a deadlock victim."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(attempts):
            try:
                return func(*args, **kwargs)
            except sa_exc.OperationalError as e:
                if attempt == attempts - 1 or not _is_deadlock(e):
                    raise
                time.sleep(0.01 * (attempt + 1))
    return wrapper


def _is_deadlock(error):
    text = str(getattr(error, 'orig', error)).lower()
    # MySQL 1213 / 1205, PostgreSQL 40P01 / 40001, SQLite busy.
    return any(code in text for code in (
        '1213', '1205', 'deadlock', 'could not serialize',
        'database is locked'))


@contextlib.contextmanager
def reader():
    """A read-only session (nothing it does is committed)."""
    get_engine()
    with _sessionmaker() as session:
        yield session
        session.rollback()
