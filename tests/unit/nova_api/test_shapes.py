"""Response bodies match the Compute API's documented shapes at every
microversion boundary (tests/schemas), on a real conductor and SQLite."""

import itertools

import pytest

from nova_api import microversion
from tests.schemas import compute as schemas
from tests.unit.nova_api import shape_fixture

# 2.1, both sides of every boundary these resources have, and the max.
BOUNDARIES = (2, 10, 11, 13, 15, 21, 28, 33, 35, 36, 39, 41, 51, 53, 55,
              57, 58, 61, 62, 64, 66, 75, 81, 84, 88, 92)
VERSIONS = sorted({(2, 1), microversion.MAX_VERSION} |
                  {(2, n) for n in BOUNDARIES} |
                  {(2, n - 1) for n in BOUNDARIES})
IDS = ['%d.%d' % v for v in VERSIONS]
ALICE = 'alice:proj-a'
_names = itertools.count()


@pytest.fixture(scope='module')
def client(tmp_path_factory):
    from nova_conductor.db import session
    client = shape_fixture.make_client(tmp_path_factory.mktemp('shapes'))
    yield client
    client.manager.cleanup_host()
    session.dispose()


class Caller:
    """Requests at one microversion that check status and schema."""

    def __init__(self, client, version, token=None):
        self.client, self.version = client, version
        self.headers = {'OpenStack-API-Version': 'compute %d.%d' % version}
        if token:
            self.headers['X-Auth-Token'] = token

    def __call__(self, method, path, schema=None, status=200, **kwargs):
        resp = self.client.simulate_request(method, '/v2.1' + path,
                                            headers=self.headers, **kwargs)
        assert resp.status_code == status, resp.text
        assert resp.headers['OpenStack-API-Version'] == \
            'compute %d.%d' % self.version
        if schema is not None:
            schemas.validate(schema, resp.json)
        return resp.json if resp.text else None


def version_params():
    return pytest.mark.parametrize('version', VERSIONS, ids=IDS)


def _name(prefix):
    return '%s-%d' % (prefix, next(_names))


@version_params()
def test_flavor_shapes(client, version):
    call = Caller(client, version)
    call('GET', '/flavors', schemas.flavor_list(version, False))
    listed = call('GET', '/flavors/detail',
                  schemas.flavor_list(version, True))
    tiny = call('GET', '/flavors/1', schemas.flavor_show(version))
    assert tiny['flavor']['swap'] == (0 if version >= (2, 75) else '')
    with_swap = call('GET', '/flavors/2', schemas.flavor_show(version))
    assert with_swap['flavor']['swap'] == 512
    if version >= (2, 61):
        assert with_swap['flavor']['extra_specs'] == {
            'hw:cpu_policy': 'shared'}
    # The admin sees the private flavor; a project without access does not.
    assert 'private' in [f['id'] for f in listed['flavors']]
    alice = Caller(client, version, ALICE)
    seen = alice('GET', '/flavors/detail', schemas.flavor_list(version, True))
    assert 'private' not in [f['id'] for f in seen['flavors']]
    alice('GET', '/flavors/private', status=404)


@version_params()
def test_flavor_create_and_description(client, version):
    call = Caller(client, version)
    spec = {'name': _name('f'), 'ram': 64, 'vcpus': 1, 'disk': 0}
    if version >= (2, 55):
        spec['description'] = 'small'
    made = call('POST', '/flavors', schemas.flavor_show(version),
                json={'flavor': spec})['flavor']
    flavor_id = made['id']
    if version >= (2, 55):
        assert made['description'] == 'small'
        changed = call('PUT', '/flavors/%s' % flavor_id,
                       schemas.flavor_show(version),
                       json={'flavor': {'description': 'tiny'}})
        assert changed['flavor']['description'] == 'tiny'
    else:
        call('PUT', '/flavors/%s' % flavor_id, status=404,
             json={'flavor': {'description': 'tiny'}})
        # The field is unknown before 2.55.
        call('POST', '/flavors', status=400, json={'flavor': dict(
            spec, name=_name('f'), description='x')})
    call('DELETE', '/flavors/%s' % flavor_id, status=202)


