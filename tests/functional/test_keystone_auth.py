"""nova-api behind a real Keystone ([api] auth_strategy = keystone).

One Keystone (gunicorn, SQLite, fernet) and one deployment (SQLite, one
compute host) for the module; `nova-manage keystone register` puts the
compute endpoint and the nova service user in Keystone before any token is
validated, as an operator would.
"""

import json
import os
import subprocess
import sys
import time

import pytest
import requests

from tests.functional import deployment as deployment_mod
from tests.functional import keystone as keystone_mod

BIN = os.path.dirname(sys.executable)
UNAUTHORIZED = {'unauthorized': {
    'code': 401,
    'message': 'The request you have made requires authentication.'}}


@pytest.fixture(scope='module')
def keystone():
    ks = keystone_mod.Keystone()
    ks.start()
    yield ks
    ks.stop()


@pytest.fixture(scope='module')
def deployment(keystone):
    dep = deployment_mod.Deployment('sqlite', compute_hosts=('compute1',),
                                    extra_conf=keystone.authtoken_conf())
    dep.start()
    try:
        dep.registered = _register(dep, keystone)
    except BaseException:
        dep.stop()
        raise
    yield dep
    dep.stop()


def _register(dep, keystone):
    return dep.manage('keystone', 'register', '--url', dep.api + '/v2.1',
                      *keystone.admin_cli_args())


def _get(dep, path, token=None, **kwargs):
    headers = kwargs.pop('headers', {})
    if token:
        headers['X-Auth-Token'] = token
    return requests.get(dep.api + path, headers=headers, timeout=30,
                        **kwargs)


def _boot(dep, token, name):
    resp = requests.post(dep.api + '/v2.1/servers', timeout=30,
                         headers={'X-Auth-Token': token},
                         json={'server': {'name': name, 'flavorRef': '1',
                                          'imageRef': dep.image['id'],
                                          'networks': 'none'}})
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        server = _get(dep, '/v2.1/servers/' + server_id, token).json()
        if server['server']['status'] in ('ACTIVE', 'ERROR'):
            assert server['server']['status'] == 'ACTIVE', server
            return server['server']
        time.sleep(0.1)
    raise AssertionError('%s not active:\n%s' % (server_id, dep.logs()))


@pytest.fixture(scope='module')
def member_server(deployment, keystone):
    return _boot(deployment, keystone.token('demo-member'), 'member-vm')


def test_no_token_is_401_with_keystone_uri(deployment, keystone):
    resp = _get(deployment, '/v2.1/servers')
    assert resp.status_code == 401
    assert resp.headers['WWW-Authenticate'] == \
        'Keystone uri="%s"' % keystone.url
    assert resp.json() == UNAUTHORIZED
    assert resp.headers['x-openstack-request-id'].startswith('req-')


@pytest.mark.parametrize('token', ['not-a-token', 'x' * 8000,
                                   'gAAAAAB' + 'A' * 180, '../../v3/users'])
def test_garbage_token_is_401(deployment, keystone, token):
    resp = _get(deployment, '/v2.1/flavors', token)
    assert resp.status_code == 401, resp.text
    assert resp.headers['WWW-Authenticate'].startswith('Keystone uri=')
    assert resp.json() == UNAUTHORIZED


def test_identity_headers_from_the_client_are_not_trusted(deployment,
                                                          keystone):
    forged = {'X-Identity-Status': 'Confirmed', 'X-Roles': 'admin',
              'X-User-Id': 'mallory', 'X-Project-Id': 'admin'}
    resp = _get(deployment, '/v2.1/os-hypervisors', headers=forged)
    assert resp.status_code == 401
    assert resp.json() == UNAUTHORIZED


def test_version_documents_need_no_token(deployment):
    for path in ('/', '/v2.1', '/v2.1/'):
        resp = _get(deployment, path)
        assert resp.status_code == 200, (path, resp.text)
    assert _get(deployment, '/v2.1').json()['version']['id'] == 'v2.1'
    # Keystone answers identity discovery; nova-api does not stand in.
    assert _get(deployment, '/identity').status_code == 401


def test_member_boots_and_lists_own_servers(deployment, keystone,
                                            member_server):
    assert member_server['tenant_id'] == keystone.project_ids['demo']
    listed = _get(deployment, '/v2.1/servers',
                  keystone.token('demo-member')).json()['servers']
    assert [s['id'] for s in listed] == [member_server['id']]
    # A reader of the same project sees it too.
    reader = _get(deployment, '/v2.1/servers/' + member_server['id'],
                  keystone.token('demo-reader'))
    assert reader.status_code == 200, reader.text


def test_other_project_cannot_see_the_server(deployment, keystone,
                                             member_server):
    token = keystone.token('other-member')
    resp = _get(deployment, '/v2.1/servers/' + member_server['id'], token)
    assert resp.status_code == 404
    assert 'itemNotFound' in resp.json()
    assert _get(deployment, '/v2.1/servers', token).json() == {
        'servers': []}


def test_admin_apis_need_the_admin_role(deployment, keystone):
    admin = _get(deployment, '/v2.1/os-hypervisors', keystone.token('admin'))
    assert admin.status_code == 200, admin.text
    assert len(admin.json()['hypervisors']) == 1
    member = _get(deployment, '/v2.1/os-hypervisors',
                  keystone.token('demo-member'))
    assert member.status_code == 403
    assert member.json()['forbidden']['code'] == 403


def test_url_project_must_match_the_token(deployment, keystone):
    token = keystone.token('demo-member')
    own = _get(deployment, '/v2.1/%s/flavors' % keystone.project_ids['demo'],
               token)
    assert own.status_code == 200, own.text
    other = _get(deployment, '/v2.1/%s/flavors'
                 % keystone.project_ids['other'], token)
    assert other.status_code == 400
    assert "doesn't match" in other.json()['badRequest']['message']


def test_register_is_idempotent_and_fills_the_catalog(deployment, keystone):
    first = deployment.registered
    assert 'Created service nova (type compute)' in first
    assert 'Created user nova' in first
    again = _register(deployment, keystone)
    assert 'Nothing to change' in again
    assert 'Created' not in again
    endpoint = keystone.session('demo-member', 'demo').get_endpoint(
        service_type='compute', interface='public')
    assert endpoint == deployment.api + '/v2.1'


def _openstack(tmp_path, keystone, *args):
    clouds = tmp_path / 'clouds.yaml'
    clouds.write_text(json.dumps({'clouds': {'test': {
        'auth': {'auth_url': keystone.url, 'username': 'demo-member',
                 'password': keystone_mod.PASSWORD, 'project_name': 'demo',
                 'user_domain_name': 'Default',
                 'project_domain_name': 'Default'},
        'region_name': 'RegionOne', 'identity_api_version': 3}}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['OS_CLIENT_CONFIG_FILE'] = str(clouds)
    result = subprocess.run(
        [os.path.join(BIN, 'openstack'), '--os-cloud', 'test'] + list(args) +
        ['-f', 'json'], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_openstack_cli_finds_compute_in_the_catalog(tmp_path, deployment,
                                                    keystone, member_server):
    servers = _openstack(tmp_path, keystone, 'server', 'list')
    assert [(s['ID'], s['Name'], s['Status']) for s in servers] == [
        (member_server['id'], 'member-vm', 'ACTIVE')]
    flavors = _openstack(tmp_path, keystone, 'flavor', 'list')
    assert {'m1.tiny', 'm1.small'} <= {f['Name'] for f in flavors}
