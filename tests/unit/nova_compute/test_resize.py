"""Resize on the compute side, on libvirt's test driver: the source sets
its files aside, the target copies them in and defines the domain with
the new flavor; revert and confirm; failures come back to the source."""

import os
import subprocess
import uuid
import xml.etree.ElementTree as ET

import pytest

from common import exception
from common import states
from nova_compute import resize
from nova_compute import rpcapi as compute_rpcapi
from nova_compute import manager as compute_manager
from nova_compute.virt.libvirt import disk_transfer

OLD = {'flavorid': '1', 'vcpus': 1, 'memory_mb': 512, 'root_gb': 1,
       'ephemeral_gb': 0}
NEW = {'flavorid': '2', 'vcpus': 2, 'memory_mb': 1024, 'root_gb': 2,
       'ephemeral_gb': 0}


def _instance(flavor=OLD, **values):
    inst = dict(uuid=str(uuid.uuid4()), display_name='vm', image_ref='',
                host='h1', node='h1', flavor=flavor, request_spec={},
                vm_state=states.ACTIVE, task_state=states.RESIZE_PREP,
                **{k: flavor[k] for k in resize.FLAVOR_COLUMNS})
    inst.update(values)
    return inst


def _migration(**values):
    mig = {'uuid': str(uuid.uuid4()), 'source_compute': 'h1',
           'source_node': 'h1', 'dest_compute': 'h1', 'dest_node': 'h1',
           'old_flavor': OLD, 'new_flavor': NEW,
           'old_vm_state': states.ACTIVE}
    mig.update(values)
    return mig


def _domain_size(driver, uuid_):
    tree = ET.fromstring(driver.host.lookup(uuid_).XMLDesc(0))
    # libvirt answers in KiB.
    return int(tree.find('memory').text) // 1024, int(tree.find('vcpu').text)


class FakeConductor:
    """Applies a move's steps to one instance dict, as the conductor
    would, and records them."""

    def __init__(self, instance, migration):
        self.instance, self.migration = instance, migration
        self.steps = []

    def move_progress(self, ctxt, instance_uuid, migration_uuid, values,
                      expected, status=None, host=None, to_dest=False):
        assert self.instance['task_state'] == expected
        self.instance.update(values)
        if to_dest:
            self.instance.update(NEW, flavor=NEW, host='h1')
        if status:
            self.migration['status'] = status
        self.steps.append((values.get('task_state'), status))
        return dict(self.instance), dict(self.migration)

    def move_reverted(self, ctxt, instance_uuid, migration_uuid, failed=False,
                      message=None, details=None, host=None,
                      power_state=None):
        self.steps.append(('reverted', failed, message, power_state))

    def move_confirmed(self, ctxt, instance_uuid, migration_uuid, host=None,
                       power_state=None):
        self.steps.append(('confirmed',))


class LoopbackCompute:
    """The compute RPC API, delivering to the one manager (same host)
    once the call that cast returns, as a real cast arrives later."""

    def __init__(self):
        self.manager = None
        self.casts = []
        self.pending = []

    def __getattr__(self, method):
        if method.startswith('_'):
            raise AttributeError(method)

        def cast(ctxt, host, *args, **kw):
            self.casts.append(method)
            self.pending.append((method, ctxt, args, kw))
        return cast

    def run(self, method, *args):
        getattr(self.manager, method)(None, *args)
        while self.pending:
            name, ctxt, args, kw = self.pending.pop(0)
            getattr(self.manager, name)(ctxt, *args, **kw)


@pytest.fixture
def same_host(driver):
    instance = _instance()
    migration = _migration()
    conductor = FakeConductor(instance, migration)
    loop = LoopbackCompute()
    manager = compute_manager.ComputeManager(
        driver=driver, conductor_api=conductor, host='h1',
        compute_api=loop)
    loop.manager = manager
    driver.spawn(dict(instance), {}, [])
    return manager, instance, migration, conductor, loop


