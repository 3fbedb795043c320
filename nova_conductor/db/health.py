"""Whether the database answers, for nova-api's /healthcheck."""

import time

import sqlalchemy as sa

from nova_conductor.db import session


def check():
    """One `SELECT 1` through the pool: the dialect and milliseconds it
    took. A server that cannot be reached raises DatabaseUnavailable."""
    started = time.monotonic()
    with session.reader() as s:
        s.execute(sa.text('SELECT 1')).scalar()
    return {'dialect': session.get_engine().dialect.name,
            'ms': round((time.monotonic() - started) * 1000, 1)}
