"""Live migration of a real guest between two libvirt hosts.

Two nova-computes, each on its own libvirtd in its own network namespace
(netns_hosts.py: qemu+tcp over a veth pair, nothing shared), with the
rest of a deployment on RabbitMQ and PostgreSQL. The guest of
guest_image.py boots on the first host with `nova_tick` on its kernel
command line, so its console counts every second.

The first tests play the conductor's part over the deployment's own
RabbitMQ (the compute side alone): they set task_state migrating
(conductor instance_update), asks the destination
check_can_live_migrate_destination and casts live_migration to the
source (compute RPC 1.11). Everything else is the computes' own work:
pre_live_migration on the destination, the peer-to-peer block migration
between the two libvirtds, post_live_migration on both hosts, and the
instance record moved by nova_compute/live_migration.py's reporter. The
last three go through the API and the conductor's task (os-migrateLive
with no host; a crawling one shown and aborted with the `openstack` CLI;
one started and forced to complete with it): migration records,
allocations, progress counters.

The second host migrates at 1 MiB/s ([libvirt] live_migration_bandwidth),
so a migration back from it is slow enough to abort, or to force to
complete: it permits post-copy, which moves the guest at once and pulls
its memory after it.

Needs root (ip netns, mount), libvirtd, qemu-system-x86, busybox-static,
a Debian kernel package, RabbitMQ and PostgreSQL; a missing piece skips
(or fails under NOVA_TEST_REQUIRE_SERVICES=1).
"""

import json
import os
import re
import time
import uuid

import oslo_messaging as messaging
import pytest
import sqlalchemy as sa

from common import context as nova_context
from common import exception
from common import rpc
from common import states
from common.conf import CONF
from nova_compute import rpcapi as compute_rpcapi
from nova_conductor import rpcapi as conductor_rpcapi
from tests.functional import deployment as deployment_mod
from tests.functional import guest_image
from tests.functional import libvirtd
from tests.functional import netns_hosts
from tests.functional.test_openstack_clients import NOAUTH_CLOUDS
from tests.functional.test_resize import _cli

BOOT_LINE = re.compile(re.escape(guest_image.MARKER) + r' boot_id=')
# The second host's migration stream, in MiB/s: slow enough to abort.
SLOW_BANDWIDTH = 1


@pytest.fixture(scope='module')
def hosts():
    try:
        guest = guest_image.build()
    except guest_image.Unavailable as err:
        libvirtd.unavailable(str(err))
    root = libvirtd.work_dir('livemig-%s' % uuid.uuid4().hex[:8])
    pair = netns_hosts.Hosts(root)
    try:
        pair.start()
    except netns_hosts.Unavailable as err:
        pair.stop()
        libvirtd.unavailable('two libvirt hosts: %s' % err)
    pair.guest = guest
    try:
        yield pair
    finally:
        pair.stop()


def _compute_conf(host, bandwidth=0, post_copy=False):
    return ('instances_path = %s\n'
            '[libvirt]\n'
            'connection_uri = %s\n'
            'virt_type = qemu\n'
            'live_migration_inbound_addr = %s\n'
            'live_migration_bandwidth = %d\n'
            'live_migration_permit_post_copy = %s\n'
            % (host.instances_path, host.uri, host.addr, bandwidth,
               post_copy))


