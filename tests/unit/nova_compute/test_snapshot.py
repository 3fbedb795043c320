"""Snapshots, backups and shelving on the libvirt test driver: the disk
copied as qcow2 and uploaded, task_state steps, failures, rotation,
offload, unshelve, and the RPC version they travel at."""

import datetime
import json
import subprocess
import uuid

import pytest

from common import exception
from common import states
from common.conf import CONF
from nova_compute import manager as compute_manager
from nova_compute import rpcapi
from nova_compute import shelve
from nova_compute import snapshot


@pytest.fixture(autouse=True)
def _offload_time():
    yield
    CONF.clear_override('shelved_offload_time')


class FakeConductor:

    def __init__(self, instance):
        self.instance = instance
        self.calls = []

    def instance_update(self, ctxt, uuid, values, expected_task_state=None,
                        expected_vm_state=None, host=None):
        self.calls.append(('update', expected_task_state,
                           values.get('task_state')))
        self.instance = dict(self.instance, **values)
        return self.instance

    def instance_task_done(self, ctxt, uuid, values=None,
                           expected_task_state=None, failed=False,
                           message=None, details=None, host=None):
        self.calls.append(('done', expected_task_state, failed, message))

    def instance_shelved(self, ctxt, uuid, host, image_id, power_state,
                         offloading=False):
        self.calls.append(('shelved', image_id, power_state, offloading))
        return self.instance

    def instance_offloaded(self, ctxt, uuid, host):
        self.calls.append(('offloaded', host))

    def instance_unshelved(self, ctxt, uuid, host, values, expected):
        self.calls.append(('unshelved', expected, values['power_state']))

    def unshelve_failed(self, ctxt, uuid, host, expected, message,
                        details=None):
        self.calls.append(('unshelve_failed', expected, message))

    def instance_get_all(self, ctxt, filters):
        return [self.instance]

    def allocate_fixed_ip(self, ctxt, uuid):
        return {'address': '10.0.0.3', 'mac': 'fa:16:3e:00:00:01',
                'bridge': 'br100', 'network': 'private'}


class FakeGlance:

    def __init__(self, fail_upload=None, images=()):
        self.uploaded = {}
        self.deleted = []
        self.fail_upload = fail_upload
        self.images = list(images)

    def upload(self, image_id, ctxt, data, size, tmp_dir=None):
        if self.fail_upload:
            raise self.fail_upload
        self.uploaded[image_id] = data.read()
        assert len(self.uploaded[image_id]) == size

    def delete(self, image_id, ctxt):
        self.deleted.append(image_id)

    def list(self, ctxt, filters):
        return [i for i in self.images
                if i['properties'].get('backup_type') ==
                filters['backup_type']]


def _instance(task_state, vm_state=states.ACTIVE):
    return {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 1,
            'memory_mb': 128, 'root_gb': 1, 'ephemeral_gb': 0,
            'image_ref': None, 'host': 'h1', 'node': 'h1',
            'vm_state': vm_state, 'task_state': task_state,
            'power_state': states.RUNNING, 'system_metadata': {}}


def _spawned(driver, task_state, vm_state=states.ACTIVE):
    instance = _instance(task_state, vm_state)
    driver.spawn(instance, {}, [])
    return instance


def _qcow2_info(data, tmp_path):
    path = tmp_path / 'uploaded'
    path.write_bytes(data)
    return json.loads(subprocess.run(
        ['qemu-img', 'info', '--output=json', str(path)], check=True,
        capture_output=True, text=True).stdout)


