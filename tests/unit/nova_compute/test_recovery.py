"""Start-up recovery of instances a crash left in a transitional state."""

from common import states
from nova_compute import recovery


class FakeDriver:

    def __init__(self, local=()):
        self.destroyed = []
        self.local = list(local)

    def list_instance_uuids(self):
        return self.local

    def destroy(self, instance):
        self.destroyed.append(instance['uuid'])


class FakeConductor:

    def __init__(self, instances):
        self.instances = instances
        self.failed = []

    def instance_get_all(self, ctxt, filters):
        if 'uuids' in filters:
            return [i for i in self.instances if i['uuid'] in
                    filters['uuids']]
        return [i for i in self.instances if not i.get('deleted')]

    def build_failed(self, ctxt, uuid, host, message, details=None,
                     alternates=None, request_spec=None):
        self.failed.append((uuid, message))


class FakeManager:

    def __init__(self, instances):
        self.host = 'h1'
        self.driver = FakeDriver()
        self.conductor = FakeConductor(instances)
        self.calls = []

    def stop_instance(self, ctxt, instance):
        self.calls.append(('stop', instance['uuid']))

    def start_instance(self, ctxt, instance):
        self.calls.append(('start', instance['uuid']))

    def reboot_instance(self, ctxt, instance, reboot_type):
        self.calls.append(('reboot-' + reboot_type, instance['uuid']))

    def terminate_instance(self, ctxt, instance):
        self.calls.append(('terminate', instance['uuid']))


def _inst(uuid, task):
    return {'uuid': uuid, 'task_state': task, 'host': 'h1',
            'vm_state': states.BUILDING if task == states.SPAWNING
            else states.ACTIVE}


def test_every_transitional_state_is_finished_or_failed():
    manager = FakeManager([
        _inst('idle', None), _inst('spawn', states.SPAWNING),
        _inst('net', states.NETWORKING), _inst('off', states.POWERING_OFF),
        _inst('on', states.POWERING_ON), _inst('rb', states.REBOOTING),
        _inst('del', states.DELETING)])
    recovery.reconcile(manager)
    assert [u for u, _ in manager.conductor.failed] == ['spawn', 'net']
    assert 'restarted during the build (spawning)' in \
        manager.conductor.failed[0][1]
    assert manager.driver.destroyed == ['spawn', 'net']
    assert manager.calls == [('stop', 'off'), ('start', 'on'),
                             ('reboot-HARD', 'rb'), ('terminate', 'del')]


def test_one_failure_does_not_stop_the_rest():
    manager = FakeManager([_inst('a', states.POWERING_OFF),
                           _inst('b', states.POWERING_ON)])

    def broken(ctxt, instance):
        raise RuntimeError('boom')
    manager.stop_instance = broken
    recovery.reconcile(manager)
    assert manager.calls == [('start', 'b')]


def test_domains_of_evacuated_or_deleted_instances_are_destroyed():
    moved = dict(_inst('moved', None), host='h2')
    gone = dict(_inst('gone', None), deleted=True)
    mine = _inst('mine', None)
    manager = FakeManager([moved, gone, mine])
    manager.driver.local = ['moved', 'gone', 'mine', 'unknown']
    recovery.reconcile(manager)
    assert manager.driver.destroyed == ['moved', 'gone']
