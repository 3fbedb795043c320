"""Resize and cold migration in the conductor: schedule, claim, the
allocation hand-off to the migration, confirm, revert, refusals, quota
and the auto-confirm."""

import datetime

import pytest
import sqlalchemy as sa

from common import exception
from common import states
from common.conf import CONF
from nova_conductor import resize
from nova_conductor.db import actions
from nova_conductor.db import catalog
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import models
from nova_conductor.db import moves as moves_db
from nova_conductor.db import placement
from nova_conductor.db import quotas as quotas_db
from nova_conductor.db import session
from tests.unit.nova_conductor import dbhelpers


class Ctxt:
    def to_dict(self):
        return dict(dbhelpers.CTXT)


class FakeScheduler:

    def __init__(self, hosts=None):
        self.hosts = hosts
        self.specs = []

    def select_destinations(self, ctxt, spec, uuids):
        self.specs.append(spec)
        if not self.hosts:
            raise exception.NoValidHost(reason='no host fits')
        return [[_choice(n) for n in self.hosts]]


class FakeCompute:

    def __init__(self):
        self.casts = []

    def can_send_version(self, version):
        return True

    def __getattr__(self, method):
        def cast(ctxt, host, instance, migration, **kw):
            self.casts.append((method, host, instance['uuid'],
                               migration['uuid']))
        return cast


def _choice(node):
    return {'host': node['host'], 'nodename': node['hypervisor_hostname'],
            'compute_node_id': node['id'], 'limits': {}}


def _usage(node):
    n = compute_db.compute_node_get(node['id'])
    return n['vcpus_used'], n['memory_mb_used'], n['local_gb_used']


def _allocations():
    with session.reader() as s:
        return {a.instance_uuid: (a.compute_node_id, a.vcpus, a.memory_mb,
                                  a.disk_gb)
                for a in s.scalars(sa.select(models.Allocation))}


@pytest.fixture
def world(db):
    class World:
        pass
    w = World()
    w.n1, w.n2 = dbhelpers.make_node('h1'), dbhelpers.make_node('h2')
    w.old = catalog.flavor_create(dict(dbhelpers.FLAVOR))
    w.new = catalog.flavor_create({
        'flavorid': '2', 'name': 'm1.small', 'vcpus': 2, 'memory_mb': 1024,
        'root_gb': 2, 'ephemeral_gb': 0, 'swap': 0})
    w.smaller_disk = catalog.flavor_create({
        'flavorid': '3', 'name': 'm1.nodisk', 'vcpus': 1, 'memory_mb': 256,
        'root_gb': 0, 'ephemeral_gb': 0, 'swap': 0})
    inst = dbhelpers.make_instance(flavor=w.old, flavorid='1')
    placement.claim_and_place(inst['uuid'], _choice(w.n1), w.old)
    transitions_db.update(inst['uuid'], {'vm_state': states.ACTIVE,
                                         'task_state': None})
    w.uuid = inst['uuid']
    w.compute = FakeCompute()
    w.scheduler = FakeScheduler([w.n2])
    w.mover = resize.MoveOrchestrator(w.scheduler, w.compute)
    yield w
    CONF.reset()


def _resized(w, flavor_id='2', host=None):
    """Resize and walk the computes' steps to VERIFY_RESIZE."""
    migration = w.mover.resize(Ctxt(), w.uuid, flavor_id, host)
    uuid = migration['uuid']
    moves_db.progress(w.uuid, uuid, {'task_state': states.RESIZE_MIGRATING},
                      states.RESIZE_PREP, 'migrating', 'h1')
    moves_db.progress(w.uuid, uuid, {'task_state': states.RESIZE_MIGRATED},
                      states.RESIZE_MIGRATING, 'post-migrating', 'h1')
    moves_db.progress(w.uuid, uuid, {'task_state': states.RESIZE_FINISH},
                      states.RESIZE_MIGRATED, host='h2', to_dest=True)
    moves_db.progress(w.uuid, uuid, {'vm_state': states.RESIZED,
                                     'task_state': None},
                      states.RESIZE_FINISH, 'finished', 'h2')
    return migration


