"""Power operations and power-state sync, on the real libvirt test driver."""

import uuid

from common import states
from nova_compute import lifecycle


class FakeConductor:

    def __init__(self, instances):
        self.instances = instances
        self.done = []
        self.updates = []

    def instance_task_done(self, ctxt, uuid, values=None,
                           expected_task_state=None, failed=False,
                           message=None, details=None, host=None):
        self.done.append((uuid, values, expected_task_state, failed,
                          message))

    def instance_get_all(self, ctxt, filters):
        return [i for i in self.instances if i['host'] == filters['host']]

    def instance_update(self, ctxt, uuid, values, expected_task_state=None):
        self.updates.append((uuid, values))


def _running(driver):
    instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 1,
                'memory_mb': 128, 'root_gb': 1, 'ephemeral_gb': 0,
                'image_ref': None, 'host': 'h1', 'node': 'h1',
                'vm_state': states.ACTIVE, 'task_state': None,
                'power_state': states.RUNNING}
    driver.spawn(instance, {}, [])
    return instance


def test_stop_and_start_report_final_states(driver):
    instance = _running(driver)
    conductor = FakeConductor([instance])
    ops = lifecycle.PowerOperations('h1', driver, conductor)
    ops.stop(None, instance)
    assert conductor.done[-1] == (instance['uuid'], {
        'vm_state': states.STOPPED, 'power_state': states.SHUTDOWN},
        states.POWERING_OFF, False, None)
    ops.start(None, instance)
    assert conductor.done[-1][1] == {'vm_state': states.ACTIVE,
                                     'power_state': states.RUNNING}


def test_failed_operation_reports_a_fault_and_clears_the_task(driver):
    instance = _running(driver)
    driver.destroy(instance)  # the domain is gone: power_on must fail
    conductor = FakeConductor([instance])
    lifecycle.PowerOperations('h1', driver, conductor).start(None, instance)
    uuid_, values, expected, failed, message = conductor.done[-1]
    assert failed and expected == states.POWERING_ON
    assert 'could not be found' in message
    assert values == {'power_state': states.NOSTATE}


def test_sync_marks_a_domain_stopped_behind_our_back(driver):
    instance = _running(driver)
    busy = dict(_running(driver), task_state=states.REBOOTING)
    conductor = FakeConductor([instance, busy])
    # Someone stops both domains outside the system.
    for inst in (instance, busy):
        driver.host.lookup(inst['uuid']).destroy()
    lifecycle.PowerOperations('h1', driver, conductor).sync_power_states()
    assert conductor.updates == [(instance['uuid'], {
        'power_state': states.SHUTDOWN, 'vm_state': states.STOPPED})]


def test_sync_powers_off_a_stopped_instance_found_running(driver):
    instance = dict(_running(driver), vm_state=states.STOPPED,
                    power_state=states.SHUTDOWN)
    conductor = FakeConductor([instance])
    lifecycle.PowerOperations('h1', driver, conductor).sync_power_states()
    assert driver.get_power_state(instance) == states.SHUTDOWN
    assert conductor.updates == []


def test_pause_and_suspend_round_trips(driver):
    instance = _running(driver)
    conductor = FakeConductor([instance])
    ops = lifecycle.PowerOperations('h1', driver, conductor)
    ops.simple(None, instance, states.PAUSING, driver.pause)
    assert conductor.done[-1][1] == {'vm_state': states.PAUSED,
                                     'power_state': states.PAUSED_POWER}
    ops.simple(None, instance, states.UNPAUSING, driver.unpause)
    ops.simple(None, instance, states.SUSPENDING, driver.suspend)
    assert conductor.done[-1][1]['vm_state'] == states.SUSPENDED
    assert driver.get_power_state(instance) == states.SHUTDOWN
    ops.simple(None, instance, states.RESUMING, driver.resume)
    assert conductor.done[-1][1] == {'vm_state': states.ACTIVE,
                                     'power_state': states.RUNNING}


def test_soft_reboot_shuts_down_and_starts_again(driver):
    instance = _running(driver)
    dom = driver.host.lookup(instance['uuid'])
    events = []
    original_shutdown = dom.shutdown

    def shutdown(*args):
        events.append('acpi')
        return original_shutdown(*args)
    # Wrap this domain object's shutdown to see the ACPI request go out.
    driver.host.lookup = lambda uuid: dom
    dom.shutdown = shutdown
    driver.reboot(instance, 'SOFT', timeout=5)
    assert events == ['acpi']
    assert driver.get_power_state(instance) == states.RUNNING
    driver.reboot(instance, 'HARD')
    assert events == ['acpi']
    assert driver.get_power_state(instance) == states.RUNNING
