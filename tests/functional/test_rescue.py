"""Rescue, unrescue and trigger_crash_dump over RabbitMQ + PostgreSQL with
two computes: states, events, the rescue disk on the host, refusals, a
compute killed mid-rescue, and crash dumps."""

import os
import signal

import pytest

from tests.functional import deployment as deployment_mod
from tests.functional.test_usage import openstack

V217 = {'OpenStack-API-Version': 'compute 2.17'}
MISSING_IMAGE = '99999999-9999-4999-8999-999999999999'


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n')
    d.start()
    yield d
    d.stop()


def _action_of(dep, server_id, resp):
    return dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s' % (
        server_id, resp.headers['x-openstack-request-id'])).json(
        )['instanceAction']


def _events(dep, server_id, resp):
    return [(e['event'], e['result'])
            for e in _action_of(dep, server_id, resp)['events']]


def _files(dep, server_id):
    inst_dir = os.path.join(dep.dir, 'instances', server_id)
    return sorted(f for f in os.listdir(inst_dir)
                  if f in ('disk.rescue', 'unrescue.xml'))


def _console(dep, server_id):
    return dep.action(server_id, {'os-getConsoleOutput': {}}).json(
        )['output']


def _held(dep):
    """What the project's quota counts and what each host holds: rescue
    moves nothing and claims nothing more."""
    limits = dep.request('GET', '/v2.1/limits').json()['limits']['absolute']
    hosts = dep.request('GET', '/v2.1/os-hypervisors/detail').json(
        )['hypervisors']
    return ({k: limits[k] for k in ('totalInstancesUsed', 'totalCoresUsed',
                                    'totalRAMUsed')},
            {h['hypervisor_hostname']: (h['vcpus_used'], h['memory_mb_used'])
             for h in hosts})


