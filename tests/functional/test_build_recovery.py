"""A build the API accepted reaches ACTIVE whatever daemon is killed and
restarted meanwhile, and daemons may start in any order.

Separate daemons over the real RabbitMQ, on PostgreSQL and MySQL: kill -9
of a conductor (all its processes, or one worker) and of a compute, in the
middle of builds; a compute host that stops answering; and a scheduler and
a compute started before any conductor.
"""

import concurrent.futures
import os
import signal
import time

import psutil
import pytest
import requests
import sqlalchemy as sa

from tests.functional import deployment as deployment_mod

# Nova's standard diagnostics (state, memory_details...) came in 2.48.
V248 = {'OpenStack-API-Version': 'compute 2.48'}

BACKENDS = ['postgresql', 'mysql']


@pytest.fixture(scope='module', params=BACKENDS)
def deployment(request):
    d = deployment_mod.Deployment(
        request.param, host_vcpus=16, host_memory_mb=16384,
        extra_conf='[conductor]\nworkers = 2\n'
                   # A create then needs the conductor for the create
                   # itself only, not for its flavor and image.
                   '[api]\nlookup_cache_ttl = 600\n'
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n')
    d.start()
    yield d
    d.stop()


@pytest.fixture
def dep(deployment):
    """The module's deployment, left without servers even when the test
    failed half-way: they would count in the next one's usage checks."""
    yield deployment
    resp = deployment.request('GET', '/v2.1/servers?all_tenants=1')
    if resp.status_code == 200:
        _delete_all(deployment, [s['id'] for s in resp.json()['servers']])


def _boot(dep, name):
    return dep.request('POST', '/v2.1/servers', json={'server': {
        'name': name, 'flavorRef': '1', 'imageRef': dep.image['id'],
        'networks': 'none'}})


def _boot_all(dep, names, pool):
    """Boots in `pool`; the futures of their (answer, seconds taken)."""
    def boot(name):
        started = time.monotonic()
        resp = _boot(dep, name)
        return resp, time.monotonic() - started
    return [pool.submit(boot, name) for name in names]


def _ids(answers):
    for resp, _took in answers:
        assert resp.status_code == 202, resp.text
    return [resp.json()['server']['id'] for resp, _took in answers]


def _all_active(dep, server_ids, timeout=30):
    servers = [dep.wait_for_server(i, timeout=timeout) for i in server_ids]
    assert [s['status'] for s in servers] == ['ACTIVE'] * len(servers), [
        (s['id'], s['status'], s.get('fault')) for s in servers]
    return servers


def _sql(dep, query, **params):
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query), params).all()
    finally:
        engine.dispose()


def _placed_as_used(dep, servers):
    """Hypervisor usage is exactly what the servers placed hold."""
    usage = {row.host: row for row in _sql(
        dep, 'SELECT host, memory_mb_used, running_vms FROM compute_nodes')}
    for host in dep.compute_hosts:
        placed = [s for s in servers if s['OS-EXT-SRV-ATTR:host'] == host]
        assert (usage[host].memory_mb_used, usage[host].running_vms) == (
            512 * len(placed), len(placed)), host


def _delete_all(dep, server_ids):
    for server_id in server_ids:
        dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    for server_id in server_ids:
        dep.wait_gone(server_id, timeout=60)


def _kill_conductor(dep):
    """kill -9 of the conductor and every worker it forked."""
    dep.signal_all('conductor', signal.SIGKILL)
    proc, log = dep.procs.pop('conductor')
    proc.wait(timeout=10)
    log.close()
    # The restarted one writes a log of its own; keep the first's.
    path = os.path.join(dep.dir, 'conductor.log')
    os.replace(path, path + '.killed-%d' % time.monotonic_ns())


def _restart_conductor(dep):
    # Same host name, as its systemd unit would restart it.
    dep._spawn_as('conductor', 'nova-conductor', 'controller-%s' % dep.run_id)


def test_creates_sent_to_a_frozen_then_killed_conductor_all_build(dep):
    """The API's creates wait on a conductor that took their messages and
    froze; it is killed and restarted. Each create is answered (sent
    again), stored once, and built."""
    # The API reads the flavor and image once, now.
    warm = _boot(dep, 'frozen-warm')
    names = ['frozen-%d' % i for i in range(6)]
    dep.signal_all('conductor', signal.SIGSTOP)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        waiting = _boot_all(dep, names, pool)
        # Frozen past the first wait ([DEFAULT] rpc_resend_after, 3 s):
        # the API has sent its creates again by the kill. (Killed sooner,
        # the messages it had not acknowledged go back to the queue, and
        # the restarted conductor may answer before any copy is sent.)
        time.sleep(3.5)
        assert not any(f.done() for f in waiting)
        _kill_conductor(dep)
        restarted = time.monotonic()
        _restart_conductor(dep)
        answers = [f.result() for f in waiting]
    server_ids = _ids(answers) + _ids([(warm, 0)])
    servers = _all_active(dep, server_ids)
    assert time.monotonic() - restarted < 30
    assert 'No reply to create_instances_many from nova-conductor' in \
        dep.log('api')
    # Each create sent several times is stored once.
    rows = _sql(dep, 'SELECT display_name FROM instances WHERE '
                     "display_name LIKE 'frozen-%'")
    assert sorted(r.display_name for r in rows) == sorted(
        names + ['frozen-warm'])
    _placed_as_used(dep, servers)
    _delete_all(dep, server_ids)


