"""Rebuild on the real libvirt test driver: the power state it ends in,
and the config drive it writes again."""

import base64
import io
import os
import uuid

import pycdlib
import pytest

from common import states
from common.conf import CONF
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


def _user_data_on_the_drive(path):
    iso = pycdlib.PyCdlib()
    iso.open(path)
    try:
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out,
                                 rr_path='/openstack/latest/user_data')
        return out.getvalue()
    finally:
        iso.close()


def test_rebuild_writes_the_config_drive_again_with_new_user_data(driver):
    instance = {'id': 3, 'uuid': str(uuid.uuid4()), 'display_name': 'vm',
                'vcpus': 1, 'memory_mb': 128, 'root_gb': 1,
                'ephemeral_gb': 0, 'image_ref': None, 'host': 'h1',
                'node': 'h1', 'vm_state': states.ACTIVE,
                'task_state': states.REBUILDING, 'config_drive': True,
                'user_data': base64.b64encode(b'old').decode()}
    driver.spawn(instance, {}, [])
    drive = os.path.join(CONF.instances_path, instance['uuid'],
                         'disk.config')
    assert _user_data_on_the_drive(drive) == b'old'
    # The conductor hands the rebuild the instance with the user data the
    # API set (2.57).
    rebuilt = dict(instance, user_data=base64.b64encode(b'new').decode())
    conductor = FakeConductor()
    conductor.instance = rebuilt
    rebuild.Rebuilder('h1', driver, conductor).rebuild(None, rebuilt, {})
    assert conductor.done == [({'vm_state': states.ACTIVE,
                                'power_state': states.RUNNING}, False)]
    assert _user_data_on_the_drive(drive) == b'new'


def test_an_evacuation_to_a_host_forcing_a_drive_stores_it(driver):
    CONF.set_override('force_config_drive', True)
    try:
        instance = {'id': 4, 'uuid': str(uuid.uuid4()),
                    'display_name': 'vm', 'vcpus': 1, 'memory_mb': 128,
                    'root_gb': 1, 'ephemeral_gb': 0, 'image_ref': None,
                    'host': 'h1', 'node': 'h1', 'vm_state': states.ACTIVE,
                    'task_state': states.REBUILDING, 'config_drive': False}
        conductor = FakeConductor()
        conductor.instance = instance
        rebuild.Rebuilder('h1', driver, conductor).rebuild(
            None, instance, {}, evacuate=True)
    finally:
        CONF.clear_override('force_config_drive')
    assert conductor.done == [({'config_drive': True,
                                'vm_state': states.ACTIVE,
                                'power_state': states.RUNNING}, False)]
    assert os.path.isfile(os.path.join(CONF.instances_path,
                                       instance['uuid'], 'disk.config'))


def test_an_evacuation_asked_stopped_brings_a_running_server_back_stopped(
        driver):
    instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm',
                'vcpus': 1, 'memory_mb': 128, 'root_gb': 1,
                'ephemeral_gb': 0, 'image_ref': None, 'host': 'h2',
                'node': 'h2', 'vm_state': states.ACTIVE,
                'task_state': states.REBUILDING}
    conductor = FakeConductor()
    conductor.instance = instance
    rebuild.Rebuilder('h2', driver, conductor).rebuild(
        None, instance, {}, evacuate=True, target_state=states.STOPPED)
    assert conductor.done == [({'vm_state': states.STOPPED,
                                'power_state': states.SHUTDOWN}, False)]
    assert driver.get_power_state(instance) == states.SHUTDOWN
