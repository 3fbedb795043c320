"""Records of instance moves between hosts, for /os-migrations.

Nothing moves an instance this way yet; resize, cold and live migration
will record each move with create() and advance it with update() (Nova's
statuses: 'pre-migrating', 'migrating', 'post-migrating', 'finished',
'confirmed', 'reverted', 'error', ..., and for live migrations 'queued',
'preparing', 'running', 'completed', 'failed', 'cancelled').
"""

import uuid as uuid_lib

import sqlalchemy as sa

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import paginate
from nova_conductor.db import session

# What a move may set; everything else is the row's own.
FIELDS = ('instance_uuid', 'migration_type', 'status', 'source_compute',
          'source_node', 'dest_compute', 'dest_node', 'dest_host',
          'old_instance_type_id', 'new_instance_type_id', 'hidden',
          'user_id', 'project_id')
_EQUAL_FILTERS = ('instance_uuid', 'source_compute', 'migration_type',
                  'user_id', 'project_id')


def _values(values):
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise exception.Invalid(reason='unknown migration fields %s'
                                % ', '.join(sorted(unknown)))
    return dict(values)


def create(values):
    """Record a move (values: FIELDS); the stored migration."""
    with session.writer() as s:
        row = models.Migration(uuid=str(uuid_lib.uuid4()), **_values(values))
        s.add(row)
        s.flush()
        return convert.row_to_dict(row)


def _row(s, migration_id):
    number = convert.integer_id(migration_id)
    where = (models.Migration.id == number if number is not None
             else models.Migration.uuid == str(migration_id))
    row = s.scalars(sa.select(models.Migration).where(where).where(
        models.Migration.deleted == sa.false()).with_for_update()).first()
    if row is None:
        raise exception.MigrationNotFound(migration_id=migration_id)
    return row


def update(migration_id, values):
    """Change a move's status or destination (by id or uuid)."""
    with session.writer() as s:
        row = _row(s, migration_id)
        for key, value in _values(values).items():
            setattr(row, key, value)
        row.updated_at = models.utcnow()
        s.flush()
        return convert.row_to_dict(row)


def _filtered(filters):
    mig = models.Migration
    query = sa.select(mig).where(mig.deleted == sa.false())
    for key in _EQUAL_FILTERS:
        if filters.get(key) is not None:
            query = query.where(getattr(mig, key) == filters[key])
    if filters.get('status') is not None:
        wanted = filters['status']
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        query = query.where(mig.status.in_(wanted))
    if filters.get('host') is not None:
        query = query.where(sa.or_(mig.source_compute == filters['host'],
                                   mig.dest_compute == filters['host']))
    if filters.get('hidden') is not None:
        query = query.where(mig.hidden == bool(filters['hidden']))
    # An empty bound is no bound.
    query = paginate.changed_between(
        query, mig.updated_at, filters.get('changes_since') or None,
        filters.get('changes_before') or None)
    return query


def get_all(filters=None, limit=None, marker=None):
    """Moves matching `filters`, newest first (created_at, then id);
    `marker` is the uuid of the last one seen (MarkerNotFound)."""
    order = [(models.Migration.created_at, 'desc'),
             (models.Migration.id, 'desc')]
    with session.reader() as s:
        ref = paginate.marker_row(s, models.Migration, marker)
        query = paginate.apply(_filtered(filters or {}), order, ref)
        if limit:
            query = query.limit(limit)
        return [convert.row_to_dict(row) for row in s.scalars(query)]
