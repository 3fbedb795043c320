"""Users' SSH key pairs (public halves only)."""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import quotas
from nova_conductor.db import session


def create(user_id, name, public_key, fingerprint, key_type='ssh'):
    try:
        with session.writer() as s:
            # Key pairs count per user: lock the user like a project.
            quotas.lock_project(s, 'user:%s' % user_id)
            limit = quotas.defaults_in(s)['key_pairs']
            count = s.execute(sa.select(sa.func.count()).select_from(
                models.KeyPair.__table__).where(
                models.KeyPair.__table__.c.user_id == user_id)).scalar()
            if 0 <= limit <= count:
                raise exception.OverQuota(resource='key_pairs', requested=1,
                                          used=count, limit=limit)
            row = models.KeyPair(user_id=user_id, name=name,
                                 public_key=public_key,
                                 fingerprint=fingerprint, type=key_type)
            s.add(row)
            s.flush()
            return convert.row_to_dict(row)
    except sa_exc.IntegrityError:
        raise exception.Conflict(reason='Key pair \'%s\' already exists.'
                                 % name)


def _row(s, user_id, name):
    row = s.scalars(sa.select(models.KeyPair).filter_by(
        user_id=user_id, name=name)).first()
    if row is None:
        raise exception.NotFound('Keypair %s not found for user %s'
                                 % (name, user_id))
    return row


def get(user_id, name):
    with session.reader() as s:
        return convert.row_to_dict(_row(s, user_id, name))


def get_all(user_id, limit=None, marker=None):
    """The user's key pairs by name; `marker` is the last name seen."""
    with session.reader() as s:
        query = (sa.select(models.KeyPair).filter_by(user_id=user_id)
                 .order_by(models.KeyPair.name))
        if marker is not None:
            if s.scalars(sa.select(models.KeyPair.id).filter_by(
                    user_id=user_id, name=marker)).first() is None:
                raise exception.MarkerNotFound(marker=marker)
            query = query.where(models.KeyPair.name > marker)
        if limit is not None:
            query = query.limit(limit)
        return [convert.row_to_dict(r) for r in s.scalars(query)]


def delete(user_id, name):
    with session.writer() as s:
        s.delete(_row(s, user_id, name))
