"""Live migration in SQL: each step is one transaction over the instance
row, its migration row and the allocations (docs/live-migration.md).

The allocation hand-off is the resize's (db/moves.py): once the
destination is claimed, the source allocation belongs to the migration
(its uuid is the consumer) and the instance's own consumer holds the
claim on the destination. Success frees the migration's; a failure or an
abort frees the destination's and hands the source's back.
"""

import sqlalchemy as sa

from common import exception
from common import migration_states as ms
from common import states
from nova_conductor.db import actions
from nova_conductor.db import aggregates
from nova_conductor.db import compute
from nova_conductor.db import convert
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import moves
from nova_conductor.db import placement
from nova_conductor.db import session

ACTION = 'live-migration'
# vm_states a server may be live-migrated from (Nova's).
LIVE_VM_STATES = (states.ACTIVE, states.PAUSED)
# Events of the 'live-migration' action, one per step.
EVENT_CHECKS = 'conductor_live_migrate_instance'
EVENT_MIGRATE = 'compute_live_migration'
PROGRESS_KEYS = ('memory_total', 'memory_processed', 'memory_remaining',
                 'disk_total', 'disk_processed', 'disk_remaining')
# Statuses an abort may still stop in the conductor (2.65).
ABORTABLE_EARLY = (ms.QUEUED, ms.PREPARING)


def _migration_of(s, migration_uuid):
    return moves._lock_migration(s, migration_uuid)


def begin(instance_uuid, ctxt_dict):
    """Open a live migration: 409 unless the instance is ACTIVE or PAUSED
    with no task; task_state migrating, the action with its first event
    and a migration 'queued'. (instance, migration)."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        moves._check_states(row, 'os-migrateLive', LIVE_VM_STATES)
        if not row['host']:
            raise exception.InstanceInvalidState(
                action='os-migrateLive', instance_uuid=instance_uuid,
                attr='host', state='None')
        flavor = convert.loads(row['flavor'])
        migration = moves.add_migration(s, row, ms.LIVE_MIGRATION,
                                        ms.QUEUED, flavor, flavor,
                                        ctxt_dict)
        table = models.Instance.__table__
        s.execute(sa.update(table).where(table.c.id == row['id']).values(
            task_state=states.MIGRATING, updated_at=models.utcnow()))
        actions.action_start(s, instance_uuid, ACTION, ctxt_dict,
                             first_event=EVENT_CHECKS)
        s.flush()
        return moves._instance(s, instance_uuid), moves.migration_dict(
            migration)


def node_choice(host):
    """The scheduler's choice shape for `host`'s (first) node, for a
    forced destination; ComputeHostNotFound without one."""
    nodes = models.ComputeNode
    with session.reader() as s:
        node = s.scalars(sa.select(nodes).where(nodes.host == host)
                         .order_by(nodes.id).limit(1)).first()
        if node is None:
            raise exception.ComputeHostNotFound(host=host)
        return {'host': host, 'nodename': node.hypervisor_hostname,
                'compute_node_id': node.id, 'limits': None}


def _check_open(row, migration, expected):
    if row['task_state'] != states.MIGRATING:
        raise exception.UnexpectedTaskState(
            instance_uuid=row['uuid'], actual=row['task_state'],
            expected=states.MIGRATING)
    if migration.status not in expected:
        if migration.status == ms.CANCELLED:
            raise exception.LiveMigrationAborted(
                instance_uuid=row['uuid'], reason='aborted before it ran')
        raise exception.UnexpectedTaskState(
            instance_uuid=row['uuid'], actual=migration.status,
            expected=expected)


@session.retry_transaction
def claim_destination(instance_uuid, migration_uuid, choice, group_uuid=None):
    """Claim the instance's flavor on the chosen node, after handing its
    source allocation to the migration; all or nothing. The migration is
    'preparing' with its destination. ResourcesUnavailable: try the next
    choice. (instance, migration)."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        migration = _migration_of(s, migration_uuid)
        _check_open(row, migration, (ms.QUEUED,))
        if group_uuid:
            placement._check_group(s, group_uuid, instance_uuid,
                                   choice['host'])
        compute.hand_over(s, instance_uuid, migration_uuid)
        compute.claim_in(s, instance_uuid, choice['compute_node_id'],
                         convert.loads(migration.new_flavor),
                         choice.get('limits'), fresh=True)
        node = s.get(models.ComputeNode, choice['compute_node_id'])
        migration.dest_compute = choice['host']
        migration.dest_node = choice['nodename']
        migration.dest_host = node.host_ip if node else None
        migration.dest_compute_node_id = choice['compute_node_id']
        migration.status = ms.PREPARING
        migration.updated_at = models.utcnow()
        s.flush()
        return moves._instance(s, instance_uuid), moves.migration_dict(
            migration)


