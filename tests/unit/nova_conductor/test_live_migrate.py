"""Live migration in the conductor: the migration record's statuses, the
destination (scheduled or given, forced), the claim and allocation
hand-off, the source's reports, refusals, abort and force-complete."""

import pytest
import sqlalchemy as sa

from common import exception
from common import states
from nova_conductor import live_migrate
from nova_conductor.db import catalog
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import live_moves
from nova_conductor.db import models
from nova_conductor.db import moves as moves_db
from nova_conductor.db import placement
from nova_conductor.db import session
from tests.unit.nova_conductor import dbhelpers
from tests.unit.nova_conductor.test_resize import Ctxt
from tests.unit.nova_conductor.test_resize import FakeScheduler
from tests.unit.nova_conductor.test_resize import _allocations
from tests.unit.nova_conductor.test_resize import _choice
from tests.unit.nova_conductor.test_resize import _usage


class FakeCompute:

    def __init__(self):
        self.calls = []
        self.refuse = None

    def can_send_version(self, version):
        return True

    def check_can_live_migrate_destination(self, ctxt, dest, instance,
                                           block_migration):
        self.calls.append(('check', dest, block_migration))
        if self.refuse:
            raise exception.MigrationPreCheckError(reason=self.refuse)
        return {'block_migration': True}

    def live_migration(self, ctxt, source, instance, dest, migrate_data,
                       migration):
        self.calls.append(('live_migration', source, dest,
                           migration['status']))

    def live_migration_abort(self, ctxt, source, instance, migration_id):
        self.calls.append(('abort', source, migration_id))

    def live_migration_force_complete(self, ctxt, source, instance):
        self.calls.append(('force_complete', source))


@pytest.fixture
def world(db):
    class World:
        pass
    w = World()
    w.n1, w.n2 = dbhelpers.make_node('h1'), dbhelpers.make_node('h2')
    w.flavor = catalog.flavor_create(dict(dbhelpers.FLAVOR))
    inst = dbhelpers.make_instance(flavor=w.flavor, flavorid='1')
    placement.claim_and_place(inst['uuid'], _choice(w.n1), w.flavor)
    transitions_db.update(inst['uuid'], {'vm_state': states.ACTIVE,
                                         'task_state': None})
    w.uuid = inst['uuid']
    w.compute = FakeCompute()
    w.scheduler = FakeScheduler([w.n2])
    w.background = []
    w.migrator = live_migrate.LiveMigrator(
        w.scheduler, w.compute,
        lambda fn, *args: w.background.append((fn, args)))
    yield w


def _events():
    """The events of the live-migration actions."""
    event, action = models.InstanceActionEvent, models.InstanceAction
    with session.reader() as s:
        return [tuple(r) for r in s.execute(
            sa.select(event.event, event.result)
            .join(action, action.id == event.action_id)
            .where(action.action == 'live-migration').order_by(event.id))]


def _faults(uuid):
    with session.reader() as s:
        return s.scalars(sa.select(models.InstanceFault.message).where(
            models.InstanceFault.instance_uuid == uuid)).all()


def test_start_claims_destination_and_casts_to_source(world):
    w = world
    migration = w.migrator.live_migrate(Ctxt(), w.uuid)
    assert migration['status'] == 'running'
    assert migration['migration_type'] == 'live-migration'
    assert (migration['source_compute'], migration['dest_compute']) == \
        ('h1', 'h2')
    assert w.scheduler.specs[0]['ignore_hosts'] == ['h1']
    assert w.compute.calls == [('check', 'h2', 'auto'),
                               ('live_migration', 'h1', 'h2', 'running')]
    # The source allocation is the migration's, the instance holds h2.
    assert _allocations() == {migration['uuid']: (w.n1['id'], 1, 512, 1),
                              w.uuid: (w.n2['id'], 1, 512, 1)}
    instance = instances_db.get(w.uuid)
    assert (instance['host'], instance['task_state']) == \
        ('h1', states.MIGRATING)
    assert states.api_status(instance['vm_state'],
                             instance['task_state']) == 'MIGRATING'
    assert _events() == [('conductor_live_migrate_instance', 'Success'),
                         ('compute_live_migration', None)]


