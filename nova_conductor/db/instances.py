"""Instance records: read, compare-and-swap update, delete (creates are in
instance_create.py)."""

import datetime

import sqlalchemy as sa

from common import exception
from common import states
from nova_conductor.db import actions
from nova_conductor.db import compute
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import network
from nova_conductor.db import paginate
from nova_conductor.db import quotas
from nova_conductor.db import session

_UNSET = object()
JSON_FIELDS = {'metadata': 'metadata_json', 'flavor': 'flavor',
               'request_spec': 'request_spec', 'tags': 'tags'}


def _json(key, value):
    if value is None:
        value = [] if key == 'tags' else {}
    return convert.dumps(value)


DATETIME_FIELDS = ('launched_at', 'terminated_at')


def _to_dicts(s, rows, new=False):
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
        d['fault'] = faults.get(uuid)
        d['fixed_ips'] = ips.get(uuid, [])
        out.append(d)
    return out


def _get(row, key):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def _as_stored(row):
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
        return _to_dicts(s, [row])[0]


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
    if filters.get('name_regex'):
        query = query.where(inst.display_name.regexp_match(
            filters['name_regex']))
    if filters.get('ip_regex'):
        query = query.where(inst.uuid.in_(
            sa.select(models.FixedIp.instance_uuid).where(
                models.FixedIp.address.regexp_match(filters['ip_regex']))))
    if filters.get('changes_since'):
        query = query.where(inst.updated_at >= convert.parse_iso(
            filters['changes_since']))
    if filters.get('changes_before'):
        query = query.where(inst.updated_at <= convert.parse_iso(
            filters['changes_before']))
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
    filters = filters or {}
    query = _filtered(filters)
    order = []
    for key, direction in sort or [('created_at', 'desc')]:
        if key not in SORT_KEYS or direction not in ('asc', 'desc'):
            raise exception.Invalid(reason='Invalid sort: %s %s'
                                    % (key, direction))
        order.append((getattr(models.Instance, key), direction))
    # The id makes the order total, which keyset paging needs.
    order.append((models.Instance.id, order[-1][1]))
    with session.reader() as s:
        ref = None
        if marker:
            ref = s.scalars(sa.select(models.Instance).filter_by(
                uuid=marker)).first()
            if ref is None:
                raise exception.MarkerNotFound(marker=marker)
        query = paginate.apply(query, order, ref)
        if limit is not None:
            # limit=0 is an empty page, as in Nova, not "no limit".
            query = query.limit(limit)
        try:
            rows = [dict(row) for row in s.execute(query).mappings()]
        except sa.exc.DataError as e:
            # e.g. a name regex PostgreSQL's engine rejects
            raise exception.Invalid(reason='Invalid filter: %s'
                                    % e.orig).with_traceback(None)
        return _to_dicts(s, rows)


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


def _lock_live_object(s, instance_uuid):
    row = s.scalars(sa.select(models.Instance)
                    .filter_by(uuid=instance_uuid, deleted=False)
                    .with_for_update()).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


def _check_expected(row, attr, expected):
    if expected is _UNSET:
        return
    allowed = expected if isinstance(expected, (list, tuple, set)) \
        else [expected]
    actual = row[attr]
    if actual not in allowed:
        if attr == 'task_state':
            raise exception.UnexpectedTaskState(
                instance_uuid=row['uuid'], actual=actual, expected=expected)
        raise exception.InstanceInvalidState(
            action='update', instance_uuid=row['uuid'], attr=attr,
            state=actual)


def update(instance_uuid, values, expected_task_state=_UNSET,
           expected_vm_state=_UNSET, host=None):
    """Change an instance only if its states are what the caller expects.

    The row is locked, so of two racing updates exactly one sees the state
    it expected. A task_state change also advances the action's events.
    Returns the updated instance.
    """
    with session.writer() as s:
        new = _compare_and_swap(s, lock_live_row(s, instance_uuid), values,
                                expected_task_state, expected_vm_state, host)
        return _to_dicts(s, [new])[0]