@pytest.fixture(scope='module')
def dep(hosts):
    a, b = hosts.hosts
    d = deployment_mod.Deployment(
        'postgresql', compute_hosts=('lma', 'lmb'),
        compute_conf={'lma': _compute_conf(a),
                      'lmb': _compute_conf(b, SLOW_BANDWIDTH,
                                           post_copy=True)},
        extra_conf='[DEFAULT]\nshutdown_timeout = 10\n')
    d.start()
    try:
        d.libvirt = dict(zip(d.compute_hosts, hosts.hosts))
        guest = hosts.guest
        kernel = _import(d, guest.kernel, 'guest-kernel')
        ramdisk = _import(d, guest.ramdisk, 'guest-ramdisk')
        d.guest_image = _import(
            d, guest.disk, 'guest-disk', kernel_id=kernel['id'],
            ramdisk_id=ramdisk['id'],
            os_command_line=guest_image.TICK_CMDLINE)
        resp = d.request('POST', '/v2.1/flavors', json={'flavor': {
            'name': 'guest.tiny', 'id': 'guest-tiny', 'ram': 256,
            'vcpus': 1, 'disk': 1}})
        assert resp.status_code == 200, resp.text
        d.rpc = _Rpc(d.transport_url)
        yield d
        d.rpc.close()
    finally:
        d.stop()


def _import(dep, path, name, **properties):
    args = ['image', 'import', '--name', name]
    for key, value in properties.items():
        args += ['--property', '%s=%s' % (key, value)]
    return json.loads(dep.manage(*(args + [path])))


class _Rpc:
    """The conductor's part, until it has one: compute and conductor
    clients on the deployment's vhost (a transport of their own)."""

    def __init__(self, transport_url):
        self.transport = messaging.get_rpc_transport(
            CONF, url=transport_url, allowed_remote_exmods=rpc.ALLOWED_EXMODS)
        saved, rpc.TRANSPORT = rpc.TRANSPORT, self.transport
        try:
            self.compute = compute_rpcapi.ComputeAPI(timeout=60)
            self.conductor = conductor_rpcapi.ConductorAPI(timeout=30)
        finally:
            rpc.TRANSPORT = saved
        self.ctxt = nova_context.get_admin_context()

    def instance(self, uuid):
        return self.conductor.instance_get(self.ctxt, uuid)

    def check(self, dest, uuid, block_migration='auto'):
        return self.compute.check_can_live_migrate_destination(
            self.ctxt, dest, self.instance(uuid), block_migration)

    def start(self, uuid, dest, migrate_data):
        """What the conductor's task will do: task_state migrating, then
        the cast to the source."""
        instance = self.conductor.instance_update(
            self.ctxt, uuid, {'task_state': states.MIGRATING},
            expected_task_state=None)
        self.compute.live_migration(self.ctxt, instance['host'], instance,
                                    dest, migrate_data)
        return instance

    def close(self):
        self.transport.cleanup()


def _server(dep, server_id):
    return dep.request('GET', '/v2.1/servers/%s' % server_id).json()[
        'server']