def test_progress_then_success_moves_host_and_frees_source(world):
    w = world
    migration = w.migrator.live_migrate(Ctxt(), w.uuid)
    live_moves.progress(migration['uuid'], {
        'memory_total': 1024, 'memory_processed': 512,
        'memory_remaining': 512, 'disk_total': 0, 'data_total': 9})
    got = moves_db.get(migration['uuid'])
    assert (got['memory_total'], got['memory_processed'],
            got['memory_remaining'], got['disk_total']) == (1024, 512, 512, 0)
    live_moves.succeeded(w.uuid, migration['uuid'], 'h2', 'h2',
                         states.RUNNING)
    instance = instances_db.get(w.uuid)
    assert (instance['host'], instance['node'], instance['vm_state'],
            instance['task_state']) == ('h2', 'h2', states.ACTIVE, None)
    assert moves_db.get(migration['uuid'])['status'] == 'completed'
    assert _allocations() == {w.uuid: (w.n2['id'], 1, 512, 1)}
    assert _usage(w.n1) == (0, 0, 0) and _usage(w.n2) == (1, 512, 1)
    assert _events()[-1] == ('compute_live_migration', 'Success')
    # A second report changes nothing; progress after the end neither.
    live_moves.succeeded(w.uuid, migration['uuid'], 'h2', 'h2', 1)
    assert live_moves.progress(migration['uuid'], {'memory_total': 1}) \
        is None
    assert _allocations() == {w.uuid: (w.n2['id'], 1, 512, 1)}


@pytest.mark.parametrize('aborted, status, faults', [
    (False, 'failed', ['libvirt said no']), (True, 'cancelled', [])])
def test_failure_or_abort_restores_source(world, aborted, status, faults):
    w = world
    migration = w.migrator.live_migrate(Ctxt(), w.uuid)
    live_moves.ended_on_source(
        w.uuid, migration['uuid'], 'libvirt said no',
        status='cancelled' if aborted else 'failed', fault=not aborted,
        host='h1')
    instance = instances_db.get(w.uuid)
    assert (instance['host'], instance['vm_state'],
            instance['task_state']) == ('h1', states.ACTIVE, None)
    assert moves_db.get(migration['uuid'])['status'] == status
    assert _allocations() == {w.uuid: (w.n1['id'], 1, 512, 1)}
    assert _usage(w.n2) == (0, 0, 0)
    assert _faults(w.uuid) == faults
    assert _events()[-1] == ('compute_live_migration', 'Error')


def test_refused_check_waiting_raises_and_leaves_server_as_it_was(world):
    w = world
    w.compute.refuse = 'the test driver cannot'
    before = _allocations()
    with pytest.raises(exception.MigrationPreCheckError):
        w.migrator.live_migrate(Ctxt(), w.uuid)
    instance = instances_db.get(w.uuid)
    assert (instance['host'], instance['vm_state'],
            instance['task_state']) == ('h1', states.ACTIVE, None)
    assert _allocations() == before
    assert _usage(w.n2) == (0, 0, 0)
    with session.reader() as s:
        status = s.scalars(sa.select(models.Migration.status)).one()
    assert status == 'error'
    assert _events() == [('conductor_live_migrate_instance', 'Error')]
    assert _faults(w.uuid) == []


def test_without_wait_the_checks_run_in_the_background(world):
    w = world
    w.compute.refuse = 'no'
    migration = w.migrator.live_migrate(Ctxt(), w.uuid, wait=False)
    assert migration['status'] == 'queued'
    assert instances_db.get(w.uuid)['task_state'] == states.MIGRATING
    [(fn, args)] = w.background
    assert fn(*args) is None    # the refusal is recorded, not raised
    assert moves_db.get(migration['uuid'])['status'] == 'error'
    assert instances_db.get(w.uuid)['task_state'] is None


def test_no_valid_host(world):
    w = world
    w.scheduler.hosts = []
    with pytest.raises(exception.NoValidHost):
        w.migrator.live_migrate(Ctxt(), w.uuid)
    assert instances_db.get(w.uuid)['task_state'] is None
    assert _allocations() == {w.uuid: (w.n1['id'], 1, 512, 1)}