def _progress_lock():
    """SELECT ... FOR UPDATE of what advance() needs, in one statement for
    a whole batch: each row's states, its host's failed-build streak and
    its newest action. In id order, so batches lock in one order."""
    inst = models.Instance.__table__
    nodes = models.ComputeNode.__table__
    acts = models.InstanceAction.__table__
    return (sa.select(
        inst.c.id, inst.c.uuid, inst.c.vm_state, inst.c.task_state,
        inst.c.host, inst.c.compute_node_id,
        sa.select(nodes.c.failed_builds)
        .where(nodes.c.id == inst.c.compute_node_id)
        .scalar_subquery().label('failed_builds'),
        sa.select(sa.func.max(acts.c.id))
        .where(acts.c.instance_uuid == inst.c.uuid)
        .scalar_subquery().label('action_id'))
        .where(inst.c.uuid.in_(sa.bindparam('uuids', expanding=True)))
        .where(inst.c.deleted == sa.false())
        .order_by(inst.c.id)
        .with_for_update())


_PROGRESS_LOCK = _progress_lock()
UPDATE_BY_ID = _instances.update().where(
    _instances.c.id == sa.bindparam('_id'))


def advance(instance_uuid, values, expected_task_state, through=(),
            host=None, ip_network=None):
    """update() for a build's progress, which needs no instance back.

    `through` names task_states passed on the way with no work of their
    own (each still gets its instance-action event). With `ip_network`
    (name, cidr) the instance's fixed IP is allocated in the same
    transaction and returned. This runs twice in every boot.
    """
    [outcome] = advance_together([dict(
        instance_uuid=instance_uuid, values=values,
        expected_task_state=expected_task_state, through=through, host=host,
        ip_network=ip_network)])
    if isinstance(outcome, exception.NovaException):
        raise outcome
    return outcome


# What an advance may refuse with, before it writes anything.
_REFUSALS = (exception.InstanceNotFound, exception.UnexpectedTaskState)


@session.retry_transaction(idempotent=True)
def advance_together(advances):
    """Several advance()s (dicts of its arguments) in one transaction: one
    commit for a whole batch of a compute's progress reports, and a few
    statements whatever its size (one locking read, then the writes).

    Returns, in order, each one's fixed IP (or None), or the refusal it
    met (an instance deleted or taken over meanwhile), which wrote
    nothing. An advance already made (see _reached) succeeds again. Any
    other error rolls them all back and is raised.
    """
    outcomes = []
    wanting_ip = {}
    with session.writer() as s:
        rows = {row['uuid']: dict(row) for row in s.execute(
            _PROGRESS_LOCK, {'uuids': sorted(
                {a['instance_uuid'] for a in advances})}).mappings()}
        # Stamped after the locks are held, so a row's updated_at is close
        # to its commit (clients poll with changes-since).
        now = models.utcnow()
        pending = []
        for args in advances:
            uuid = args['instance_uuid']
            if any(swap.row['uuid'] == uuid for swap in pending):
                # The same instance twice: its first move is written first.
                _apply(s, pending)
                pending = []
            try:
                if uuid not in rows:
                    raise exception.InstanceNotFound(instance_id=uuid)
                _check_host(rows[uuid], args.get('host'),
                            args['expected_task_state'])
                swap = _Swap(rows[uuid], args['values'],
                             args['expected_task_state'], _UNSET,
                             args.get('host'), args.get('through', ()), now)
            except exception.UnexpectedTaskState as refusal:
                if not _reached(rows[uuid], args):
                    outcomes.append(refusal)
                    continue
                swap = None
            except _REFUSALS as refusal:
                outcomes.append(refusal)
                continue
            if swap is not None:
                pending.append(swap)
                rows[uuid] = swap.new
            outcomes.append(None)
            if args.get('ip_network'):
                wanting_ip.setdefault(tuple(args['ip_network']), {})[
                    uuid] = len(outcomes) - 1
        _apply(s, pending)
        # All of the batch's addresses in one ascending walk per network.
        for (name, cidr), where in wanting_ip.items():
            ips = network.allocate_in(s, list(where), name, cidr)
            for uuid, index in where.items():
                outcomes[index] = ips[uuid]
    return outcomes


