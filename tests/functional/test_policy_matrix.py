"""Every endpoint x {admin, project member, project reader, other project}.

One real deployment (SQLite). Each row is an endpoint with a request that
succeeds for an allowed caller; each cell is one caller sending it, and
asserts the status (and for 403 and 404, Nova's error body naming the rule
or the missing item). Rows that change their target (delete, stop...) get a
fresh fixture after every caller that succeeded.

Callers (noauth tokens "user:project:roles"):
- admin: role admin in project admin; acts on every project;
- member: member (and reader, as Keystone's implied roles give) of proj-a,
  which owns every server, group and key pair the rows act on;
- reader: reader of proj-a, another user;
- other: member of proj-b.
"""

import collections
import datetime
import itertools
import re
import time
import uuid

import pytest
import sqlalchemy as sa

from nova_api import app as api_app
from tests.functional import deployment as deployment_mod

CALLERS = collections.OrderedDict([
    ('admin', 'admin:admin:admin,member,reader'),
    ('member', 'maria:proj-a:member,reader'),
    ('reader', 'rita:proj-a:reader'),
    ('other', 'oscar:proj-b:member,reader'),
])

ALL = (200, 200, 200, 200)
ADMIN_ONLY = (200, 403, 403, 403)
OWNER_READ = (200, 200, 200, 404)
OWNER_CHANGE = (202, 202, 403, 404)
_names = itertools.count(1)


def _name(prefix):
    return '%s-%d' % (prefix, next(_names))


Row = collections.namedtuple('Row', [
    'name', 'method', 'path', 'expected', 'rule', 'body', 'fixture',
    'consumes', 'version'])


def row(name, method, path, expected, rule=None, body=None, fixture=None,
        consumes=False, version='2.1'):
    return Row(name, method, path, dict(zip(CALLERS, expected)), rule, body,
               fixture, consumes, version)


# -- fixtures: each returns the values the row's path needs ------------------

def _settle(dep, server_id, status):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        server = dep.request('GET', '/v2.1/servers/%s' % server_id).json(
            )['server']
        if server['status'] == status and \
                server['OS-EXT-STS:task_state'] is None:
            return server
        time.sleep(0.05)
    raise AssertionError('%s never settled in %s: %s\n%s' % (
        server_id, status, server, dep.logs()))


def _boot_body(dep):
    return {'server': {'name': _name('vm'), 'flavorRef': '1',
                       'imageRef': dep.image['id']}}


def _ok(resp):
    assert resp.status_code < 300, resp.text
    return resp.json() if resp.text else None


def _server_in(status):
    def make(world):
        dep = world.dep
        server_id = _ok(dep.request('POST', '/v2.1/servers',
                                    token=CALLERS['member'],
                                    json=_boot_body(dep)))['server']['id']
        _settle(dep, server_id, 'ACTIVE')
        action = {'ACTIVE': None, 'SHUTOFF': 'os-stop', 'PAUSED': 'pause',
                  'SUSPENDED': 'suspend', 'RESCUE': 'rescue',
                  'SHELVED_OFFLOADED': 'shelve'}[status]
        if action:
            _ok(dep.request('POST', '/v2.1/servers/%s/action' % server_id,
                            json={action: None}))
            _settle(dep, server_id, status)
        return {'server_id': server_id}
    return make


# A volume no server has.
NO_VOLUME = '3f0c5a56-1d6e-4b1a-9c55-0b7f3f4e2a11'


def _server_and_volume(world):
    return dict(_server_in('ACTIVE')(world), volume_id=NO_VOLUME)


def _server_with_metadata(world):
    params = _server_in('ACTIVE')(world)
    _ok(world.dep.request('POST', '/v2.1/servers/%(server_id)s/metadata'
                          % params, json={'metadata': {'k1': 'v1'}}))
    return dict(params, key='k1')


def _server_with_tag(world):
    params = _server_in('ACTIVE')(world)
    _ok(world.dep.request('PUT', '/v2.1/servers/%(server_id)s/tags/t1'
                          % params, headers=_version('2.26')))
    return dict(params, tag='t1')


def _version(version):
    return {'OpenStack-API-Version': 'compute %s' % version}


def _server_with_action(world):
    params = _server_in('ACTIVE')(world)
    actions = _ok(world.dep.request(
        'GET', '/v2.1/servers/%(server_id)s/os-instance-actions' % params))
    params['request_id'] = actions['instanceActions'][0]['request_id']
    return params


def _server_resized(world):
    """A server of proj-a in VERIFY_RESIZE (m1.tiny to m1.small)."""
    params = _server_in('ACTIVE')(world)
    _ok(world.dep.request('POST', '/v2.1/servers/%(server_id)s/action'
                          % params, json={'resize': {'flavorRef': '2'}}))
    _settle(world.dep, params['server_id'], 'VERIFY_RESIZE')
    return params


def _server_and_migration(world):
    return dict(_server_in('ACTIVE')(world), migration_id='1')


def _console_token(world):
    params = _server_in('ACTIVE')(world)
    url = _ok(world.dep.request(
        'POST', '/v2.1/servers/%(server_id)s/remote-consoles' % params,
        headers=_version('2.6'), json={'remote_console': {
            'protocol': 'serial', 'type': 'serial'}}))['remote_console']['url']
    return {'token': url.rsplit('token=', 1)[1]}