def test_snapshot_uploads_a_qcow2_of_the_root_size(driver, tmp_path):
    instance = _spawned(driver, states.IMAGE_SNAPSHOT)
    conductor, glance = FakeConductor(instance), FakeGlance()
    snapshot.Snapshots('h1', driver, conductor, glance).snapshot(
        None, instance, {'id': 'img-1'}, 'snapshot')
    info = _qcow2_info(glance.uploaded['img-1'], tmp_path)
    assert (info['format'], info['virtual-size']) == ('qcow2', 1 << 30)
    assert conductor.calls == [
        ('update', states.IMAGE_SNAPSHOT, states.IMAGE_PENDING_UPLOAD),
        ('update', states.IMAGE_PENDING_UPLOAD, states.IMAGE_UPLOADING),
        ('done', states.IMAGE_UPLOADING, False, None)]
    assert glance.deleted == []
    # The guest runs on, and no work file is left behind.
    assert driver.get_power_state(instance) == states.RUNNING
    assert not [p for p in (tmp_path / 'instances').iterdir()
                if p.name.startswith('.snapshot-')]


def test_a_failed_upload_deletes_the_image_and_leaves_a_fault(driver):
    instance = _spawned(driver, states.IMAGE_BACKUP)
    conductor = FakeConductor(instance)
    glance = FakeGlance(fail_upload=exception.ImageServiceUnavailable(
        url='http://image', reason='down'))
    snapshot.Snapshots('h1', driver, conductor, glance).snapshot(
        None, instance, {'id': 'img-2'}, 'backup', 'daily', 2)
    assert glance.deleted == ['img-2']
    kind, expected, failed, message = conductor.calls[-1]
    assert (kind, failed) == ('done', True)
    assert states.IMAGE_BACKUP in expected
    assert 'down' in message


def test_rotation_keeps_the_new_backup_and_the_newest(driver):
    instance = _spawned(driver, states.IMAGE_BACKUP)
    made = '2026-12-05T07:00:00Z'

    def backup(image_id, created, kind='daily'):
        return {'id': image_id, 'created_at': created,
                'properties': {'backup_type': kind}}
    glance = FakeGlance(images=[
        backup('old', '2026-12-05T05:00:00Z'),
        backup('older', '2026-12-05T04:00:00Z'),
        # The new one, at the same second as another: it stays.
        backup('zzz-same-second', made), backup('aaa-new', made),
        backup('weekly', '2026-12-01T00:00:00Z', 'weekly')])
    snapshot.Snapshots('h1', driver, FakeConductor(instance), glance
                       ).snapshot(None, instance, {'id': 'aaa-new'},
                                  'backup', 'daily', 2)
    assert sorted(glance.deleted) == ['old', 'older']


def test_shelve_and_offload_at_once(driver):
    CONF.set_override('shelved_offload_time', 0)
    instance = _spawned(driver, states.SHELVING)
    conductor, glance = FakeConductor(instance), FakeGlance()
    snaps = snapshot.Snapshots('h1', driver, conductor, glance)
    shelve.Shelving('h1', driver, conductor, snaps).shelve(
        None, instance, {'id': 'shelved'})
    assert conductor.calls == [
        ('update', states.SHELVING, states.SHELVING_IMAGE_PENDING_UPLOAD),
        ('update', states.SHELVING_IMAGE_PENDING_UPLOAD,
         states.SHELVING_IMAGE_UPLOADING),
        ('shelved', 'shelved', states.SHUTDOWN, True),
        ('offloaded', 'h1')]
    assert 'shelved' in glance.uploaded
    assert instance['uuid'] not in driver.list_instance_uuids()


def test_shelve_kept_then_offloaded_by_the_periodic_task(driver):
    CONF.set_override('shelved_offload_time', 60)
    instance = _spawned(driver, states.SHELVING)
    conductor = FakeConductor(instance)
    snaps = snapshot.Snapshots('h1', driver, conductor, FakeGlance())
    shelving = shelve.Shelving('h1', driver, conductor, snaps)
    shelving.shelve(None, instance, {'id': 'shelved'})
    assert conductor.calls[-1] == ('shelved', 'shelved', states.SHUTDOWN,
                                   False)
    assert driver.get_power_state(instance) == states.SHUTDOWN
    now = datetime.datetime.now(datetime.timezone.utc)
    conductor.instance = dict(instance, vm_state=states.SHELVED,
                              task_state=None, system_metadata={
                                  'shelved_at': now.isoformat()})
    assert shelving.offload_old() == []
    conductor.instance['system_metadata']['shelved_at'] = (
        now - datetime.timedelta(seconds=61)).isoformat()
    assert shelving.offload_old() == [instance['uuid']]
    assert conductor.calls[-1] == ('offloaded', 'h1')
    assert instance['uuid'] not in driver.list_instance_uuids()
    CONF.set_override('shelved_offload_time', -1)
    assert shelving.offload_old() == []