@version_params()
def test_flavor_access_shapes(client, version):
    call = Caller(client, version)
    flavor_id = call('POST', '/flavors', json={'flavor': {
        'name': _name('p'), 'ram': 64, 'vcpus': 1, 'disk': 0,
        'os-flavor-access:is_public': False}})['flavor']['id']
    alice = Caller(client, version, ALICE)
    alice('GET', '/flavors/%s' % flavor_id, status=404)
    added = call('POST', '/flavors/%s/action' % flavor_id,
                 schemas.FLAVOR_ACCESS,
                 json={'addTenantAccess': {'tenant': 'proj-a'}})
    assert added['flavor_access'] == [{'flavor_id': flavor_id,
                                       'tenant_id': 'proj-a'}]
    call('POST', '/flavors/%s/action' % flavor_id, status=409,
         json={'addTenantAccess': {'tenant': 'proj-a'}})
    call('GET', '/flavors/%s/os-flavor-access' % flavor_id,
         schemas.FLAVOR_ACCESS)
    alice('GET', '/flavors/%s' % flavor_id, schemas.flavor_show(version))
    assert flavor_id in [f['id'] for f in alice('GET', '/flavors')[
        'flavors']]
    alice('POST', '/flavors/%s/action' % flavor_id, status=403,
          json={'removeTenantAccess': {'tenant': 'proj-a'}})
    removed = call('POST', '/flavors/%s/action' % flavor_id,
                   schemas.FLAVOR_ACCESS,
                   json={'removeTenantAccess': {'tenant': 'proj-a'}})
    assert removed['flavor_access'] == []
    call('POST', '/flavors/%s/action' % flavor_id, status=404,
         json={'removeTenantAccess': {'tenant': 'proj-a'}})
    call('GET', '/flavors/1/os-flavor-access', status=404)
    call('POST', '/flavors/1/action', status=409,
         json={'addTenantAccess': {'tenant': 'proj-a'}})


@version_params()
def test_keypair_shapes(client, version):
    user = 'u%d' % next(_names)
    call = Caller(client, version, '%s:proj-k' % user)
    created = 201 if version >= (2, 2) else 200
    if version < (2, 92):
        made = call('POST', '/os-keypairs',
                    schemas.keypair_create(version, generated=True),
                    status=created, json={'keypair': {'name': 'gen'}})
        assert made['keypair']['private_key'].startswith('-----BEGIN')
        public = made['keypair']['public_key']
    else:
        call('POST', '/os-keypairs', status=400,
             json={'keypair': {'name': 'gen'}})
        public = shape_fixture_public_key()
    imported = call('POST', '/os-keypairs',
                    schemas.keypair_create(version, generated=False),
                    status=created, json={'keypair': {
                        'name': 'imp', 'public_key': public}})
    assert imported['keypair']['user_id'] == user
    listed = call('GET', '/os-keypairs', schemas.keypair_list(version))
    assert [k['keypair']['name'] for k in listed['keypairs']] == (
        ['gen', 'imp'] if version < (2, 92) else ['imp'])
    shown = call('GET', '/os-keypairs/imp', schemas.keypair_show(version))
    if version >= (2, 2):
        assert shown['keypair']['type'] == 'ssh'
    call('DELETE', '/os-keypairs/imp',
         status=204 if version >= (2, 2) else 202)
    call('GET', '/os-keypairs/imp', status=404)


def shape_fixture_public_key():
    from nova_api import ssh_keys
    return ssh_keys.generate('test')[1]


@pytest.mark.parametrize('version', [(2, 2), (2, 92)], ids=['2.2', '2.92'])
def test_x509_keypairs_generated_and_imported(client, version):
    call = Caller(client, version, 'x509user%d:proj-x' % next(_names))
    if version < (2, 92):
        made = call('POST', '/os-keypairs',
                    schemas.keypair_create(version, generated=True),
                    status=201, json={'keypair': {'name': 'cert',
                                                  'type': 'x509'}})
        cert = made['keypair']['public_key']
        assert cert.startswith('-----BEGIN CERTIFICATE-----')
        assert len(made['keypair']['fingerprint'].split(':')) == 20
    else:
        from nova_api import ssh_keys
        cert = ssh_keys.generate_x509()[1]
    imported = call('POST', '/os-keypairs',
                    schemas.keypair_create(version, generated=False),
                    status=201, json={'keypair': {
                        'name': 'cert2', 'type': 'x509',
                        'public_key': cert}})
    assert imported['keypair']['type'] == 'x509'
    call('POST', '/os-keypairs', status=400, json={'keypair': {
        'name': 'bad', 'type': 'x509', 'public_key': 'not a cert'}})


