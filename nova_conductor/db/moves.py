"""Resize and cold migration in SQL: each step of a move is one
transaction over the instance row, its migration row and the
allocations.

Nova's hand-off: once a target is claimed, the source allocation belongs
to the migration (its uuid is the consumer) and the instance's own
consumer holds the claim on the target. A revert hands it back exactly
as it was; a confirm frees it.
"""

import datetime
import uuid as uuid_lib

import sqlalchemy as sa

from common import exception
from common import migration_states as ms
from common import states
from nova_conductor.db import actions
from nova_conductor.db import aggregates
from nova_conductor.db import compute
from nova_conductor.db import convert
from nova_conductor.db import instance_transitions as transitions
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import placement
from nova_conductor.db import quotas
from nova_conductor.db import session

# vm_states a server may be resized or migrated from (Nova's).
MOVABLE_VM_STATES = (states.ACTIVE, states.STOPPED)
FLAVOR_COLUMNS = ('vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb')


def migration_dict(row):
    """A migration row as RPC carries it, its flavors as dicts."""
    out = convert.row_to_dict(row)
    out['old_flavor'] = convert.loads(out.get('old_flavor'))
    out['new_flavor'] = convert.loads(out.get('new_flavor'))
    return out


def _lock_migration(s, migration_uuid):
    row = s.scalars(sa.select(models.Migration)
                    .where(models.Migration.uuid == migration_uuid)
                    .with_for_update()).first()
    if row is None:
        raise exception.MigrationNotFound(migration_id=migration_uuid)
    return row


def _instance(s, instance_uuid):
    return instances.to_dicts(s, [instances.lock_live_object(
        s, instance_uuid)])[0]


def _flavor_values(flavor):
    values = {key: flavor.get(key) or 0 for key in FLAVOR_COLUMNS}
    values['flavor'] = flavor
    values['flavorid'] = flavor.get('flavorid')
    return values


def _check_states(row, action, vm_states, task_states=(None,)):
    for attr, allowed in (('vm_state', vm_states),
                          ('task_state', task_states)):
        if row[attr] not in allowed:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=row['uuid'], attr=attr,
                state=row[attr])


def _open(s, row, action, task_state, ctxt_dict, values=None):
    """Set task_state (and values) on the locked row; open `action`."""
    values = dict(values or {}, task_state=task_state,
                  updated_at=models.utcnow())
    table = models.Instance.__table__
    s.execute(sa.update(table).where(table.c.id == row['id'])
              .values(**values))
    actions.action_start(s, row['uuid'], action, ctxt_dict,
                         first_event=task_state)


def add_migration(s, row, migration_type, status, old_flavor, new_flavor,
                  ctxt_dict):
    """A new migration of the locked instance row, from its host."""
    migration = models.Migration(
        uuid=str(uuid_lib.uuid4()), instance_uuid=row['uuid'],
        migration_type=migration_type, status=status,
        source_compute=row['host'], source_node=row['node'],
        old_instance_type_id=old_flavor.get('id'),
        new_instance_type_id=new_flavor.get('id'),
        old_flavor=convert.dumps(old_flavor),
        new_flavor=convert.dumps(new_flavor),
        old_vm_state=row['vm_state'], hidden=False,
        user_id=ctxt_dict.get('user_id') or ctxt_dict.get('user'),
        project_id=ctxt_dict.get('project_id'))
    s.add(migration)
    return migration


