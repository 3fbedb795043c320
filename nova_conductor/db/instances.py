"""Instance records: read, list, lock and delete.

Creates are in instance_create.py, state changes in
instance_transitions.py, metadata, tags and locks in instance_details.py.
"""

import datetime

import sqlalchemy as sa

from common import exception
from common import states
from nova_conductor.db import actions
from nova_conductor.db import block_devices
from nova_conductor.db import compute
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import network
from nova_conductor.db import paginate
from nova_conductor.db import session


JSON_FIELDS = {'metadata': 'metadata_json', 'flavor': 'flavor',
               'request_spec': 'request_spec', 'tags': 'tags',
               'system_metadata': 'system_metadata'}


def json_value(key, value):
    if value is None:
        value = [] if key == 'tags' else {}
    return convert.dumps(value)


DATETIME_FIELDS = ('launched_at', 'terminated_at')


def to_dicts(s, rows, new=False):
    """Rows (ORM objects or Core mappings) as the dicts RPC carries.

    `new` rows were just inserted: they can have no fault or fixed IP yet.
    """
    uuids = [r['uuid'] if isinstance(r, dict) else r.uuid for r in rows]
    if new:
        faults, ips = {}, {}
    else:
        # Faults are only shown for instances in error: skip the query
        # else.
        errored = [u for u, r in zip(uuids, rows)
                   if _get(r, 'vm_state') == states.ERROR]
        faults = actions.latest_faults(s, errored)
        ips = network.fixed_ips_for(s, uuids)
    out = []
    for uuid, row in zip(uuids, rows):
        if isinstance(row, dict):
            d = {k: convert.iso(v) if isinstance(v, datetime.datetime)
                 else v for k, v in row.items()}
            metadata = d.pop('metadata')
        else:
            d = convert.row_to_dict(row, exclude=('metadata_json',))
            metadata = row.metadata_json
        d['metadata'] = convert.loads(metadata)
        d['flavor'] = convert.loads(d['flavor'])
        d['request_spec'] = convert.loads(d['request_spec'])
        d['tags'] = convert.loads(d['tags']) if d.get('tags') else []
        if 'system_metadata' in d:
            d['system_metadata'] = convert.loads(
                d['system_metadata'] or '{}')
        d['fault'] = faults.get(uuid)
        d['fixed_ips'] = ips.get(uuid, [])
        out.append(d)
    _add_block_devices(s, out, new)
    return out


def _add_block_devices(s, instances, new):
    """Each instance's mappings; of new rows, only those created with
    volumes are looked up (the others have none yet)."""
    wanted = [d['uuid'] for d in instances
              if 'block_device_mappings' not in d and (
                  not new or (d['request_spec'] or {}).get(
                      'block_device_mappings'))]
    found = block_devices.for_instances(s, wanted) if wanted else {}
    for d in instances:
        d.setdefault('block_device_mappings', found.get(d['uuid'], []))


def _get(row, key):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def as_stored(row):
    """A row as sent, as the database keeps it: MySQL's DATETIME columns
    hold whole seconds (MariaDB drops the fraction)."""
    if session.get_engine().dialect.name != 'mysql':
        return row
    return {k: v.replace(microsecond=0) if isinstance(v, datetime.datetime)
            else v for k, v in row.items()}


_instances = models.Instance.__table__


def get(instance_uuid, read_deleted=False):
    with session.reader() as s:
        query = sa.select(models.Instance).filter_by(uuid=instance_uuid)
        if not read_deleted:
            query = query.filter_by(deleted=False)
        row = s.scalars(query).first()
        if row is None:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return to_dicts(s, [row])[0]