def test_resize_claims_target_and_hands_source_to_migration(world):
    w = world
    migration = w.mover.resize(Ctxt(), w.uuid, '2')
    assert migration['status'] == 'pre-migrating'
    assert migration['migration_type'] == 'resize'
    assert (migration['source_compute'], migration['dest_compute']) == \
        ('h1', 'h2')
    assert migration['old_flavor']['flavorid'] == '1'
    assert migration['new_flavor']['flavorid'] == '2'
    # The source allocation is the migration's; the new flavor is
    # claimed for the instance on the target.
    assert _allocations() == {
        migration['uuid']: (w.n1['id'], 1, 512, 1),
        w.uuid: (w.n2['id'], 2, 1024, 2)}
    assert _usage(w.n1) == (1, 512, 1) and _usage(w.n2) == (2, 1024, 2)
    assert w.compute.casts == [('resize_instance', 'h1', w.uuid,
                                migration['uuid'])]
    instance = instances_db.get(w.uuid)
    assert instance['task_state'] == states.RESIZE_PREP
    assert states.api_status(instance['vm_state'],
                             instance['task_state']) == 'RESIZE'
    # The source is never a candidate, unless allowed.
    assert w.scheduler.specs[0]['ignore_hosts'] == ['h1']
    assert w.scheduler.specs[0]['flavor']['flavorid'] == '2'


def test_finish_moves_instance_and_flavor_then_confirm_frees_source(world):
    w = world
    migration = _resized(w)
    instance = instances_db.get(w.uuid)
    assert (instance['host'], instance['flavor']['flavorid'],
            instance['vcpus'], instance['memory_mb'], instance['root_gb']) \
        == ('h2', '2', 2, 1024, 2)
    assert states.api_status(instance['vm_state']) == 'VERIFY_RESIZE'
    # Quota usage follows the flavor.
    assert quotas_db.usage('p1')['cores'] == 2
    assert quotas_db.usage('p1')['ram'] == 1024

    w.mover.confirm(Ctxt(), w.uuid)
    assert w.compute.casts[-1] == ('confirm_resize', 'h1', w.uuid,
                                   migration['uuid'])
    assert moves_db.get(migration['uuid'])['status'] == 'confirming'
    moves_db.confirmed(w.uuid, migration['uuid'], host='h1')
    assert _allocations() == {w.uuid: (w.n2['id'], 2, 1024, 2)}
    assert _usage(w.n1) == (0, 0, 0)
    assert instances_db.get(w.uuid)['vm_state'] == states.ACTIVE
    assert moves_db.get(migration['uuid'])['status'] == 'confirmed'
    # Confirmed twice (a resent report): nothing more is freed.
    moves_db.confirmed(w.uuid, migration['uuid'], host='h1')
    assert _usage(w.n2) == (2, 1024, 2)


def test_revert_restores_flavor_host_and_allocations_exactly(world):
    w = world
    before = _allocations()
    usage_before = (_usage(w.n1), _usage(w.n2))
    migration = _resized(w)
    w.mover.revert(Ctxt(), w.uuid)
    instance = instances_db.get(w.uuid)
    assert instance['task_state'] == states.RESIZE_REVERTING
    assert states.api_status(instance['vm_state'],
                             instance['task_state']) == 'REVERT_RESIZE'
    # The target drops its copy first.
    assert w.compute.casts[-1][:2] == ('revert_resize', 'h2')
    moves_db.reverted(w.uuid, migration['uuid'], host='h1',
                      power_state=states.RUNNING)
    instance = instances_db.get(w.uuid)
    assert (instance['host'], instance['node'], instance['vm_state'],
            instance['task_state'], instance['flavor']['flavorid'],
            instance['vcpus'], instance['memory_mb'],
            instance['compute_node_id']) == \
        ('h1', 'h1', states.ACTIVE, None, '1', 1, 512, w.n1['id'])
    assert _allocations() == before
    assert (_usage(w.n1), _usage(w.n2)) == usage_before
    assert moves_db.get(migration['uuid'])['status'] == 'reverted'
    assert quotas_db.usage('p1')['cores'] == 1


def test_no_valid_host_leaves_instance_active_with_fault(world):
    w = world
    w.scheduler.hosts = []
    before = _allocations()
    with pytest.raises(exception.NoValidHost):
        w.mover.resize(Ctxt(), w.uuid, '2')
    instance = instances_db.get(w.uuid)
    assert (instance['vm_state'], instance['task_state'], instance['host'],
            instance['flavor']['flavorid']) == (states.ACTIVE, None, 'h1',
                                                '1')
    assert _allocations() == before
    assert _usage(w.n2) == (0, 0, 0)
    with session.reader() as s:
        fault = actions.latest_faults(s, [w.uuid])[w.uuid]
    assert 'No valid host' in fault['message']
    [migration] = moves_db.due_for_confirmation(0) or [None]
    assert migration is None
    with session.reader() as s:
        status = s.scalars(sa.select(models.Migration.status)).one()
    assert status == 'error'


