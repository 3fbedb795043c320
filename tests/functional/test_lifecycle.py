"""Stop, start and reboot through the API, with states, events and 409s."""

import time

import pytest

from tests.functional import deployment as deployment_mod

# Nova's standard diagnostics (state, memory_details...) came in 2.48.
V248 = {'OpenStack-API-Version': 'compute 2.48'}


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n')
    d.start()
    yield d
    d.stop()


def _action(dep, server_id, body, **kw):
    return dep.request('POST', '/v2.1/servers/%s/action' % server_id,
                       json=body, **kw)


def _settle(dep, server_id, status):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        server = dep.request('GET', '/v2.1/servers/%s' % server_id).json(
            )['server']
        if server['status'] == status and \
                server['OS-EXT-STS:task_state'] is None:
            return server
        time.sleep(0.05)
    raise AssertionError('%s never settled in %s: %s' % (
        server_id, status, server))


def _events(dep, server_id, request_id):
    return dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s' % (
        server_id, request_id)).json()['instanceAction']


def test_stop_start_and_reboot(dep):
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'life', 'flavorRef': '1', 'imageRef': dep.image['id']}})
    server_id = resp.json()['server']['id']
    assert dep.wait_for_server(server_id)['status'] == 'ACTIVE'

    resp = _action(dep, server_id, {'os-stop': None})
    assert resp.status_code == 202, resp.text
    server = _settle(dep, server_id, 'SHUTOFF')
    assert server['OS-EXT-STS:vm_state'] == 'stopped'
    assert server['OS-EXT-STS:power_state'] == 4
    assert dep.request('GET', '/v2.1/servers/%s/diagnostics' % server_id,
                       headers=V248).json()['state'] == 'shutdown'
    action = _events(dep, server_id, resp.headers['x-openstack-request-id'])
    assert action['action'] == 'stop'
    # Who asked: the token's user and project (noauth 'user:project').
    assert (action['user_id'], action['project_id']) == ('admin', 'admin')
    assert [(e['event'], e['result']) for e in action['events']] == [
        ('powering-off', 'Success')]

    # Stopping a stopped server conflicts, with the state in the message.
    again = _action(dep, server_id, {'os-stop': None})
    assert again.status_code == 409
    assert again.json()['conflictingRequest']['message'] == (
        "Cannot 'stop' instance %s while it is in vm_state stopped"
        % server_id)
    soft = _action(dep, server_id, {'reboot': {'type': 'SOFT'}})
    assert soft.status_code == 409

    assert _action(dep, server_id, {'os-start': None}).status_code == 202
    server = _settle(dep, server_id, 'ACTIVE')
    assert server['OS-EXT-STS:power_state'] == 1
    assert dep.request('GET', '/v2.1/servers/%s/diagnostics' % server_id,
                       headers=V248).json()['state'] == 'running'

    for kind in ('SOFT', 'HARD'):
        resp = _action(dep, server_id, {'reboot': {'type': kind}})
        assert resp.status_code == 202, resp.text
        _settle(dep, server_id, 'ACTIVE')
        action = _events(dep, server_id,
                         resp.headers['x-openstack-request-id'])
        expected = 'rebooting' if kind == 'SOFT' else 'rebooting_hard'
        assert [e['event'] for e in action['events']] == [expected]

    actions = dep.request('GET', '/v2.1/servers/%s/os-instance-actions'
                          % server_id).json()['instanceActions']
    assert [a['action'] for a in actions] == [
        'reboot', 'reboot', 'start', 'stop', 'create']
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_bad_actions_are_rejected(dep):
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'bad', 'flavorRef': '1', 'imageRef': dep.image['id']}})
    server_id = resp.json()['server']['id']
    dep.wait_for_server(server_id)
    assert _action(dep, server_id, {'os-explode': None}).status_code == 400
    assert _action(dep, server_id, {'reboot': {'type': 'GENTLE'}}
                   ).status_code == 400
    assert _action(dep, server_id, {'os-stop': None},
                   token='eve:other').status_code == 404
    assert _action(dep, '0' * 32, {'os-stop': None}).status_code == 404
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_concurrent_actions_have_one_winner(dep):
    import concurrent.futures
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'race', 'flavorRef': '1', 'imageRef': dep.image['id']}})
    server_id = resp.json()['server']['id']
    dep.wait_for_server(server_id)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(
            lambda _: _action(dep, server_id, {'os-stop': None}).status_code,
            range(6)))
    assert sorted(codes) == [202] + [409] * 5
    _settle(dep, server_id, 'SHUTOFF')
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_console_output_of_a_test_driver_guest_is_its_boot_log(dep):
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'console', 'flavorRef': '1', 'imageRef': dep.image['id']}})
    server_id = resp.json()['server']['id']
    dep.wait_for_server(server_id)
    # The simulated guest's boot lines, read as a real guest's log is.
    out = _action(dep, server_id, {'os-getConsoleOutput': {}})
    assert out.status_code == 200, out.text
    output = out.json()['output']
    assert 'simulated guest' in output
    assert output.endswith('\nconsole login: \n')
    assert len(output.split('\n')) > 3
    # `length` lines from the end (Tempest counts them this way).
    out = _action(dep, server_id, {'os-getConsoleOutput': {'length': 3}})
    assert out.json()['output'].split('\n') == [
        '[    0.200000] Reached target Multi-User System.', '',
        'console login: ']
    assert _action(dep, server_id, {'reboot': {'type': 'HARD'}}
                   ).status_code == 202
    _settle(dep, server_id, 'ACTIVE')
    out = _action(dep, server_id, {'os-getConsoleOutput': {'length': -1}})
    assert out.json()['output'].count('console login: ') == 2
    bad = _action(dep, server_id, {'os-getConsoleOutput': {'length': 'x'}})
    assert bad.status_code == 400
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_rebuild_keeps_id_host_and_address(dep):
    import json
    import os
    import subprocess
    path = os.path.join(dep.dir, 'second.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, '1G'],
                   check=True)
    second = json.loads(dep.manage('image', 'import', '--name', 'second',
                                   path))
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'rebuild-me', 'flavorRef': '1',
        'imageRef': dep.image['id']}})
    server_id = resp.json()['server']['id']
    before = dep.wait_for_server(server_id)
    resp = _action(dep, server_id, {'rebuild': {
        'imageRef': second['id'], 'name': 'rebuilt',
        'metadata': {'role': 'web'}}})
    assert resp.status_code == 202, resp.text
    assert resp.json()['server']['adminPass']
    after = _settle(dep, server_id, 'ACTIVE')
    assert after['image']['id'] == second['id']
    assert after['name'] == 'rebuilt' and after['metadata'] == {'role': 'web'}
    assert after['OS-EXT-SRV-ATTR:host'] == before['OS-EXT-SRV-ATTR:host']
    assert after['addresses'] == before['addresses']
    action = _events(dep, server_id, resp.headers['x-openstack-request-id'])
    assert [e['event'] for e in action['events']] == [
        'rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning']
    bad = _action(dep, server_id, {'rebuild': {'imageRef': 'nope'}})
    assert bad.status_code == 400
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def _boot_on(dep, name, host):
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': name, 'flavorRef': '1', 'imageRef': dep.image['id'],
        'availability_zone': 'nova:%s' % host}})
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    assert dep.wait_for_server(server_id)['OS-EXT-SRV-ATTR:host'] == host
    return server_id