@pytest.mark.parametrize('version', [(2, 9), (2, 10), (2, 35), (2, 100)],
                         ids=['2.9', '2.10', '2.35', '2.100'])
def test_keypairs_of_other_users_and_pages(client, version):
    owner = 'owner%d' % next(_names)
    admin = Caller(client, version)
    body = {'keypair': {'name': 'k1', 'public_key':
                        shape_fixture_public_key(), 'user_id': owner}}
    if version < (2, 10):
        admin('POST', '/os-keypairs', status=400, json=body)
        return
    admin('POST', '/os-keypairs', status=201, json=body)
    for name in ('k2', 'k3'):
        admin('POST', '/os-keypairs', status=201, json={'keypair': dict(
            body['keypair'], name=name)})
    mine = Caller(client, version, '%s:p' % owner)
    assert len(mine('GET', '/os-keypairs')['keypairs']) == 3
    admin('GET', '/os-keypairs/k1?user_id=%s' % owner,
          schemas.keypair_show(version))
    Caller(client, version, 'mallory:p')(
        'GET', '/os-keypairs?user_id=%s' % owner, status=403)
    if version >= (2, 35):
        page = mine('GET', '/os-keypairs?limit=2',
                    schemas.keypair_list(version))
        assert [k['keypair']['name'] for k in page['keypairs']] == [
            'k1', 'k2']
        assert 'marker=k2' in page['keypairs_links'][0]['href']
        rest = mine('GET', '/os-keypairs?limit=2&marker=k2',
                    schemas.keypair_list(version))
        assert [k['keypair']['name'] for k in rest['keypairs']] == ['k3']
        mine('GET', '/os-keypairs?marker=nope', status=400)
    admin('DELETE', '/os-keypairs/k1?user_id=%s' % owner, status=204)


@version_params()
def test_aggregate_shapes(client, version):
    call = Caller(client, version)
    call('GET', '/os-aggregates', schemas.aggregate_list(version))
    agg = client.facts['aggregate']
    shown = call('GET', '/os-aggregates/%s' % agg,
                 schemas.aggregate_show(version))
    assert shown['aggregate']['hosts'] == ['host1']
    made = call('POST', '/os-aggregates',
                schemas.aggregate_show(version, with_members=False),
                json={'aggregate': {'name': _name('agg')}})['aggregate']
    call('PUT', '/os-aggregates/%s' % made['id'],
         schemas.aggregate_show(version),
         json={'aggregate': {'name': _name('agg')}})
    call('POST', '/os-aggregates/%s/action' % made['id'],
         schemas.aggregate_show(version),
         json={'set_metadata': {'metadata': {'k': 'v'}}})
    cache = {'cache': [{'id': client.facts['image']}]}
    if version >= (2, 81):
        call('POST', '/os-aggregates/%s/images' % made['id'], status=202,
             json=cache)
        assert client.manager.aggregate_get(None, made['id'])
        from nova_conductor.db import aggregates as aggregates_db
        assert aggregates_db.cached_images(made['id']) == [
            client.facts['image']]
        call('POST', '/os-aggregates/%s/images' % made['id'], status=400,
             json={'cache': [{'id': '00000000-0000-0000-0000-000000000000'}]})
        call('POST', '/os-aggregates/999/images', status=404, json=cache)
        call('POST', '/os-aggregates/%s/images' % made['id'], status=400,
             json={'cache': []})
    else:
        call('POST', '/os-aggregates/%s/images' % made['id'], status=404,
             json=cache)
    call('DELETE', '/os-aggregates/%s' % made['id'])


