"""An instance's details, each changed under its row lock: metadata,
tags and the lock."""

import sqlalchemy as sa

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import quotas
from nova_conductor.db import session


def _write(s, row, **values):
    """Update the locked row `row` with `values`; the values written."""
    values['updated_at'] = models.utcnow()
    table = models.Instance.__table__
    s.execute(sa.update(table).where(table.c.id == row['id'])
              .values(**values))
    return values


def set_metadata(instance_uuid, metadata, replace=False):
    """Merge `metadata` into the instance's (or replace it whole) under the
    row lock, so concurrent updates never lose each other's keys; the
    project's metadata_items quota bounds the result."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        new = {} if replace else convert.loads(row['metadata'])
        new.update(metadata)
        limit = quotas.limits_in(s, row['project_id'])['metadata_items']
        if 0 <= limit < len(new):
            raise exception.OverQuota(
                resource='metadata_items', requested=len(new), used=0,
                limit=limit)
        _write(s, row, metadata=convert.dumps(new))
        return new


def delete_metadata_key(instance_uuid, key):
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        new = convert.loads(row['metadata'])
        if key not in new:
            raise exception.MetadataKeyNotFound(instance_uuid=instance_uuid,
                                                key=key)
        del new[key]
        _write(s, row, metadata=convert.dumps(new))
        return new


def set_lock(instance_uuid, locked_by, reason=None, by_admin=False):
    """Lock (locked_by 'owner' or 'admin') or unlock (locked_by None).

    Only an admin may lift a lock an admin set.
    """
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        if locked_by is None and row['locked_by'] == 'admin' and \
                not by_admin:
            raise exception.Forbidden(
                'Instance %s was locked by an admin; only an admin can '
                'unlock it.' % instance_uuid)
        new = dict(row)
        new.update(_write(s, row, locked_by=locked_by,
                          locked_reason=reason if locked_by else None))
        return instances.to_dicts(s, [new])[0]


def set_tags(instance_uuid, tags, add=(), remove=()):
    """Replace the tags (when `tags` is not None), then add and remove."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        new = list(tags) if tags is not None else \
            convert.loads(row['tags'], default=[])
        for tag in add:
            if tag not in new:
                new.append(tag)
        for tag in remove:
            if tag not in new:
                raise exception.InstanceTagNotFound(
                    instance_id=instance_uuid, tag=tag)
            new.remove(tag)
        if len(new) > 50:
            raise exception.Invalid(reason='The number of tags exceeded '
                                           'the per-server limit 50')
        _write(s, row, tags=convert.dumps(new))
        return new