def started(instance_uuid, migration_uuid):
    """The checks passed and the source is told: 'running', the next
    event. Raises LiveMigrationAborted when an abort came first."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        migration = _migration_of(s, migration_uuid)
        _check_open(row, migration, (ms.PREPARING,))
        migration.status = ms.RUNNING
        migration.updated_at = models.utcnow()
        actions.record_step(s, instance_uuid, EVENT_MIGRATE,
                            host=migration.source_compute)
        s.flush()
        return moves.migration_dict(migration)


def progress(migration_uuid, counters):
    """A running migration's byte counters (the keys of PROGRESS_KEYS,
    others ignored); nothing once it ended."""
    values = {k: int(v) for k, v in (counters or {}).items()
              if k in PROGRESS_KEYS and v is not None and int(v) >= 0}
    with session.writer() as s:
        migration = _migration_of(s, migration_uuid)
        if migration.status in ms.DONE:
            return None
        for key, value in values.items():
            setattr(migration, key, value)
        migration.updated_at = models.utcnow()
        s.flush()
        return moves.migration_dict(migration)


def succeeded(instance_uuid, migration_uuid, host, node, power_state):
    """The guest runs on the destination: the instance's host and node
    move there (vm_state unchanged), the migration is 'completed' and the
    source allocation it held is freed. Done once."""
    with session.writer() as s:
        row = instances.lock_live_object(s, instance_uuid)
        migration = _migration_of(s, migration_uuid)
        if migration.status in ms.DONE:
            return instances.to_dicts(s, [row])[0]
        compute._free(s, migration_uuid)
        dest = migration.dest_compute or host
        row.host = dest
        row.node = migration.dest_node or node
        row.compute_node_id = migration.dest_compute_node_id
        row.availability_zone = aggregates.zones_of(s, [dest])[dest]
        row.task_state = None
        if power_state is not None:
            row.power_state = power_state
        actions.record_step(s, instance_uuid, None, host=dest,
                            finish_action=True)
        migration.status = ms.COMPLETED
        migration.updated_at = models.utcnow()
        s.flush()
        return instances.to_dicts(s, [row])[0]


def _restore_source(s, migration, instance_uuid):
    """The destination's claim freed, the source's handed back (when the
    migration holds it: a check may fail before the claim)."""
    held = s.execute(sa.select(sa.func.count()).select_from(
        models.Allocation).where(
        models.Allocation.instance_uuid == migration.uuid)).scalar()
    if held:
        compute._free(s, instance_uuid)
        compute.hand_over(s, migration.uuid, instance_uuid)


def _already_ended(s, row, migration):
    """A report of a migration whose task ended already: nothing to do.
    One cancelled early still has its task to end, unless the instance
    left it or moved on to a newer migration."""
    if migration.status not in ms.DONE:
        return False
    if migration.status != ms.CANCELLED or \
            row.task_state != states.MIGRATING:
        return True
    mig = models.Migration
    return s.execute(sa.select(sa.func.count()).select_from(mig).where(
        mig.instance_uuid == migration.instance_uuid).where(
        mig.id > migration.id)).scalar() > 0


def ended_on_source(instance_uuid, migration_uuid, message=None,
                    details=None, status=ms.FAILED, fault=True, host=None):
    """The guest stayed on (or never left) the source: allocations as
    before, task_state none, the migration `status` ('failed'; 'error'
    for a refused check; 'cancelled' for an abort), the action's event an
    error, and a fault when `fault`. Done once; a migration cancelled
    early stays cancelled."""
    with session.writer() as s:
        row = instances.lock_live_object(s, instance_uuid)
        migration = _migration_of(s, migration_uuid)
        if _already_ended(s, row, migration):
            return instances.to_dicts(s, [row])[0]
        _restore_source(s, migration, instance_uuid)
        if row.task_state == states.MIGRATING:
            row.task_state = None
        if fault:
            actions.fault_create(s, instance_uuid, 500, message, details,
                                 host)
        actions.record_step(s, instance_uuid, None, result='Error',
                            host=host, traceback=details or message,
                            finish_action=True)
        if migration.status != ms.CANCELLED:
            migration.status = status
        migration.updated_at = models.utcnow()
        s.flush()
        return instances.to_dicts(s, [row])[0]


def cancel_early(instance_uuid, migration_uuid):
    """Abort a migration the conductor has not handed to the source yet
    (queued or preparing, 2.65): 'cancelled'; the conductor's task sees
    it at its next step and undoes its claim. False when it already
    runs."""
    with session.writer() as s:
        migration = _migration_of(s, migration_uuid)
        if migration.instance_uuid != instance_uuid or \
                migration.status not in ABORTABLE_EARLY:
            return False
        migration.status = ms.CANCELLED
        migration.updated_at = models.utcnow()
        s.flush()
        return True


def get_for_instance(instance_uuid, migration_id):
    """The instance's live migration of that (integer) id."""
    mig = models.Migration
    with session.reader() as s:
        row = s.scalars(sa.select(mig).where(mig.id == migration_id)
                        .where(mig.instance_uuid == instance_uuid)
                        .where(mig.migration_type == ms.LIVE_MIGRATION)
                        ).first()
        if row is None:
            raise exception.MigrationNotFoundForInstance(
                migration_id=migration_id, instance_id=instance_uuid)
        return moves.migration_dict(row)