@version_params()
def test_hypervisor_shapes(client, version):
    from nova_conductor.db import compute as compute_db
    # The module's client was seeded minutes ago on a loaded machine: a
    # fresh heartbeat keeps host1's compute up, or its uptime reads None.
    compute_db.service_heartbeat('host1', 'nova-compute', 'compute')
    call = Caller(client, version)
    node = client.facts['node']
    node_id = node['uuid'] if version >= (2, 53) else str(node['id'])
    call('GET', '/os-hypervisors', schemas.hypervisor_list(version))
    call('GET', '/os-hypervisors/detail',
         schemas.hypervisor_list(version, detail=True))
    shown = call('GET', '/os-hypervisors/%s' % node_id,
                 schemas.hypervisor_show(version))
    if version >= (2, 88):
        assert shown['hypervisor']['uptime'] == shape_fixture.UPTIME
        call('GET', '/os-hypervisors/statistics', status=404)
        call('GET', '/os-hypervisors/%s/uptime' % node_id, status=404)
    else:
        call('GET', '/os-hypervisors/statistics',
             schemas.HYPERVISOR_STATISTICS)
        up = call('GET', '/os-hypervisors/%s/uptime' % node_id,
                  schemas.hypervisor_uptime(version))
        assert up['hypervisor']['uptime'] == shape_fixture.UPTIME
    if version >= (2, 53):
        with_servers = call(
            'GET', '/os-hypervisors?with_servers=true',
            schemas.hypervisor_list(version, with_servers=True))
        assert with_servers['hypervisors'][0]['servers'][0]['uuid'] == \
            client.facts['server']
        call('GET', '/os-hypervisors/detail?hypervisor_hostname_pattern='
             'host2', schemas.hypervisor_list(version, detail=True))
        call('GET', '/os-hypervisors?hypervisor_hostname_pattern=nope',
             status=404)
        call('GET', '/os-hypervisors/%s?with_servers=1' % node_id,
             schemas.hypervisor_show(version, with_servers=True))
        call('GET', '/os-hypervisors/1', status=400)
        call('GET', '/os-hypervisors/host1/search', status=404)
        call('GET', '/os-hypervisors/host1/servers', status=404)
    else:
        call('GET', '/os-hypervisors/host/search',
             schemas.hypervisor_list(version))
        servers = call('GET', '/os-hypervisors/host/servers',
                       schemas.HYPERVISOR_SERVERS_OLD)
        assert 'servers' in servers['hypervisors'][0]
        assert 'servers' not in servers['hypervisors'][1]
        call('GET', '/os-hypervisors/nope/search', status=404)
        call('GET', '/os-hypervisors/%s' % node['uuid'], status=404)
    if version >= (2, 33):
        page = call('GET', '/os-hypervisors?limit=1',
                    schemas.hypervisor_list(version))
        assert len(page['hypervisors']) == 1
        assert page['hypervisors_links']
        marker = page['hypervisors'][0]['id']
        rest = call('GET', '/os-hypervisors?limit=1&marker=%s' % marker,
                    schemas.hypervisor_list(version))
        assert rest['hypervisors'][0]['hypervisor_hostname'] == 'host2'
        # A marker that names no node, or is no id at all: 400, not 500.
        for bad in ('999999', '%C2%B2',
                    '00000000-0000-4000-8000-000000000000'):
            call('GET', '/os-hypervisors?limit=1&marker=%s' % bad,
                 status=400)
    if version < (2, 53):
        call('GET', '/os-hypervisors/%C2%B2', status=404)
    Caller(client, version, ALICE)('GET', '/os-hypervisors', status=403)


@version_params()
def test_service_shapes(client, version):
    call = Caller(client, version)
    listed = call('GET', '/os-services?binary=nova-compute',
                  schemas.service_list(version))
    svc = [s for s in listed['services'] if s['host'] == 'host2'][0]
    if version >= (2, 53):
        down = call('PUT', '/os-services/%s' % svc['id'],
                    schemas.service_update(version),
                    json={'status': 'disabled', 'disabled_reason': 'why',
                          'forced_down': True})['service']
        assert (down['status'], down['state'], down['forced_down'],
                down['disabled_reason']) == ('disabled', 'down', True, 'why')
        up = call('PUT', '/os-services/%s' % svc['id'],
                  schemas.service_update(version),
                  json={'status': 'enabled', 'forced_down': False})
        assert up['service']['disabled_reason'] is None
        call('PUT', '/os-services/%s' % svc['id'], status=400,
             json={'status': 'enabled', 'disabled_reason': 'x'})
        call('PUT', '/os-services/disable', status=400,
             json={'host': 'host2', 'binary': 'nova-compute'})
        call('PUT', '/os-services/%s' % svc['id'], status=400, json={})
    else:
        host = {'host': 'host2', 'binary': 'nova-compute'}
        call('PUT', '/os-services/disable-log-reason',
             schemas.service_action('disable-log-reason'),
             json=dict(host, disabled_reason='why'))
        call('PUT', '/os-services/enable', schemas.service_action('enable'),
             json=host)
        if version >= (2, 11):
            forced = call('PUT', '/os-services/force-down',
                          schemas.service_action('force-down'),
                          json=dict(host, forced_down=True))
            assert forced['service']['forced_down'] is True
            call('PUT', '/os-services/force-down',
                 json=dict(host, forced_down=False))
        else:
            call('PUT', '/os-services/force-down', status=404,
                 json=dict(host, forced_down=True))
        call('PUT', '/os-services/%s' % svc['id'], status=404,
             json={'status': 'enabled'})