def test_failed_move_reverts_with_fault(world):
    w = world
    migration = w.mover.resize(Ctxt(), w.uuid, '2')
    moves_db.reverted(w.uuid, migration['uuid'], failed=True,
                      message='disk copy failed', host='h1')
    instance = instances_db.get(w.uuid)
    assert (instance['vm_state'], instance['host'], instance['vcpus']) == \
        (states.ACTIVE, 'h1', 1)
    assert _allocations() == {w.uuid: (w.n1['id'], 1, 512, 1)}
    assert _usage(w.n2) == (0, 0, 0)
    assert moves_db.get(migration['uuid'])['status'] == 'error'
    with session.reader() as s:
        fault = actions.latest_faults(s, [w.uuid])[w.uuid]
    assert fault['message'] == 'disk copy failed'


def test_refusals(world):
    w = world
    with pytest.raises(exception.CannotResizeToSameFlavor):
        w.mover.resize(Ctxt(), w.uuid, '1')
    with pytest.raises(exception.CannotResizeDisk):
        w.mover.resize(Ctxt(), w.uuid, '3')
    with pytest.raises(exception.ComputeHostNotFound):
        w.mover.resize(Ctxt(), w.uuid, None, 'nowhere')
    with pytest.raises(exception.Invalid):
        w.mover.resize(Ctxt(), w.uuid, None, 'h1')
    with session.writer() as s:
        s.add(models.BlockDeviceMapping(
            instance_uuid=w.uuid, source_type='volume',
            destination_type='volume', volume_id='v1', status='attached'))
    with pytest.raises(exception.Invalid) as err:
        w.mover.resize(Ctxt(), w.uuid, '2')
    assert 'volumes' in err.value.message
    with session.writer() as s:
        s.execute(sa.delete(models.BlockDeviceMapping))
    # Not in VERIFY_RESIZE: 409.
    with pytest.raises(exception.InstanceInvalidState):
        w.mover.confirm(Ctxt(), w.uuid)
    transitions_db.update(w.uuid, {'vm_state': states.PAUSED})
    with pytest.raises(exception.InstanceInvalidState):
        w.mover.resize(Ctxt(), w.uuid, '2')
    assert w.compute.casts == []


def test_quota_refuses_a_bigger_flavor(world):
    w = world
    quotas_db.update('p1', {'cores': 1})
    with pytest.raises(exception.OverQuota):
        w.mover.resize(Ctxt(), w.uuid, '2')
    assert instances_db.get(w.uuid)['task_state'] is None


def test_migrate_keeps_flavor_and_same_host_follows_option(world):
    w = world
    migration = w.mover.resize(Ctxt(), w.uuid, None, 'h2')
    assert migration['migration_type'] == 'migration'
    assert migration['new_flavor']['flavorid'] == '1'
    assert w.scheduler.specs[-1]['force_hosts'] == ['h2']
    assert w.scheduler.specs[-1]['ignore_hosts'] == ['h1']
    moves_db.reverted(w.uuid, migration['uuid'], failed=True, message='x')
    CONF.set_override('allow_resize_to_same_host', True)
    w.mover.resize(Ctxt(), w.uuid, '2')
    assert w.scheduler.specs[-1]['ignore_hosts'] == []


def test_auto_confirm_after_window(world, monkeypatch):
    w = world
    migration = _resized(w)
    CONF.set_override('resize_confirm_window', 0)
    assert w.mover.confirm_expired() == 0
    CONF.set_override('resize_confirm_window', 60)
    assert w.mover.confirm_expired() == 0
    with session.writer() as s:
        s.execute(sa.update(models.Migration).values(
            updated_at=models.utcnow() - datetime.timedelta(seconds=61)))
    assert w.mover.confirm_expired() == 1
    assert w.compute.casts[-1][:2] == ('confirm_resize', 'h1')
    assert moves_db.get(migration['uuid'])['status'] == 'confirming'


def test_delete_in_verify_resize_frees_both_hosts(world):
    w = world
    _resized(w)
    instances_db.destroy(w.uuid)
    assert _allocations() == {}
    assert _usage(w.n1) == (0, 0, 0) and _usage(w.n2) == (0, 0, 0)
