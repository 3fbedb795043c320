"""Resize, confirm, revert and cold migration over RabbitMQ + PostgreSQL
with two computes, each with its own instances_path: states, hosts,
allocations (exactly restored on revert, nothing left on a target after
a failure), quota usage, migration records, instance actions; and the
unmodified `openstack` CLI."""

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests.functional import deployment as deployment_mod
from tests.functional.test_openstack_clients import NOAUTH_CLOUDS

BIN = os.path.dirname(sys.executable)
V223 = {'OpenStack-API-Version': 'compute 2.23'}
V256 = {'OpenStack-API-Version': 'compute 2.56'}
V280 = {'OpenStack-API-Version': 'compute 2.80'}


@pytest.fixture(scope='module')
def dep(tmp_path_factory):
    d = deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n',
        compute_conf={
            'compute1': 'instances_path = $state_path/instances-1\n',
            'compute2': 'instances_path = $state_path/instances-2\n'})
    d.start()
    d.engine = sa.create_engine(d.db_url)
    clouds = tmp_path_factory.mktemp('resize') / 'clouds.yaml'
    clouds.write_text(NOAUTH_CLOUDS % {'api': d.api})
    d.clouds = clouds
    yield d
    d.engine.dispose()
    d.stop()


def _instances_path(dep, host):
    return os.path.join(dep.dir, 'instances-%s' % host.split('-')[0][-1])


def _allocations(dep):
    """{consumer: (host, vcpus, memory_mb, disk_gb)}"""
    with dep.engine.connect() as conn:
        return {r.instance_uuid: (r.host, r.vcpus, r.memory_mb, r.disk_gb)
                for r in conn.execute(sa.text(
                    'SELECT a.instance_uuid, n.host, a.vcpus, a.memory_mb, '
                    'a.disk_gb FROM allocations a JOIN compute_nodes n ON '
                    'n.id = a.compute_node_id'))}


def _usage(dep):
    with dep.engine.connect() as conn:
        return {r.host: (r.vcpus_used, r.memory_mb_used, r.local_gb_used)
                for r in conn.execute(sa.text(
                    'SELECT host, vcpus_used, memory_mb_used, local_gb_used '
                    'FROM compute_nodes'))}


def _migrations(dep, server_id):
    resp = dep.request('GET', '/v2.1/os-migrations?instance_uuid=%s'
                       % server_id, headers=V280)
    assert resp.status_code == 200, resp.text
    return resp.json()['migrations']


def _used(dep):
    absolute = dep.request('GET', '/v2.1/limits').json()['limits'][
        'absolute']
    return absolute['totalCoresUsed'], absolute['totalRAMUsed']


def _events(dep, server_id, request_id):
    action = dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s'
                         % (server_id, request_id)).json()['instanceAction']
    return action['action'], [(e['event'], e['result'])
                              for e in action['events']]


def _boot(dep, name, host=None):
    extra = {'availability_zone': 'nova:%s' % host} if host else {}
    server = dep.boot(name, **extra)
    return server['id'], server['OS-EXT-SRV-ATTR:host']


def _other(dep, host):
    [other] = [h for h in dep.compute_hosts if h != host]
    return other