def test_service_delete_refuses_busy_hosts(client):
    call = Caller(client, (2, 53))
    services = call('GET', '/os-services')['services']
    busy = [s for s in services if s['host'] == 'host1'][0]
    call('DELETE', '/os-services/%s' % busy['id'], status=409)
    call('DELETE', '/os-services/not-a-uuid', status=400)
    call('DELETE', '/os-services/%s' % '0' * 1, status=400)
    call('DELETE', '/os-services/00000000-0000-0000-0000-000000000000',
         status=404)
    old = Caller(client, (2, 52))
    old('DELETE', '/os-services/abc', status=400)


@version_params()
def test_server_group_shapes(client, version):
    call = Caller(client, version, 'gu:proj-g%d' % next(_names))
    if version >= (2, 64):
        spec = {'name': _name('g'), 'policy': 'anti-affinity',
                'rules': {'max_server_per_host': 2}}
    else:
        spec = {'name': _name('g'), 'policies': ['anti-affinity']}
    made = call('POST', '/os-server-groups',
                schemas.server_group_show(version),
                json={'server_group': spec})['server_group']
    if version >= (2, 64):
        assert made['rules'] == {'max_server_per_host': 2}
        call('POST', '/os-server-groups', status=400, json={
            'server_group': {'name': 'x', 'policy': 'affinity',
                             'rules': {'max_server_per_host': 2}}})
        call('POST', '/os-server-groups', status=400, json={
            'server_group': {'name': 'x', 'policies': ['affinity']}})
    else:
        call('POST', '/os-server-groups', status=400, json={
            'server_group': {'name': 'x', 'policy': 'affinity'}})
    soft = {'name': _name('s')}
    soft.update({'policy': 'soft-affinity'} if version >= (2, 64)
                else {'policies': ['soft-affinity']})
    call('POST', '/os-server-groups',
         schemas.server_group_show(version) if version >= (2, 15) else None,
         status=200 if version >= (2, 15) else 400,
         json={'server_group': soft})
    call('GET', '/os-server-groups', schemas.server_group_list(version))
    call('GET', '/os-server-groups/%s' % made['id'],
         schemas.server_group_show(version))
    call('DELETE', '/os-server-groups/%s' % made['id'], status=204)


@version_params()
def test_quota_and_limit_shapes(client, version):
    call = Caller(client, version)
    call('GET', '/os-quota-sets/proj-q', schemas.quota_set(version))
    call('GET', '/os-quota-sets/proj-q/defaults', schemas.quota_set(version))
    detail = call('GET', '/os-quota-sets/admin/detail',
                  schemas.quota_set_detail(version))
    assert detail['quota_set']['instances']['in_use'] == 1
    updated = call('PUT', '/os-quota-sets/proj-q',
                   schemas.quota_set(version, with_id=False),
                   json={'quota_set': {'server_group_members': 3}})
    assert updated['quota_set']['server_group_members'] == 3
    gone_key = ('injected_files' if version >= (2, 57) else
                'floating_ips' if version >= (2, 36) else None)
    if gone_key:
        call('PUT', '/os-quota-sets/proj-q', status=400,
             json={'quota_set': {gone_key: 3}})
    call('PUT', '/os-quota-sets/proj-q', status=400,
         json={'quota_set': {'bogus': 3}})
    call('DELETE', '/os-quota-sets/proj-q', status=202)
    assert call('GET', '/os-quota-sets/proj-q')['quota_set'][
        'server_group_members'] == 10
    limits = call('GET', '/limits', schemas.limits(version))
    assert limits['limits']['absolute']['totalInstancesUsed'] == 1
    Caller(client, version, ALICE)('GET', '/limits?tenant_id=admin',
                                   status=403)


