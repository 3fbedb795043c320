"""Server bodies match the documented shape at every microversion."""

import falcon.testing
import jsonschema
import pytest

from common import exception
from common import servicegroup
from nova_api import app as api_app
from nova_api.resources import servers
from tests.schemas import servers as schemas
from tests.unit.nova_api import list_pages

UUID = '6f4c3c2a-1b7e-4a8e-9a52-0c8d7e3f5a11'
GROUP = '0b8f3a5e-7d5c-4d43-8f1e-8f0a3b2c1d00'
IMAGE = 'a3b1c2d4-0000-4000-8000-000000000001'
FLAVOR = {'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 512,
          'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0,
          'extra_specs': {'hw:cpu_policy': 'shared'}}
INSTANCE = {
    'uuid': UUID, 'display_name': 'web', 'display_description': 'a web',
    'hostname': 'web', 'project_id': 'p1', 'user_id': 'u1',
    'image_ref': IMAGE, 'flavor': FLAVOR, 'vm_state': 'active',
    'task_state': None, 'power_state': 1, 'host': 'cmp1', 'node': 'cmp1',
    'availability_zone': 'nova', 'key_name': None, 'user_data': None,
    'metadata': {'role': 'web'}, 'reservation_id': 'r-1', 'launch_index': 0,
    'access_ip_v4': None, 'access_ip_v6': None, 'locked_by': None,
    'locked_reason': None, 'tags': ['blue'],
    'request_spec': {'availability_zone': None,
                     'scheduler_hints': {'group': GROUP},
                     'image': {'properties': {'hw_architecture': 'x86_64'}}},
    'created_at': '2026-11-24T10:00:00.000000+00:00',
    'updated_at': '2026-11-24T10:00:01.000000+00:00',
    'launched_at': '2026-11-24T10:00:01.000000+00:00',
    'terminated_at': None, 'fault': None,
    'fixed_ips': [{'network': 'private', 'address': '10.0.0.3',
                   'mac': 'fa:16:3e:00:00:01'}],
}
VERSIONS = ['2.1', '2.2', '2.3', '2.8', '2.9', '2.15', '2.16', '2.18',
            '2.19', '2.25', '2.26', '2.46', '2.47', '2.53', '2.54', '2.56',
            '2.57', '2.62', '2.63', '2.70', '2.71', '2.72', '2.73', '2.74',
            '2.75', '2.89', '2.90', '2.95', '2.96', '2.97', '2.98', '2.99',
            '2.100']


class FakeConductor:

    def instance_get(self, ctxt, uuid, read_deleted=False):
        if uuid != UUID:
            raise exception.InstanceNotFound(instance_id=uuid)
        return dict(INSTANCE)

    def instance_get_all(self, ctxt, filters=None, limit=None, marker=None,
                         sort=None):
        self.last_filters, self.last_sort = filters, sort
        return [dict(INSTANCE)]

    def instance_list(self, ctxt, filters=None, limit=None, marker=None,
                      sort=None, fields=None):
        return list_pages.page_of(self.instance_get_all(
            ctxt, filters, limit, marker, sort), fields)

    def service_get_all(self, ctxt, binary=None, hosts=None):
        return [svc for svc in [
            {'host': 'cmp1', 'binary': 'nova-compute', 'disabled': True,
             'forced_down': False, 'last_seen_up': None,
             'updated_at': None}] if hosts is None or svc['host'] in hosts]

    def server_group_get(self, ctxt, uuid):
        return {'uuid': uuid, 'members': [UUID]}

    def instance_diagnostics(self, ctxt, uuid, standard=False):
        self.diagnostics_asked = standard
        return {'standard': True} if standard else {'cpu0_time': 1}

    def instance_update(self, ctxt, uuid, values):
        self.last_update = values
        return dict(INSTANCE, **values)

    def image_get(self, ctxt, image_id):
        return {'id': image_id, 'status': 'active', 'min_disk': 0,
                'min_ram': 0, 'visibility': 'public', 'owner': 'p1'}

    def rebuild_instance(self, ctxt, uuid, image_ref, values):
        self.last_rebuild = values
        return dict(INSTANCE, task_state='rebuilding', user_data='aGk=',
                    **values)


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setattr(servicegroup, 'service_is_up', lambda svc: True)
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    return test_client


def _get(client, path, version, token):
    resp = client.simulate_get(path, headers={
        'X-Auth-Token': token, 'OpenStack-API-Version': 'compute ' + version})
    assert resp.status_code == 200, resp.text
    return resp.json


def _tuple(version):
    return tuple(int(p) for p in version.split('.'))


@pytest.mark.parametrize('version', VERSIONS)
@pytest.mark.parametrize('token', ['admin:p1', 'u1:p1'])
def test_show_and_lists_match_documented_shapes(client, version, token):
    is_admin = token.startswith('admin')
    mv = _tuple(version)
    jsonschema.validate(
        _get(client, '/v2.1/servers/%s' % UUID, version, token),
        {'type': 'object', 'properties': {
            'server': schemas.server(mv, is_admin, show=True)},
         'required': ['server'], 'additionalProperties': False})
    jsonschema.validate(_get(client, '/v2.1/servers/detail', version, token),
                        schemas.server_list(mv, is_admin, detail=True))
    jsonschema.validate(_get(client, '/v2.1/servers', version, token),
                        schemas.server_list(mv, is_admin))


