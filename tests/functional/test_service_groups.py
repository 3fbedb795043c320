"""Liveness on real daemons, with either service-group driver: a killed
host is shown down and gets no build within service_down_time, comes
back up within a report_interval of its restart; forced_down and
disabled still work.

The deployment's report_interval is 1 s and service_down_time 10 s.
"""

import time

import pytest

from tests.functional import deployment as deployment_mod

V253 = {'X-OpenStack-Nova-API-Version': '2.53'}
DOWN_TIME = 10


@pytest.fixture(scope='module', params=['db', 'redis'])
def dep(request):
    d = deployment_mod.Deployment('postgresql',
                                  servicegroup_driver=request.param)
    d.start()
    yield d
    d.stop()


def _state(dep, host):
    [svc] = [s for s in dep.request(
        'GET', '/v2.1/os-services?binary=nova-compute',
        headers=dict(V253)).json()['services'] if s['host'] == host]
    return svc


def _hypervisor_state(dep, host):
    [hyp] = [h for h in dep.request(
        'GET', '/v2.1/os-hypervisors/detail').json()['hypervisors']
        if h['service']['host'] == host]
    return hyp['state']


def _wait_state(dep, host, state, within):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if _state(dep, host)['state'] == state:
            return
        time.sleep(0.25)
    raise AssertionError('%s not %s within %s s: %s' % (
        host, state, within, _state(dep, host)))


def _boot_hosts(dep, count, prefix):
    ids = []
    for i in range(count):
        resp = dep.request('POST', '/v2.1/servers', json={'server': {
            'name': '%s-%d' % (prefix, i), 'flavorRef': '1',
            'imageRef': dep.image['id']}})
        assert resp.status_code == 202, resp.text
        ids.append(resp.json()['server']['id'])
    hosts = [dep.wait_for_server(i)['OS-EXT-SRV-ATTR:host'] for i in ids]
    for i in ids:
        dep.request('DELETE', '/v2.1/servers/%s' % i)
    for i in ids:
        dep.wait_gone(i)
    return set(hosts)


def test_a_killed_host_goes_down_gets_no_build_and_comes_back(dep):
    dead, alive = dep.compute_hosts
    assert _state(dep, dead)['state'] == 'up'
    assert _hypervisor_state(dep, dead) == 'up'
    seen_before = _state(dep, dead)['updated_at']
    dep.kill(dead)
    killed = time.monotonic()
    # Down within service_down_time (plus one beat and one flush).
    _wait_state(dep, dead, 'down', DOWN_TIME + 3)
    assert time.monotonic() - killed >= DOWN_TIME - 2
    assert _hypervisor_state(dep, dead) == 'down'
    # Its last heartbeat is still shown.
    assert _state(dep, dead)['updated_at'] >= seen_before
    assert _boot_hosts(dep, 3, 'after-kill') == {alive}

    dep.start_compute(dead)
    _wait_state(dep, dead, 'up', 15)
    assert _hypervisor_state(dep, dead) == 'up'
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'back', 'flavorRef': '1', 'imageRef': dep.image['id'],
        'availability_zone': 'nova:%s' % dead}})
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert (server['status'], server['OS-EXT-SRV-ATTR:host']) == (
        'ACTIVE', dead)
    dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    dep.wait_gone(server['id'])


def test_forced_down_and_disabled_hosts_get_no_build(dep):
    first, second = dep.compute_hosts
    for host in dep.compute_hosts:
        _wait_state(dep, host, 'up', 15)
    svc = _state(dep, first)
    resp = dep.request('PUT', '/v2.1/os-services/%s' % svc['id'],
                       headers=dict(V253), json={'forced_down': True})
    assert resp.status_code == 200, resp.text
    try:
        assert _state(dep, first)['state'] == 'down'
        assert _boot_hosts(dep, 3, 'forced') == {second}
    finally:
        dep.request('PUT', '/v2.1/os-services/%s' % svc['id'],
                    headers=dict(V253), json={'forced_down': False})
    assert _state(dep, first)['state'] == 'up'
    resp = dep.request('PUT', '/v2.1/os-services/disable', json={
        'host': second, 'binary': 'nova-compute'})
    assert resp.status_code == 200, resp.text
    try:
        assert _boot_hosts(dep, 3, 'disabled') == {first}
    finally:
        dep.request('PUT', '/v2.1/os-services/enable', json={
            'host': second, 'binary': 'nova-compute'})
