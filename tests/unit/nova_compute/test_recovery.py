"""Start-up recovery of instances a crash left in a transitional state."""

from common import exception
from common import states
from common.conf import CONF
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

    def instance_update(self, ctxt, uuid, values, expected_task_state):
        """The conductor's compare-and-swap, on the fake's rows."""
        [instance] = [i for i in self.instances if i['uuid'] == uuid]
        if instance['task_state'] != expected_task_state:
            raise exception.UnexpectedTaskState(
                instance_uuid=uuid, actual=instance['task_state'],
                expected=expected_task_state)
        instance.update(values)
        return dict(instance)


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

    def resume_build(self, ctxt, instance, resume_from):
        self.calls.append(('resume-' + resume_from, instance['uuid']))
        self.resumed_as = (ctxt.user_id, ctxt.project_id)


BUILDING = (states.SCHEDULING, states.NETWORKING,
            states.BLOCK_DEVICE_MAPPING, states.SPAWNING)


def _inst(uuid, task, resumes=0):
    return {'uuid': uuid, 'task_state': task, 'host': 'h1',
            'user_id': 'u1', 'project_id': 'p1', 'build_resumes': resumes,
            'vm_state': states.BUILDING if task in BUILDING
            else states.ACTIVE}


def test_every_transitional_state_is_finished_or_resumed():
    manager = FakeManager([
        _inst('idle', None), _inst('spawn', states.SPAWNING),
        _inst('net', states.NETWORKING), _inst('sched', states.SCHEDULING),
        _inst('off', states.POWERING_OFF), _inst('on', states.POWERING_ON),
        _inst('rb', states.REBOOTING), _inst('del', states.DELETING)])
    recovery.reconcile(manager)
    assert manager.conductor.failed == []
    # Half-made domains go before the builds run again, each from the
    # step it was left in, counted as one resume, in its owner's name.
    assert manager.driver.destroyed == ['spawn', 'net', 'sched']
    assert manager.calls == [
        ('resume-spawning', 'spawn'), ('resume-networking', 'net'),
        ('resume-scheduling', 'sched'), ('stop', 'off'), ('start', 'on'),
        ('reboot-HARD', 'rb'), ('terminate', 'del')]
    assert [i['build_resumes'] for i in manager.conductor.instances
            if i['uuid'] in ('spawn', 'net', 'sched')] == [1, 1, 1]
    assert manager.resumed_as == ('u1', 'p1')


def test_a_build_resumed_too_often_goes_to_error():
    CONF.set_override('max_build_resumes', 2, 'conductor')
    manager = FakeManager([_inst('again', states.SPAWNING, resumes=2),
                           _inst('once', states.SPAWNING, resumes=1)])
    recovery.reconcile(manager)
    [(uuid, message)] = manager.conductor.failed
    assert uuid == 'again'
    assert message == ('nova-compute on h1 restarted during the build '
                       '(spawning), and the build had been resumed 2 '
                       'times already')
    assert manager.driver.destroyed == ['again', 'once']
    assert manager.calls == [('resume-spawning', 'once')]


def test_a_build_that_moved_on_meanwhile_is_left_alone():
    """Read as spawning, but deleted (or taken over) before the resume's
    compare-and-swap: this host does not build it."""
    moved = _inst('moved', states.SPAWNING)
    manager = FakeManager([moved])
    real_get_all = manager.conductor.instance_get_all

    def get_all_then_move(ctxt, filters):
        found = [dict(i) for i in real_get_all(ctxt, filters)]
        moved['task_state'] = states.DELETING
        return found
    manager.conductor.instance_get_all = get_all_then_move
    recovery.reconcile(manager)
    assert manager.calls == [] and manager.conductor.failed == []


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
