"""ComputeAPI -> ComputeManager over a real oslo.messaging RPC server:
builds cast to one host together, one message or (capped) one each."""

import threading
import uuid

import pytest

from common import context as nova_context
from common import exception
from common import states
from common.conf import CONF
from nova_compute import manager as compute_manager
from nova_compute import rpcapi
from tests.unit.nova_compute import conftest


class Conductor:
    """Records each build's progress with the request id it came with."""

    def __init__(self):
        self.active = {}
        self.failures = []
        self.done = threading.Condition()

    def instance_advance(self, ctxt, uuid, values, expected_task_state,
                         through=(), host=None, allocate_ip=False):
        if values.get('vm_state') == states.ACTIVE:
            with self.done:
                self.active[uuid] = ctxt.request_id
                self.done.notify_all()

    def build_failed(self, ctxt, uuid, host, message, **kwargs):
        with self.done:
            self.failures.append((uuid, message))
            self.done.notify_all()

    def wait_for(self, count, timeout=30):
        with self.done:
            assert self.done.wait_for(
                lambda: len(self.active) + len(self.failures) >= count,
                timeout)


@pytest.fixture
def compute(driver):
    conductor = Conductor()
    with conftest.serving(
            compute_manager.ComputeManager(driver, conductor, 'h1')):
        yield conductor


def _builds(count):
    builds = []
    for index in range(count):
        ctxt = nova_context.RequestContext(user_id='u', project_id='p')
        instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm%d' % index,
                    'vcpus': 1, 'memory_mb': 256, 'root_gb': 1,
                    'ephemeral_gb': 0, 'image_ref': None, 'host': 'h1',
                    'node': 'h1', 'vm_state': states.BUILDING,
                    'task_state': states.SCHEDULING}
        builds.append((ctxt, {'instance': instance, 'image': {},
                              'request_spec': {'requested_networks': 'none'},
                              'node': 'h1', 'limits': {}, 'alternates': []}))
    return builds


def _count_casts(api):
    sent = []
    real_cast = api.cast

    def cast(ctxt, method, version, **kwargs):
        sent.append((method, version))
        return real_cast(ctxt, method, version, **kwargs)
    api.cast = cast
    return sent


def _expected(builds):
    return {kwargs['instance']['uuid']: ctxt.request_id
            for ctxt, kwargs in builds}


def test_builds_for_one_host_travel_in_one_message(compute, driver):
    # They run side by side, as separate casts would: no spawn returns
    # before all three have begun (one after the other, the first would
    # wait out the barrier and fail).
    barrier = threading.Barrier(3, timeout=20)
    real_spawn = driver.spawn

    def spawn(*args, **kwargs):
        barrier.wait()
        return real_spawn(*args)
    driver.spawn = spawn
    api = rpcapi.ComputeAPI()
    sent = _count_casts(api)
    builds = _builds(3)
    api.build_and_run_instances('h1', builds)
    compute.wait_for(3)
    assert sent == [('build_and_run_instances', '1.2')]
    # Every build ran, each under its own request's context.
    assert compute.failures == []
    assert compute.active == _expected(builds)


def test_computes_not_yet_upgraded_get_one_cast_per_build(compute):
    CONF.set_override('compute', '1.1', 'upgrade_levels')
    try:
        api = rpcapi.ComputeAPI()
    finally:
        CONF.clear_override('compute', 'upgrade_levels')
    sent = _count_casts(api)
    builds = _builds(2)
    api.build_and_run_instances('h1', builds)
    compute.wait_for(2)
    assert sent == [('build_and_run_instance', '1.0')] * 2
    assert compute.active == _expected(builds)


def test_a_build_alone_is_cast_as_before(compute):
    api = rpcapi.ComputeAPI()
    sent = _count_casts(api)
    builds = _builds(1)
    api.build_and_run_instances('h1', builds)
    compute.wait_for(1)
    assert sent == [('build_and_run_instance', '1.0')]
    assert compute.active == _expected(builds)


def test_list_instance_uuids_answers_the_domains_the_host_has(compute,
                                                               driver):
    api = rpcapi.ComputeAPI(timeout=10)
    ctxt = nova_context.get_admin_context()
    assert api.list_instance_uuids(ctxt, 'h1') == []
    builds = _builds(2)
    api.build_and_run_instances('h1', builds)
    compute.wait_for(2)
    assert sorted(api.list_instance_uuids(ctxt, 'h1')) == sorted(
        _expected(builds))
    # The hypervisor's view, not the database's: a domain destroyed behind
    # the compute's back is gone from the answer.
    gone = builds[0][1]['instance']
    driver.destroy(gone)
    assert api.list_instance_uuids(ctxt, 'h1') == [
        builds[1][1]['instance']['uuid']]