def test_builds_lost_with_their_conductor_are_resumed_by_its_restart(dep):
    """Every conductor process dies (kill -9) while its builds wait on the
    scheduler: the instances are stored, their builds were in its memory.
    The restarted conductor takes them over at its first sweep (their
    owners' processes are gone from this host) and builds them."""
    dep.signal_all('scheduler', signal.SIGSTOP)
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = [f.result() for f in _boot_all(
                dep, ['orphan-%d' % i for i in range(4)], pool)]
        server_ids = _ids(answers)
        time.sleep(0.5)  # the builds now wait on the frozen scheduler
        _kill_conductor(dep)
        rows = _sql(dep, 'SELECT task_state, host FROM instances WHERE '
                         "display_name LIKE 'orphan-%'")
        assert {tuple(r) for r in rows} == {('scheduling', None)}
        restarted = time.monotonic()
        _restart_conductor(dep)
    finally:
        dep.signal_all('scheduler', signal.SIGCONT)
    servers = _all_active(dep, server_ids)
    took = time.monotonic() - restarted
    assert took < 20, took
    resumes = _sql(dep, 'SELECT build_resumes FROM instances WHERE '
                        "display_name LIKE 'orphan-%'")
    assert [r.build_resumes for r in resumes] == [1] * 4
    # The resumed build is still the create request's: same action, with
    # every step.
    for resp, server_id in zip((a[0] for a in answers), server_ids):
        action = dep.request(
            'GET', '/v2.1/servers/%s/os-instance-actions/%s' % (
                server_id, resp.headers['x-openstack-request-id'])
        ).json()['instanceAction']
        assert [e['event'] for e in action['events']] == [
            'scheduling', 'networking', 'block_device_mapping', 'spawning']
    _placed_as_used(dep, servers)
    _delete_all(dep, server_ids)


def test_builds_of_a_conductor_gone_for_good_go_to_another_host(dep):
    """The conductor host dies and stays dead; a conductor on another host
    cannot see its processes, and takes its builds over once its workers'
    heartbeats are [conductor] build_owner_timeout (10 s) old."""
    dep.signal_all('scheduler', signal.SIGSTOP)
    try:
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            server_ids = _ids([f.result() for f in _boot_all(
                dep, ['adopted-%d' % i for i in range(3)], pool)])
        time.sleep(0.5)
        _kill_conductor(dep)
        killed = time.monotonic()
        dep._spawn_as('conductor', 'nova-conductor',
                      'controller9-%s' % dep.run_id)
    finally:
        dep.signal_all('scheduler', signal.SIGCONT)
    servers = _all_active(dep, server_ids)
    took = time.monotonic() - killed
    # Not before the dead owners' heartbeats are stale (beats are 2 s
    # apart, and MySQL keeps whole seconds: the last one may be 3 s old),
    # and soon after.
    assert 7 < took < 25, took
    _placed_as_used(dep, servers)
    _delete_all(dep, server_ids)


