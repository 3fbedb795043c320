"""Instance state transitions: compare-and-swap updates.

A change happens only while the instance is in the states its caller
expects (the row locked meanwhile), so of two racing changes exactly one
wins: advance() and advance_together() for a build's progress,
begin_task() and end_task() around an operation, set_error().
"""

import sqlalchemy as sa

from common import exception
from common import states
from nova_conductor.db import actions
from nova_conductor.db import compute
from nova_conductor.db import convert
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import network
from nova_conductor.db import session


UNSET = object()


def _check_expected(row, attr, expected):
    if expected is UNSET:
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


def update(instance_uuid, values, expected_task_state=UNSET,
           expected_vm_state=UNSET, host=None):
    """Change an instance only if its states are what the caller expects.

    The row is locked, so of two racing updates exactly one sees the state
    it expected. A task_state change also advances the action's events.
    Returns the updated instance.
    """
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        new = compare_and_swap(s, row, values, expected_task_state,
                               expected_vm_state, host)
        return instances.to_dicts(s, [new])[0]


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


_instances = models.Instance.__table__
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
                             args['expected_task_state'], UNSET,
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
        for key in instances.JSON_FIELDS:
            if key in values:
                # The table column of 'metadata' is also named 'metadata'.
                values[key] = instances.json_value(key, values[key])
        for key in instances.DATETIME_FIELDS:
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
        action_id = swap.row.get('action_id', UNSET)
        if action_id is UNSET:
            action_id = actions.newest_action_id(s, swap.row['uuid'])
        if action_id is not None:
            steps.append(dict(swap.step, action_id=action_id))
    if steps:
        actions.record_steps(s, steps)


def compare_and_swap(s, row, values, expected_task_state,
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
        row = instances.lock_live_row(s, instance_uuid)
        for attr, allowed in (('vm_state', vm_states),
                              ('task_state', task_states)):
            if row[attr] not in allowed:
                raise exception.InstanceInvalidState(
                    action=action, instance_uuid=instance_uuid, attr=attr,
                    state=row[attr])
        values = dict(values or {}, task_state=task_state,
                      updated_at=models.utcnow())
        for key in instances.JSON_FIELDS:
            if key in values:
                values[key] = instances.json_value(key, values[key])
        s.execute(sa.update(table).where(table.c.id == row['id'])
                  .values(**values))
        actions.action_start(s, instance_uuid, action, ctxt_dict,
                             first_event=task_state)
        new = dict(row)
        new.update(values)
        return instances.to_dicts(s, [new])[0]


def end_task(instance_uuid, values, expected_task_state, failed=False,
             message=None, details=None, host=None):
    """Finish the operation under way: new states, event result, fault."""
    with session.writer() as s:
        row = instances.lock_live_object(s, instance_uuid)
        _check_expected({'task_state': row.task_state, 'uuid': row.uuid},
                        'task_state', expected_task_state)
        for key, value in values.items():
            setattr(row, key, value)
        row.task_state = None
        actions.end_action(s, instance_uuid, failed, message, details, host)
        s.flush()
        return instances.to_dicts(s, [row])[0]


def set_error(instance_uuid, code, message, details=None, host=None):
    """vm_state error with a readable fault; its resources are freed."""
    with session.writer() as s:
        row = instances.lock_live_object(s, instance_uuid)
        set_error_locked(s, row, code, message, details, host)
        return instances.to_dicts(s, [row])[0]


def set_error_locked(s, row, code, message, details=None, host=None):
    row.vm_state = states.ERROR
    row.task_state = None
    actions.fault_create(s, row.uuid, code, message, details, host)
    actions.record_step(s, row.uuid, None, result='Error', host=host,
                        traceback=details, finish_action=True)
    compute._free(s, row.uuid)
    network.deallocate_fixed_ips(s, row.uuid)
    s.flush()


def start_action(instance_uuid, action, ctxt_dict, first_event=None):
    with session.writer() as s:
        actions.action_start(s, instance_uuid, action, ctxt_dict,
                             first_event)
