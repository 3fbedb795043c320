"""Liveness at 1,000 hosts: a killed host is reported down within
service_down_time, and the scheduler sends it nothing after that.

A thousand simulated computes (bench/fleet.py) on the redis service-group
driver (the one docs/fleet.md sizes for fleets this big) heartbeat every
report_interval. One of them is far roomier than the rest, so the
weighers always pick it while it lives: once it is killed and seen down,
any boot it still got would show in the messages its simulator dropped.
"""

import importlib.util
import os
import time

import pytest

from tests.functional import deployment as deployment_mod

_BENCH = os.path.join(os.path.dirname(__file__), '..', '..', 'bench')
HOSTS = 1000
REPORT_INTERVAL = 5
SERVICE_DOWN_TIME = 20


def _fleet_module():
    spec = importlib.util.spec_from_file_location(
        'bench_fleet', os.path.join(_BENCH, 'fleet.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def fleet():
    dep = deployment_mod.Deployment(
        'postgresql', compute_hosts=(), servicegroup_driver='redis',
        extra_conf='[DEFAULT]\nreport_interval = %d\n'
                   'service_down_time = %d\n'
                   % (REPORT_INTERVAL, SERVICE_DOWN_TIME)).start()
    sim = _fleet_module().FleetSimulator(
        dep.conf, 'lv-%s' % dep.run_id, hosts_per_worker=HOSTS, vcpus=8,
        memory_mb=16384, local_gb=100, log_dir=dep.dir)
    try:
        sim.start(HOSTS - 1)
        # In a worker of its own: the weighers' first choice.
        roomiest = sim.start(HOSTS, vcpus=64, memory_mb=1048576,
                             local_gb=2000)[0]
        yield dep, sim, roomiest
    finally:
        sim.stop()
        dep.stop()


def _compute_services(dep):
    resp = dep.request('GET', '/v2.1/os-services?binary=nova-compute')
    assert resp.status_code == 200, resp.text
    return {s['host']: s for s in resp.json()['services']}


def _dropped(sim, host):
    """Messages the simulator dropped for `host` (killed), by method."""
    out = {}
    for stats in sim.stats():
        for key, count in stats['dropped'].items():
            queue, method = key.split(' ', 1)
            if queue == 'compute.%s' % host:
                out[method] = out.get(method, 0) + count
    return out


def _wait(predicate, timeout, what, step=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError('never: %s' % what)


def test_a_thousand_hosts_register_and_are_up(fleet):
    dep, sim, roomiest = fleet
    assert len(sim.hosts) == HOSTS
    services = _wait(
        lambda: (lambda s: s if len(s) == HOSTS and all(
            v['state'] == 'up' for v in s.values()) else None)(
                _compute_services(dep)),
        60, '%d compute services up' % HOSTS)
    assert set(services) == set(sim.hosts)
    assert roomiest in services


def test_the_roomiest_host_takes_boots_while_it_lives(fleet):
    dep, sim, roomiest = fleet
    server = dep.boot('lv-before', networks='none')
    assert server['status'] == 'ACTIVE'
    assert server['OS-EXT-SRV-ATTR:host'] == roomiest
    resp = dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    assert resp.status_code == 204, resp.text
    dep.wait_gone(server['id'])


def test_a_killed_host_is_down_in_time_and_gets_no_boot(fleet):
    dep, sim, roomiest = fleet
    sim.kill(roomiest)
    killed_at = time.monotonic()
    _wait(lambda: _compute_services(dep)[roomiest]['state'] == 'down',
          SERVICE_DOWN_TIME + 30, '%s down' % roomiest)
    seen_down_after = time.monotonic() - killed_at
    # Its last heartbeat came before the kill, so it is down at most
    # service_down_time later; the margin is for the polling and a loaded
    # machine's API answer.
    assert seen_down_after <= SERVICE_DOWN_TIME + 5, seen_down_after
    before = _dropped(sim, roomiest)
    servers = [dep.boot('lv-after-%d' % i, networks='none')
               for i in range(3)]
    for server in servers:
        assert server['status'] == 'ACTIVE', server.get('fault')
        assert server['OS-EXT-SRV-ATTR:host'] != roomiest
        assert server['OS-EXT-SRV-ATTR:host'] in sim.hosts
    # Nothing was sent to the dead host once it was seen down.
    assert _dropped(sim, roomiest) == before
    # Every other host is still up.
    services = _compute_services(dep)
    assert [h for h in sim.hosts if services[h]['state'] != 'up'] == []
