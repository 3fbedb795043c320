"""Remote consoles' one-time tokens (console_auth_tokens).

Only a token's sha256 is stored: whoever reads the table cannot connect.
A token is good until `expires` (seconds since the epoch) and for one
connect: `consume` deletes the row it returns, so two proxies given the
same token cannot both win. Expired rows go whenever a token is made.
"""

import hashlib
import time

import sqlalchemy as sa

from nova_conductor.db import models
from nova_conductor.db import session

_tokens = models.ConsoleAuthToken.__table__
# Live tokens kept per instance; a new one beyond it drops the oldest.
MAX_PER_INSTANCE = 32
COLUMNS = ('console_type', 'host', 'port', 'internal_access_path',
           'instance_uuid', 'access_url_base', 'expires')


def token_hash(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def _public(row):
    return {key: row.get(key) for key in COLUMNS}


@session.retry_transaction
def create(token, ttl, **values):
    """Store `token` (hashed) for the console `values` describe; returns
    the stored values (with `expires`)."""
    now = int(time.time())
    values = dict(values, token_hash=token_hash(token), expires=now + ttl,
                  created_at=models.utcnow())
    with session.writer() as s:
        s.execute(sa.delete(_tokens).where(_tokens.c.expires <= now))
        ids = s.execute(
            sa.select(_tokens.c.id)
            .where(_tokens.c.instance_uuid == values['instance_uuid'])
            .order_by(_tokens.c.id.desc())
            .offset(MAX_PER_INSTANCE - 1)).scalars().all()
        if ids:
            s.execute(sa.delete(_tokens).where(_tokens.c.id.in_(ids)))
        s.execute(sa.insert(_tokens).values(**values))
    return _public(values)


def _live(s, token):
    return s.execute(sa.select(_tokens).where(
        _tokens.c.token_hash == token_hash(token),
        _tokens.c.expires > int(time.time()))).mappings().first()


def get(token):
    """The console of a live token, or None; the token stays usable."""
    with session.reader() as s:
        row = _live(s, token)
    return _public(row) if row else None


@session.retry_transaction
def consume(token):
    """The console of a live token, which is gone after; None when the
    token is unknown, expired or used already."""
    with session.writer() as s:
        row = _live(s, token)
        if row is None:
            return None
        if s.execute(sa.delete(_tokens).where(
                _tokens.c.id == row['id'])).rowcount != 1:
            return None
    return _public(row)


def delete_for_instance(instance_uuid):
    with session.writer() as s:
        return s.execute(sa.delete(_tokens).where(
            _tokens.c.instance_uuid == instance_uuid)).rowcount


def purge_expired():
    """Remove expired tokens; how many went."""
    with session.writer() as s:
        return s.execute(sa.delete(_tokens).where(
            _tokens.c.expires <= int(time.time()))).rowcount
