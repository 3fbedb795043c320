"""The conductor's side of snapshots and shelving: the queued image and
its properties, state checks that leave nothing behind, offload freeing
the host, unshelve claiming again, and the RPC version they travel at."""

import pytest

from common import context as nova_context
from common import exception
from common import states
from nova_conductor import manager
from nova_conductor import rpcapi
from nova_conductor import shelve
from nova_conductor import snapshot
from nova_conductor.db import actions as actions_db
from nova_conductor.db import catalog
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import placement as placement_db
from tests.unit.nova_conductor import dbhelpers

SOURCE = {'id': 'src-image', 'name': 'cirros', 'status': 'active',
          'disk_format': 'qcow2', 'min_disk': 3, 'min_ram': 64,
          'properties': {'os_distro': 'cirros', 'hw_disk_bus': 'virtio',
                         'img_signature': 'sig', 'image_type': 'image'}}


class FakeCompute:

    def __init__(self, fail=None):
        self.sent = []
        self.fail = fail

    def __getattr__(self, name):
        def record(ctxt, host, instance, *args, **kwargs):
            if self.fail:
                raise self.fail
            self.sent.append((name, host, args, kwargs))
        return record


class FakeScheduler:

    def __init__(self, hosts):
        self.hosts = hosts
        self.specs = []

    def select_destinations(self, ctxt, spec, uuids):
        self.specs.append(spec)
        if not self.hosts:
            raise exception.NoValidHost(reason='no host has room')
        return [[{'host': n['host'], 'nodename': n['hypervisor_hostname'],
                  'compute_node_id': n['id']} for n in self.hosts]]


def _ctxt():
    return nova_context.RequestContext(user_id='u1', project_id='p1')


def _active(node, **values):
    made = dbhelpers.make_instance(
        image_ref=SOURCE['id'], request_spec={'image': SOURCE}, **values)
    placement_db.claim_and_place(made['uuid'], {
        'host': node['host'], 'nodename': node['hypervisor_hostname'],
        'compute_node_id': node['id']}, dbhelpers.FLAVOR)
    return transitions_db.update(made['uuid'], {
        'vm_state': states.ACTIVE, 'task_state': None})


def _events(uuid):
    [action] = actions_db.actions_get(uuid)[:1]
    found = actions_db.action_get_by_request_id(uuid, action['request_id'])
    return action['action'], [e['event'] for e in found['events']]


def test_snapshot_queues_the_image_with_novas_properties(db):
    node = dbhelpers.make_node()
    instance = _active(node)
    compute = FakeCompute()
    image = snapshot.snapshot(compute, _ctxt(), instance['uuid'], 'snap',
                              'snapshot', {'purpose': 'x'})
    stored = catalog.image_get(image['id'])
    assert (stored['status'], stored['name'], stored['visibility'],
            stored['owner'], stored['disk_format']) == (
        'queued', 'snap', 'private', 'p1', 'qcow2')
    # The source image's min_disk is more than the flavor's root disk.
    assert (stored['min_disk'], stored['min_ram']) == (3, 64)
    assert stored['properties'] == {
        'os_distro': 'cirros', 'hw_disk_bus': 'virtio',
        'image_type': 'snapshot', 'instance_uuid': instance['uuid'],
        'user_id': 'u1', 'owner_id': 'p1', 'base_image_ref': 'src-image',
        'purpose': 'x'}
    [(method, host, args, kwargs)] = compute.sent
    assert (method, host, args[1]) == ('snapshot_instance', 'host1',
                                       'snapshot')
    assert instances_db.get(instance['uuid'])['task_state'] == \
        states.IMAGE_SNAPSHOT
    assert _events(instance['uuid']) == ('createImage', ['image_snapshot'])


def test_backup_carries_its_type_and_rotation(db):
    instance = _active(dbhelpers.make_node())
    compute = FakeCompute()
    image = snapshot.snapshot(compute, _ctxt(), instance['uuid'], 'b',
                              'backup', None, 'daily', 3)
    assert catalog.image_get(image['id'])['properties'][
        'backup_type'] == 'daily'
    assert compute.sent[0][3] == {'backup_type': 'daily', 'rotation': 3}
    assert instances_db.get(instance['uuid'])['task_state'] == \
        states.IMAGE_BACKUP


def test_refusals_leave_no_image_and_no_task(db):
    node = dbhelpers.make_node()
    errored = _active(node)
    transitions_db.update(errored['uuid'], {'vm_state': states.ERROR})
    with pytest.raises(exception.InstanceInvalidState):
        snapshot.snapshot(FakeCompute(), _ctxt(), errored['uuid'], 's')
    assert catalog.image_get_all() == []
    # The compute cannot be reached: the task ends, the image goes.
    instance = _active(node)
    with pytest.raises(exception.ServiceUnavailable):
        snapshot.snapshot(FakeCompute(exception.ServiceUnavailable(
            service='nova-compute', reason='gone')), _ctxt(),
            instance['uuid'], 's')
    assert catalog.image_get_all() == []
    assert instances_db.get(instance['uuid'])['task_state'] is None