def get_by_fixed_ip(address, network):
    """The live instance holding `address` on `network` (the metadata
    service asks who a guest is by its source address); the unique
    (network, address) index finds it."""
    with session.reader() as s:
        row = s.scalars(
            sa.select(models.Instance)
            .join(models.FixedIp,
                  models.FixedIp.instance_uuid == models.Instance.uuid)
            .where(models.FixedIp.network == network)
            .where(models.FixedIp.address == address)
            .where(models.Instance.deleted == sa.false())).first()
        if row is None:
            raise exception.InstanceNotFound(instance_id=address)
        return to_dicts(s, [row])[0]


def set_password(instance_uuid, password):
    """Record the password a guest posts, unless it has one: a second post
    is InstancePasswordSet. '' clears it (an admin's DELETE)."""
    with session.writer() as s:
        row = lock_live_object(s, instance_uuid)
        if password and row.password:
            raise exception.InstancePasswordSet(instance_id=instance_uuid)
        row.password = password or None


# Columns a list may be sorted by (the API's sort_key names).
SORT_KEYS = ('created_at', 'updated_at', 'display_name', 'uuid', 'id',
             'vm_state', 'task_state', 'power_state', 'host', 'node',
             'launched_at', 'terminated_at', 'availability_zone',
             'key_name', 'project_id', 'user_id', 'image_ref', 'hostname',
             'flavorid', 'reservation_id', 'locked_by', 'display_description')


_EQUAL_FILTERS = ('project_id', 'user_id', 'host', 'node', 'image_ref',
                  'availability_zone', 'key_name', 'reservation_id',
                  'flavorid', 'display_name')


# (filter key, how its tags combine, whether the match is excluded)
_TAG_FILTERS = (('tags', sa.and_, False), ('tags_any', sa.or_, False),
                ('not_tags', sa.and_, True), ('not_tags_any', sa.or_, True))


def _filtered(filters):
    # The table, not the ORM class: rows come back as plain mappings, which
    # cost a fraction of ORM objects (lists are polled all the time).
    query = sa.select(_instances)
    inst = models.Instance
    if filters.get('deleted') == 'only':
        query = query.filter_by(deleted=True)
    elif not filters.get('deleted'):
        query = query.filter_by(deleted=False)
    for key in _EQUAL_FILTERS:
        if filters.get(key) is not None:
            query = query.filter_by(**{key: filters[key]})
    if filters.get('vm_state'):
        wanted = filters['vm_state']
        wanted = [wanted] if isinstance(wanted, str) else wanted
        query = query.where(inst.vm_state.in_(wanted))
    if filters.get('task_state_in'):
        query = query.where(inst.task_state.in_(filters['task_state_in']))
    if filters.get('uuids') is not None:
        query = query.where(inst.uuid.in_(filters['uuids']))
    if filters.get('uuid_prefixes'):
        # The EC2 API's ids are uuid prefixes (nova_api/ec2/ids.py).
        query = query.where(sa.or_(*[
            inst.uuid.startswith(p, autoescape=True)
            for p in filters['uuid_prefixes'][:1000]]))
    if filters.get('name_regex'):
        query = query.where(inst.display_name.regexp_match(
            filters['name_regex']))
    if filters.get('ip_regex'):
        query = query.where(inst.uuid.in_(
            sa.select(models.FixedIp.instance_uuid).where(
                models.FixedIp.address.regexp_match(filters['ip_regex']))))
    # An empty bound is no bound.
    query = paginate.changed_between(
        query, inst.updated_at, filters.get('changes_since') or None,
        filters.get('changes_before') or None)
    if filters.get('locked') is not None:
        query = query.where(inst.locked_by.is_not(None) if filters['locked']
                            else inst.locked_by.is_(None))
    # Tags are a JSON list of strings; a quoted tag matches one element.
    for key, combine, negate in _TAG_FILTERS:
        matches = [inst.tags.contains(convert.dumps(t))
                   for t in filters.get(key) or ()]
        if matches:
            clause = combine(*matches)
            query = query.where(sa.not_(clause) if negate else clause)
    return query