def _reached(row, args):
    """Whether the advance is done already, on its host: a copy sent again
    (rpc RESENDABLE) after the first was applied, its answer lost with a
    conductor worker. It answers as the first did and writes nothing. Two
    copies of one build on a host run one after the other (the compute's
    instance lock), so no other copy can be half way in this state."""
    values = args['values']
    return (args.get('host') and row['host'] == args['host'] and
            'task_state' in values and
            row['task_state'] == values['task_state'] and
            row['vm_state'] == values.get('vm_state', row['vm_state']))


def _check_host(row, host, expected_task_state):
    """A build moves on only on the host that holds it: a copy of its cast
    reaching a host it has left (taken over and placed elsewhere) must
    not build there too."""
    if host and row['host'] != host:
        raise exception.UnexpectedTaskState(
            instance_uuid=row['uuid'], expected=expected_task_state,
            actual='%s on %s, not %s' % (row['task_state'], row['host'],
                                         host))


class _Swap:
    """One compare-and-swap of a locked `row`, checked and worked out but
    not written: the check raises before anything is written."""

    def __init__(self, row, values, expected_task_state, expected_vm_state,
                 host, through, now):
        _check_expected(row, 'task_state', expected_task_state)
        _check_expected(row, 'vm_state', expected_vm_state)
        values = dict(values)
        for key in JSON_FIELDS:
            if key in values:
                # The table column of 'metadata' is also named 'metadata'.
                values[key] = _json(key, values[key])
        for key in DATETIME_FIELDS:
            if key in values:
                values[key] = convert.parse_iso(values[key])
        values['updated_at'] = now
        self.row = row
        self.values = values
        self.new = dict(row, **values)
        # A success clears the host's failed-build streak (when the row
        # tells there is none, there is nothing to write).
        self.clears_streak = (
            row['task_state'] == states.SPAWNING and
            self.new['vm_state'] == states.ACTIVE and
            row['compute_node_id'] and row.get('failed_builds', 1) != 0)
        self.step = None
        if 'task_state' in values and values['task_state'] != \
                row['task_state']:
            self.step = dict(
                new_step=values['task_state'],
                result=('Error' if self.new['vm_state'] == states.ERROR
                        else 'Success'),
                host=host, finish_action=values['task_state'] is None,
                through=through)


def _apply(s, swaps):
    """Write checked swaps: the rows (one executemany per set of columns),
    streaks cleared, then every instance-action event at once."""
    by_columns = {}
    for swap in swaps:
        by_columns.setdefault(tuple(sorted(swap.values)), []).append(
            dict(swap.values, _id=swap.row['id']))
    for params in by_columns.values():
        s.execute(UPDATE_BY_ID, params)
    for swap in swaps:
        if swap.clears_streak:
            compute.reset_failed_builds(s, swap.row['compute_node_id'])
    steps = []
    for swap in swaps:
        if swap.step is None:
            continue
        action_id = swap.row.get('action_id', _UNSET)
        if action_id is _UNSET:
            action_id = actions.newest_action_id(s, swap.row['uuid'])
        if action_id is not None:
            steps.append(dict(swap.step, action_id=action_id))
    if steps:
        actions.record_steps(s, steps)


def _compare_and_swap(s, row, values, expected_task_state,
                      expected_vm_state, host, through=()):
    """The update behind update() of a locked `row`: the new row (with
    whatever columns `row` has)."""
    swap = _Swap(row, values, expected_task_state, expected_vm_state, host,
                 through, models.utcnow())
    _apply(s, [swap])
    return swap.new