@version_params()
def test_instance_action_shapes(client, version):
    call = Caller(client, version)
    server = client.facts['server']
    listed = call('GET', '/servers/%s/os-instance-actions' % server,
                  schemas.instance_action_list(version))
    assert [a['action'] for a in listed['instanceActions']] == ['create']
    request_id = client.facts['request_id']
    shown = call('GET', '/servers/%s/os-instance-actions/%s' % (
        server, request_id), schemas.instance_action_show(version, True))
    events = shown['instanceAction']['events']
    assert [e['event'] for e in events] == ['scheduling', 'compute__spawn']
    if version >= (2, 62):
        assert events[1]['host'] == 'host1' and events[1]['hostId']
    # A project member (the server's own project is 'admin').
    member = Caller(client, version, 'bob:admin')
    member('GET', '/servers/%s/os-instance-actions/%s' % (
        server, request_id), schemas.instance_action_show(version, False))
    deleted = client.facts['deleted_server']
    call('GET', '/servers/%s/os-instance-actions' % deleted,
         schemas.instance_action_list(version) if version >= (2, 21)
         else None, status=200 if version >= (2, 21) else 404)
    if version >= (2, 58):
        page = call('GET', '/servers/%s/os-instance-actions?limit=1' % server,
                    schemas.instance_action_list(version))
        assert page['links']
        call('GET', '/servers/%s/os-instance-actions?marker=nope' % server,
             status=400)
        later = call('GET', '/servers/%s/os-instance-actions?changes-since='
                     '2999-01-01T00:00:00Z' % server)
        assert later['instanceActions'] == []
        call('GET', '/servers/%s/os-instance-actions?changes-since=soon'
             % server, status=400)
        call('GET', '/servers/%s/os-instance-actions?changes-since='
             '0001-01-01T00:00:00%%2B05:00' % server, status=400)
    Caller(client, version, ALICE)(
        'GET', '/servers/%s/os-instance-actions' % server, status=404)


@version_params()
def test_availability_zone_shapes(client, version):
    call = Caller(client, version)
    zones = call('GET', '/os-availability-zone', schemas.AVAILABILITY_ZONES)
    assert 'az1' in [z['zoneName'] for z in zones['availabilityZoneInfo']]
    call('GET', '/os-availability-zone/detail',
         schemas.AVAILABILITY_ZONES_DETAIL)


def test_limit_zero_is_an_empty_page_as_in_nova(client):
    """Servers, key pairs, instance actions and hypervisors answer
    limit=0 with nothing; server groups (Nova's offset paging) with
    everything up to [api] max_limit."""
    admin = Caller(client, microversion.MAX_VERSION)
    server = client.facts['server']
    admin('POST', '/os-keypairs', json={'keypair': {
        'name': _name('limit0'), 'public_key': shape_fixture_public_key()}},
          status=201)
    for path, key in (('/servers', 'servers'),
                      ('/os-keypairs', 'keypairs'),
                      ('/servers/%s/os-instance-actions' % server,
                       'instanceActions'),
                      ('/os-hypervisors', 'hypervisors')):
        assert admin('GET', path + '?limit=1')[key], path
    for path, key in (('/servers', 'servers'),
                      ('/servers/detail', 'servers'),
                      ('/os-keypairs', 'keypairs'),
                      ('/servers/%s/os-instance-actions' % server,
                       'instanceActions'),
                      ('/os-hypervisors', 'hypervisors'),
                      ('/os-hypervisors/detail', 'hypervisors')):
        found = admin('GET', path + '?limit=0')
        assert found[key] == [], path
        assert not [k for k in found if k.endswith('links')], path
    admin('POST', '/os-server-groups', json={'server_group': {
        'name': _name('limit0'), 'policy': 'affinity'}})
    groups = admin('GET', '/os-server-groups')['server_groups']
    assert groups
    assert admin('GET', '/os-server-groups?limit=0')['server_groups'] == \
        groups
