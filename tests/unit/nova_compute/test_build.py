"""The compute build steps with a fake conductor and the real test driver."""

import os
import uuid

import pytest

from common import exception
from common import states
from common.conf import CONF
from nova_compute import build


class FakeConductor:

    def __init__(self, instance):
        self.instance = dict(instance)
        self.updates = []
        self.values = []
        self.failures = []
        self.calls = 0

    def instance_advance(self, ctxt, uuid, values, expected_task_state,
                         through=(), host=None, allocate_ip=False):
        if self.instance['task_state'] != expected_task_state:
            raise exception.UnexpectedTaskState(
                instance_uuid=uuid, actual=self.instance['task_state'],
                expected=expected_task_state)
        self.updates.extend(through)
        self.updates.append(values.get('task_state', 'unchanged'))
        self.values.append(values)
        self.instance.update(values)
        self.calls += 1
        return self.allocate_fixed_ip(ctxt, uuid) if allocate_ip else None

    def allocate_fixed_ip(self, ctxt, uuid):
        return {'address': '10.0.0.2', 'mac': 'fa:16:3e:00:00:01',
                'bridge': 'br100', 'network': 'private'}

    def build_failed(self, ctxt, uuid, host, message, details=None,
                     alternates=None, request_spec=None):
        self.failures.append((message, alternates))


def _instance():
    return {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 1,
            'memory_mb': 256, 'root_gb': 1, 'ephemeral_gb': 0,
            'image_ref': None, 'host': 'h1', 'node': 'h1',
            'vm_state': states.BUILDING, 'task_state': states.SCHEDULING}


def _record_spawns(driver):
    """The network_info of each spawn on `driver`."""
    spawned = []
    real_spawn = driver.spawn

    def spawn(instance, image, network_info, block_devices=()):
        spawned.append(network_info)
        return real_spawn(instance, image, network_info)
    driver.spawn = spawn
    return spawned


def test_build_walks_every_task_state_to_active(driver):
    conductor = FakeConductor(_instance())
    spawned = _record_spawns(driver)
    builder = build.InstanceBuilder('h1', driver, conductor)
    builder.build(None, conductor.instance, {}, {'requested_networks':
                                                  'auto'}, [])
    assert conductor.updates == [states.NETWORKING,
                                 states.BLOCK_DEVICE_MAPPING,
                                 states.SPAWNING, None]
    assert conductor.instance['vm_state'] == states.ACTIVE
    assert conductor.instance['power_state'] == states.RUNNING
    assert driver.get_power_state(conductor.instance) == states.RUNNING
    assert conductor.failures == []
    # Spawning (networking and block devices on the way, with the IP),
    # then active: two calls.
    assert conductor.calls == 2
    assert spawned == [[conductor.allocate_fixed_ip(None, None)]]


def test_build_without_networks_passes_networking_through(driver):
    conductor = FakeConductor(_instance())
    spawned = _record_spawns(driver)
    build.InstanceBuilder('h1', driver, conductor).build(
        None, conductor.instance, {}, {'requested_networks': 'none'}, [])
    assert conductor.updates == [states.NETWORKING,
                                 states.BLOCK_DEVICE_MAPPING,
                                 states.SPAWNING, None]
    assert conductor.calls == 2
    assert spawned == [[]]
    assert conductor.instance['vm_state'] == states.ACTIVE


def test_spawn_failure_reports_with_alternates_and_cleans_up(driver):
    conductor = FakeConductor(_instance())

    def broken_spawn(instance, image, network_info, block_devices=()):
        raise exception.HypervisorError(reason='no room in the inn')
    driver.spawn = broken_spawn
    alternates = [{'host': 'other', 'nodename': 'other',
                   'compute_node_id': 2}]
    build.InstanceBuilder('h1', driver, conductor).build(
        None, conductor.instance, {}, {}, alternates)
    [(message, sent_alternates)] = conductor.failures
    assert message == 'Hypervisor error: no room in the inn'
    assert sent_alternates == alternates
    assert driver.get_power_state(conductor.instance) == states.NOSTATE


def test_build_yields_to_a_concurrent_delete(driver):
    conductor = FakeConductor(_instance())
    conductor.instance['task_state'] = states.DELETING
    build.InstanceBuilder('h1', driver, conductor).build(
        None, conductor.instance, {}, {}, [])
    assert conductor.updates == [] and conductor.failures == []


def test_a_build_resumed_from_spawning_goes_on_from_there(driver):
    """nova-compute restarted during the spawn: the build runs again from
    spawning (a compare-and-swap from there, no step twice)."""
    conductor = FakeConductor(dict(_instance(),
                                   task_state=states.SPAWNING))
    build.InstanceBuilder('h1', driver, conductor).build(
        None, conductor.instance, {}, {}, [], resume_from=states.SPAWNING)
    assert conductor.updates == [states.SPAWNING, None]
    assert conductor.instance['vm_state'] == states.ACTIVE
    assert driver.get_power_state(conductor.instance) == states.RUNNING