def _server_on_down_host(world):
    return {'server_id': world.evacuable.pop()}


def _flavor(world, with_spec=False):
    flavor = _ok(world.dep.request('POST', '/v2.1/flavors', json={
        'flavor': {'name': _name('flavor'), 'ram': 512, 'vcpus': 1,
                   'disk': 1}}))['flavor']
    _ok(world.dep.request(
        'POST', '/v2.1/flavors/%s/os-extra_specs' % flavor['id'],
        json={'extra_specs': {'k1': 'v1'}}))
    return {'flavor_id': flavor['id'], 'key': 'k1'}


def _private_flavor(world, shared_with=None):
    flavor = _ok(world.dep.request('POST', '/v2.1/flavors', json={
        'flavor': {'name': _name('private'), 'ram': 512, 'vcpus': 1,
                   'disk': 1, 'os-flavor-access:is_public': False}}))
    flavor_id = flavor['flavor']['id']
    if shared_with:
        _ok(world.dep.request(
            'POST', '/v2.1/flavors/%s/action' % flavor_id,
            json={'addTenantAccess': {'tenant': shared_with}}))
    return {'flavor_id': flavor_id}


def _shared_flavor(world):
    return _private_flavor(world, 'proj-c')


def _ghost_service(world):
    """A service record of a host that is gone, safe to delete."""
    host = _name('ghost')
    engine = sa.create_engine(world.dep.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(
                'INSERT INTO services (uuid, host, "binary", topic, '
                'report_count, disabled, forced_down, created_at) VALUES '
                '(:uuid, :host, :binary, :binary, 0, :no, :no, :now)'),
                {'uuid': str(uuid.uuid4()), 'host': host,
                 'binary': 'nova-compute', 'no': False,
                 'now': datetime.datetime.utcnow()})
    finally:
        engine.dispose()
    services = _ok(world.dep.request('GET', '/v2.1/os-services'))['services']
    [svc] = [s for s in services if s['host'] == host]
    return {'service_id': svc['id']}


def _aggregate(world, host=None):
    agg = _ok(world.dep.request('POST', '/v2.1/os-aggregates', json={
        'aggregate': {'name': _name('agg')}}))['aggregate']
    if host:
        _ok(world.dep.request(
            'POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
            json={'add_host': {'host': host}}))
    return {'aggregate_id': agg['id'], 'host': world.dep.compute_hosts[0]}


def _aggregate_with_host(world):
    return _aggregate(world, world.dep.compute_hosts[0])


def _server_group(world):
    group = _ok(world.dep.request(
        'POST', '/v2.1/os-server-groups', token=CALLERS['member'], json={
            'server_group': {'name': _name('group'),
                             'policies': ['anti-affinity']}}))
    return {'group_id': group['server_group']['id']}


def _keypair(world):
    made = _ok(world.dep.request(
        'POST', '/v2.1/os-keypairs', token=CALLERS['member'],
        json={'keypair': {'name': _name('key')}}))
    return {'name': made['keypair']['name']}


def _hypervisor(world):
    found = _ok(world.dep.request('GET', '/v2.1/os-hypervisors'))
    return {'hypervisor_id': found['hypervisors'][0]['id']}


def _conductor_service(world):
    services = _ok(world.dep.request('GET', '/v2.1/os-services'))['services']
    [svc] = [s for s in services if s['binary'] == 'nova-conductor']
    return {'host': svc['host']}


def _compute_host(world):
    return {'host': world.dep.compute_hosts[0]}


def _network(world):
    found = _ok(world.dep.request('GET', '/v2.1/os-networks'))
    return {'network_id': found['networks'][0]['id']}


def _event_body(world, values):
    return {'events': [{'name': 'network-changed',
                        'server_uuid': values['server_id']}]}


def _image(world):
    """A private image of proj-a with one property, k1."""
    made = _ok(world.dep.request(
        'POST', '/image/v2/images', token=CALLERS['member'], json={
            'name': _name('img'), 'disk_format': 'raw',
            'container_format': 'bare', 'visibility': 'private',
            'k1': 'v1'}))
    return {'image_id': made['id'], 'key': 'k1'}


def _action(name, params=None):
    return lambda world, values: {name: params}


def _service_body(**extra):
    return lambda world, values: dict(host=values['host'],
                                      binary='nova-conductor', **extra)


SERVER = '/v2.1/servers/{server_id}'
ACTION = SERVER + '/action'
VOLUME_ATTACHMENT = SERVER + '/os-volume_attachments/{volume_id}'
FLAVOR = '/v2.1/flavors/{flavor_id}'
SPECS = FLAVOR + '/os-extra_specs'
AGG = '/v2.1/os-aggregates/{aggregate_id}'
QUOTA = '/v2.1/os-quota-sets/proj-a'
GROUP = '/v2.1/os-server-groups/{group_id}'
IMAGE = '/v2.1/images/{image_id}'
P = 'os_compute_api:'