def test_given_host_is_checked_by_the_scheduler_unless_forced(world):
    w = world
    w.migrator.live_migrate(Ctxt(), w.uuid, host='h2')
    assert w.scheduler.specs[-1]['force_hosts'] == ['h2']
    migration = moves_db.get(
        live_moves.get_for_instance(w.uuid, 1)['uuid'])
    live_moves.succeeded(w.uuid, migration['uuid'], 'h2', 'h2', 1)
    asked = len(w.scheduler.specs)
    migration = w.migrator.live_migrate(Ctxt(), w.uuid, host='h1',
                                        force=True)
    assert len(w.scheduler.specs) == asked
    assert migration['dest_compute'] == 'h1'


def test_refusals(world):
    w = world
    with pytest.raises(exception.ComputeHostNotFound):
        w.migrator.live_migrate(Ctxt(), w.uuid, host='nowhere')
    with pytest.raises(exception.Invalid):
        w.migrator.live_migrate(Ctxt(), w.uuid, host='h1')
    transitions_db.update(w.uuid, {'vm_state': states.STOPPED})
    with pytest.raises(exception.InstanceInvalidState):
        w.migrator.live_migrate(Ctxt(), w.uuid)
    transitions_db.update(w.uuid, {'vm_state': states.PAUSED})
    assert w.migrator.live_migrate(Ctxt(), w.uuid)['status'] == 'running'
    with pytest.raises(exception.InstanceInvalidState):
        w.migrator.live_migrate(Ctxt(), w.uuid)


def test_abort_and_force_complete(world):
    w = world
    with pytest.raises(exception.InstanceInvalidState):
        w.migrator.abort(Ctxt(), w.uuid, 1)
    with pytest.raises(exception.InstanceInvalidState):
        w.migrator.force_complete(Ctxt(), w.uuid, 1)
    migration = w.migrator.live_migrate(Ctxt(), w.uuid)
    with pytest.raises(exception.MigrationNotFoundForInstance):
        w.migrator.abort(Ctxt(), w.uuid, migration['id'] + 1)
    w.migrator.force_complete(Ctxt(), w.uuid, migration['id'])
    w.migrator.abort(Ctxt(), w.uuid, migration['id'], early=True)
    assert w.compute.calls[-2:] == [('force_complete', 'h1'),
                                    ('abort', 'h1', migration['id'])]


def test_abort_early_cancels_a_queued_migration(world):
    w = world
    migration = w.migrator.live_migrate(Ctxt(), w.uuid, wait=False)
    with pytest.raises(exception.InvalidMigrationState):
        w.migrator.abort(Ctxt(), w.uuid, migration['id'])
    with pytest.raises(exception.InvalidMigrationState):
        w.migrator.force_complete(Ctxt(), w.uuid, migration['id'])
    w.migrator.abort(Ctxt(), w.uuid, migration['id'], early=True)
    [(fn, args)] = w.background
    fn(*args)
    assert moves_db.get(migration['uuid'])['status'] == 'cancelled'
    instance = instances_db.get(w.uuid)
    assert (instance['host'], instance['task_state']) == ('h1', None)
    assert _allocations() == {w.uuid: (w.n1['id'], 1, 512, 1)}
    assert not [c for c in w.compute.calls if c[0] == 'live_migration']


def test_a_second_report_of_an_ended_migration_changes_nothing(world):
    w = world
    first = w.migrator.live_migrate(Ctxt(), w.uuid)
    live_moves.ended_on_source(w.uuid, first['uuid'], 'aborted',
                               status='cancelled', fault=False)
    second = w.migrator.live_migrate(Ctxt(), w.uuid)
    # The first one's abort reported again (a compute's retry).
    live_moves.ended_on_source(w.uuid, first['uuid'], 'aborted',
                               status='cancelled', fault=False)
    instance = instances_db.get(w.uuid)
    assert instance['task_state'] == states.MIGRATING
    assert moves_db.get(second['uuid'])['status'] == 'running'
    assert _allocations() == {second['uuid']: (w.n1['id'], 1, 512, 1),
                              w.uuid: (w.n2['id'], 1, 512, 1)}
