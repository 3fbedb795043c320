"""The in-memory driver: its size, power state machine, and a real build
and delete through the compute manager on it."""

import uuid

import pytest

from common import exception
from common import states
from common.conf import CONF
from nova_compute import build
from nova_compute.virt import fake
from nova_compute.virt import loader as virt_loader
from tests.unit.nova_compute.test_build import FakeConductor


def _instance(host='f1'):
    return {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 1,
            'memory_mb': 256, 'root_gb': 1, 'ephemeral_gb': 0,
            'image_ref': None, 'host': host, 'node': host,
            'vm_state': states.BUILDING, 'task_state': states.SCHEDULING}


@pytest.fixture
def drv():
    d = fake.FakeDriver(vcpus=8, memory_mb=16384, local_gb=200)
    d.init_host('f1')
    return d


def test_config_selects_the_fake_driver_and_its_size():
    CONF.set_override('compute_driver', 'fake')
    CONF.set_override('host_vcpus', 32, 'fake')
    CONF.set_override('host_memory_mb', 65536, 'fake')
    CONF.set_override('host_local_gb', 500, 'fake')
    try:
        d = virt_loader.load_driver(CONF)
    finally:
        CONF.clear_override('compute_driver')
        for name in ('host_vcpus', 'host_memory_mb', 'host_local_gb'):
            CONF.clear_override(name, 'fake')
    assert isinstance(d, fake.FakeDriver)
    d.init_host('big')
    res = d.get_available_resource()
    assert (res['vcpus'], res['memory_mb'], res['local_gb']) == \
        (32, 65536, 500)
    assert res['hypervisor_hostname'] == 'big'
    assert res['hypervisor_type'] == 'fake'


def test_the_default_driver_is_still_libvirt():
    assert CONF.compute_driver == 'libvirt'


def test_reports_its_own_size(drv):
    res = drv.get_available_resource()
    assert (res['vcpus'], res['memory_mb'], res['local_gb']) == \
        (8, 16384, 200)
    assert res['hypervisor_hostname'] == 'f1'


def test_spawn_runs_at_once_and_destroy_forgets(drv):
    inst = _instance()
    assert drv.get_power_state(inst) == states.NOSTATE
    drv.spawn(inst, {}, [])
    assert drv.get_power_state(inst) == states.RUNNING
    assert drv.wait_for_running(inst, 1) == states.RUNNING
    assert drv.list_instance_uuids() == [inst['uuid']]
    with pytest.raises(exception.HypervisorError):
        drv.spawn(inst, {}, [])
    drv.destroy(inst)
    drv.destroy(inst)     # a missing domain is not an error
    assert drv.list_instance_uuids() == []
    assert drv.get_power_state(inst) == states.NOSTATE


def test_power_operations_move_the_state(drv):
    inst = _instance()
    drv.spawn(inst, {}, [])
    drv.power_off(inst)
    assert drv.get_power_state(inst) == states.SHUTDOWN
    with pytest.raises(exception.HypervisorError):
        drv.pause(inst)
    drv.power_on(inst)
    drv.pause(inst)
    assert drv.get_power_state(inst) == states.PAUSED_POWER
    drv.unpause(inst)
    drv.suspend(inst)
    assert drv.get_power_state(inst) == states.SUSPENDED_POWER
    drv.resume(inst)
    drv.reboot(inst, 'HARD')
    assert drv.get_power_state(inst) == states.RUNNING
    with pytest.raises(exception.InstanceNotFound):
        drv.power_on(_instance())


def test_a_real_build_reaches_active_on_it(drv):
    conductor = FakeConductor(_instance())
    builder = build.InstanceBuilder('f1', drv, conductor)
    builder.build(None, conductor.instance, {},
                  {'requested_networks': 'auto'}, [])
    assert conductor.failures == []
    assert conductor.instance['vm_state'] == states.ACTIVE
    assert conductor.instance['power_state'] == states.RUNNING
    assert drv.list_instance_uuids() == [conductor.instance['uuid']]


def test_what_it_cannot_do_is_refused(drv):
    inst = _instance()
    drv.spawn(inst, {}, [])
    with pytest.raises(exception.MigrationPreCheckError):
        drv.live_migration_steps()
    with pytest.raises(exception.Invalid):
        drv.snapshot(inst, '/nonexistent')
    assert 'fake console' in drv.get_console_output(inst)
    assert drv.get_instance_diagnostics(inst)['state'] == 'running'