ROWS = [
    row('versions', 'GET', '/', ALL),
    row('versions:v2.1', 'GET', '/v2.1', ALL),
    row('versions:v2', 'GET', '/v2/', ALL),
    row('extensions:index', 'GET', '/v2.1/extensions', ALL),
    row('extensions:show', 'GET', '/v2.1/extensions/os-hosts', ALL),
    # servers
    row('servers:index', 'GET', '/v2.1/servers', ALL),
    row('servers:detail', 'GET', '/v2.1/servers/detail', ALL),
    row('servers:index:get_all_tenants', 'GET',
        '/v2.1/servers?all_tenants=1', ADMIN_ONLY,
        P + 'servers:index:get_all_tenants'),
    row('servers:detail:get_all_tenants', 'GET',
        '/v2.1/servers/detail?all_tenants=1', ADMIN_ONLY,
        P + 'servers:detail:get_all_tenants'),
    row('servers:create', 'POST', '/v2.1/servers', (202, 202, 403, 202),
        P + 'servers:create', lambda world, values: _boot_body(world.dep)),
    row('servers:show', 'GET', SERVER, OWNER_READ, P + 'servers:show',
        fixture=_server_in('ACTIVE')),
    row('servers:update', 'PUT', SERVER, (200, 200, 403, 404),
        P + 'servers:update', {'server': {'name': 'renamed'}},
        _server_in('ACTIVE')),
    row('servers:delete', 'DELETE', SERVER, (204, 204, 403, 404),
        P + 'servers:delete', fixture=_server_in('ACTIVE'), consumes=True),
    row('servers:diagnostics', 'GET', SERVER + '/diagnostics',
        (200, 403, 403, 404), P + 'os-server-diagnostics',
        fixture=_server_in('ACTIVE')),
    row('server-password:show', 'GET', SERVER + '/os-server-password',
        OWNER_READ, P + 'os-server-password:show',
        fixture=_server_in('ACTIVE')),
    row('server-password:clear', 'DELETE', SERVER + '/os-server-password',
        (204, 204, 403, 404), P + 'os-server-password:clear',
        fixture=_server_in('ACTIVE')),
    row('instance-actions:list', 'GET', SERVER + '/os-instance-actions',
        OWNER_READ, P + 'os-instance-actions:list',
        fixture=_server_with_action),
    row('instance-actions:show', 'GET',
        SERVER + '/os-instance-actions/{request_id}', OWNER_READ,
        P + 'os-instance-actions:show', fixture=_server_with_action),
    # server metadata and tags
    row('server-metadata:index', 'GET', SERVER + '/metadata', OWNER_READ,
        P + 'server-metadata:index', fixture=_server_with_metadata),
    row('server-metadata:show', 'GET', SERVER + '/metadata/{key}',
        OWNER_READ, P + 'server-metadata:show',
        fixture=_server_with_metadata),
    row('server-metadata:create', 'POST', SERVER + '/metadata',
        (200, 200, 403, 404), P + 'server-metadata:create',
        {'metadata': {'k2': 'v2'}}, _server_with_metadata),
    row('server-metadata:update_all', 'PUT', SERVER + '/metadata',
        (200, 200, 403, 404), P + 'server-metadata:update_all',
        {'metadata': {'k1': 'v3'}}, _server_with_metadata),
    row('server-metadata:update', 'PUT', SERVER + '/metadata/{key}',
        (200, 200, 403, 404), P + 'server-metadata:update',
        {'meta': {'k1': 'v4'}}, _server_with_metadata),
    row('server-metadata:delete', 'DELETE', SERVER + '/metadata/{key}',
        (204, 204, 403, 404), P + 'server-metadata:delete',
        fixture=_server_with_metadata, consumes=True),
    row('server-tags:index', 'GET', SERVER + '/tags', OWNER_READ,
        P + 'os-server-tags:index', fixture=_server_with_tag,
        version='2.26'),
    row('server-tags:show', 'GET', SERVER + '/tags/{tag}',
        (204, 204, 204, 404), P + 'os-server-tags:show',
        fixture=_server_with_tag, version='2.26'),
    row('server-tags:update_all', 'PUT', SERVER + '/tags',
        (200, 200, 403, 404), P + 'os-server-tags:update_all',
        {'tags': ['t1', 't2']}, _server_with_tag, version='2.26'),
    row('server-tags:update', 'PUT', SERVER + '/tags/{tag}',
        (204, 204, 403, 404), P + 'os-server-tags:update',
        fixture=_server_with_tag, version='2.26'),
    row('server-tags:delete', 'DELETE', SERVER + '/tags/{tag}',
        (204, 204, 403, 404), P + 'os-server-tags:delete',
        fixture=_server_with_tag, consumes=True, version='2.26'),
    row('server-tags:delete_all', 'DELETE', SERVER + '/tags',
        (204, 204, 403, 404), P + 'os-server-tags:delete_all',
        fixture=_server_with_tag, consumes=True, version='2.26'),
    # No Cinder here: attach stops at the volume service (503) after the
    # policy; the server has no volume to show, change or detach (404).
    row('volume-attachments:index', 'GET', SERVER + '/os-volume_attachments',
        OWNER_READ, P + 'os-volumes-attachments:index',
        fixture=_server_and_volume),
    row('volume-attachments:show', 'GET', VOLUME_ATTACHMENT,
        (404, 404, 404, 404), P + 'os-volumes-attachments:show',
        fixture=_server_and_volume),
    row('volume-attachments:create', 'POST',
        SERVER + '/os-volume_attachments', (503, 503, 403, 404),
        P + 'os-volumes-attachments:create',
        {'volumeAttachment': {'volumeId': NO_VOLUME}}, _server_and_volume),
    row('volume-attachments:update', 'PUT', VOLUME_ATTACHMENT,
        (404, 404, 403, 404), P + 'os-volumes-attachments:update',
        {'volumeAttachment': {'volumeId': NO_VOLUME}}, _server_and_volume,
        version='2.85'),
    row('volume-attachments:delete', 'DELETE', VOLUME_ATTACHMENT,
        (404, 404, 403, 404), P + 'os-volumes-attachments:delete',
        fixture=_server_and_volume),
    # server actions
    row('action:os-stop', 'POST', ACTION, OWNER_CHANGE,
        P + 'servers:stop', _action('os-stop'), _server_in('ACTIVE'), True),
    row('action:os-start', 'POST', ACTION, OWNER_CHANGE,
        P + 'servers:start', _action('os-start'), _server_in('SHUTOFF'),
        True),
    row('action:reboot', 'POST', ACTION, OWNER_CHANGE,
        P + 'servers:reboot', _action('reboot', {'type': 'HARD'}),
        _server_in('ACTIVE'), True),
    row('action:rebuild', 'POST', ACTION, OWNER_CHANGE,
        P + 'servers:rebuild',
        lambda world, values: {'rebuild': {'imageRef': world.dep.image['id']}},
        _server_in('ACTIVE'), True),
    row('action:pause', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-pause-server:pause', _action('pause'), _server_in('ACTIVE'),
        True),
    row('action:unpause', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-pause-server:unpause', _action('unpause'),
        _server_in('PAUSED'), True),
    row('action:suspend', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-suspend-server:suspend', _action('suspend'),
        _server_in('ACTIVE'), True),
    row('action:resume', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-suspend-server:resume', _action('resume'),
        _server_in('SUSPENDED'), True),
    row('action:rescue', 'POST', ACTION, (200, 200, 403, 404),
        P + 'os-rescue', _action('rescue'), _server_in('ACTIVE'), True),
    row('action:unrescue', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-unrescue', _action('unrescue'), _server_in('RESCUE'), True),
    row('action:trigger_crash_dump', 'POST', ACTION, OWNER_CHANGE,
        P + 'servers:trigger_crash_dump', _action('trigger_crash_dump'),
        _server_in('ACTIVE'), version='2.17'),
    row('action:os-getConsoleOutput', 'POST', ACTION, (200, 200, 403, 404),
        P + 'os-console-output', _action('os-getConsoleOutput', {}),
        _server_in('ACTIVE')),
    row('action:os-getSerialConsole', 'POST', ACTION, (200, 200, 403, 404),
        P + 'os-remote-consoles',
        _action('os-getSerialConsole', {'type': 'serial'}),
        _server_in('ACTIVE')),
    row('remote-consoles:create', 'POST', SERVER + '/remote-consoles',
        (200, 200, 403, 404), P + 'os-remote-consoles',
        {'remote_console': {'protocol': 'vnc', 'type': 'novnc'}},
        _server_in('ACTIVE'), version='2.6'),
    row('console-auth-tokens:show', 'GET',
        '/v2.1/os-console-auth-tokens/{token}', ADMIN_ONLY,
        P + 'os-console-auth-tokens', fixture=_console_token,
        version='2.31'),
    row('action:forceDelete', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-deferred-delete:force', _action('forceDelete'),
        _server_in('ACTIVE'), True),
    # Allowed callers get 409: no server is ever soft-deleted here.
    row('action:restore', 'POST', ACTION, (409, 409, 403, 404),
        P + 'os-deferred-delete:restore', _action('restore'),
        _server_in('ACTIVE')),
    row('action:evacuate', 'POST', ACTION, (200, 403, 403, 404),
        P + 'os-evacuate', _action('evacuate', {'onSharedStorage': False}),
        _server_on_down_host, True),
    # resize and cold migration; a server's live migrations in progress
    row('action:resize', 'POST', ACTION, OWNER_CHANGE, P + 'servers:resize',
        _action('resize', {'flavorRef': '2'}), _server_in('ACTIVE'), True),
    row('action:confirmResize', 'POST', ACTION, (204, 204, 403, 404),
        P + 'servers:confirm_resize', _action('confirmResize'),
        _server_resized, True),
    row('action:revertResize', 'POST', ACTION, OWNER_CHANGE,
        P + 'servers:revert_resize', _action('revertResize'),
        _server_resized, True),
    row('action:migrate', 'POST', ACTION, (202, 403, 403, 404),
        P + 'os-migrate-server:migrate', _action('migrate'),
        _server_in('ACTIVE'), True),
    row('servers:migrations:index', 'GET', SERVER + '/migrations',
        (200, 403, 403, 404), P + 'servers:migrations:index',
        fixture=_server_in('ACTIVE'), version='2.23'),
    # No live migration is in progress: an admin finds none (404).
    row('servers:migrations:show', 'GET',
        SERVER + '/migrations/{migration_id}', (404, 403, 403, 404),
        P + 'servers:migrations:show', fixture=_server_and_migration,
        version='2.23'),
    # Live migration: the test driver's check refuses it later (2.34+).
    row('action:os-migrateLive', 'POST', ACTION, (202, 403, 403, 404),
        P + 'os-migrate-server:migrate_live',
        _action('os-migrateLive', {'host': None, 'block_migration': 'auto'}),
        _server_in('ACTIVE'), True, version='2.34'),
    # The server is not migrating: an admin is refused (409).
    row('servers:migrations:delete', 'DELETE',
        SERVER + '/migrations/{migration_id}', (409, 403, 403, 404),
        P + 'servers:migrations:delete', fixture=_server_and_migration,
        version='2.24'),
    row('servers:migrations:force_complete', 'POST',
        SERVER + '/migrations/{migration_id}/action', (409, 403, 403, 404),
        P + 'servers:migrations:force_complete',
        lambda world, values: {'force_complete': None},
        _server_and_migration, version='2.22'),
    row('action:createImage', 'POST', ACTION, OWNER_CHANGE,
        P + 'servers:create_image', _action('createImage', {'name': 'p'}),
        _server_in('ACTIVE'), True),
    row('action:createBackup', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-create-backup', _action('createBackup', {
            'name': 'p', 'backup_type': 'daily', 'rotation': 1}),
        _server_in('ACTIVE'), True),
    row('action:shelve', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-shelve:shelve', _action('shelve'), _server_in('ACTIVE'),
        True),
    row('action:unshelve', 'POST', ACTION, OWNER_CHANGE,
        P + 'os-shelve:unshelve', _action('unshelve'),
        _server_in('SHELVED_OFFLOADED'), True),
    # flavors and their extra specs
    row('flavors:index', 'GET', '/v2.1/flavors', ALL),
    row('flavors:detail', 'GET', '/v2.1/flavors/detail', ALL),
    row('flavors:show', 'GET', '/v2.1/flavors/1', ALL),
    row('flavors:create', 'POST', '/v2.1/flavors', ADMIN_ONLY,
        P + 'os-flavor-manage:create',
        lambda world, values: {'flavor': {
            'name': _name('flavor'), 'ram': 512, 'vcpus': 1, 'disk': 1}}),
    row('flavors:update', 'PUT', FLAVOR, ADMIN_ONLY,
        P + 'os-flavor-manage:update', {'flavor': {'description': 'new'}},
        _flavor, version='2.55'),
    row('flavor-access:list', 'GET', FLAVOR + '/os-flavor-access',
        ADMIN_ONLY, P + 'os-flavor-access', fixture=_private_flavor),
    row('flavor-access:add', 'POST', FLAVOR + '/action', ADMIN_ONLY,
        P + 'os-flavor-access:add_tenant_access',
        {'addTenantAccess': {'tenant': 'proj-c'}}, _private_flavor, True),
    row('flavor-access:remove', 'POST', FLAVOR + '/action', ADMIN_ONLY,
        P + 'os-flavor-access:remove_tenant_access',
        {'removeTenantAccess': {'tenant': 'proj-c'}}, _shared_flavor, True),
    row('flavors:delete', 'DELETE', FLAVOR, (202, 403, 403, 403),
        P + 'os-flavor-manage:delete', fixture=_flavor, consumes=True),
    row('extra-specs:index', 'GET', SPECS, ALL, fixture=_flavor),
    row('extra-specs:show', 'GET', SPECS + '/{key}', ALL, fixture=_flavor),
    row('extra-specs:create', 'POST', SPECS, ADMIN_ONLY,
        P + 'os-flavor-extra-specs:create',
        {'extra_specs': {'k2': 'v2'}}, _flavor),
    row('extra-specs:update', 'PUT', SPECS + '/{key}', ADMIN_ONLY,
        P + 'os-flavor-extra-specs:update', {'k1': 'v3'}, _flavor),
    row('extra-specs:delete', 'DELETE', SPECS + '/{key}', ADMIN_ONLY,
        P + 'os-flavor-extra-specs:delete', fixture=_flavor, consumes=True),
    # images
    row('images:index', 'GET', '/v2.1/images', ALL),
    row('images:detail', 'GET', '/v2.1/images/detail', ALL),
    # No image named (Tempest's blank id): 404 for everyone, as Nova.
    row('images:delete-no-id', 'DELETE', '/v2.1/images', (404,) * 4),
    row('images:show', 'GET', '/v2.1/images/{image_id}', ALL,
        fixture=lambda world: {'image_id': world.dep.image['id']}),
    row('images:delete', 'DELETE', IMAGE, (204, 204, 403, 404),
        P + 'images:delete', fixture=_image, consumes=True),
    row('image-metadata:index', 'GET', IMAGE + '/metadata', OWNER_READ,
        fixture=_image),
    row('image-metadata:show', 'GET', IMAGE + '/metadata/{key}',
        OWNER_READ, fixture=_image),
    row('image-metadata:create', 'POST', IMAGE + '/metadata',
        (200, 200, 403, 404), P + 'image-metadata',
        {'metadata': {'k2': 'v2'}}, _image),
    row('image-metadata:update_all', 'PUT', IMAGE + '/metadata',
        (200, 200, 403, 404), P + 'image-metadata',
        {'metadata': {'k1': 'v3'}}, _image),
    row('image-metadata:update', 'PUT', IMAGE + '/metadata/{key}',
        (200, 200, 403, 404), P + 'image-metadata',
        {'meta': {'k1': 'v4'}}, _image),
    row('image-metadata:delete', 'DELETE', IMAGE + '/metadata/{key}',
        (204, 204, 403, 404), P + 'image-metadata', fixture=_image,
        consumes=True),
    # key pairs: everyone has their own; another user's is not found
    row('keypairs:index', 'GET', '/v2.1/os-keypairs', ALL),
    row('keypairs:create', 'POST', '/v2.1/os-keypairs', ALL,
        body=lambda world, values: {'keypair': {'name': _name('key')}}),
    row('keypairs:show', 'GET', '/v2.1/os-keypairs/{name}',
        (404, 200, 404, 404), fixture=_keypair),
    row('keypairs:delete', 'DELETE', '/v2.1/os-keypairs/{name}',
        (404, 202, 404, 404), fixture=_keypair, consumes=True),
    # aggregates
    row('aggregates:index', 'GET', '/v2.1/os-aggregates', ADMIN_ONLY,
        P + 'os-aggregates:index'),
    row('aggregates:create', 'POST', '/v2.1/os-aggregates', ADMIN_ONLY,
        P + 'os-aggregates:create',
        lambda world, values: {'aggregate': {'name': _name('agg')}}),
    row('aggregates:show', 'GET', AGG, ADMIN_ONLY, P + 'os-aggregates:show',
        fixture=_aggregate),
    row('aggregates:update', 'PUT', AGG, ADMIN_ONLY,
        P + 'os-aggregates:update',
        lambda world, values: {'aggregate': {'name': _name('agg')}},
        _aggregate),
    row('aggregates:delete', 'DELETE', AGG, ADMIN_ONLY,
        P + 'os-aggregates:delete', fixture=_aggregate, consumes=True),
    row('aggregates:add_host', 'POST', AGG + '/action', ADMIN_ONLY,
        P + 'os-aggregates:add_host',
        lambda world, values: {'add_host': {'host': values['host']}},
        _aggregate, True),
    row('aggregates:remove_host', 'POST', AGG + '/action', ADMIN_ONLY,
        P + 'os-aggregates:remove_host',
        lambda world, values: {'remove_host': {'host': values['host']}},
        _aggregate_with_host, True),
    row('aggregates:set_metadata', 'POST', AGG + '/action', ADMIN_ONLY,
        P + 'os-aggregates:set_metadata',
        {'set_metadata': {'metadata': {'color': 'blue'}}}, _aggregate),
    row('aggregates:images', 'POST', AGG + '/images', (202, 403, 403, 403),
        P + 'os-aggregates:images',
        lambda world, values: {'cache': [{'id': world.dep.image['id']}]},
        _aggregate, version='2.81'),
    # availability zones, hypervisors, services
    row('availability-zone:list', 'GET', '/v2.1/os-availability-zone', ALL),
    row('availability-zone:detail', 'GET',
        '/v2.1/os-availability-zone/detail', ADMIN_ONLY,
        P + 'os-availability-zone:detail'),
    row('hypervisors:list', 'GET', '/v2.1/os-hypervisors', ADMIN_ONLY,
        P + 'os-hypervisors:list'),
    row('hypervisors:list-detail', 'GET', '/v2.1/os-hypervisors/detail',
        ADMIN_ONLY, P + 'os-hypervisors:list-detail'),
    row('hypervisors:statistics', 'GET', '/v2.1/os-hypervisors/statistics',
        ADMIN_ONLY, P + 'os-hypervisors:statistics'),
    row('hypervisors:show', 'GET', '/v2.1/os-hypervisors/{hypervisor_id}',
        ADMIN_ONLY, P + 'os-hypervisors:show', fixture=_hypervisor),
    row('hypervisors:uptime', 'GET',
        '/v2.1/os-hypervisors/{hypervisor_id}/uptime', ADMIN_ONLY,
        P + 'os-hypervisors:uptime', fixture=_hypervisor),
    row('hypervisors:search', 'GET', '/v2.1/os-hypervisors/compute/search',
        ADMIN_ONLY, P + 'os-hypervisors:search'),
    row('hypervisors:servers', 'GET',
        '/v2.1/os-hypervisors/compute/servers', ADMIN_ONLY,
        P + 'os-hypervisors:servers'),
    row('services:list', 'GET', '/v2.1/os-services', ADMIN_ONLY,
        P + 'os-services:list'),
    row('services:disable', 'PUT', '/v2.1/os-services/disable', ADMIN_ONLY,
        P + 'os-services:update', _service_body(), _conductor_service),
    row('services:disable-log-reason', 'PUT',
        '/v2.1/os-services/disable-log-reason', ADMIN_ONLY,
        P + 'os-services:update', _service_body(disabled_reason='tests'),
        _conductor_service),
    row('services:enable', 'PUT', '/v2.1/os-services/enable', ADMIN_ONLY,
        P + 'os-services:update', _service_body(), _conductor_service),
    row('services:delete', 'DELETE', '/v2.1/os-services/{service_id}',
        (204, 403, 403, 403), P + 'os-services:delete',
        fixture=_ghost_service, consumes=True),
    # quotas of proj-a, and the caller's own limits
    row('quota-sets:show', 'GET', QUOTA, (200, 200, 200, 403),
        P + 'os-quota-sets:show'),
    row('quota-sets:detail', 'GET', QUOTA + '/detail', (200, 200, 200, 403),
        P + 'os-quota-sets:detail'),
    row('quota-sets:defaults', 'GET', QUOTA + '/defaults', ALL),
    row('quota-sets:update', 'PUT', QUOTA, ADMIN_ONLY,
        P + 'os-quota-sets:update', {'quota_set': {'instances': -1}}),
    row('quota-sets:delete', 'DELETE', QUOTA, (202, 403, 403, 403),
        P + 'os-quota-sets:delete'),
    row('limits', 'GET', '/v2.1/limits', ALL),
    # server groups
    row('server-groups:index', 'GET', '/v2.1/os-server-groups', ALL),
    row('server-groups:create', 'POST', '/v2.1/os-server-groups',
        (200, 200, 403, 200), P + 'os-server-groups:create',
        lambda world, values: {'server_group': {
            'name': _name('group'), 'policies': ['affinity']}}),
    row('server-groups:show', 'GET', GROUP, OWNER_READ,
        P + 'os-server-groups:show', fixture=_server_group),
    row('server-groups:delete', 'DELETE', GROUP, (204, 204, 403, 404),
        P + 'os-server-groups:delete', fixture=_server_group, consumes=True),
    # scheduler dry-run
    row('scheduler:dry-run', 'POST', '/v2.1/os-scheduler/dry-run',
        ADMIN_ONLY, P + 'os-scheduler:dry-run',
        lambda world, values: _boot_body(world.dep)),
    # /healthcheck: brief for everyone without a token, detailed for admins
    row('healthcheck:detailed', 'GET', '/healthcheck', ADMIN_ONLY,
        P + 'os-healthcheck:detailed'),
    # os-hosts: the actions are 501 (no driver here has them) for admins
    row('hosts:list', 'GET', '/v2.1/os-hosts', ADMIN_ONLY,
        P + 'os-hosts:list'),
    row('hosts:show', 'GET', '/v2.1/os-hosts/{host}', ADMIN_ONLY,
        P + 'os-hosts:show', fixture=_compute_host),
    row('hosts:update', 'PUT', '/v2.1/os-hosts/{host}', (501, 403, 403, 403),
        P + 'os-hosts:update', {'status': 'enable'}, _compute_host),
    row('hosts:start', 'GET', '/v2.1/os-hosts/{host}/startup',
        (501, 403, 403, 403), P + 'os-hosts:start', fixture=_compute_host),
    row('hosts:shutdown', 'GET', '/v2.1/os-hosts/{host}/shutdown',
        (501, 403, 403, 403), P + 'os-hosts:shutdown',
        fixture=_compute_host),
    row('hosts:reboot', 'GET', '/v2.1/os-hosts/{host}/reboot',
        (501, 403, 403, 403), P + 'os-hosts:reboot', fixture=_compute_host),
    # usage, audit, migrations, events
    row('simple-tenant-usage:list', 'GET', '/v2.1/os-simple-tenant-usage',
        ADMIN_ONLY, P + 'os-simple-tenant-usage:list'),
    row('simple-tenant-usage:show', 'GET',
        '/v2.1/os-simple-tenant-usage/proj-a', (200, 200, 200, 403),
        P + 'os-simple-tenant-usage:show'),
    row('instance-usage-audit-log:list', 'GET',
        '/v2.1/os-instance_usage_audit_log', ADMIN_ONLY,
        P + 'os-instance-usage-audit-log:list'),
    row('instance-usage-audit-log:show', 'GET',
        '/v2.1/os-instance_usage_audit_log/{before}', ADMIN_ONLY,
        P + 'os-instance-usage-audit-log:show',
        fixture=lambda world: {'before': '2026-01-01 00:00:00'}),
    row('migrations:index', 'GET', '/v2.1/os-migrations', ADMIN_ONLY,
        P + 'os-migrations:index'),
    row('server-external-events:create', 'POST',
        '/v2.1/os-server-external-events', ADMIN_ONLY,
        P + 'os-server-external-events:create', _event_body,
        _server_in('ACTIVE')),
    # the deprecated network proxies: reads for the project's readers,
    # changes gone (410) for everyone
    row('networks:list', 'GET', '/v2.1/os-networks', ALL),
    row('networks:view', 'GET', '/v2.1/os-networks/{network_id}', ALL,
        fixture=_network),
    row('networks:create', 'POST', '/v2.1/os-networks', (410,) * 4),
    row('networks:add', 'POST', '/v2.1/os-networks/add', (410,) * 4),
    row('networks:delete', 'DELETE', '/v2.1/os-networks/{network_id}',
        (410,) * 4, fixture=_network),
    row('networks:action', 'POST', '/v2.1/os-networks/{network_id}/action',
        (410,) * 4, body={'disassociate': None}, fixture=_network),
    row('tenant-networks:list', 'GET', '/v2.1/os-tenant-networks', ALL),
    row('tenant-networks:show', 'GET',
        '/v2.1/os-tenant-networks/{network_id}', ALL, fixture=_network),
    row('tenant-networks:create', 'POST', '/v2.1/os-tenant-networks',
        (410,) * 4),
    row('tenant-networks:delete', 'DELETE',
        '/v2.1/os-tenant-networks/{network_id}', (410,) * 4,
        fixture=_network),
    # quota classes (not 'default': the rows above count on the defaults)
    row('quota-class-sets:show', 'GET', '/v2.1/os-quota-class-sets/{name}',
        ADMIN_ONLY, P + 'os-quota-class-sets:show',
        fixture=lambda world: {'name': 'matrix'}),
    row('quota-class-sets:update', 'PUT',
        '/v2.1/os-quota-class-sets/{name}', ADMIN_ONLY,
        P + 'os-quota-class-sets:update',
        {'quota_class_set': {'instances': 5}},
        lambda world: {'name': 'matrix'}),
]