def get_all(filters=None, limit=None, marker=None, sort=None):
    """Instances matching `filters`, in `sort` order ([(key, 'asc'|'desc')],
    newest first by default); `marker` is the uuid of the last one seen."""
    with session.reader() as s:
        rows = [dict(row) for row in
                page_rows(s, filters, limit, marker, sort).mappings()]
        return to_dicts(s, rows)


def in_a_task_on_a_host(task_states):
    """Live instances of any host whose task_state is one of
    `task_states`: the whole fleet's stuck-task candidates, in one query
    (nova_conductor/stuck_tasks.py), oldest update first."""
    query = _filtered({'task_state_in': list(task_states)}).where(
        _instances.c.host.is_not(None)).order_by(
        _instances.c.updated_at, _instances.c.id)
    with session.reader() as s:
        rows = [dict(row) for row in
                s.connection().execute(query).mappings()]
        return to_dicts(s, rows)


def page_rows(s, filters=None, limit=None, marker=None, sort=None,
              columns=None):
    """The result of one page's query: `columns` of the instances table
    (all by default) of the rows matching `filters`, after `marker`, in
    `sort` order, at most `limit` of them."""
    query = _filtered(filters or {})
    if columns is not None:
        query = query.with_only_columns(
            *[_instances.c[name] for name in columns])
    order = []
    for key, direction in sort or [('created_at', 'desc')]:
        if key not in SORT_KEYS or direction not in ('asc', 'desc'):
            raise exception.Invalid(reason='Invalid sort: %s %s'
                                    % (key, direction))
        order.append((getattr(models.Instance, key), direction))
    # The id makes the order total, which keyset paging needs.
    order.append((models.Instance.id, order[-1][1]))
    ref = paginate.marker_row(s, models.Instance, marker)
    query = paginate.apply(query, order, ref)
    if limit is not None:
        # limit=0 is an empty page, as in Nova, not "no limit".
        query = query.limit(limit)
    try:
        # On the connection: rows as plain tuples, skipping the ORM's
        # row processing (a third of a 1,000-server page's cost).
        return s.connection().execute(query)
    except sa.exc.DataError as e:
        # e.g. a name regex PostgreSQL's engine rejects
        raise exception.Invalid(reason='Invalid filter: %s'
                                % e.orig).with_traceback(None)


# Rows of several instances, locked in id order (one order for every
# batch, so concurrent batches cannot deadlock on them).
LOCK_LIVE_ROWS = (sa.select(_instances)
                  .where(_instances.c.uuid.in_(
                      sa.bindparam('uuids', expanding=True)))
                  .where(_instances.c.deleted == sa.false())
                  .order_by(_instances.c.id)
                  .with_for_update())


def lock_live_row(s, instance_uuid):
    """The instance's row (a mapping), locked until the transaction ends."""
    row = s.execute(LOCK_LIVE_ROWS,
                    {'uuids': [instance_uuid]}).mappings().first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


def lock_live_object(s, instance_uuid):
    row = s.scalars(sa.select(models.Instance)
                    .filter_by(uuid=instance_uuid, deleted=False)
                    .with_for_update()).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


def destroy(instance_uuid):
    """Mark deleted and release everything it held (resources, IPs)."""
    now = models.utcnow()
    with session.writer() as s:
        row = lock_live_object(s, instance_uuid)
        row.vm_state = states.DELETED
        row.task_state = None
        row.power_state = states.NOSTATE
        row.deleted = True
        row.deleted_at = now
        row.terminated_at = now
        compute._free(s, instance_uuid)
        compute.free_moves_of(s, instance_uuid)
        network.deallocate_fixed_ips(s, instance_uuid)
        # Its volumes were detached (or deleted) before: the rows go.
        block_devices.destroy_for_instance(s, instance_uuid)
        s.execute(sa.delete(models.InstanceGroupMember).filter_by(
            instance_uuid=instance_uuid))
        actions.record_step(s, instance_uuid, None, finish_action=True)
        s.flush()
        return to_dicts(s, [row])[0]
