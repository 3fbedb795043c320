"""os-migrateLive through the API and the conductor over RabbitMQ +
PostgreSQL with two computes on the libvirt TEST driver, which refuses
every live migration in its check: 400 with the check's message before
2.34; from 2.34 202, then a migration in 'error' and the action's event
an error, the server ACTIVE on its host with its allocation unchanged.
Bodies by microversion, the 409 of a server in the wrong state, the
refusals of abort and force_complete, and the `openstack` CLI."""

import time

import pytest

from tests.functional import test_resize
from tests.functional.test_resize import _allocations
from tests.functional.test_resize import _cli
from tests.functional.test_resize import _other

# The module's deployment: test_resize's (two computes on the test
# driver, each with its own instances_path, and a clouds.yaml).
dep = test_resize.dep

REFUSAL = ('the libvirt test driver (test:///) cannot live-migrate '
           'instances')


def _v(version):
    return {'OpenStack-API-Version': 'compute %s' % version}


@pytest.fixture(scope='module')
def server(dep):
    body = dep.boot('lm-api')
    yield body['id'], body['OS-EXT-SRV-ATTR:host']
    dep.request('DELETE', '/v2.1/servers/%s' % body['id'])


def _live_migrations(dep, server_id):
    resp = dep.request('GET', '/v2.1/os-migrations?instance_uuid=%s&'
                       'migration_type=live-migration' % server_id,
                       headers=_v('2.80'))
    assert resp.status_code == 200, resp.text
    return resp.json()['migrations']


def _events(dep, server_id, request_id):
    action = dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s'
                         % (server_id, request_id)).json()['instanceAction']
    return action['action'], [(e['event'], e['result'])
                              for e in action['events']]


def _live(dep, server_id, params, version):
    return dep.action(server_id, {'os-migrateLive': params},
                      headers=_v(version))


def _unchanged(dep, server_id, host, allocations):
    server = dep.settle(server_id, 'ACTIVE')
    assert server['OS-EXT-SRV-ATTR:host'] == host
    assert _allocations(dep) == allocations


def test_refused_check_is_400_before_2_34(dep, server):
    server_id, host = server
    before = _allocations(dep)
    for params in ({'host': None, 'block_migration': False,
                    'disk_over_commit': False},
                   {'host': _other(dep, host), 'block_migration': 'auto'}):
        resp = _live(dep, server_id, params,
                     '2.1' if 'disk_over_commit' in params else '2.25')
        assert resp.status_code == 400, resp.text
        assert resp.json()['badRequest']['message'] == \
            'Migration pre-check error: %s' % REFUSAL
        _unchanged(dep, server_id, host, before)
    assert [m['status'] for m in _live_migrations(dep, server_id)] == \
        ['error', 'error']
    # The host is unknown, or the server's own: 400 too.
    for target, words in (('nowhere', 'could not be found'),
                          (host, 'own host')):
        resp = _live(dep, server_id, {'host': target,
                                      'block_migration': 'auto'}, '2.25')
        assert resp.status_code == 400, resp.text
        assert words in resp.json()['badRequest']['message']
    assert len(_live_migrations(dep, server_id)) == 2


def test_refused_check_is_a_failed_migration_from_2_34(dep, server):
    server_id, host = server
    before = _allocations(dep)
    known = {m['id'] for m in _live_migrations(dep, server_id)}
    resp = _live(dep, server_id, {'host': None, 'block_migration': 'auto'},
                 '2.34')
    assert resp.status_code == 202, resp.text
    assert resp.text == ''
    request_id = resp.headers['x-openstack-request-id']
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        [migration] = [m for m in _live_migrations(dep, server_id)
                       if m['id'] not in known]
        if migration['status'] == 'error':
            break
        time.sleep(0.1)
    assert (migration['status'], migration['migration_type'],
            migration['source_compute'], migration['dest_compute']) == \
        ('error', 'live-migration', host, _other(dep, host))
    # Ended: no link to it, none in progress for the server.
    assert 'links' not in migration
    listed = dep.request('GET', '/v2.1/servers/%s/migrations' % server_id,
                         headers=_v('2.23'))
    assert listed.json() == {'migrations': []}
    _unchanged(dep, server_id, host, before)
    action, events = _events(dep, server_id, request_id)
    assert action == 'live-migration'
    assert events == [('conductor_live_migrate_instance', 'Error')]
    # A refused check leaves no fault on the server.
    shown = dep.request('GET', '/v2.1/servers/%s' % server_id).json()
    assert 'fault' not in shown['server']


@pytest.mark.parametrize('version, params', [
    ('2.1', {'host': None, 'block_migration': 'auto',
             'disk_over_commit': False}),
    ('2.24', {'host': None, 'block_migration': False}),
    ('2.25', {'host': None, 'block_migration': False,
              'disk_over_commit': False}),
    ('2.29', {'host': 'x', 'block_migration': 'auto', 'force': True}),
    ('2.68', {'host': 'x', 'block_migration': 'auto', 'force': True}),
    ('2.68', {'block_migration': 'auto'}),
])
def test_bodies_refused_by_microversion(dep, server, version, params):
    server_id, _host = server
    resp = _live(dep, server_id, params, version)
    assert resp.status_code == 400, resp.text
    assert resp.json()['badRequest']['message'].startswith(
        'Invalid input for field/attribute')


def test_wrong_state_and_abort_force_complete_refusals(dep, server):
    server_id, host = server
    path = '/v2.1/servers/%s/migrations/1' % server_id
    # Not migrating: 409 for both.
    resp = dep.request('POST', path + '/action', headers=_v('2.22'),
                       json={'force_complete': None})
    assert resp.status_code == 409, resp.text
    resp = dep.request('DELETE', path, headers=_v('2.24'))
    assert resp.status_code == 409, resp.text
    # Before their microversions they do not exist.
    assert dep.request('DELETE', path, headers=_v('2.23')).status_code == 404
    assert dep.request('POST', path + '/action', headers=_v('2.21'),
                       json={'force_complete': None}).status_code == 404
    assert dep.action(server_id, {'os-stop': None}).status_code == 202
    dep.settle(server_id, 'SHUTOFF')
    resp = _live(dep, server_id, {'host': None, 'block_migration': 'auto'},
                 '2.34')
    assert resp.status_code == 409, resp.text
    assert 'vm_state stopped' in resp.json()['conflictingRequest'][
        'message']
    assert dep.action(server_id, {'os-start': None}).status_code == 202
    dep.settle(server_id, 'ACTIVE')


def test_openstack_cli(dep, server):
    server_id, host = server
    before = _allocations(dep)
    known = len(_live_migrations(dep, server_id))
    # openstacksdk sends a live migration to a host at 2.30, before
    # 2.34: the API waits for the check and the CLI prints its refusal.
    out = _cli(dep, 'server', 'migrate', '--live-migration', '--host',
               _other(dep, host), '--wait', server_id, fmt=None, ok=False)
    assert REFUSAL in out, out
    _unchanged(dep, server_id, host, before)
    listed = _cli(dep, 'server', 'migration', 'list', '--server',
                  server_id, '--type', 'live-migration')
    assert len(listed) == known + 1
    assert {m['Status'] for m in listed} == {'error'}
    newest = max(listed, key=lambda m: m['Id'])
    out = _cli(dep, 'server', 'migration', 'abort', server_id,
               str(newest['Id']), fmt=None, ok=False)
    assert '409' in out or 'task_state' in out, out
    out = _cli(dep, 'server', 'migration', 'force', 'complete', server_id,
               str(newest['Id']), fmt=None, ok=False)
    assert '409' in out or 'task_state' in out, out