def begin(instance_uuid, action, migration_type, new_flavor, ctxt_dict):
    """Open a resize or cold migration: task_state resize_prep, the
    action, a migration in pre-migrating; the project's quota must have
    room for what the new flavor adds. (instance, migration)."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        _check_states(row, action, MOVABLE_VM_STATES)
        if not row['host']:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=instance_uuid, attr='host',
                state='None')
        old_flavor = convert.loads(row['flavor'])
        deltas = {'cores': max(0, (new_flavor.get('vcpus') or 0) -
                               row['vcpus']),
                  'ram': max(0, (new_flavor.get('memory_mb') or 0) -
                             row['memory_mb'])}
        quotas.check(s, row['project_id'], deltas, lock=True)
        migration = add_migration(s, row, migration_type, ms.PRE_MIGRATING,
                                  old_flavor, new_flavor, ctxt_dict)
        _open(s, row, action, states.RESIZE_PREP, ctxt_dict)
        s.flush()
        return _instance(s, instance_uuid), migration_dict(migration)


@session.retry_transaction
def claim_target(instance_uuid, migration_uuid, choice, new_flavor,
                 group_uuid=None):
    """Claim the new flavor on the chosen node for the instance, after
    handing its source allocation to the migration; all or nothing.
    ResourcesUnavailable (node full, group policy) means try the next
    choice. (instance, migration)."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        transitions._check_expected(row, 'task_state', states.RESIZE_PREP)
        migration = _lock_migration(s, migration_uuid)
        if migration.status != ms.PRE_MIGRATING:
            raise exception.UnexpectedTaskState(
                instance_uuid=instance_uuid, actual=migration.status,
                expected=ms.PRE_MIGRATING)
        if group_uuid:
            placement._check_group(s, group_uuid, instance_uuid,
                                   choice['host'])
        compute.hand_over(s, instance_uuid, migration_uuid)
        compute.claim_in(s, instance_uuid, choice['compute_node_id'],
                         new_flavor, choice.get('limits'), fresh=True)
        node = s.get(models.ComputeNode, choice['compute_node_id'])
        migration.dest_compute = choice['host']
        migration.dest_node = choice['nodename']
        migration.dest_host = node.host_ip if node else None
        migration.dest_compute_node_id = choice['compute_node_id']
        migration.updated_at = models.utcnow()
        s.flush()
        return _instance(s, instance_uuid), migration_dict(migration)


def abort(instance_uuid, migration_uuid, message):
    """A move refused before anything was claimed (no host): the
    instance stays as it was, with a fault and the action's error."""
    with session.writer() as s:
        row = instances.lock_live_object(s, instance_uuid)
        migration = _lock_migration(s, migration_uuid)
        migration.status = ms.ERROR
        migration.updated_at = models.utcnow()
        row.task_state = None
        actions.fault_create(s, instance_uuid, 400, message)
        actions.record_step(s, instance_uuid, None, result='Error',
                            traceback=message, finish_action=True)
        s.flush()