def _send(client, method, path, version, token, body):
    resp = client.simulate_request(method, path, json=body, headers={
        'X-Auth-Token': token, 'OpenStack-API-Version': 'compute ' + version})
    assert resp.status_code in (200, 202), resp.text
    return resp.json


@pytest.mark.parametrize('version', VERSIONS)
@pytest.mark.parametrize('token', ['admin:p1', 'u1:p1'])
def test_update_and_rebuild_answers_match_documented_shapes(client, version,
                                                            token):
    is_admin = token.startswith('admin')
    mv = _tuple(version)
    for answer, method, path, body in (
            ('update', 'PUT', '/v2.1/servers/%s' % UUID,
             {'server': {'name': 'renamed'}}),
            ('rebuild', 'POST', '/v2.1/servers/%s/action' % UUID,
             {'rebuild': {'imageRef': IMAGE}})):
        found = _send(client, method, path, version, token, body)
        jsonschema.validate(found, {
            'type': 'object', 'properties': {
                'server': schemas.server(mv, is_admin, answer=answer)},
            'required': ['server'], 'additionalProperties': False})


def test_short_update_and_rebuild_answers_below_2_75(client):
    put = _send(client, 'PUT', '/v2.1/servers/%s' % UUID, '2.74', 'admin:p1',
                {'server': {'name': 'renamed'}})['server']
    assert put['name'] == 'renamed'
    assert not [k for k in put if k.startswith(('OS-EXT', 'OS-SRV'))]
    assert 'key_name' not in put and 'security_groups' not in put
    assert put['addresses'] == {'private': [{'version': 4,
                                             'addr': '10.0.0.3'}]}
    rebuilt = _send(client, 'POST', '/v2.1/servers/%s/action' % UUID, '2.57',
                    'admin:p1', {'rebuild': {'imageRef': IMAGE,
                                             'adminPass': 'pw'}})['server']
    assert rebuilt['adminPass'] == 'pw'
    assert rebuilt['user_data'] == 'aGk=' and 'key_name' in rebuilt
    assert rebuilt['status'] == 'REBUILD'
    assert not [k for k in rebuilt if k.startswith(('OS-EXT', 'OS-SRV'))]


def test_full_update_and_rebuild_answers_from_2_75(client):
    put = _send(client, 'PUT', '/v2.1/servers/%s' % UUID, '2.75', 'admin:p1',
                {'server': {'name': 'renamed'}})['server']
    shown = _get(client, '/v2.1/servers/%s' % UUID, '2.75',
                 'admin:p1')['server']
    assert set(put) == set(shown)
    rebuilt = _send(client, 'POST', '/v2.1/servers/%s/action' % UUID, '2.75',
                    'admin:p1', {'rebuild': {'imageRef': IMAGE}})['server']
    # user_data is a key of its own there, not the extended attribute.
    assert set(rebuilt) == set(shown) - {'OS-EXT-SRV-ATTR:user_data'} | {
        'user_data', 'adminPass'}
    assert rebuilt['OS-EXT-STS:task_state'] == 'rebuilding'


def test_addresses_are_hidden_while_building(client):
    INSTANCE_BUILDING = dict(INSTANCE, vm_state='building',
                             task_state='spawning')
    client.conductor.instance_get = \
        lambda ctxt, uuid, read_deleted=False: dict(INSTANCE_BUILDING)
    shown = _get(client, '/v2.1/servers/%s' % UUID, '2.1',
                 'admin:p1')['server']
    assert shown['status'] == 'BUILD' and shown['addresses'] == {}


def test_versioned_values(client):
    old = _get(client, '/v2.1/servers/%s' % UUID, '2.1', 'admin:p1')['server']
    assert old['flavor']['id'] == '1'
    new = _get(client, '/v2.1/servers/%s' % UUID, '2.100',
               'admin:p1')['server']
    assert new['flavor'] == {'vcpus': 1, 'ram': 512, 'disk': 1,
                             'ephemeral': 0, 'swap': 0,
                             'original_name': 'm1.tiny',
                             'extra_specs': {'hw:cpu_policy': 'shared'}}
    assert new['host_status'] == 'MAINTENANCE'  # the service is disabled
    assert new['server_groups'] == [GROUP]
    assert new['scheduler_hints'] == {'group': GROUP}
    assert new['image']['properties'] == {'hw_architecture': 'x86_64'}
    assert new['tags'] == ['blue'] and new['locked'] is False
    assert new['description'] == 'a web'
    assert new['OS-EXT-SRV-ATTR:hostname'] == 'web'