class World:
    """The deployment and the current fixture of each row."""

    def __init__(self, dep):
        self.dep = dep
        self.fixtures = {}
        self.evacuable = []

    def values(self, row):
        if row.fixture is None:
            return {}
        if row.name not in self.fixtures:
            self.fixtures[row.name] = row.fixture(self)
        return self.fixtures[row.name]

    def used_up(self, row):
        self.fixtures.pop(row.name, None)


def _set_computes(dep, hosts, action):
    for host in hosts:
        _ok(dep.request('PUT', '/v2.1/os-services/%s' % action, json={
            'host': host, 'binary': 'nova-compute'}))


def _force_down(dep, host):
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text('UPDATE services SET forced_down = :down '
                                 'WHERE host = :host'),
                         {'down': True, 'host': host})
    finally:
        engine.dispose()


@pytest.fixture(scope='module')
def world():
    dep = deployment_mod.Deployment(
        'sqlite', compute_hosts=('compute1', 'compute2', 'doomed'),
        host_vcpus=64, host_memory_mb=65536, host_local_gb=2000,
        extra_conf='[DEFAULT]\nshutdown_timeout = 0\n'
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n'
                   'server_groups = -1\n')
    dep.start()
    try:
        world = World(dep)
        # Evacuate needs servers on a down host: boot two while the other
        # hosts are disabled, then force that host's service down.
        *others, doomed = dep.compute_hosts
        _set_computes(dep, others, 'disable')
        for _ in range(2):
            world.evacuable.append(
                _server_in('ACTIVE')(world)['server_id'])
        _set_computes(dep, [doomed], 'disable')
        _set_computes(dep, others, 'enable')
        _force_down(dep, doomed)
        yield world
    finally:
        dep.stop()


