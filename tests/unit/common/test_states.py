"""The API status shown for vm_state and task_state pairs."""

import pytest

from common import states


@pytest.mark.parametrize('vm_state, task_state, status', [
    (states.BUILDING, states.SCHEDULING, 'BUILD'),
    (states.ACTIVE, None, 'ACTIVE'),
    (states.ACTIVE, states.REBOOTING, 'REBOOT'),
    (states.ACTIVE, states.REBOOTING_HARD, 'HARD_REBOOT'),
    (states.ACTIVE, states.REBUILDING, 'REBUILD'),
    (states.STOPPED, None, 'SHUTOFF'),
    (states.ERROR, None, 'ERROR'),
    (states.ERROR, states.DELETING, 'ERROR'),
])
def test_api_status(vm_state, task_state, status):
    assert states.api_status(vm_state, task_state) == status


def test_status_filter_maps_back_to_vm_states():
    assert states.vm_states_for_status('shutoff') == [states.STOPPED]
    assert states.vm_states_for_status('NOPE') == []