def test_unshelve_in_place_and_a_failed_spawn(driver):
    instance = _spawned(driver, states.UNSHELVING, states.SHELVED)
    driver.power_off(instance)
    instance['system_metadata'] = {'shelved_image_id': 'shelved'}
    conductor, glance = FakeConductor(instance), FakeGlance()
    snaps = snapshot.Snapshots('h1', driver, conductor, glance)
    shelving = shelve.Shelving('h1', driver, conductor, snaps)
    shelving.unshelve(None, instance)
    assert conductor.calls == [('unshelved', states.UNSHELVING,
                                states.RUNNING)]
    assert glance.deleted == ['shelved']

    # Spawning where a domain of the same uuid exists fails: the
    # server goes back to offloaded, its image kept.
    conductor.calls, glance.deleted = [], []
    shelving.unshelve(None, dict(instance, fixed_ips=[]), {'id': 'shelved'})
    assert conductor.calls[0] == ('update', states.UNSHELVING,
                                  states.SPAWNING)
    assert conductor.calls[-1][:2] == ('unshelve_failed', states.SPAWNING)
    assert glance.deleted == []


def test_versions_and_a_capped_compute():
    version = rpcapi.ComputeAPI.RPC_API_VERSION
    assert compute_manager.ComputeManager.target.version == version
    assert tuple(map(int, version.split('.'))) >= (1, 8)
    api = object.__new__(rpcapi.ComputeAPI)
    sent = []
    api.cast = lambda ctxt, method, version, **kw: sent.append(
        (method, version))
    api.can_send_version = lambda version: True
    api.snapshot_instance(None, 'h1', {}, {'id': 'x'}, 'snapshot')
    api.shelve_instance(None, 'h1', {}, {'id': 'x'})
    api.shelve_offload_instance(None, 'h1', {})
    api.unshelve_instance(None, 'h1', {})
    assert {v for _m, v in sent} == {'1.8'}
    api.can_send_version = lambda version: version <= '1.6'
    with pytest.raises(exception.Conflict):
        api.snapshot_instance(None, 'h1', {}, {'id': 'x'}, 'snapshot')


@pytest.mark.parametrize('task, vm_state, expected', [
    (states.IMAGE_UPLOADING, states.ACTIVE, 'done'),
    (states.SHELVING_IMAGE_PENDING_UPLOAD, states.ACTIVE, 'done'),
    (states.SHELVING_OFFLOADING, states.SHELVED, 'offloaded'),
    (states.UNSHELVING, states.SHELVED, 'unshelved'),
    (states.SPAWNING, states.SHELVED_OFFLOADED, 'unshelve_failed'),
])
def test_recovery_after_a_restart(driver, task, vm_state, expected):
    """What a restarted nova-compute does with each task it finds."""
    from nova_compute import recovery
    instance = _spawned(driver, task, vm_state)
    conductor = FakeConductor(instance)
    snaps = snapshot.Snapshots('h1', driver, conductor, FakeGlance())

    class Manager:
        host = 'h1'
        shelving = shelve.Shelving('h1', driver, conductor, snaps)
    recovery.recover(Manager, None, [instance], 'restarted during ')
    assert conductor.calls[-1][0] == expected
    if expected == 'done':
        assert conductor.calls[-1][2:] == (True, 'restarted during ' + task)
    if expected in ('offloaded', 'unshelve_failed'):
        assert instance['uuid'] not in driver.list_instance_uuids()