CELLS = [pytest.param(r, caller, id='%s-%s' % (r.name, caller))
         for r in ROWS for caller in CALLERS]


@pytest.mark.parametrize('row, caller', CELLS)
def test_policy_matrix(world, row, caller):
    values = world.values(row)
    body = row.body(world, values) if callable(row.body) else row.body
    resp = world.dep.request(row.method, row.path.format(**values),
                             token=CALLERS[caller], json=body,
                             headers=_version(row.version))
    if resp.status_code < 300 and row.consumes:
        world.used_up(row)
    expected = row.expected[caller]
    cell = '%s %s at %s as %s (%s)' % (row.method, row.path, row.version,
                                       caller, CALLERS[caller])
    assert resp.status_code == expected, '%s: expected %d, got %d: %s' % (
        cell, expected, resp.status_code, resp.text)
    if expected == 403:
        assert resp.json() == {'forbidden': {
            'code': 403, 'message': 'Policy doesn\'t allow %s to be '
                                    'performed.' % row.rule}}, cell
    elif expected == 404:
        assert resp.json()['itemNotFound']['code'] == 404, cell


# Row paths that name a concrete value where the route has a parameter.
_CONCRETE = [(r'/flavors/1$', '/flavors/{}'), (r'/proj-a', '/{}'),
             (r'/extensions/os-hosts$', '/extensions/{}'),
             (r'/os-services/[a-z-]+$', '/os-services/{}'),
             (r'/os-hypervisors/compute/', '/os-hypervisors/{}/')]