def test_rescue_and_unrescue_an_active_server(dep):
    server = dep.boot('rescue-me')
    server_id, host = server['id'], server['OS-EXT-SRV-ATTR:host']
    before = _held(dep)

    resp = dep.action(server_id, {'rescue': {'adminPass': 'pa55word'}})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {'adminPass': 'pa55word'}
    rescued = dep.settle(server_id, 'RESCUE')
    assert rescued['OS-EXT-STS:vm_state'] == 'rescued'
    assert rescued['OS-EXT-STS:power_state'] == 1
    assert rescued['OS-EXT-SRV-ATTR:host'] == host
    assert _events(dep, server_id, resp) == [('rescuing', 'Success')]
    assert _action_of(dep, server_id, resp)['action'] == 'rescue'
    assert _files(dep, server_id) == ['disk.rescue', 'unrescue.xml']
    assert _held(dep) == before
    assert 'Rescue: booting from disk.rescue (image %s)' % dep.image['id'] \
        in _console(dep, server_id)

    # A rescued server is neither rescued again nor stopped.
    again = dep.action(server_id, {'rescue': None})
    assert again.status_code == 409
    assert again.json()['conflictingRequest']['message'] == (
        "Cannot 'rescue' instance %s while it is in vm_state rescued"
        % server_id)
    assert dep.action(server_id, {'os-stop': None}).status_code == 409

    resp = dep.action(server_id, {'unrescue': None})
    assert resp.status_code == 202, resp.text
    active = dep.settle(server_id, 'ACTIVE')
    assert active['OS-EXT-STS:power_state'] == 1
    assert _events(dep, server_id, resp) == [('unrescuing', 'Success')]
    assert _files(dep, server_id) == []
    assert _held(dep) == before
    assert 'Unrescue: booting from the root disk' in \
        _console(dep, server_id)
    assert dep.action(server_id, {'unrescue': None}).status_code == 409
    actions = dep.request('GET', '/v2.1/servers/%s/os-instance-actions'
                          % server_id).json()['instanceActions']
    assert [a['action'] for a in actions][:2] == ['unrescue', 'rescue']
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_a_stopped_server_is_rescued_running_and_unrescued_active(dep):
    server_id = dep.boot('stopped-rescue')['id']
    assert dep.action(server_id, {'os-stop': None}).status_code == 202
    dep.settle(server_id, 'SHUTOFF')
    resp = dep.action(server_id, {'rescue': {
        'rescue_image_ref': dep.image['id']}})
    assert resp.status_code == 200 and resp.json()['adminPass']
    assert dep.settle(server_id, 'RESCUE')['OS-EXT-STS:power_state'] == 1
    assert dep.action(server_id, {'unrescue': None}).status_code == 202
    assert dep.settle(server_id, 'ACTIVE')['OS-EXT-STS:power_state'] == 1
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_rescue_refusals(dep):
    server_id = dep.boot('refused')['id']
    bad = dep.action(server_id, {'rescue': {
        'rescue_image_ref': MISSING_IMAGE}})
    assert bad.status_code == 400
    assert MISSING_IMAGE in bad.json()['badRequest']['message']
    assert dep.action(server_id, {'rescue': {'rescue_image_ref': 'x'}}
                      ).status_code == 400
    assert dep.action(server_id, {'rescue': None},
                      token='eve:other').status_code == 404
    assert dep.action(server_id, {'pause': None}).status_code == 202
    dep.settle(server_id, 'PAUSED')
    paused = dep.action(server_id, {'rescue': None})
    assert paused.status_code == 409
    assert 'vm_state paused' in paused.json()['conflictingRequest'][
        'message']
    assert dep.action(server_id, {'unpause': None}).status_code == 202
    dep.settle(server_id, 'ACTIVE')
    assert dep.action(server_id, {'lock': None}).status_code == 202
    assert dep.action(server_id, {'rescue': None},
                      token='maria:admin:member,reader').status_code == 409
    assert dep.action(server_id, {'unlock': None}).status_code == 202
    # Nothing refused left a task, an action or a file behind.
    server = dep.settle(server_id, 'ACTIVE')
    assert server['OS-EXT-STS:task_state'] is None
    actions = dep.request('GET', '/v2.1/servers/%s/os-instance-actions'
                          % server_id).json()['instanceActions']
    assert 'rescue' not in [a['action'] for a in actions]
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_trigger_crash_dump(dep):
    server_id = dep.boot('crashy')['id']
    assert dep.action(server_id, {'trigger_crash_dump': None}
                      ).status_code == 400
    resp = dep.action(server_id, {'trigger_crash_dump': None},
                      headers=V217)
    assert resp.status_code == 202, resp.text
    assert _events(dep, server_id, resp) == [
        ('compute_trigger_crash_dump', 'Success')]
    assert 'NMI received' in _console(dep, server_id)
    server = dep.settle(server_id, 'ACTIVE')
    assert server['OS-EXT-STS:power_state'] == 1
    assert dep.action(server_id, {'os-stop': None}).status_code == 202
    dep.settle(server_id, 'SHUTOFF')
    stopped = dep.action(server_id, {'trigger_crash_dump': None},
                         headers=V217)
    assert stopped.status_code == 409
    assert stopped.json()['conflictingRequest']['message'] == (
        "Cannot 'trigger_crash_dump' instance %s while it is in vm_state "
        "stopped" % server_id)
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_a_compute_killed_mid_rescue_undoes_it_on_restart(dep):
    server = dep.boot('interrupted')
    server_id, host = server['id'], server['OS-EXT-SRV-ATTR:host']
    proc, _log = dep.procs[host]
    # Frozen, the compute cannot take the cast; killed, it never will:
    # the instance is left in rescuing, as if killed mid-way.
    proc.send_signal(signal.SIGSTOP)
    try:
        resp = dep.action(server_id, {'rescue': None})
        assert resp.status_code == 200, resp.text
        shown = dep.request('GET', '/v2.1/servers/%s' % server_id).json(
            )['server']
        assert shown['OS-EXT-STS:task_state'] == 'rescuing'
    finally:
        dep.kill(host)
    dep.start_compute(host)
    # (A test-driver node forgets its domains when its process goes:
    # the power state then is the sync's business, not the rescue's.)
    dep.settle(server_id, 'ACTIVE', timeout=60)
    action = _action_of(dep, server_id, resp)
    assert [(e['event'], e['result']) for e in action['events']] == [
        ('rescuing', 'Error')]
    assert 'restarted during rescuing: the rescue was undone' in \
        dep.log(host)
    assert _files(dep, server_id) == []
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_the_openstack_cli_rescues_unrescues_and_dumps(dep):
    server_id = dep.boot('cli-rescue')['id']
    openstack(dep, 'server', 'rescue', '--image', dep.image['id'],
              '--password', 'cli-pass', server_id, parse=False)
    assert dep.settle(server_id, 'RESCUE')['OS-EXT-STS:vm_state'] == \
        'rescued'
    shown = openstack(dep, 'server', 'show', server_id)
    assert shown['status'] == 'RESCUE'
    openstack(dep, 'server', 'unrescue', server_id, parse=False)
    dep.settle(server_id, 'ACTIVE')
    openstack(dep, '--os-compute-api-version', '2.17', 'server', 'dump',
              'create', server_id, parse=False)
    actions = dep.request('GET', '/v2.1/servers/%s/os-instance-actions'
                          % server_id).json()['instanceActions']
    assert [a['action'] for a in actions][:3] == [
        'trigger_crash_dump', 'unrescue', 'rescue']
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)
