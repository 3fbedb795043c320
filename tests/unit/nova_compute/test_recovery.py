"""Recovery of instances left in a transitional state: at start, after a
crash, and while running, after reports that all failed."""

import time

from common import exception
from common import states
from common.conf import CONF
from nova_compute import recovery
from tests.unit.nova_compute import test_build


class FakeDriver:

    def __init__(self, local=()):
        self.destroyed = []
        self.disks_destroyed = []
        self.local = list(local)

    def list_instance_uuids(self):
        return self.local

    def destroy(self, instance, destroy_disks=True):
        self.destroyed.append(instance['uuid'])
        self.disks_destroyed.append(destroy_disks)


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


class FakeLocks:

    def __init__(self):
        self.working_on = set()

    def busy(self, uuid):
        return uuid in self.working_on


class FakeManager:

    def __init__(self, instances):
        self.host = 'h1'
        self.driver = FakeDriver()
        self.conductor = FakeConductor(instances)
        self.locks = FakeLocks()
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
            'updated_at': '2026-01-01T00:00:00.000000',
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
    # The moved instance's shared disks serve it on h2; a deleted one's go.
    assert manager.driver.disks_destroyed == [False, True]


class Sweeps:
    """The conductor's sweeps of one host, every INTERVAL seconds of a
    fake clock: each passes the host's rows, as stored now."""

    INTERVAL = 60

    def __init__(self, manager):
        self.manager = manager
        self.now = 0.0
        self.stuck = recovery.StuckTasks(manager, clock=lambda: self.now)

    def __call__(self, after=INTERVAL, rows=None):
        self.now += after
        if rows is None:
            rows = [dict(i) for i in self.manager.conductor.instances
                    if i['task_state'] is not None]
        return self.stuck(rows, self.INTERVAL)


def test_a_running_host_recovers_tasks_seen_idle_and_unchanged_twice():
    # A build whose progress and failure reports were both lost, and a
    # stop whose report was lost: nothing here works on them any more.
    manager = FakeManager([_inst('spawn', states.SPAWNING),
                           _inst('off', states.POWERING_OFF),
                           _inst('idle', None)])
    stuck = Sweeps(manager)
    # First seen: maybe a moment before its report; left alone.
    assert stuck() == []
    assert manager.calls == [] and manager.driver.destroyed == []
    # Unchanged a whole interval later: recovered as at start.
    assert stuck() == ['spawn', 'off']
    assert manager.driver.destroyed == ['spawn']
    assert manager.calls == [('resume-spawning', 'spawn'), ('stop', 'off')]
    assert manager.conductor.instances[0]['build_resumes'] == 1


def test_instances_with_work_here_or_moving_on_are_left_alone():
    busy = _inst('busy', states.SPAWNING)
    moving = _inst('moving', states.REBOOTING)
    manager = FakeManager([busy, moving])
    manager.locks.working_on.add('busy')
    stuck = Sweeps(manager)
    for minute in range(1, 4):
        # The reboot's row changes between looks (its report came).
        moving['updated_at'] = '2026-01-01T00:%02d:00.000000' % minute
        assert stuck() == []
    assert manager.calls == [] and manager.driver.destroyed == []
    # The work here ends without a report: it is taken up at the second
    # look after (the reboot, unchanged since the last look, at once).
    manager.locks.working_on.clear()
    moving['task_state'] = None
    assert stuck() == []
    assert stuck() == ['busy']


def test_a_stuck_build_resumed_too_often_goes_to_error_saying_why():
    CONF.set_override('max_build_resumes', 1, 'conductor')
    manager = FakeManager([_inst('again', states.SCHEDULING, resumes=1)])
    stuck = Sweeps(manager)
    stuck()
    stuck()
    assert manager.conductor.failed == [(
        'again', 'nothing on h1 was working on it any more, during the '
        'build (scheduling), and the build had been resumed 1 times '
        'already')]


class FlakyConductor(test_build.FakeConductor):
    """The conductor of one build whose database goes while the build
    reports it is running, and stays gone for its failure report."""

    def __init__(self, instance):
        super().__init__(dict(instance, user_id='u1', project_id='p1',
                              build_resumes=0, request_spec={},
                              updated_at='t0'))
        self.unavailable = True

    def instance_advance(self, ctxt, uuid, values, expected_task_state,
                         **kwargs):
        if self.unavailable and values.get('vm_state') == states.ACTIVE:
            raise exception.DatabaseUnavailable(reason='connection lost')
        return super().instance_advance(ctxt, uuid, values,
                                        expected_task_state, **kwargs)

    def build_failed(self, *args, **kwargs):
        if self.unavailable:
            raise exception.DatabaseUnavailable(reason='connection lost')
        super().build_failed(*args, **kwargs)

    def instance_get_all(self, ctxt, filters):
        assert filters['host'] == 'h1'
        return [dict(self.instance)]

    def instance_update(self, ctxt, uuid, values, expected_task_state):
        assert self.instance['task_state'] == expected_task_state
        self.instance.update(values, updated_at='t1')
        return dict(self.instance)