def test_resize_on_same_host_defines_new_size_and_confirm_cleans(
        driver, same_host):
    manager, instance, migration, conductor, loop = same_host
    inst_dir = driver._instance_dir(instance['uuid'])
    assert _domain_size(driver, instance['uuid']) == (512, 1)
    loop.run('resize_instance', dict(instance), migration)
    assert loop.casts == ['finish_resize']
    assert conductor.steps == [
        (states.RESIZE_MIGRATING, 'migrating'),
        (states.RESIZE_MIGRATED, 'post-migrating'),
        (states.RESIZE_FINISH, None), (None, 'finished')]
    assert instance['vm_state'] == states.RESIZED
    assert instance['power_state'] == states.RUNNING
    assert _domain_size(driver, instance['uuid']) == (1024, 2)
    assert os.path.isdir(inst_dir + '_resize')
    assert os.path.exists(os.path.join(inst_dir, 'console.log'))
    loop.run('confirm_resize', dict(instance), migration)
    assert not os.path.exists(inst_dir + '_resize')
    assert conductor.steps[-1] == ('confirmed',)
    assert _domain_size(driver, instance['uuid']) == (1024, 2)


def test_revert_brings_back_old_size(driver, same_host):
    manager, instance, migration, conductor, loop = same_host
    loop.run('resize_instance', dict(instance), migration)
    instance['task_state'] = states.RESIZE_REVERTING
    loop.run('revert_resize', dict(instance), migration)
    assert loop.casts == ['finish_resize', 'finish_revert_resize']
    assert conductor.steps[-1] == ('reverted', False, None, states.RUNNING)
    assert _domain_size(driver, instance['uuid']) == (512, 1)
    assert not os.path.exists(driver._instance_dir(instance['uuid']) +
                              '_resize')


def test_stopped_server_is_resized_stopped(driver, same_host):
    manager, instance, migration, conductor, loop = same_host
    migration['old_vm_state'] = states.STOPPED
    loop.run('resize_instance', dict(instance), migration)
    assert instance['power_state'] == states.SHUTDOWN
    assert driver.get_power_state(instance) == states.SHUTDOWN


def test_target_failure_goes_back_to_source_with_fault(driver, same_host,
                                                       monkeypatch):
    manager, instance, migration, conductor, loop = same_host

    def broken(*args, **kwargs):
        raise exception.HypervisorError(reason='injected')
    monkeypatch.setattr(driver, 'finish_migration', broken)
    loop.run('resize_instance', dict(instance), migration)
    assert loop.casts == ['finish_resize', 'finish_revert_resize']
    step = conductor.steps[-1]
    assert step[:2] == ('reverted', True) and 'injected' in step[2]
    # Back on the source as it was: running, old size, files in place.
    assert _domain_size(driver, instance['uuid']) == (512, 1)
    assert driver.get_power_state(instance) == states.RUNNING
    assert not os.path.exists(driver._instance_dir(instance['uuid']) +
                              '_resize')


def test_local_copy_and_remote_commands(tmp_path):
    src = tmp_path / 'a_resize'
    src.mkdir()
    (src / 'disk').write_text('data')
    dest = tmp_path / 'a'
    assert disk_transfer.copy_instance_dir(
        {'path': str(src), 'source_host': 'h1'}, str(dest)) == 'local'
    assert (dest / 'disk').read_text() == 'data'
    ran = []
    gone = str(tmp_path / 'elsewhere_resize')
    assert disk_transfer.copy_instance_dir(
        {'path': gone, 'source_host': 'h9', 'source_ip': '192.0.2.9'},
        str(tmp_path / 'b'), 'rsync',
        run=lambda argv, **kw: ran.append(argv)) == 'remote'
    assert ran[0][0] == 'rsync' and ran[0][-2:] == [
        '192.0.2.9:%s/' % gone, str(tmp_path / 'b') + '/']
    assert disk_transfer.remote_command('ssh', 'h9', '/x', '/y')[0] == 'scp'

    def fails(argv, **kw):
        raise subprocess.CalledProcessError(1, argv, stderr=b'denied')
    with pytest.raises(exception.HypervisorError) as err:
        disk_transfer.copy_instance_dir(
            {'path': gone, 'source_host': 'h9'}, str(tmp_path / 'c'),
            run=fails)
    assert 'denied' in err.value.message
    assert not os.path.exists(tmp_path / 'c')


def test_rpc_versions():
    version = compute_rpcapi.ComputeAPI.RPC_API_VERSION
    assert compute_manager.ComputeManager.target.version == version
    assert tuple(map(int, version.split('.'))) >= (1, 7)