def progress(instance_uuid, migration_uuid, values, expected_task_state,
             status=None, host=None, to_dest=False):
    """One step of a move on a compute: the instance's states (a
    compare-and-swap, its task_state an event) and the migration's
    status. `to_dest`: the instance now lives on the destination, with
    the new flavor. (instance, migration)."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        migration = _lock_migration(s, migration_uuid)
        values = dict(values)
        if to_dest:
            dest = migration.dest_compute
            values.update(_flavor_values(convert.loads(migration.new_flavor)))
            values.update(host=dest, node=migration.dest_node,
                          compute_node_id=migration.dest_compute_node_id,
                          availability_zone=aggregates.zones_of(
                              s, [dest])[dest])
        transitions.compare_and_swap(s, row, values, expected_task_state,
                                     transitions.UNSET, host)
        if status:
            migration.status = status
            migration.updated_at = models.utcnow()
        s.flush()
        return _instance(s, instance_uuid), migration_dict(migration)


def _source_node_id(s, migration):
    nodes = models.ComputeNode.__table__
    return s.execute(sa.select(nodes.c.id).where(
        nodes.c.host == migration.source_compute).where(
        nodes.c.hypervisor_hostname == migration.source_node)).scalar()


def reverted(instance_uuid, migration_uuid, failed=False, message=None,
             details=None, host=None, power_state=None):
    """The instance is back on its source host: its old flavor, host and
    allocation exactly as before the move, nothing held on the target.
    `failed`: the move itself failed (a fault, migration error); else a
    revert the user asked for (migration reverted). Done once: a second
    report changes nothing."""
    with session.writer() as s:
        row = instances.lock_live_object(s, instance_uuid)
        migration = _lock_migration(s, migration_uuid)
        if migration.status in ms.DONE:
            return _instance(s, instance_uuid)
        compute._free(s, instance_uuid)
        compute.hand_over(s, migration_uuid, instance_uuid)
        source = migration.source_compute
        values = _flavor_values(convert.loads(migration.old_flavor))
        values['flavor'] = instances.json_value('flavor', values['flavor'])
        values.update(
            host=source, node=migration.source_node,
            compute_node_id=_source_node_id(s, migration),
            availability_zone=aggregates.zones_of(s, [source])[source],
            vm_state=migration.old_vm_state or states.ACTIVE,
            task_state=None)
        if power_state is not None:
            values['power_state'] = power_state
        for key, value in values.items():
            setattr(row, key, value)
        actions.end_action(s, instance_uuid, failed, message, details, host)
        migration.status = ms.ERROR if failed else ms.REVERTED
        migration.updated_at = models.utcnow()
        s.flush()
        return instances.to_dicts(s, [row])[0]


def _finished_migration(s, instance_uuid):
    return s.scalars(
        sa.select(models.Migration)
        .where(models.Migration.instance_uuid == instance_uuid)
        .where(models.Migration.status == ms.FINISHED)
        .order_by(models.Migration.id.desc()).with_for_update()).first()


def begin_settle(instance_uuid, action, ctxt_dict):
    """Open a confirm ('confirmResize') or a revert ('revertResize') of
    the instance's finished move: 409 unless the server is in
    VERIFY_RESIZE, 400 when it has no finished move. A revert sets
    task_state resize_reverting. (instance, migration)."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        _check_states(row, action, (states.RESIZED,))
        migration = _finished_migration(s, instance_uuid)
        if migration is None:
            raise exception.MigrationNotFoundByStatus(
                instance_id=instance_uuid)
        if action == 'revertResize':
            migration.status = ms.REVERTING
            _open(s, row, action, states.RESIZE_REVERTING, ctxt_dict)
        else:
            migration.status = ms.CONFIRMING
            actions.action_start(s, instance_uuid, action, ctxt_dict,
                                 first_event='compute_confirm_resize')
        migration.updated_at = models.utcnow()
        s.flush()
        return _instance(s, instance_uuid), migration_dict(migration)


def confirmed(instance_uuid, migration_uuid, host=None, power_state=None):
    """The source let go of the instance: its allocation is freed, the
    server leaves VERIFY_RESIZE (stopped if it was moved stopped)."""
    with session.writer() as s:
        migration = _lock_migration(s, migration_uuid)
        if migration.status in ms.DONE:
            return None
        compute._free(s, migration_uuid)
        migration.status = ms.CONFIRMED
        migration.updated_at = models.utcnow()
        try:
            row = instances.lock_live_object(s, instance_uuid)
        except exception.InstanceNotFound:
            return None
        if row.vm_state == states.RESIZED:
            row.vm_state = (states.STOPPED if migration.old_vm_state ==
                            states.STOPPED else states.ACTIVE)
        if power_state is not None:
            row.power_state = power_state
        actions.record_step(s, instance_uuid, None, host=host,
                            finish_action=True)
        s.flush()
        return instances.to_dicts(s, [row])[0]


def due_for_confirmation(window_seconds, limit=50):
    """(instance_uuid, migration uuid) of moves finished more than
    `window_seconds` ago, oldest first, at most `limit`."""
    before = models.utcnow() - datetime.timedelta(seconds=window_seconds)
    mig = models.Migration
    with session.reader() as s:
        return [tuple(r) for r in s.execute(
            sa.select(mig.instance_uuid, mig.uuid)
            .where(mig.status == ms.FINISHED).where(mig.updated_at < before)
            .where(mig.deleted == sa.false())
            .order_by(mig.updated_at).limit(limit))]


def get(migration_uuid):
    with session.reader() as s:
        row = s.scalars(sa.select(models.Migration).where(
            models.Migration.uuid == migration_uuid)).first()
        if row is None:
            raise exception.MigrationNotFound(migration_id=migration_uuid)
        return migration_dict(row)