def test_both_diagnostics_shapes_come_over_rpc(compute):
    api = rpcapi.ComputeAPI(timeout=10)
    ctxt = nova_context.get_admin_context()
    builds = _builds(1)
    api.build_and_run_instances('h1', builds)
    compute.wait_for(1)
    instance = builds[0][1]['instance']
    legacy = api.get_diagnostics(ctxt, 'h1', instance)
    assert legacy['memory'] == 256 * 1024 and 'cpu0_time' in legacy
    standard = api.get_instance_diagnostics(ctxt, 'h1', instance)
    assert standard['state'] == 'running'
    assert standard['memory_details'] == {'maximum': 256, 'used': 256}


def _api_capped_at(version):
    """A client as `[upgrade_levels] compute = version` makes it."""
    CONF.set_override('compute', version, 'upgrade_levels')
    try:
        return rpcapi.ComputeAPI(timeout=10)
    finally:
        CONF.clear_override('compute', 'upgrade_levels')


def test_standard_diagnostics_need_computes_at_1_4(compute):
    api = _api_capped_at('1.3')
    with pytest.raises(exception.InstanceDiagnosticsUnsupported) as err:
        api.get_instance_diagnostics(nova_context.get_admin_context(), 'h1',
                                     {'uuid': str(uuid.uuid4())})
    assert err.value.code == 501


def test_crash_dump_is_a_call_that_carries_the_hosts_refusal(
        compute, driver):
    instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm',
                'vcpus': 1, 'memory_mb': 128, 'root_gb': 1,
                'ephemeral_gb': 0, 'image_ref': None, 'host': 'h1',
                'node': 'h1'}
    driver.spawn(instance, {}, [])
    api = rpcapi.ComputeAPI(timeout=10)
    ctxt = nova_context.get_admin_context()
    assert api.trigger_crash_dump(ctxt, 'h1', instance) is None
    assert 'NMI received' in driver.get_console_output(instance)
    driver.power_off(instance)
    with pytest.raises(exception.InstanceNotReady):
        api.trigger_crash_dump(ctxt, 'h1', instance)


def test_rescue_needs_computes_at_1_9(compute):
    api = _api_capped_at('1.8')
    ctxt = nova_context.get_admin_context()
    for call in (lambda: api.rescue_instance(ctxt, 'h1', {}, {}),
                 lambda: api.unrescue_instance(ctxt, 'h1', {}),
                 lambda: api.trigger_crash_dump(ctxt, 'h1', {})):
        with pytest.raises(exception.Conflict) as err:
            call()
        assert '1.9' in err.value.message


def test_consoles_come_over_rpc_at_1_10(compute):
    assert compute_manager.ComputeManager.target.version == \
        rpcapi.ComputeAPI.RPC_API_VERSION == '1.12'
    api = rpcapi.ComputeAPI(timeout=10)
    ctxt = nova_context.get_admin_context()
    builds = _builds(1)
    api.build_and_run_instances('h1', builds)
    compute.wait_for(1)
    instance = dict(builds[0][1]['instance'], vm_state=states.ACTIVE)
    serial = api.get_serial_console(ctxt, 'h1', instance, 'serial')
    assert serial['host'] == '127.0.0.1' and serial['port'] > 0
    assert serial['access_url_base'] == CONF.serial_console.base_url
    vnc = api.get_vnc_console(ctxt, 'h1', instance, 'novnc')
    assert vnc['port'] not in (None, serial['port'])
    CONF.set_override('compute', '1.6', 'upgrade_levels')
    try:
        capped = rpcapi.ComputeAPI(timeout=10)
    finally:
        CONF.clear_override('compute', 'upgrade_levels')
    with pytest.raises(exception.ConsoleNotImplemented) as err:
        capped.get_serial_console(ctxt, 'h1', instance, 'serial')
    assert err.value.code == 501


def test_stuck_task_candidates_come_over_rpc_at_1_12(driver):
    manager = compute_manager.ComputeManager(driver, Conductor(), 'h1')
    told = []
    arrived = threading.Event()

    def stuck_tasks(instances, interval):
        told.append(([i['uuid'] for i in instances], interval))
        arrived.set()
        return []
    manager.stuck_tasks = stuck_tasks
    instance = dict(_builds(1)[0][1]['instance'],
                    task_state=states.POWERING_OFF)
    with conftest.serving(manager):
        api = rpcapi.ComputeAPI(timeout=10)
        assert api.can_send_version('1.12')
        api.check_stuck_tasks(nova_context.get_admin_context(), 'h1',
                              [instance], 60)
        assert arrived.wait(30)
        # A conductor held below 1.12 ([upgrade_levels]) does not send it.
        assert not _api_capped_at('1.11').can_send_version('1.12')
    assert told == [([instance['uuid']], 60)]
