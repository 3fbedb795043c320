"""The compute manager's live-migration methods (nova_compute/
live_migration.py) and their RPC 1.11: the order of the hosts' steps,
what is reported how, and the refusals of the test driver and of old
computes."""

import threading
import uuid

import pytest

from common import context as nova_context
from common import exception
from common import rpc
from common import states
from common.conf import CONF
from nova_compute import live_migration
from nova_compute import manager as compute_manager
from nova_compute import rpcapi
from tests.unit.nova_compute import conftest


class Conductor:
    def __init__(self, instances=()):
        self.done = []
        self.finished = threading.Event()
        self.instances = list(instances)

    def instance_get_all(self, ctxt, filters):
        return [i for i in self.instances if i['host'] == filters['host']]

    def instance_task_done(self, ctxt, uuid, values, expected_task_state,
                           failed=False, message=None, details=None,
                           host=None):
        self.done.append({'uuid': uuid, 'values': values,
                          'expected': expected_task_state, 'failed': failed,
                          'message': message, 'details': details,
                          'host': host})
        self.finished.set()

    def allocate_fixed_ip(self, ctxt, uuid):
        return {'address': '10.0.0.5', 'mac': 'fa:16:3e:00:00:05',
                'bridge': 'br100', 'network': 'private'}


class Steps:
    """The driver's steps, recording calls; `fail` names one to fail."""

    def __init__(self, log, fail=None, error=None):
        self.log = log
        self.fail = fail
        self.error = error or exception.HypervisorError(reason='boom')
        self.here = {}

    def _step(self, name, result=None):
        self.log.append(name)
        if name == self.fail:
            raise self.error
        return result

    def check_destination(self, instance, block_migration):
        return self._step('check_destination', {
            'block_migration': block_migration, 'shared_marker': 'm'})

    def cleanup_destination_check(self, data):
        self._step('cleanup_destination_check')

    def check_source(self, instance, data):
        return self._step('check_source', dict(data, block_migration=True))

    def pre_live_migration(self, instance, image, network_info, data):
        self.network_info = network_info
        return self._step('pre_live_migration', dict(data, dst_paths={}))

    def migrate(self, instance, data, on_progress):
        on_progress(40, {'data_total': 10})
        return self._step('migrate', {})

    def post_at_source(self, instance, data):
        self._step('post_at_source')

    def post_at_destination(self, instance, data):
        return self._step('post_at_destination',
                          {'power_state': states.RUNNING,
                           'downtime_ms': 12})

    def rollback_at_destination(self, instance, data):
        self._step('rollback_at_destination')

    def abort(self, instance):
        self._step('abort')

    def abort_unwatched(self, instance):
        self.log.append('abort_unwatched')
        return self.here.get(instance['uuid'], False)

    def force_complete(self, instance):
        self._step('force_complete')


class Driver:
    def __init__(self, steps):
        self.steps = steps
        self.image_locator = None

    def live_migration_steps(self):
        return self.steps


class ComputeAPI:
    """Routes host-to-host calls straight to the managers by host name."""

    def __init__(self):
        self.managers = {}
        self.sent = []

    def __getattr__(self, method):
        def send(ctxt, host, *args, **kwargs):
            self.sent.append((method, host))
            return getattr(self.managers[host], method)(ctxt, *args,
                                                        **kwargs)
        return send


@pytest.fixture
def pair():
    log = []
    conductor = Conductor()
    compute_api = ComputeAPI()
    managers = {}
    for host in ('src', 'dst'):
        steps = Steps(log)
        managers[host] = compute_manager.ComputeManager(
            Driver(steps), conductor, host, compute_api=compute_api)
    compute_api.managers = managers
    return managers, conductor, compute_api, log


def _instance(**fields):
    return dict({'uuid': str(uuid.uuid4()), 'host': 'src', 'node': 'src',
                 'vm_state': states.ACTIVE, 'task_state': states.MIGRATING,
                 'request_spec': {}, 'fixed_ips': []}, **fields)


CTXT = nova_context.get_admin_context()


def _migrate(managers, conductor, instance):
    managers['src'].live_migration(CTXT, instance, 'dst', {'m': 1})
    assert conductor.finished.wait(10)