def test_a_volume_backed_server_is_refused(db):
    instance = _active(dbhelpers.make_node())
    instance['block_device_mappings'] = [{'boot_index': 0,
                                          'source_type': 'volume',
                                          'destination_type': 'volume'}]
    with pytest.raises(exception.Invalid) as raised:
        snapshot.check_image_backed(instance, 'Snapshot')
    assert 'volume-backed' in raised.value.message


def test_shelve_offload_frees_the_host_and_unshelve_claims_again(db):
    node = dbhelpers.make_node(vcpus=2)
    instance = _active(node)
    uuid = instance['uuid']
    compute = FakeCompute()
    shelve.shelve(compute, _ctxt(), uuid)
    [(method, host, (image,), _kw)] = compute.sent
    assert (method, image['name']) == ('shelve_instance', 'vm-shelved')
    transitions_db.update(uuid, {
        'task_state': states.SHELVING_IMAGE_UPLOADING})
    shelved = shelve.shelved(uuid, 'host1', image['id'], states.SHUTDOWN,
                             offloading=True)
    assert (shelved['vm_state'], shelved['task_state']) == (
        states.SHELVED, states.SHELVING_OFFLOADING)
    assert shelved['system_metadata']['shelved_image_id'] == image['id']
    # Another host's report changes nothing.
    with pytest.raises(exception.UnexpectedTaskState):
        shelve.offloaded(uuid, 'host2')
    offloaded = shelve.offloaded(uuid, 'host1')
    assert (offloaded['vm_state'], offloaded['host'], offloaded['node']) \
        == (states.SHELVED_OFFLOADED, None, None)
    assert compute_db.allocation_get(uuid) is None
    assert compute_db.compute_node_get(node['id'])['vcpus_used'] == 0

    scheduler = FakeScheduler([node])
    compute.sent = []
    placed = shelve.unshelve(scheduler, compute, _ctxt(), uuid, 'nova')
    assert (placed['host'], placed['task_state']) == ('host1',
                                                      states.UNSHELVING)
    assert compute_db.compute_node_get(node['id'])['vcpus_used'] == 1
    # Scheduled from the shelved image, in the zone asked for, which
    # the stored spec keeps; its original image stays the server's.
    assert scheduler.specs[0]['image']['id'] == image['id']
    assert scheduler.specs[0]['availability_zone'] == 'nova'
    stored = instances_db.get(uuid)['request_spec']
    assert (stored['availability_zone'], stored['image']['id']) == (
        'nova', SOURCE['id'])
    [(method, host, (sent_image,), kwargs)] = compute.sent
    assert (method, host, sent_image['id']) == ('unshelve_instance',
                                                'host1', image['id'])
    done = shelve.unshelved(uuid, 'host1', {'power_state': states.RUNNING},
                            states.UNSHELVING)
    assert done['vm_state'] == states.ACTIVE
    assert done['system_metadata'] == {}


def test_unshelve_with_no_host_stays_offloaded_with_a_fault(db):
    node = dbhelpers.make_node()
    instance = _active(node)
    uuid = instance['uuid']
    transitions_db.update(uuid, {'task_state': states.SHELVING_OFFLOADING,
                                 'vm_state': states.SHELVED})
    shelve.offloaded(uuid, 'host1')
    back = shelve.unshelve(FakeScheduler([]), FakeCompute(), _ctxt(), uuid)
    assert (back['vm_state'], back['task_state'], back['host']) == (
        states.SHELVED_OFFLOADED, None, None)
    with dbhelpers.session.reader() as s:
        fault = actions_db.latest_faults(s, [uuid])[uuid]
    assert 'no host has room' in fault['message']
    with pytest.raises(exception.ValidationError):
        shelve.unshelve(FakeScheduler([node]), FakeCompute(), _ctxt(), uuid,
                        'nowhere')
    with pytest.raises(exception.ValidationError):
        shelve.unshelve(FakeScheduler([node]), FakeCompute(), _ctxt(), uuid,
                        host='no-such-host')
    # No zone asked for: what came over RPC is another 'unset' string.
    scheduler = FakeScheduler([node])
    placed = shelve.unshelve(scheduler, FakeCompute(), _ctxt(), uuid,
                             ''.join(['un', 'set']))
    assert placed['host'] == 'host1'
    assert 'availability_zone' not in scheduler.specs[0]
    with pytest.raises(exception.InstanceInvalidState):
        shelve.shelve_offload(FakeCompute(), _ctxt(), uuid)


def test_versions():
    version = rpcapi.ConductorAPI.RPC_API_VERSION
    assert manager.ConductorManager.target.version == version
    assert tuple(map(int, version.split('.'))) >= (1, 15)
    api = dbhelpers.SentRecorder()
    api.snapshot_instance(None, 'u', 'n')
    api.shelve_instance(None, 'u')
    api.unshelve_instance(None, 'u', host='h')
    api.instance_offloaded(None, 'u', 'h')
    assert {v for _m, v in api.sent} == {'1.15'}