def _route_of(path):
    path = re.sub(r'\{[^}]+\}', '{}', path.split('?')[0]).rstrip('/')
    for pattern, replacement in _CONCRETE:
        path = re.sub(pattern, replacement, path)
    return path


def test_every_route_and_method_has_a_row():
    """A new route without a row here fails, so the matrix stays whole."""

    class Routes:
        found = set()

        def add_route(self, path, resource):
            self.found.update(
                (method, _route_of(path))
                for method in ('GET', 'POST', 'PUT', 'DELETE')
                if hasattr(resource, 'on_' + method.lower()))

    routes = Routes()
    api_app._add_routes(routes, conductor_api=None)
    covered = {(r.method, _route_of(r.path)) for r in ROWS}
    # The image API follows Glance's rules (owner or admin changes an
    # image), tested in tests/unit/nova_api/test_glance_images.py.
    compute_routes = {(m, p) for m, p in routes.found
                      if not p.startswith('/image')}
    assert compute_routes - covered == set()


def test_another_projects_servers_are_neither_listed_nor_found(world):
    dep = world.dep
    server_id = _server_in('ACTIVE')(world)['server_id']
    for token in (CALLERS['member'], CALLERS['reader']):
        listed = dep.request('GET', '/v2.1/servers', token=token).json()
        assert server_id in [s['id'] for s in listed['servers']]
    listed = dep.request('GET', '/v2.1/servers/detail',
                         token=CALLERS['other']).json()['servers']
    assert server_id not in [s['id'] for s in listed]
    assert all(s['tenant_id'] == 'proj-b' for s in listed)
    everyone = dep.request('GET', '/v2.1/servers?all_tenants=1').json()
    assert server_id in [s['id'] for s in everyone['servers']]
    resp = dep.request('GET', '/v2.1/servers/%s' % server_id,
                       token=CALLERS['other'])
    assert resp.json() == {'itemNotFound': {
        'code': 404,
        'message': 'Instance %s could not be found.' % server_id}}