def test_a_build_whose_reports_all_failed_is_resumed_while_running(driver):
    # Its compute is alive, so neither start-up recovery nor the
    # conductor's takeover (builds in scheduling) would ever see it.
    from nova_compute import manager as compute_manager
    instance = test_build._instance()
    conductor = FlakyConductor(instance)
    manager = compute_manager.ComputeManager(driver, conductor, 'h1')
    manager.build_and_run_instances(None, [{
        'context': {}, 'kwargs': {'instance': instance, 'image': None,
                                  'request_spec': {}}}])
    _until(lambda: not manager.locks.busy(instance['uuid']))
    assert conductor.instance['task_state'] == states.SPAWNING
    assert conductor.instance['vm_state'] == states.BUILDING
    conductor.unavailable = False
    # The conductor's sweep, twice (no wait asked: interval 0).
    assert manager.check_stuck_tasks(
        None, [dict(conductor.instance)], 0) == []
    assert manager.check_stuck_tasks(
        None, [dict(conductor.instance)], 0) == [instance['uuid']]
    _until(lambda: not manager.locks.busy(instance['uuid']))
    assert conductor.instance['vm_state'] == states.ACTIVE
    assert conductor.instance['build_resumes'] == 1
    assert driver.get_power_state(instance) == states.RUNNING
    manager._builds.shutdown(wait=True)


def _until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_sweeps_of_several_conductors_do_not_shorten_the_wait():
    manager = FakeManager([_inst('off', states.POWERING_OFF)])
    stuck = Sweeps(manager)
    assert stuck() == []
    # Other conductors' sweeps within the same period: no second sighting
    # yet, however many.
    assert stuck(after=10) == []
    assert stuck(after=20) == []
    assert manager.calls == []
    # Most of an interval since the first sighting, unchanged: recovered.
    assert stuck(after=20) == ['off']
    assert manager.calls == [('stop', 'off')]


def test_a_sweep_that_does_not_name_an_instance_makes_the_host_forget_it():
    off = _inst('off', states.POWERING_OFF)
    manager = FakeManager([off])
    stuck = Sweeps(manager)
    assert stuck() == []
    assert stuck(rows=[]) == []
    # Seen again: a first sighting, whatever its mark.
    assert stuck() == []
    assert stuck() == ['off']


def test_rows_of_other_hosts_or_states_it_does_not_recover_are_ignored():
    elsewhere = dict(_inst('elsewhere', states.POWERING_OFF), host='h2')
    pausing = _inst('pausing', 'pausing')
    manager = FakeManager([elsewhere, pausing])
    stuck = Sweeps(manager)
    for _ in range(3):
        assert stuck() == []
    assert manager.calls == [] and stuck.stuck._seen == {}


def test_the_compute_takes_the_sweep_and_no_longer_looks_itself(driver):
    from nova_compute import manager as compute_manager
    CONF.set_override('recover_stuck_tasks_interval', 60)
    manager = compute_manager.ComputeManager(driver, FakeConductor([]), 'h1')
    assert 'recover_stuck_tasks' not in [
        task[0] for task in manager.periodic_tasks()]
    assert manager.target.version == '1.12'
    assert manager.check_stuck_tasks(None, [], 60) == []
    manager._builds.shutdown(wait=True)


def test_held_below_1_12_the_host_looks_for_itself(driver):
    # A rolling upgrade: the conductors send no sweep, so the upgraded
    # host asks for its own candidates as before 1.12.
    from nova_compute import manager as compute_manager
    CONF.set_override('recover_stuck_tasks_interval', 60)
    CONF.set_override('compute', '1.11', 'upgrade_levels')
    conductor = FakeConductor([_inst('off', states.POWERING_OFF)])
    manager = compute_manager.ComputeManager(driver, conductor, 'h1')
    [look] = [task for task in manager.periodic_tasks()
              if task[0] == 'recover_stuck_tasks']
    assert look[1] == 60
    now = [0.0]
    manager.stuck_tasks = recovery.StuckTasks(manager, clock=lambda: now[0])
    manager.stop_instance = lambda ctxt, instance: stopped.append(
        instance['uuid'])
    stopped = []
    assert look[2]() == []
    now[0] = 60.0
    assert look[2]() == ['off'] and stopped == ['off']
    CONF.set_override('compute', '1.12', 'upgrade_levels')
    assert 'recover_stuck_tasks' not in [
        task[0] for task in manager.periodic_tasks()]
    manager._builds.shutdown(wait=True)
