"""nova-manage keystone register against an in-memory stand-in for
Keystone's v3 API: what it creates, and that a second run changes nothing."""

import io
import uuid

import pytest
from keystoneauth1 import exceptions as ks_exceptions

from common.conf import CONF
from nova_conductor import keystone_register
from nova_conductor import manage

URL = 'http://controller:8774/v2.1'


class Response:

    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


class FakeIdentity:
    """The few v3 calls the registrar makes, with Keystone's filters."""

    def __init__(self):
        self.tables = {'regions': [{'id': 'RegionOne'}], 'services': [],
                       'endpoints': [], 'projects': [], 'users': [],
                       'roles': [{'id': 'r-admin', 'name': 'admin'}]}
        self.grants = set()
        self.writes = []

    def get(self, path, params=None):
        collection, _, item_id = path.strip('/').partition('/')
        if item_id:
            for item in self.tables[collection]:
                if item['id'] == item_id:
                    return Response({collection[:-1]: item})
            raise ks_exceptions.NotFound()
        return Response({collection: [
            item for item in self.tables[collection]
            if all(item.get(k) == v for k, v in (params or {}).items())]})

    def post(self, path, json):
        [(kind, body)] = json.items()
        item = dict(body, id=body.get('id') or uuid.uuid4().hex)
        self.tables[path.strip('/')].append(item)
        self.writes.append(('POST', path))
        return Response({kind: item})

    def patch(self, path, json):
        item_id = path.rsplit('/', 1)[1]
        [endpoint] = [e for e in self.tables['endpoints']
                      if e['id'] == item_id]
        endpoint.update(json['endpoint'])
        self.writes.append(('PATCH', path))

    def head(self, path):
        if path not in self.grants:
            raise ks_exceptions.NotFound()

    def put(self, path):
        self.grants.add(path)
        self.writes.append(('PUT', path))


def _args(*extra):
    argv = ['keystone', 'register', '--url', URL] + list(extra)
    return manage.build_parser(argv).parse_args(argv)


def _register(identity, *extra):
    out = io.StringIO()
    changed = keystone_register.register(_args(*extra), CONF, identity, out)
    return changed, out.getvalue()


def test_first_run_creates_service_endpoints_project_user_and_role():
    identity = FakeIdentity()
    changed, out = _register(identity, '--service-password', 'pw')
    assert changed
    [service] = identity.tables['services']
    assert (service['type'], service['name']) == ('compute', 'nova')
    assert sorted((e['interface'], e['url'], e['region_id'])
                  for e in identity.tables['endpoints']) == [
        ('admin', URL, 'RegionOne'), ('internal', URL, 'RegionOne'),
        ('public', URL, 'RegionOne')]
    [project] = identity.tables['projects']
    [user] = identity.tables['users']
    assert (project['name'], user['name'], user['password']) == (
        'service', 'nova', 'pw')
    assert identity.grants == {'/projects/%s/users/%s/roles/r-admin' % (
        project['id'], user['id'])}
    assert 'Created user nova' in out


def test_second_run_changes_nothing_and_says_so():
    identity = FakeIdentity()
    _register(identity, '--service-password', 'pw')
    writes = list(identity.writes)
    changed, out = _register(identity)
    assert not changed
    assert identity.writes == writes
    assert 'Nothing to change' in out
    assert 'password left as it is' in out


def test_a_moved_endpoint_is_updated_in_place():
    identity = FakeIdentity()
    _register(identity, '--service-password', 'pw')
    changed, out = _register(identity, '--internal-url',
                             'http://10.0.0.5:8774/v2.1', '--region',
                             'RegionOne')
    assert changed
    internal = [e for e in identity.tables['endpoints']
                if e['interface'] == 'internal']
    assert [e['url'] for e in internal] == ['http://10.0.0.5:8774/v2.1']
    assert 'Updated internal endpoint' in out


def test_new_region_is_created():
    identity = FakeIdentity()
    _register(identity, '--service-password', 'pw', '--region', 'East')
    assert {'id': 'East'} in identity.tables['regions']
    assert {e['region_id'] for e in identity.tables['endpoints']} == {'East'}


def test_new_user_without_password_is_refused():
    with pytest.raises(ValueError, match='--service-password'):
        _register(FakeIdentity())


def test_unreachable_keystone_is_an_error_not_a_traceback(capsys):
    code = manage.main([
        'keystone', 'register', '--url', URL,
        '--os-auth-url', 'http://127.0.0.1:9/v3', '--os-username', 'admin',
        '--os-password', 'x', '--os-project-name', 'admin',
        '--os-user-domain-id', 'default', '--os-project-domain-id',
        'default'])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith('ERROR: ') and 'Traceback' not in err


def test_image_url_registers_the_image_service_once():
    identity = FakeIdentity()
    image_url = 'http://controller:8774/image'
    _register(identity, '--service-password', 'pw', '--image-url',
              image_url)
    services = {s['type']: s for s in identity.tables['services']}
    assert services['image']['name'] == 'glance'
    image_endpoints = [e for e in identity.tables['endpoints']
                       if e['service_id'] == services['image']['id']]
    assert sorted(e['interface'] for e in image_endpoints) == [
        'admin', 'internal', 'public']
    assert {e['url'] for e in image_endpoints} == {image_url}
    changed, _out = _register(identity, '--image-url', image_url)
    assert not changed