def _settle(dep, server_id, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = _server(dep, server_id)
        if server['OS-EXT-STS:task_state'] is None:
            return server
        time.sleep(0.2)
    raise AssertionError('%s still migrating: %s\n%s' % (
        server_id, server, dep.logs()))


def _console(host, server_id):
    path = os.path.join(host.instances_path, server_id, 'console.log')
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return ''


def _wait_ticks(host, server_id, above, timeout=60):
    """The console's ticks once one is past `above`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ticks = guest_image.ticks(_console(host, server_id))
        if ticks and ticks[-1] > above:
            return ticks
        time.sleep(0.2)
    raise AssertionError('no tick past %d on %s: %r' % (
        above, host.name, _console(host, server_id)[-500:]))


@pytest.fixture(scope='module')
def server(dep):
    source = dep.compute_hosts[0]
    resp = dep.request(
        'POST', '/v2.1/servers',
        headers={'OpenStack-API-Version': 'compute 2.74'},
        json={'server': {'name': 'migrant', 'flavorRef': 'guest-tiny',
                         'imageRef': dep.guest_image['id'],
                         'networks': 'none', 'host': source}})
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    done = dep.wait_for_server(server_id)
    assert done['status'] == 'ACTIVE', done
    _wait_ticks(dep.libvirt[source], server_id, 2)
    return server_id


def test_prechecks_refuse_what_cannot_be_done(dep, server):
    source, dest = dep.compute_hosts
    # Onto the host it runs on: the destination has the domain already.
    with pytest.raises(exception.MigrationPreCheckError) as err:
        dep.rpc.check(source, server)
    assert 'already has a domain' in str(err.value)
    # Without block migration but nothing shared between the hosts.
    with pytest.raises(exception.MigrationPreCheckError) as err:
        dep.rpc.check(dest, server, block_migration=False)
    assert 'needs shared storage' in str(err.value)
    assert _server(dep, server)['OS-EXT-SRV-ATTR:host'] == source
    # The check's marker file is gone from the destination again.
    assert not [n for n in os.listdir(dep.libvirt[dest].instances_path)
                if n.startswith('.live-migration-check-')]


def test_guest_keeps_counting_across_a_block_live_migration(dep, server):
    source, dest = dep.compute_hosts
    a, b = dep.libvirt[source], dep.libvirt[dest]
    data = dep.rpc.check(dest, server)
    assert data['block_migration'] is True
    assert data['is_shared_instance_path'] is False
    assert data['dst_inbound_addr'] == b.addr
    before = guest_image.ticks(_console(a, server))
    started = time.monotonic()
    dep.rpc.start(server, dest, data)
    migrating = _server(dep, server)
    assert migrating['status'] == 'MIGRATING', migrating
    done = _settle(dep, server)
    elapsed = time.monotonic() - started
    assert done['status'] == 'ACTIVE', done
    assert done['OS-EXT-SRV-ATTR:host'] == dest
    assert done['OS-EXT-STS:power_state'] == states.RUNNING
    # The domain runs on the destination only, and the source's files
    # went with it.
    assert b.domains() == {server: 1}        # VIR_DOMAIN_RUNNING
    assert server not in a.domains()
    assert not os.path.exists(os.path.join(a.instances_path, server))
    # The same guest, not a new boot: the destination's console carries on
    # the count where the source's stopped, one a second.
    ticks = _wait_ticks(b, server, (before or [0])[-1] + 2)
    console = _console(b, server)
    assert not BOOT_LINE.search(console), console[:500]
    assert ticks[0] > before[-1]
    assert ticks == list(range(ticks[0], ticks[0] + len(ticks)))
    # No tick lost for long: the move took `elapsed` seconds at most.
    assert ticks[0] - before[-1] <= elapsed + 2
    # Its console is read on its new host through the API.
    resp = dep.request('POST', '/v2.1/servers/%s/action' % server,
                       json={'os-getConsoleOutput': {'length': 5}})
    assert resp.status_code == 200, resp.text
    assert guest_image.TICK in resp.json()['output']


def test_abort_leaves_the_guest_running_on_its_host(dep, server):
    # After the test above: the guest is on the second host, whose
    # migrations crawl at SLOW_BANDWIDTH.
    back, here = dep.compute_hosts
    a, b = dep.libvirt[back], dep.libvirt[here]
    assert _server(dep, server)['OS-EXT-SRV-ATTR:host'] == here
    data = dep.rpc.check(back, server)
    instance = dep.rpc.start(server, back, data)
    # The incoming domain appears on the first host once the copy runs.
    _wait_incoming(dep, a, server)
    time.sleep(1)
    assert _server(dep, server)['OS-EXT-STS:task_state'] == \
        states.MIGRATING
    dep.rpc.compute.live_migration_abort(dep.rpc.ctxt, here, instance)
    done = _settle(dep, server, timeout=60)
    assert done['status'] == 'ACTIVE', done
    assert done['OS-EXT-SRV-ATTR:host'] == here
    assert 'fault' not in done
    assert b.domains() == {server: 1}
    assert server not in a.domains()
    # The rollback removed what the first host had prepared.
    assert not os.path.exists(os.path.join(a.instances_path, server))
    ticks = guest_image.ticks(_console(b, server))
    assert _wait_ticks(b, server, ticks[-1] + 1)
    assert 'aborted on request' in dep.log(here)


def _wait_incoming(dep, host, server):
    deadline = time.monotonic() + 30
    while server not in host.domains():
        assert time.monotonic() < deadline, dep.logs()
        time.sleep(0.2)


def test_force_complete_switches_a_crawling_migration_to_post_copy(dep,
                                                                   server):
    # After the abort: still on the second host, still at 1 MiB/s, which
    # would take over a minute for the guest's memory.
    back, here = dep.compute_hosts
    a, b = dep.libvirt[back], dep.libvirt[here]
    before = guest_image.ticks(_console(b, server))
    instance = dep.rpc.start(server, back, dep.rpc.check(back, server))
    _wait_incoming(dep, a, server)
    time.sleep(2)   # into the memory copy
    started = time.monotonic()
    dep.rpc.compute.live_migration_force_complete(dep.rpc.ctxt, here,
                                                  instance)
    done = _settle(dep, server, timeout=60)
    assert time.monotonic() - started < 30
    assert done['status'] == 'ACTIVE', done
    assert done['OS-EXT-SRV-ATTR:host'] == back
    assert a.domains() == {server: 1}
    assert server not in b.domains()
    ticks = _wait_ticks(a, server, before[-1] + 1)
    assert not BOOT_LINE.search(_console(a, server))
    assert ticks[0] > before[-1]
    assert 'Switching the migration of %s to post-copy' % server in \
        dep.log(here)


def _allocations(dep):
    """{consumer: host} of every allocation."""
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return {r.instance_uuid: r.host for r in conn.execute(sa.text(
                'SELECT a.instance_uuid, n.host FROM allocations a JOIN '
                'compute_nodes n ON n.id = a.compute_node_id'))}
    finally:
        engine.dispose()


def test_os_migrate_live_through_the_api(dep, server):
    # After force-complete: on the first host. os-migrateLive with no
    # host: the scheduler picks the other one, the conductor claims it,
    # checks and casts; the source's reports complete the record.
    here, there = dep.compute_hosts
    a, b = dep.libvirt[here], dep.libvirt[there]
    assert _server(dep, server)['OS-EXT-SRV-ATTR:host'] == here
    assert _allocations(dep)[server] == here
    before = guest_image.ticks(_console(a, server))
    v = {'OpenStack-API-Version': 'compute 2.80'}
    resp = dep.request('POST', '/v2.1/servers/%s/action' % server,
                       headers=v, json={'os-migrateLive': {
                           'host': None, 'block_migration': 'auto'}})
    assert resp.status_code == 202, resp.text
    request_id = resp.headers['x-openstack-request-id']
    done = _settle(dep, server)
    assert done['status'] == 'ACTIVE', done
    assert done['OS-EXT-SRV-ATTR:host'] == there
    [migration] = dep.request(
        'GET', '/v2.1/os-migrations?instance_uuid=%s&migration_type='
        'live-migration' % server, headers=v).json()['migrations']
    assert (migration['status'], migration['source_compute'],
            migration['dest_compute']) == ('completed', here, there)
    # Only the destination holds anything: the instance, nothing for
    # the migration.
    allocations = _allocations(dep)
    assert allocations[server] == there
    assert migration['uuid'] not in allocations
    # None in progress any more.
    assert dep.request('GET', '/v2.1/servers/%s/migrations' % server,
                       headers=v).json() == {'migrations': []}
    action = dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s'
                         % (server, request_id)).json()['instanceAction']
    assert action['action'] == 'live-migration'
    assert [(e['event'], e['result']) for e in action['events']] == [
        ('conductor_live_migrate_instance', 'Success'),
        ('compute_live_migration', 'Success')]
    assert b.domains() == {server: 1}
    assert server not in a.domains()
    # The same guest counting on.
    ticks = _wait_ticks(b, server, before[-1] + 1)
    assert not BOOT_LINE.search(_console(b, server))
    assert ticks[0] > before[-1]


@pytest.fixture(scope='module')
def cli(dep, tmp_path_factory):
    clouds = tmp_path_factory.mktemp('livemig') / 'clouds.yaml'
    clouds.write_text(NOAUTH_CLOUDS % {'api': dep.api})
    dep.clouds = clouds


def test_abort_through_the_api(dep, server, cli):
    # After the API's migration: on the second host, whose stream crawls.
    # A migration back is listed in progress with libvirt's counters, then
    # DELETE aborts it: cancelled, the guest and its claim where they were.
    back, here = dep.compute_hosts
    a, b = dep.libvirt[back], dep.libvirt[here]
    v = {'OpenStack-API-Version': 'compute 2.80'}
    resp = dep.request('POST', '/v2.1/servers/%s/action' % server,
                       headers=v, json={'os-migrateLive': {
                           'host': back, 'block_migration': 'auto'}})
    assert resp.status_code == 202, resp.text
    _wait_incoming(dep, a, server)
    deadline = time.monotonic() + 20
    while True:
        [running] = dep.request('GET', '/v2.1/servers/%s/migrations'
                                % server, headers=v).json()['migrations']
        if running['status'] == 'running' and running['memory_total_bytes']:
            break
        assert time.monotonic() < deadline, running
        time.sleep(0.5)
    assert (running['source_compute'], running['dest_compute'],
            running['server_uuid']) == (here, back, server)
    assert running['memory_total_bytes'] >= running[
        'memory_remaining_bytes'] > 0
    shown = dep.request('GET', '/v2.1/servers/%s/migrations/%d'
                        % (server, running['id']), headers=v).json()
    assert shown['migration']['uuid'] == running['uuid']
    # Both hosts are claimed while it runs.
    assert set(_allocations(dep).items()) >= {(server, back),
                                              (running['uuid'], here)}
    # The CLI shows it (by uuid: this python-openstackclient swaps the
    # server and the migration when given a numeric id), and aborts it
    # (DELETE at 2.80).
    shown = _cli(dep, 'server', 'migration', 'show', server,
                 running['uuid'])
    assert (shown['Status'], shown['Dest Compute']) == ('running', back)
    _cli(dep, 'server', 'migration', 'abort', server, str(running['id']),
         fmt=None)
    done = _settle(dep, server, timeout=60)
    assert (done['status'], done['OS-EXT-SRV-ATTR:host']) == \
        ('ACTIVE', here)
    assert 'fault' not in done
    [migration] = [m for m in dep.request(
        'GET', '/v2.1/os-migrations?instance_uuid=%s' % server,
        headers=v).json()['migrations'] if m['uuid'] == running['uuid']]
    assert migration['status'] == 'cancelled'
    allocations = _allocations(dep)
    assert allocations[server] == here
    assert running['uuid'] not in allocations
    assert b.domains() == {server: 1}
    assert server not in a.domains()


def test_cli_live_migration_forced_to_complete(dep, server, cli):
    # Still on the crawling second host: the CLI starts a migration (the
    # scheduler picks the first host) and forces it to complete.
    back, here = dep.compute_hosts
    a = dep.libvirt[back]
    before = guest_image.ticks(_console(dep.libvirt[here], server))
    _cli(dep, 'server', 'migrate', '--live-migration', server, fmt=None)
    _wait_incoming(dep, a, server)
    deadline = time.monotonic() + 20
    while True:
        listed = _cli(dep, 'server', 'migration', 'list', '--server',
                      server, '--status', 'running')
        if listed:
            break
        assert time.monotonic() < deadline
        time.sleep(0.5)
    [running] = listed
    _cli(dep, 'server', 'migration', 'force', 'complete', server,
         str(running['Id']), fmt=None)
    done = _settle(dep, server, timeout=60)
    assert (done['status'], done['OS-EXT-SRV-ATTR:host']) == \
        ('ACTIVE', back)
    assert _allocations(dep)[server] == back
    assert a.domains() == {server: 1}
    ticks = _wait_ticks(a, server, before[-1] + 1)
    assert ticks[0] > before[-1]