def test_list_query_becomes_filters_and_sort(client):
    client.simulate_get('/v2.1/servers', query_string=(
        'name=^we&status=ACTIVE&flavor=http://x/flavors/1&tags=a,b'
        '&sort_key=display_name&sort_dir=asc&sort_key=created_at'),
        headers={'X-Auth-Token': 'u1:p1',
                 'OpenStack-API-Version': 'compute 2.26'})
    filters = client.conductor.last_filters
    assert filters['project_id'] == 'p1'
    assert filters['name_regex'] == '^we'
    assert filters['vm_state'] == ['active']
    assert filters['flavorid'] == '1'
    assert filters['tags'] == ['a', 'b']
    assert client.conductor.last_sort == [('display_name', 'asc'),
                                          ('created_at', 'asc')]


@pytest.mark.parametrize('query,message', [
    ('sort_key=bogus', 'Invalid sort_key bogus.'),
    ('sort_key=host', 'Invalid sort_key host.'),  # admin only
    ('sort_key=display_name&sort_dir=up', "Invalid sort_dir up"),
    ('name=(', 'Invalid regular expression in name'),
    ('changes-since=yesterday', 'changes-since'),
    # A time UTC cannot hold (year 1, east of Greenwich): 400, not a 500.
    ('changes-since=0001-01-01T00:00:00%2B05:00', 'changes-since'),
    ('changes-before=9999-12-31T23:59:59-05:00', 'changes-before'),
    ('limit=x', 'limit param must be an integer'),
])
def test_bad_list_queries_are_400(client, query, message):
    resp = client.simulate_get('/v2.1/servers', query_string=query,
                               headers={'X-Auth-Token': 'u1:p1'})
    assert resp.status_code == 400
    assert message in resp.json['badRequest']['message']


@pytest.mark.parametrize('given,stored', [
    ('0000:0000:0000:0000:0000:babe:220.12.22.2', '::babe:dc0c:1602'),
    ('2001:DB8:0:0:0:0:0:1', '2001:db8::1'),
    ('::babe:202:202', '::babe:202:202'),
    ('::ffff:1.2.3.4', '::ffff:1.2.3.4'),
    ('2001:2001::3', '2001:2001::3'),
])
def test_access_ipv6_is_stored_in_canonical_form(given, stored):
    assert servers.canonical_ip(given, 6) == stored
    assert servers.access_ip_values({'accessIPv6': given}) == {
        'access_ip_v6': stored}


def test_access_ips_of_an_update_and_a_rebuild_are_canonical(client):
    _send(client, 'PUT', '/v2.1/servers/%s' % UUID, '2.1', 'u1:p1',
          {'server': {'accessIPv4': '1.1.1.1',
                      'accessIPv6': '0:0:0:0:0:BABE:202:202'}})
    assert client.conductor.last_update == {'access_ip_v4': '1.1.1.1',
                                            'access_ip_v6': '::babe:202:202'}
    rebuilt = _send(client, 'POST', '/v2.1/servers/%s/action' % UUID, '2.1',
                    'u1:p1', {'rebuild': {
                        'imageRef': IMAGE,
                        'accessIPv6': '0000:0000:0000:0000:0000:babe:'
                                      '220.12.22.2'}})['server']
    assert client.conductor.last_rebuild['access_ip_v6'] == \
        '::babe:dc0c:1602'
    assert rebuilt['accessIPv6'] == '::babe:dc0c:1602'
    assert 'access_ip_v4' not in client.conductor.last_rebuild


@pytest.mark.parametrize('version, standard', [
    ('2.1', False), ('2.47', False), ('2.48', True), ('2.100', True)])
def test_diagnostics_are_nova_standard_ones_from_2_48(client, version,
                                                      standard):
    found = _get(client, '/v2.1/servers/%s/diagnostics' % UUID, version,
                 'admin:p1')
    assert client.conductor.diagnostics_asked is standard
    assert found == ({'standard': True} if standard else {'cpu0_time': 1})


def test_host_status_asks_only_for_the_hosts_of_the_page(client):
    # A fleet may hold 10,000 computes: a page's bodies must not read
    # every service.
    asked = []
    real = client.conductor.service_get_all

    def service_get_all(ctxt, binary=None, hosts=None):
        asked.append((binary, sorted(hosts)))
        return real(ctxt, binary, hosts)
    client.conductor.service_get_all = service_get_all
    page = [dict(INSTANCE, uuid='u-%d' % i, host=host) for i, host in
            enumerate(['cmp1', 'cmp2', 'cmp1', None])]
    client.conductor.instance_get_all = \
        lambda ctxt, filters=None, limit=None, marker=None, sort=None: page
    servers_ = _get(client, '/v2.1/servers/detail', '2.16',
                    'admin:p1')['servers']
    assert [s['host_status'] for s in servers_] == [
        'MAINTENANCE', 'UNKNOWN', 'MAINTENANCE', '']
    assert asked == [('nova-compute', ['cmp1', 'cmp2'])]
    asked.clear()
    shown = _get(client, '/v2.1/servers/%s' % UUID, '2.16',
                 'admin:p1')['server']
    assert shown['host_status'] == 'MAINTENANCE'
    assert asked == [('nova-compute', ['cmp1'])]