def begin_task(instance_uuid, action, task_state, vm_states, task_states,
               ctxt_dict, values=None):
    """Open `action` and set `task_state` (and `values`) if the states
    allow it: a compare-and-swap."""
    table = models.Instance.__table__
    with session.writer() as s:
        row = lock_live_row(s, instance_uuid)
        for attr, allowed in (('vm_state', vm_states),
                              ('task_state', task_states)):
            if row[attr] not in allowed:
                raise exception.InstanceInvalidState(
                    action=action, instance_uuid=instance_uuid, attr=attr,
                    state=row[attr])
        values = dict(values or {}, task_state=task_state,
                      updated_at=models.utcnow())
        for key in JSON_FIELDS:
            if key in values:
                values[key] = _json(key, values[key])
        s.execute(sa.update(table).where(table.c.id == row['id'])
                  .values(**values))
        actions.action_start(s, instance_uuid, action, ctxt_dict,
                             first_event=task_state)
        new = dict(row)
        new.update(values)
        return _to_dicts(s, [new])[0]


def end_task(instance_uuid, values, expected_task_state, failed=False,
             message=None, details=None, host=None):
    """Finish the operation under way: new states, event result, fault."""
    with session.writer() as s:
        row = _lock_live_object(s, instance_uuid)
        _check_expected({'task_state': row.task_state, 'uuid': row.uuid},
                        'task_state', expected_task_state)
        for key, value in values.items():
            setattr(row, key, value)
        row.task_state = None
        if failed:
            actions.fault_create(s, instance_uuid, 500, message, details,
                                 host)
        actions.record_step(s, instance_uuid, None,
                            result='Error' if failed else 'Success',
                            host=host, traceback=details,
                            finish_action=True)
        s.flush()
        return _to_dicts(s, [row])[0]


def set_error(instance_uuid, code, message, details=None, host=None):
    """vm_state error with a readable fault; its resources are freed."""
    with session.writer() as s:
        row = _lock_live_object(s, instance_uuid)
        _set_error_locked(s, row, code, message, details, host)
        return _to_dicts(s, [row])[0]


def _set_error_locked(s, row, code, message, details=None, host=None):
    row.vm_state = states.ERROR
    row.task_state = None
    actions.fault_create(s, row.uuid, code, message, details, host)
    actions.record_step(s, row.uuid, None, result='Error', host=host,
                        traceback=details, finish_action=True)
    compute._free(s, row.uuid)
    network.deallocate_fixed_ips(s, row.uuid)
    s.flush()


def destroy(instance_uuid):
    """Mark deleted and release everything it held (resources, IPs)."""
    now = models.utcnow()
    with session.writer() as s:
        row = _lock_live_object(s, instance_uuid)
        row.vm_state = states.DELETED
        row.task_state = None
        row.power_state = states.NOSTATE
        row.deleted = True
        row.deleted_at = now
        row.terminated_at = now
        compute._free(s, instance_uuid)
        network.deallocate_fixed_ips(s, instance_uuid)
        s.execute(sa.delete(models.InstanceGroupMember).filter_by(
            instance_uuid=instance_uuid))
        actions.record_step(s, instance_uuid, None, finish_action=True)
        s.flush()
        return _to_dicts(s, [row])[0]


def start_action(instance_uuid, action, ctxt_dict, first_event=None):
    with session.writer() as s:
        actions.action_start(s, instance_uuid, action, ctxt_dict,
                             first_event)


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
        row = lock_live_row(s, instance_uuid)
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
        row = lock_live_row(s, instance_uuid)
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
        row = lock_live_row(s, instance_uuid)
        if locked_by is None and row['locked_by'] == 'admin' and \
                not by_admin:
            raise exception.Forbidden(
                'Instance %s was locked by an admin; only an admin can '
                'unlock it.' % instance_uuid)
        new = dict(row)
        new.update(_write(s, row, locked_by=locked_by,
                          locked_reason=reason if locked_by else None))
        return _to_dicts(s, [new])[0]


def set_tags(instance_uuid, tags, add=(), remove=()):
    """Replace the tags (when `tags` is not None), then add and remove."""
    with session.writer() as s:
        row = lock_live_row(s, instance_uuid)
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