def test_evacuate_moves_instances_of_a_dead_host(dep):
    # Booted onto a forced host (az:host): the move must not keep it.
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'evacuee', 'flavorRef': '1', 'imageRef': dep.image['id'],
        'availability_zone': 'nova:%s' % dep.compute_hosts[0]}})
    server_id = resp.json()['server']['id']
    before = dep.wait_for_server(server_id)
    source = before['OS-EXT-SRV-ATTR:host']
    assert source == dep.compute_hosts[0]
    [target] = [h for h in dep.compute_hosts if h != source]

    # A stopped server, and one evacuated at 2.95: both come back stopped.
    stopped_id, at_295_id = (_boot_on(dep, name, source)
                             for name in ('sleeper', 'evacuee-2.95'))
    assert _action(dep, stopped_id, {'os-stop': None}).status_code == 202
    _settle(dep, stopped_id, 'SHUTOFF')

    refused = _action(dep, server_id, {'evacuate': {
        'onSharedStorage': False}})
    assert refused.status_code == 409
    assert 'still in use' in refused.json()['conflictingRequest']['message']
    assert _action(dep, server_id, {'evacuate': {'onSharedStorage': False}},
                   token='bob:p2').status_code in (403, 404)

    dep.kill(source)  # SIGKILL: the host dies without a word
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        resp = _action(dep, server_id, {'evacuate': {
            'onSharedStorage': False}})
        if resp.status_code != 409:
            break
        time.sleep(0.5)
    assert resp.status_code == 200, resp.text
    request_id = resp.headers['x-openstack-request-id']
    after = _settle(dep, server_id, 'ACTIVE')
    assert after['id'] == server_id
    assert after['OS-EXT-SRV-ATTR:host'] == target
    assert after['addresses'] == before['addresses']
    assert after['image']['id'] == before['image']['id']
    action = _events(dep, server_id, request_id)
    assert action['action'] == 'evacuate'
    assert [e['event'] for e in action['events']] == [
        'rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning']

    assert _action(dep, stopped_id, {'evacuate': {
        'onSharedStorage': False}}).status_code == 200
    assert _action(dep, at_295_id, {'evacuate': {}}, headers={
        'OpenStack-API-Version': 'compute 2.95'}).status_code == 200, \
        dep.logs()
    for moved_id in (stopped_id, at_295_id):
        moved = _settle(dep, moved_id, 'SHUTOFF')
        assert moved['OS-EXT-SRV-ATTR:host'] == target
        assert moved['OS-EXT-STS:power_state'] == 4
        dep.request('DELETE', '/v2.1/servers/%s' % moved_id)

    # The failed host comes back: the instance stays where it went.
    dep.start_compute(source)
    time.sleep(3)
    assert dep.request('GET', '/v2.1/servers/%s' % server_id).json(
        )['server']['OS-EXT-SRV-ATTR:host'] == target
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_pause_unpause_suspend_resume(dep):
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'napper', 'flavorRef': '1', 'imageRef': dep.image['id']}})
    server_id = resp.json()['server']['id']
    dep.wait_for_server(server_id)
    steps = [({'pause': None}, 'PAUSED', 3, 'paused'),
             ({'unpause': None}, 'ACTIVE', 1, 'running'),
             ({'suspend': None}, 'SUSPENDED', 4, 'shutdown'),
             ({'resume': None}, 'ACTIVE', 1, 'running')]
    for body, status, power, domain_state in steps:
        resp = _action(dep, server_id, body)
        assert resp.status_code == 202, (body, resp.text)
        server = _settle(dep, server_id, status)
        assert server['OS-EXT-STS:power_state'] == power, body
        assert dep.request(
            'GET', '/v2.1/servers/%s/diagnostics' % server_id,
            headers=V248).json()['state'] == domain_state
    # Unpausing a running server is a conflict.
    assert _action(dep, server_id, {'unpause': None}).status_code == 409
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)