def test_destination_check_asks_the_source_and_cleans_up(pair):
    managers, _conductor, compute_api, log = pair
    data = managers['dst'].check_can_live_migrate_destination(
        CTXT, _instance(), 'auto')
    assert data['block_migration'] is True
    assert log == ['check_destination', 'check_source',
                   'cleanup_destination_check']
    assert compute_api.sent == [('check_can_live_migrate_source', 'src')]


def test_destination_check_cleans_up_when_the_source_refuses(pair):
    managers, _conductor, _api, log = pair
    managers['src'].driver.steps.fail = 'check_source'
    managers['src'].driver.steps.error = exception.MigrationPreCheckError(
        reason='no')
    with pytest.raises(exception.MigrationPreCheckError):
        managers['dst'].check_can_live_migrate_destination(
            CTXT, _instance(), 'auto')
    assert log[-1] == 'cleanup_destination_check'


def test_a_migration_runs_its_steps_on_each_host_in_order(pair):
    managers, conductor, compute_api, log = pair
    instance = _instance(fixed_ips=['10.0.0.5'])
    _migrate(managers, conductor, instance)
    assert log == ['pre_live_migration', 'migrate', 'post_at_source',
                   'post_at_destination']
    assert compute_api.sent == [('pre_live_migration', 'dst'),
                                ('post_live_migration_at_destination',
                                 'dst')]
    # The instance's fixed IP reached the destination (a config drive).
    assert managers['dst'].driver.steps.network_info[0]['address'] == \
        '10.0.0.5'
    done, = conductor.done
    assert done['values'] == {'host': 'dst', 'node': 'dst',
                              'power_state': states.RUNNING,
                              'vm_state': states.ACTIVE}
    assert done['expected'] == states.MIGRATING
    assert done['failed'] is False and done['host'] == 'dst'


def test_a_paused_instance_stays_paused(pair):
    managers, conductor, _api, _log = pair
    _migrate(managers, conductor, _instance(vm_state=states.PAUSED))
    assert conductor.done[0]['values']['vm_state'] == states.PAUSED


@pytest.mark.parametrize('step', ['pre_live_migration', 'migrate'])
def test_a_failure_rolls_back_and_leaves_a_fault(pair, step):
    managers, conductor, compute_api, log = pair
    managers['dst'].driver.steps.fail = step
    managers['src'].driver.steps.fail = step
    _migrate(managers, conductor, _instance())
    assert log[-1] == 'rollback_at_destination'
    assert 'post_at_source' not in log
    assert ('rollback_live_migration_at_destination', 'dst') in \
        compute_api.sent
    done, = conductor.done
    # Back on its host, active, with the error as its fault.
    assert done['values'] == {'vm_state': states.ACTIVE}
    assert done['failed'] is True
    assert done['message'] == 'Hypervisor error: boom'
    assert 'Traceback' in done['details']
    assert done['host'] == 'src'


def test_an_abort_rolls_back_without_a_fault(pair):
    managers, conductor, _api, log = pair
    managers['src'].driver.steps.fail = 'migrate'
    managers['src'].driver.steps.error = exception.LiveMigrationAborted(
        instance_uuid='u', reason='aborted on request')
    _migrate(managers, conductor, _instance())
    done, = conductor.done
    assert done['failed'] is False and done['details'] is None
    assert 'aborted on request' in done['message']
    assert log[-1] == 'rollback_at_destination'


def test_a_cleanup_failure_on_the_source_still_finishes(pair):
    managers, conductor, _api, log = pair
    managers['src'].driver.steps.fail = 'post_at_source'
    _migrate(managers, conductor, _instance())
    assert log[-1] == 'post_at_destination'
    assert conductor.done[0]['values']['host'] == 'dst'


def test_the_record_follows_the_guest_when_the_destination_cannot(pair):
    managers, conductor, _api, _log = pair
    managers['dst'].driver.steps.fail = 'post_at_destination'
    _migrate(managers, conductor, _instance())
    done, = conductor.done
    assert done['values']['host'] == 'dst' and done['failed'] is False


def test_abort_and_force_complete_reach_the_source_driver(pair):
    managers, _conductor, _api, log = pair
    managers['src'].live_migration_abort(CTXT, _instance(), 7)
    managers['src'].live_migration_force_complete(CTXT, _instance())
    assert log == ['abort', 'force_complete']


