"""Rebuild on the real libvirt test driver: the power state it ends in."""

import uuid

import pytest

from common import states
from nova_compute import rebuild


class FakeConductor:

    def __init__(self):
        self.done = []

    def instance_update(self, ctxt, uuid, values, expected_task_state=None,
                        host=None):
        return dict(self.instance, **values)

    def instance_task_done(self, ctxt, uuid, values=None,
                           expected_task_state=None, failed=False,
                           message=None, details=None, host=None):
        self.done.append((values, failed))


@pytest.mark.parametrize('vm_state,power,final', [
    (states.ACTIVE, states.RUNNING, states.ACTIVE),
    (states.STOPPED, states.SHUTDOWN, states.STOPPED),
])
def test_rebuild_keeps_a_stopped_server_stopped(driver, vm_state, power,
                                                final):
    instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm',
                'vcpus': 1, 'memory_mb': 128, 'root_gb': 1,
                'ephemeral_gb': 0, 'image_ref': None, 'host': 'h1',
                'node': 'h1', 'vm_state': vm_state,
                'task_state': states.REBUILDING, 'power_state': power}
    driver.spawn(instance, {}, [])
    if vm_state == states.STOPPED:
        driver.power_off(instance)
    conductor = FakeConductor()
    conductor.instance = instance
    rebuild.Rebuilder('h1', driver, conductor).rebuild(None, instance, {})
    assert conductor.done == [({'vm_state': final, 'power_state': power},
                               False)]
    assert driver.get_power_state(instance) == power
