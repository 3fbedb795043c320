"""Config: noauth and Keystone, clouds.yaml and OS_* variables, endpoints."""

import json

import pytest

from nova_cli import cloud
from tests.unit.nova_cli import fake_api

FLAVORS = {'flavors': [{'id': '1', 'name': 'm1.tiny', 'ram': 512, 'disk': 1,
                        'vcpus': 1, 'OS-FLV-EXT-DATA:ephemeral': 0,
                        'os-flavor-access:is_public': True}]}


@pytest.mark.parametrize('url, root', [
    ('http://h:8774', 'http://h:8774/v2.1'),
    ('http://h:8774/', 'http://h:8774/v2.1'),
    ('http://h:8774/v2.1', 'http://h:8774/v2.1'),
    ('http://h/compute/v2.1/proj', 'http://h/compute/v2.1/proj'),
])
def test_compute_root(url, root):
    assert cloud.compute_root(url) == root


def test_image_root_drops_the_version():
    assert cloud.image_root('http://h:9292/v2/') == 'http://h:9292'
    assert cloud.image_root('http://h:9292') == 'http://h:9292'


def test_noauth_sends_no_token_and_pins_the_microversion(novalite):
    with fake_api.FakeApi() as api:
        api.route('GET', '/v2.1/flavors/detail', body=FLAVORS)
        result = novalite('--os-endpoint', api.url, 'flavor', 'list',
                          '-f', 'json')
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)[0]['Name'] == 'm1.tiny'
    [request] = api.requests
    assert 'X-Auth-Token' not in request['headers']
    assert request['headers']['OpenStack-API-Version'] == 'compute 2.1'


def test_noauth_token_names_user_and_project(novalite, monkeypatch):
    with fake_api.FakeApi() as api:
        api.route('GET', '/v2.1/os-quota-sets/p1', body={
            'quota_set': {'id': 'p1', 'instances': 3}})
        monkeypatch.setenv('OS_ENDPOINT', api.url + '/v2.1')
        monkeypatch.setenv('OS_TOKEN', 'alice:p1')
        result = novalite('quota', 'show', '-f', 'value')
    assert result.code == 0, result.stderr
    assert result.stdout == 'instances 3\n'
    assert api.requests[0]['headers']['X-Auth-Token'] == 'alice:p1'


def test_clouds_yaml_noauth_cloud(novalite, monkeypatch, tmp_path):
    with fake_api.FakeApi() as api:
        api.route('GET', '/v2.1/flavors/detail', body=FLAVORS)
        config = tmp_path / 'clouds.yaml'
        config.write_text(
            'clouds:\n  lite:\n    auth_type: none\n    auth:\n'
            '      endpoint: %s\n      token: "bob:p2"\n' % api.url)
        monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(config))
        result = novalite('--os-cloud', 'lite', 'flavor', 'list', '-f',
                          'value', '-c', 'Name')
    assert (result.code, result.stdout) == (0, 'm1.tiny\n'), result.stderr
    assert api.requests[0]['headers']['X-Auth-Token'] == 'bob:p2'


def test_keystone_password_finds_compute_in_the_catalog(novalite):
    with fake_api.FakeApi() as api:
        token = {'token': {
            'methods': ['password'], 'expires_at': '2099-01-01T00:00:00Z',
            'project': {'id': 'p1', 'name': 'demo',
                        'domain': {'id': 'default', 'name': 'Default'}},
            'user': {'id': 'u1', 'name': 'alice',
                     'domain': {'id': 'default', 'name': 'Default'}},
            'catalog': [{'type': 'compute', 'name': 'nova', 'endpoints': [
                {'interface': 'public', 'region': 'RegionOne',
                 'region_id': 'RegionOne', 'url': api.url + '/v2.1'}]}]}}
        # keystoneauth reads the token id from X-Subject-Token.
        api.routes[('POST', '/v3/auth/tokens')] = lambda request: (
            201, token, {'X-Subject-Token': 'tok-1'})
        api.route('GET', '/v3', body={'version': {
            'id': 'v3.14', 'status': 'stable', 'links': [
                {'rel': 'self', 'href': api.url + '/v3/'}]}})
        api.route('GET', '/v2.1/flavors/detail', body=FLAVORS)
        result = novalite(
            '--os-auth-url', api.url + '/v3', '--os-username', 'alice',
            '--os-password', 'secret', '--os-project-name', 'demo',
            '--os-user-domain-name', 'Default',
            '--os-project-domain-name', 'Default',
            'flavor', 'list', '-f', 'value', '-c', 'ID')
    assert result.code == 0, result.stderr
    assert result.stdout == '1\n'
    auth = [r for r in api.requests if r['path'] == '/v3/auth/tokens'][0]
    body = json.loads(auth['body'])
    assert body['auth']['identity']['password']['user']['name'] == 'alice'
    flavors = [r for r in api.requests if r['path'].startswith('/v2.1')][0]
    assert flavors['headers']['X-Auth-Token'] == 'tok-1'


def test_nothing_configured_is_a_clear_error(novalite):
    result = novalite('server', 'list')
    assert result.code == 1
    assert 'No cloud configured' in result.stderr
    assert 'Traceback' not in result.stderr