def test_killing_a_conductor_worker_mid_burst_loses_no_create(dep):
    """One of the conductor's two workers freezes while creates, builds
    and their progress reports flow (RabbitMQ keeps handing it its share),
    then is killed: no create waits the RPC timeout (30 s here), none
    fails, and every server builds."""
    workers = psutil.Process(dep.procs['conductor'][0].pid).children()
    assert len(workers) == 2
    names = ['burst-%d' % i for i in range(30)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        flowing = _boot_all(dep, names, pool)
        deadline = time.monotonic() + 20
        while sum(f.done() for f in flowing) < 4:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        workers[0].suspend()
        time.sleep(1.5)
        workers[0].kill()
        answers = [f.result() for f in flowing]
    server_ids = _ids(answers)
    slowest = max(took for _resp, took in answers)
    assert slowest < 15, slowest
    servers = _all_active(dep, server_ids)
    rows = _sql(dep, 'SELECT COUNT(*) AS n FROM instances WHERE '
                     "display_name LIKE 'burst-%'")
    assert rows[0].n == len(names)
    _placed_as_used(dep, servers)
    _delete_all(dep, server_ids)


def test_a_compute_killed_mid_build_builds_them_after_its_restart(dep):
    """nova-compute dies (kill -9) with builds in spawning and casts still
    queued for it; restarted, it runs them again from where they were."""
    computes = list(dep.compute_hosts)
    for host in computes:
        dep.signal_all(host, signal.SIGSTOP)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = [f.result() for f in _boot_all(
            dep, ['crash-%d' % i for i in range(6)], pool)]
    server_ids = _ids(answers)
    deadline = time.monotonic() + 20
    while _sql(dep, 'SELECT uuid FROM instances WHERE host IS NULL AND '
                    "display_name LIKE 'crash-%'"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    victim = computes[0]
    # The compute takes its builds; their first step waits on the frozen
    # conductor, and the compute dies meanwhile.
    dep.signal_all('conductor', signal.SIGSTOP)
    for host in computes:
        dep.signal_all(host, signal.SIGCONT)
    time.sleep(1.5)
    dep.kill(victim)
    dep.signal_all('conductor', signal.SIGCONT)
    time.sleep(1)
    left = _sql(dep, 'SELECT task_state FROM instances WHERE host = :h '
                     "AND display_name LIKE 'crash-%'", h=victim)
    assert left and {r.task_state for r in left} <= {'scheduling',
                                                     'spawning'}
    dep.start_compute(victim)
    servers = _all_active(dep, server_ids)
    # One domain per server, on its host.
    for server in servers:
        diag = dep.request('GET', '/v2.1/servers/%s/diagnostics'
                           % server['id'], headers=V248)
        assert diag.status_code == 200, diag.text
        assert diag.json()['state'] == 'running'
    _placed_as_used(dep, servers)
    _delete_all(dep, server_ids)


def test_a_build_whose_host_stops_answering_is_built_elsewhere(dep):
    """Claimed on a host that froze before starting it: once that host's
    service is down, the conductor frees the claim and schedules it on
    another. Thawed, the first host finds the build gone and makes no
    domain."""
    computes = list(dep.compute_hosts)
    for host in computes:
        dep.signal_all(host, signal.SIGSTOP)
    try:
        resp = _boot(dep, 'moved')
        assert resp.status_code == 202, resp.text
        server_id = resp.json()['server']['id']
        deadline = time.monotonic() + 20
        while True:
            [(first_host,)] = _sql(dep, 'SELECT host FROM instances '
                                        'WHERE uuid = :u', u=server_id)
            if first_host:
                break
            assert time.monotonic() < deadline
            time.sleep(0.05)
        other = [h for h in computes if h != first_host][0]
        dep.signal_all(other, signal.SIGCONT)
        # service_down_time is 10 s here, [conductor] build_owner_timeout
        # 10 s.
        [server] = _all_active(dep, [server_id], timeout=40)
        assert server['OS-EXT-SRV-ATTR:host'] == other
    finally:
        for host in computes:
            dep.signal_all(host, signal.SIGCONT)
    deadline = time.monotonic() + 15
    while 'Build of %s interrupted' % server_id not in dep.log(first_host):
        assert time.monotonic() < deadline, dep.log(first_host)[-3000:]
        time.sleep(0.1)
    _placed_as_used(dep, [server])
    _delete_all(dep, [server_id])


@pytest.mark.parametrize('backend', BACKENDS)
def test_daemons_started_before_any_conductor_are_up_within_seconds(
        backend):
    d = deployment_mod.Deployment(backend, compute_hosts=('compute1',))
    try:
        d.prepare()
        d._spawn('scheduler', 'nova-scheduler')
        d.start_compute(d.compute_hosts[0])
        d._spawn('api', 'nova-api')
        time.sleep(4)  # their first heartbeats go out to no conductor
        started = time.monotonic()
        d._spawn('conductor', 'nova-conductor')
        deadline = started + 30
        while True:
            d._check_alive()
            try:
                resp = d.request('GET', '/v2.1/os-services')
            except requests.ConnectionError:
                resp = None  # nova-api is still starting: a busy machine
            services = resp.json().get('services', []) \
                if resp is not None and resp.ok else []
            up = {s['binary'] for s in services if s['state'] == 'up'}
            if up >= {'nova-scheduler', 'nova-compute', 'nova-conductor'}:
                break
            assert time.monotonic() < deadline, services
            time.sleep(0.2)
        took = time.monotonic() - started
        # Before: 24-29 s (a lost first heartbeat waited the RPC timeout).
        assert took < 12, took
        d.wait_ready()
        resp = _boot(d, 'first')
        assert resp.status_code == 202, resp.text
        _all_active(d, [resp.json()['server']['id']])
    finally:
        d.stop()