def test_the_reporter_is_the_seam_for_the_migration_record(pair):
    managers, conductor, _api, _log = pair
    seen = []

    class Reporter(live_migration.MigrationReporter):
        def progress(self, ctxt, instance, migration, percent, stats):
            seen.append(('progress', migration, percent))

        def succeeded(self, ctxt, instance, migration, host, node, power):
            seen.append(('succeeded', migration, host))
            conductor.finished.set()
    for manager in managers.values():
        manager.live_migrations.reporter = Reporter(conductor)
    managers['src'].live_migration(CTXT, _instance(), 'dst', {},
                                   migration={'id': 3})
    assert conductor.finished.wait(10)
    assert seen == [('progress', {'id': 3}, 40),
                    ('succeeded', {'id': 3}, 'dst')]


def test_at_start_a_migration_whose_guest_stayed_ends_with_a_fault(pair):
    managers, conductor, _api, log = pair
    stayed, went, idle = (_instance(), _instance(),
                          _instance(task_state=None))
    conductor.instances = [stayed, went, idle]
    managers['src'].driver.steps.here = {stayed['uuid']: True,
                                         idle['uuid']: True}
    managers['src'].live_migrations.recover_at_start()
    # Each migrating one had its leftover libvirt job aborted first.
    assert log == ['abort_unwatched', 'abort_unwatched']
    done, = conductor.done
    assert done['uuid'] == stayed['uuid']
    assert done['failed'] is True and done['expected'] == states.MIGRATING
    assert 'restarted during the live migration' in done['message']
    assert done['values'] == {'vm_state': states.ACTIVE}


# -- over RPC ----------------------------------------------------------------

@pytest.fixture
def served(driver):
    with conftest.serving(compute_manager.ComputeManager(
            driver, Conductor(), 'h1')) as manager:
        yield manager


def test_the_test_driver_refuses_over_rpc_with_a_clear_error(served):
    api = rpcapi.ComputeAPI(timeout=10)
    with pytest.raises(exception.MigrationPreCheckError) as err:
        api.check_can_live_migrate_destination(CTXT, 'h1', _instance(),
                                               'auto')
    assert err.value.code == 400
    assert 'test driver' in err.value.message
    assert 'cannot live-migrate' in err.value.message
    with pytest.raises(exception.InvalidMigrationState):
        # Nothing to abort: a call would say so (the API casts).
        served.live_migration_abort(CTXT, _instance(), None)


@pytest.fixture
def transport():
    owned = rpc.TRANSPORT is None
    rpc.init(CONF, url='fake://')
    yield
    if owned:
        rpc.cleanup()


def test_every_live_migration_message_is_1_11(transport):
    api = rpcapi.ComputeAPI()
    sent = []
    api.call = lambda ctxt, method, version, **kw: sent.append(
        (method, version))
    api.cast = api.call
    instance = _instance()
    api.check_can_live_migrate_destination(CTXT, 'dst', instance)
    api.check_can_live_migrate_source(CTXT, 'src', instance, {})
    api.pre_live_migration(CTXT, 'dst', instance, {})
    api.live_migration(CTXT, 'src', instance, 'dst', {})
    api.live_migration_abort(CTXT, 'src', instance, 1)
    api.live_migration_force_complete(CTXT, 'src', instance)
    api.post_live_migration_at_destination(CTXT, 'dst', instance, {})
    api.rollback_live_migration_at_destination(CTXT, 'dst', instance, {})
    assert {v for _m, v in sent} == {'1.11'} and len(sent) == 8
    assert compute_manager.ComputeManager.target.version == \
        rpcapi.ComputeAPI.RPC_API_VERSION == '1.12'


def test_computes_held_below_1_11_cannot_live_migrate(transport):
    CONF.set_override('compute', '1.6', 'upgrade_levels')
    try:
        api = rpcapi.ComputeAPI()
    finally:
        CONF.clear_override('compute', 'upgrade_levels')
    with pytest.raises(exception.MigrationPreCheckError) as err:
        api.check_can_live_migrate_destination(CTXT, 'dst', _instance())
    assert 'too old for live migration' in err.value.message