def test_resize_to_other_host_then_confirm(dep):
    server_id, source = _boot(dep, 'rs-confirm')
    target = _other(dep, source)
    used_before = _used(dep)
    resp = dep.action(server_id, {'resize': {'flavorRef': '2'}})
    assert resp.status_code == 202, resp.text
    resize_req = resp.headers['x-openstack-request-id']
    server = dep.settle(server_id, 'VERIFY_RESIZE')
    assert server['OS-EXT-SRV-ATTR:host'] == target
    assert server['OS-EXT-STS:vm_state'] == 'resized'
    assert server['OS-EXT-STS:power_state'] == 1
    assert server['flavor']['id'] == '2'
    [migration] = _migrations(dep, server_id)
    assert (migration['status'], migration['migration_type'],
            migration['source_compute'], migration['dest_compute'],
            migration['old_instance_type_id'] !=
            migration['new_instance_type_id'],
            migration['user_id'], migration['project_id']) == \
        ('finished', 'resize', source, target, True, 'admin', 'admin')
    # The source stays held, by the migration, until the confirm.
    allocations = _allocations(dep)
    assert allocations[server_id] == (target, 1, 2048, 20)
    assert allocations[migration['uuid']] == (source, 1, 512, 1)
    assert _used(dep) == (used_before[0], used_before[1] + 2048 - 512)
    assert os.path.isdir(os.path.join(_instances_path(dep, source),
                                      server_id + '_resize'))
    # Cold moves are not listed as the server's migrations in progress.
    resp = dep.request('GET', '/v2.1/servers/%s/migrations' % server_id,
                       headers=V223)
    assert resp.status_code == 200 and resp.json() == {'migrations': []}
    assert dep.request('GET', '/v2.1/servers/%s/migrations' % server_id
                       ).status_code == 404
    action, events = _events(dep, server_id, resize_req)
    assert action == 'resize'
    assert events == [(e, 'Success') for e in (
        'resize_prep', 'resize_migrating', 'resize_migrated',
        'resize_finish')]

    resp = dep.action(server_id, {'confirmResize': None})
    assert resp.status_code == 204, resp.text
    server = dep.settle(server_id, 'ACTIVE')
    assert server['OS-EXT-SRV-ATTR:host'] == target
    assert _migrations(dep, server_id)[0]['status'] == 'confirmed'
    allocations = _allocations(dep)
    assert migration['uuid'] not in allocations
    assert allocations[server_id] == (target, 1, 2048, 20)
    assert not os.path.exists(os.path.join(_instances_path(dep, source),
                                           server_id + '_resize'))
    action, events = _events(dep, server_id,
                             resp.headers['x-openstack-request-id'])
    assert (action, events) == ('confirmResize',
                                [('compute_confirm_resize', 'Success')])
    # Confirmed: nothing left to confirm or revert.
    resp = dep.action(server_id, {'revertResize': None})
    assert resp.status_code == 409, resp.text
    assert 'conflictingRequest' in resp.json()
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_resize_then_revert_restores_exactly(dep):
    server_id, source = _boot(dep, 'rs-revert')
    allocations_before = _allocations(dep)
    usage_before = _usage(dep)
    used_before = _used(dep)
    assert dep.action(server_id, {'resize': {'flavorRef': '2'}}
                      ).status_code == 202
    dep.settle(server_id, 'VERIFY_RESIZE')
    resp = dep.action(server_id, {'revertResize': None})
    assert resp.status_code == 202, resp.text
    server = dep.settle(server_id, 'ACTIVE')
    assert server['OS-EXT-SRV-ATTR:host'] == source
    assert server['flavor']['id'] == '1'
    assert server['OS-EXT-STS:power_state'] == 1
    assert _allocations(dep) == allocations_before
    assert _usage(dep) == usage_before
    assert _used(dep) == used_before
    assert _migrations(dep, server_id)[0]['status'] == 'reverted'
    target = _other(dep, source)
    assert not os.path.exists(os.path.join(_instances_path(dep, target),
                                           server_id))
    assert os.path.isdir(os.path.join(_instances_path(dep, source),
                                      server_id))
    action, events = _events(dep, server_id,
                             resp.headers['x-openstack-request-id'])
    assert action == 'revertResize'
    assert events == [('resize_reverting', 'Success')]
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_migrate_to_a_host_at_2_56_and_refusals(dep):
    server_id, source = _boot(dep, 'rs-migrate')
    target = _other(dep, source)
    resp = dep.action(server_id, {'migrate': {'host': 'nowhere'}},
                      headers=V256)
    assert resp.status_code == 400, resp.text
    assert 'nowhere' in resp.json()['badRequest']['message']
    # Before 2.56 migrate takes no host.
    resp = dep.action(server_id, {'migrate': {'host': target}})
    assert resp.status_code == 400, resp.text
    # Same flavor, smaller disk, nothing to confirm.
    resp = dep.action(server_id, {'resize': {'flavorRef': '1'}})
    assert resp.status_code == 400
    assert resp.json()['badRequest']['message'] == \
        'When resizing, instances must change flavor!'
    resp = dep.action(server_id, {'resize': {'flavorRef': '404'}})
    assert resp.status_code == 400, resp.text
    resp = dep.action(server_id, {'confirmResize': None})
    assert resp.status_code == 409, resp.text

    resp = dep.action(server_id, {'migrate': {'host': target}},
                      headers=V256)
    assert resp.status_code == 202, resp.text
    server = dep.settle(server_id, 'VERIFY_RESIZE')
    assert server['OS-EXT-SRV-ATTR:host'] == target
    assert server['flavor']['id'] == '1'
    [migration] = _migrations(dep, server_id)
    assert migration['migration_type'] == 'migration'
    assert dep.action(server_id, {'confirmResize': None}).status_code == 204
    dep.settle(server_id, 'ACTIVE')
    assert _allocations(dep)[server_id] == (target, 1, 512, 1)

    # Grown to m1.small, a server cannot go back to m1.tiny's disk.
    assert dep.action(server_id, {'resize': {'flavorRef': '2'}}
                      ).status_code == 202
    dep.settle(server_id, 'VERIFY_RESIZE')
    assert dep.action(server_id, {'confirmResize': None}).status_code == 204
    dep.settle(server_id, 'ACTIVE')
    resp = dep.action(server_id, {'resize': {'flavorRef': '1'}})
    assert resp.status_code == 400, resp.text
    assert 'resize disk down' in resp.json()['badRequest']['message']
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_failed_resizes_leave_the_server_active_where_it_was(dep):
    server_id, source = _boot(dep, 'rs-fail')
    target = _other(dep, source)
    allocations_before = _allocations(dep)
    usage_before = _usage(dep)
    # No host has 8 vCPUs: refused at once.
    resp = dep.action(server_id, {'resize': {'flavorRef': '5'}})
    assert resp.status_code == 400, resp.text
    assert 'No valid host was found' in resp.json()['badRequest']['message']
    server = dep.settle(server_id, 'ACTIVE')
    assert (server['OS-EXT-SRV-ATTR:host'], server['flavor']['id']) == \
        (source, '1')
    assert _allocations(dep) == allocations_before
    assert _migrations(dep, server_id)[0]['status'] == 'error'
    actions = dep.request('GET', '/v2.1/servers/%s/os-instance-actions'
                          % server_id).json()['instanceActions']
    assert actions[0]['action'] == 'resize'

    # A target that cannot take the disks (a file where its copy goes).
    blocker = os.path.join(_instances_path(dep, target), server_id)
    os.makedirs(os.path.dirname(blocker), exist_ok=True)
    with open(blocker, 'w') as f:
        f.write('in the way')
    resp = dep.action(server_id, {'resize': {'flavorRef': '2'}})
    assert resp.status_code == 202, resp.text
    request_id = resp.headers['x-openstack-request-id']
    server = dep.settle(server_id, 'ACTIVE')
    assert (server['OS-EXT-SRV-ATTR:host'], server['flavor']['id'],
            server['OS-EXT-STS:power_state']) == (source, '1', 1)
    assert _allocations(dep) == allocations_before
    assert _usage(dep) == usage_before
    assert _migrations(dep, server_id)[0]['status'] == 'error'
    action, events = _events(dep, server_id, request_id)
    assert action == 'resize'
    assert events[-1][1] == 'Error', events
    os.remove(blocker)
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def _cli(dep, *args, fmt='json', ok=True):
    """The `openstack` CLI's output (parsed with `fmt`); with `ok`
    False, it must fail: its stdout and stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_CLIENT_CONFIG_FILE=str(dep.clouds), OS_CLOUD='e2e',
               OS_COMPUTE_API_VERSION='2.80')
    extra = ['-f', fmt] if fmt else []
    result = subprocess.run([os.path.join(BIN, 'openstack')] + list(args) +
                            extra, env=env, capture_output=True, text=True,
                            timeout=180)
    assert (result.returncode == 0) == ok, (args, result.stdout,
                                            result.stderr)
    if not ok:
        return result.stdout + result.stderr
    return json.loads(result.stdout) if fmt == 'json' else result.stdout


def test_openstack_cli_resize_confirm_revert_migrate(dep):
    server_id, source = _boot(dep, 'rs-cli')
    _cli(dep, 'server', 'resize', '--flavor', 'm1.small', '--wait',
         server_id, fmt=None)
    shown = _cli(dep, 'server', 'show', server_id)
    assert shown['status'] == 'VERIFY_RESIZE'
    assert shown['flavor']['name'] == 'm1.small'
    _cli(dep, 'server', 'resize', 'revert', server_id, fmt=None)
    dep.settle(server_id, 'ACTIVE')
    shown = _cli(dep, 'server', 'show', server_id)
    assert shown['flavor']['name'] == 'm1.tiny'
    assert shown['OS-EXT-SRV-ATTR:host'] == source

    _cli(dep, 'server', 'migrate', '--wait', server_id, fmt=None)
    assert dep.settle(server_id, 'VERIFY_RESIZE')[
        'OS-EXT-SRV-ATTR:host'] == _other(dep, source)
    _cli(dep, 'server', 'resize', 'confirm', server_id, fmt=None)
    dep.settle(server_id, 'ACTIVE')
    listed = _cli(dep, 'server', 'migration', 'list', '--server', server_id)
    assert [(m['Status'], m['Type']) for m in listed] == [
        ('confirmed', 'migration'), ('reverted', 'resize')]
    assert {m['Source Compute'] for m in listed} == {source}
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)