def test_a_build_resumed_from_networking_passes_the_steps_left(driver):
    conductor = FakeConductor(dict(_instance(),
                                   task_state=states.NETWORKING))
    build.InstanceBuilder('h1', driver, conductor).build(
        None, conductor.instance, {}, {}, [],
        resume_from=states.NETWORKING)
    assert conductor.updates == [states.BLOCK_DEVICE_MAPPING,
                                 states.SPAWNING, None]


def test_a_second_copy_of_a_build_leaves_the_first_ones_domain(driver):
    """The same build cast twice to a host (a conductor took it over and
    cast it again): the instance lock runs them one after the other, the
    second finds the instance moved on at its first compare-and-swap and
    stops without destroying the domain."""
    from nova_compute import manager as compute_manager
    instance = _instance()
    conductor = FakeConductor(instance)
    manager = compute_manager.ComputeManager(driver, conductor, 'h1')
    destroyed = []
    real_destroy = driver.destroy

    def destroy(inst):
        destroyed.append(inst['uuid'])
        return real_destroy(inst)
    driver.destroy = destroy
    build_args = {'instance': instance, 'image': {}, 'request_spec': {},
                  'node': 'h1', 'limits': {}, 'alternates': []}
    manager.build_and_run_instances(None, [
        {'context': {}, 'kwargs': build_args},
        {'context': {}, 'kwargs': build_args}])
    manager._builds.shutdown(wait=True)
    assert conductor.updates == [states.NETWORKING,
                                 states.BLOCK_DEVICE_MAPPING,
                                 states.SPAWNING, None]
    assert destroyed == [] and conductor.failures == []
    assert driver.list_instance_uuids() == [instance['uuid']]
    assert driver.get_power_state(instance) == states.RUNNING


def test_a_resumed_build_runs_on_the_pool_with_its_specs_image(driver):
    from nova_compute import manager as compute_manager
    image = {'id': 'img-1', 'status': 'active', 'disk_format': 'qcow2'}
    instance = dict(_instance(), task_state=states.SPAWNING,
                    request_spec={'image': image,
                                  'requested_networks': 'none'})
    conductor = FakeConductor(instance)
    manager = compute_manager.ComputeManager(driver, conductor, 'h1')
    spawned = []
    real_spawn = driver.spawn

    def spawn(inst, img, network_info, block_devices=()):
        spawned.append(img)
        return real_spawn(inst, img, network_info)
    driver.spawn = spawn
    manager.resume_build(None, instance, states.SPAWNING)
    manager._builds.shutdown(wait=True)
    assert spawned == [image]
    assert conductor.instance['vm_state'] == states.ACTIVE
    assert driver.get_power_state(instance) == states.RUNNING


@pytest.fixture
def conf():
    yield CONF
    for name in ('force_config_drive', 'mkisofs_cmd'):
        CONF.clear_override(name)


@pytest.mark.parametrize('asked,forced,stored', [
    (True, False, True), (False, True, True), (False, False, False)])
def test_a_drive_forced_by_the_host_is_stored_with_the_active_state(
        driver, conf, asked, forced, stored):
    conf.set_override('force_config_drive', forced)
    conductor = FakeConductor(dict(_instance(), id=1, config_drive=asked))
    build.InstanceBuilder('h1', driver, conductor).build(
        None, conductor.instance, {}, {'requested_networks': 'auto'}, [])
    assert conductor.instance['vm_state'] == states.ACTIVE
    assert conductor.instance['config_drive'] is stored
    # Only a forced drive is news to the conductor.
    assert ('config_drive' in conductor.values[-1]) == (forced and not asked)
    assert os.path.exists(os.path.join(
        conf.instances_path, conductor.instance['uuid'],
        'disk.config')) is stored


def test_a_config_drive_that_cannot_be_built_is_a_readable_fault(
        driver, conf):
    conf.set_override('mkisofs_cmd', '/bin/false')
    conductor = FakeConductor(dict(_instance(), id=1, config_drive=True))
    build.InstanceBuilder('h1', driver, conductor).build(
        None, conductor.instance, {}, {'requested_networks': 'auto'}, [])
    assert conductor.failures == [
        ('Could not build the config drive: false exited with 1: '
         'no message', [])]
    assert conductor.instance['vm_state'] == states.BUILDING
    assert driver.list_instance_uuids() == []
    assert not os.path.exists(os.path.join(conf.instances_path,
                                           conductor.instance['uuid']))
