"""The conductor's stuck-task sweep: one query for the fleet, a cast only
to the hosts with candidates, none to computes older than 1.12."""

from common import states
from common.conf import CONF
from nova_compute import recovery
from nova_conductor import manager
from nova_conductor import stuck_tasks
from nova_conductor.db import instances as instances_db
from tests.unit.nova_conductor import dbhelpers


class FakeComputeAPI:

    def __init__(self, version='1.12', fail_for=()):
        self.version = version
        self.fail_for = fail_for
        self.casts = []

    def can_send_version(self, version):
        return tuple(map(int, version.split('.'))) <= tuple(
            map(int, self.version.split('.')))

    def check_stuck_tasks(self, ctxt, host, instances, interval):
        if host in self.fail_for:
            raise RuntimeError('no queue for %s' % host)
        self.casts.append((host, sorted(i['display_name']
                                        for i in instances), interval))


def _fleet():
    """Candidates on h1 (two) and h2; none of the others is one."""
    dbhelpers.make_instance(display_name='a', host='h1',
                            task_state=states.SPAWNING)
    dbhelpers.make_instance(display_name='b', host='h1',
                            vm_state=states.ACTIVE,
                            task_state=states.POWERING_OFF)
    dbhelpers.make_instance(display_name='c', host='h2',
                            vm_state=states.ACTIVE,
                            task_state=states.DELETING)
    # Not placed yet (the conductor's takeover resumes those), idle,
    # in a task the compute does not recover, deleted.
    dbhelpers.make_instance(display_name='unplaced', host=None,
                            task_state=states.SCHEDULING)
    dbhelpers.make_instance(display_name='idle', host='h3',
                            vm_state=states.ACTIVE, task_state=None)
    dbhelpers.make_instance(display_name='pausing', host='h3',
                            vm_state=states.ACTIVE, task_state='pausing')
    gone = dbhelpers.make_instance(display_name='gone', host='h4',
                                   vm_state=states.ACTIVE,
                                   task_state=states.DELETING)
    instances_db.destroy(gone['uuid'])


def test_one_query_finds_the_candidates_of_every_host(db):
    _fleet()
    found = instances_db.in_a_task_on_a_host(recovery.RECOVERABLE)
    assert sorted((i['host'], i['display_name']) for i in found) == [
        ('h1', 'a'), ('h1', 'b'), ('h2', 'c')]
    # Whole rows, as the compute's own query had them.
    assert {'user_id', 'project_id', 'vm_state', 'updated_at',
            'build_resumes'} <= set(found[0])
    statements = dbhelpers.statements_of(
        lambda: instances_db.in_a_task_on_a_host(recovery.RECOVERABLE))
    assert len([s for s in statements if 'FROM instances' in s]) == 1


def test_a_sweep_casts_only_to_hosts_with_candidates(db):
    _fleet()
    compute_api = FakeComputeAPI()
    assert stuck_tasks.StuckTaskSweep(compute_api).sweep() == ['h1', 'h2']
    assert compute_api.casts == [('h1', ['a', 'b'], 60), ('h2', ['c'], 60)]


def test_a_host_that_cannot_be_told_does_not_stop_the_others(db):
    _fleet()
    compute_api = FakeComputeAPI(fail_for=('h1',))
    stuck_tasks.StuckTaskSweep(compute_api).sweep()
    assert compute_api.casts == [('h2', ['c'], 60)]


def test_computes_older_than_1_12_or_interval_0_get_nothing(db):
    _fleet()
    old = FakeComputeAPI(version='1.11')
    assert stuck_tasks.StuckTaskSweep(old).sweep() == []
    assert old.casts == []
    CONF.set_override('recover_stuck_tasks_interval', 0)
    new = FakeComputeAPI()
    assert stuck_tasks.StuckTaskSweep(new).sweep() == []
    assert new.casts == []


def test_the_conductor_runs_the_sweep_periodically(db):
    CONF.set_override('recover_stuck_tasks_interval', 30)
    compute_api = FakeComputeAPI()
    conductor = manager.ConductorManager(scheduler_api=object(),
                                         compute_api=compute_api)
    tasks = {t[0]: t for t in conductor.periodic_tasks()}
    assert tasks['recover-stuck-tasks'][1] == 30
    dbhelpers.make_instance(display_name='a', host='h1',
                            task_state=states.SPAWNING)
    tasks['recover-stuck-tasks'][2]()
    assert compute_api.casts == [('h1', ['a'], 30)]
    conductor.cleanup_host()
