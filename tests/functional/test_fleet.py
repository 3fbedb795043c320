"""The fleet simulator (bench/fleet.py) against real daemons: its hosts
register, take real builds and deletes through the compute manager on the
fake driver, and one killed is seen down within service_down_time."""

import importlib.util
import os
import time

import pytest

from tests.functional import deployment as deployment_mod

_BENCH = os.path.join(os.path.dirname(__file__), '..', '..', 'bench')


def _fleet_module():
    spec = importlib.util.spec_from_file_location(
        'bench_fleet', os.path.join(_BENCH, 'fleet.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def fleet():
    # report_interval 1, service_down_time 10 (deployment.py's).
    dep = deployment_mod.Deployment('postgresql', compute_hosts=()).start()
    sim = _fleet_module().FleetSimulator(
        dep.conf, 'fl-%s' % dep.run_id, hosts_per_worker=8, vcpus=4,
        memory_mb=8192, local_gb=50, log_dir=dep.dir)
    try:
        sim.start(12)
        yield dep, sim
    finally:
        sim.stop()
        dep.stop()


def _hypervisors(dep):
    return {h['hypervisor_hostname']: h for h in dep.request(
        'GET', '/v2.1/os-hypervisors').json()['hypervisors']}


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError('never: %s' % what)


def test_every_simulated_host_registers_up(fleet):
    dep, sim = fleet
    # Two worker processes: 8 hosts and 4.
    assert len(sim.workers) == 2
    assert len(sim.hosts) == 12
    found = _wait(lambda: (lambda h: h if set(sim.hosts) <= set(h) and all(
        h[n]['state'] == 'up' for n in sim.hosts) else None)(
            _hypervisors(dep)), 30, 'all 12 hosts up')
    assert set(found) == set(sim.hosts)


def test_builds_and_deletes_run_on_simulated_hosts(fleet):
    dep, sim = fleet
    servers = [dep.boot('fleet-%d' % i, networks='none') for i in range(3)]
    for server in servers:
        assert server['status'] == 'ACTIVE'
        assert server['OS-EXT-SRV-ATTR:host'] in sim.hosts
        assert server['OS-EXT-STS:power_state'] == 1
    # A stop is an RPC to the host's manager, through the one connection.
    resp = dep.action(servers[0]['id'], {'os-stop': None})
    assert resp.status_code == 202, resp.text
    assert dep.settle(servers[0]['id'], 'SHUTOFF')['status'] == 'SHUTOFF'
    for server in servers:
        resp = dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
        assert resp.status_code == 204, resp.text
        dep.wait_gone(server['id'])


def test_a_killed_host_is_seen_down(fleet):
    dep, sim = fleet
    victim = sim.hosts[3]
    sim.kill(victim)
    assert victim not in sim.hosts
    started = time.monotonic()
    _wait(lambda: _hypervisors(dep)[victim]['state'] == 'down', 30,
          '%s down' % victim)
    # service_down_time is 10 s; allow a heartbeat interval and a refresh.
    assert time.monotonic() - started < 20
    states = _hypervisors(dep)
    assert all(states[h]['state'] == 'up' for h in sim.hosts)
