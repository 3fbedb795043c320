"""The API layer alone, with a fake conductor: errors, versions, auth, paths."""

import falcon.testing
import pytest

from common import exception
from nova_api import app as api_app

FLAVOR = {'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 512,
          'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0, 'rxtx_factor': 1.0,
          'is_public': True, 'disabled': False, 'extra_specs': {}}


class FakeConductor:

    def __init__(self):
        self.calls = []

    def flavor_get_all(self, ctxt, is_public=None, project_id=None):
        self.calls.append(('flavor_get_all', ctxt.project_id, project_id))
        return [FLAVOR]

    def flavor_get(self, ctxt, flavorid, project_id=None):
        if flavorid != '1':
            raise exception.FlavorNotFound(flavor_id=flavorid)
        return FLAVOR

    def instance_get(self, ctxt, uuid, read_deleted=False):
        raise exception.InstanceNotFound(instance_id=uuid)

    def flavor_create(self, ctxt, values):
        raise RuntimeError('database exploded\nTraceback: secret')


@pytest.fixture
def client():
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    return test_client


def test_not_found_is_nova_shaped_with_request_id(client):
    resp = client.simulate_get('/v2.1/flavors/nope')
    assert resp.status_code == 404
    assert resp.json == {'itemNotFound': {
        'code': 404, 'message': 'Flavor nope could not be found.'}}
    assert resp.headers['x-openstack-request-id'].startswith('req-')
    assert resp.headers['x-compute-request-id'] == \
        resp.headers['x-openstack-request-id']


def test_errors_under_identity_are_keystone_shaped(client):
    # Found by the API fuzzer: noauth2's identity stand-in answered
    # Nova's shape where clients of Keystone read {"error": {...}}.
    resp = client.simulate_post('/identity/v3/projects')
    assert resp.status_code == 405
    assert resp.json == {'error': {
        'code': 405, 'title': 'Method Not Allowed',
        'message': '405 Method Not Allowed'}}
    assert client.simulate_get('/identity/v3/nope').json['error'][
        'code'] == 404


def test_unexpected_error_hides_the_traceback(client):
    resp = client.simulate_post('/v2.1/flavors', json={'flavor': {
        'name': 'f', 'ram': 1, 'vcpus': 1, 'disk': 0}})
    assert resp.status_code == 500
    message = resp.json['computeFault']['message']
    assert 'Traceback' not in message and 'exploded' not in message
    assert resp.headers['x-openstack-request-id'] in message


def test_microversion_negotiation(client):
    resp = client.simulate_get('/v2.1/flavors', headers={
        'OpenStack-API-Version': 'compute 2.1'})
    assert resp.status_code == 200
    assert resp.headers['OpenStack-API-Version'] == 'compute 2.1'
    assert resp.headers['X-OpenStack-Nova-API-Version'] == '2.1'
    assert 'OpenStack-API-Version' in resp.headers['Vary']
    latest = client.simulate_get('/v2.1/flavors', headers={
        'X-OpenStack-Nova-API-Version': 'latest'})
    assert latest.status_code == 200
    assert latest.headers['X-OpenStack-Nova-API-Version'] == '2.100'
    too_new = client.simulate_get('/v2.1/flavors', headers={
        'OpenStack-API-Version': 'compute 2.101'})
    assert too_new.status_code == 406
    too_new = client.simulate_get('/v2.1/flavors', headers={
        'OpenStack-API-Version': 'compute 2.9999'})
    assert too_new.status_code == 406
    assert 'notAcceptable' in too_new.json
    bad = client.simulate_get('/v2.1/flavors', headers={
        'OpenStack-API-Version': 'compute two'})
    assert bad.status_code == 400


def test_noauth_identity_and_project_prefix(client):
    client.simulate_get('/v2.1/proj42/flavors',
                        headers={'X-Auth-Token': 'alice:proj42'})
    # A project sees public flavors and the private ones shared with it.
    assert client.conductor.calls[-1] == ('flavor_get_all', 'proj42',
                                          'proj42')
    client.simulate_get('/v2.1/flavors')
    # No token: the all-in-one admin, who sees private flavors too.
    assert client.conductor.calls[-1] == ('flavor_get_all', 'admin', None)


def test_flavor_create_needs_admin(client):
    resp = client.simulate_post('/v2.1/flavors', json={'flavor': {
        'name': 'f', 'ram': 1, 'vcpus': 1, 'disk': 0}},
        headers={'X-Auth-Token': 'alice:p1'})
    assert resp.status_code == 403
    assert resp.json['forbidden']['code'] == 403


@pytest.mark.parametrize('body, fragment', [
    (b'{"flavor": ', 'Malformed request body'),
    (b'', 'The request body is missing.'),
    (b'{"flavor": {"name": "f", "ram": -1, "vcpus": 1, "disk": 0}}',
     'Invalid input for field/attribute ram.'),
    (b'{"flavor": {"name": "f", "ram": 1, "vcpus": 1}}',
     "'disk' is a required property"),
])
def test_bad_bodies_are_400(client, body, fragment):
    resp = client.simulate_post('/v2.1/flavors', body=body, headers={
        'Content-Type': 'application/json'})
    assert resp.status_code == 400, resp.text
    assert fragment in resp.json['badRequest']['message']


def test_oversized_body_is_413(client):
    resp = client.simulate_post('/v2.1/flavors', body=b'x' * 200000,
                                headers={'Content-Type': 'application/json'})
    assert resp.status_code == 413
    assert 'overLimit' in resp.json


def test_unknown_server_is_404_and_versions_need_no_token(client):
    assert client.simulate_get('/v2.1/servers/abc').status_code == 404
    root = client.simulate_get('/')
    assert root.status_code == 200
    assert {v['id'] for v in root.json['versions']} == {'v2.0', 'v2.1'}
    assert client.simulate_get('/v2.1/nothing-here').status_code == 404


@pytest.mark.parametrize('error', [
    exception.DatabaseUnavailable(
        reason='the connection to it was lost or could not be opened'),
    exception.DatabaseCommitUnknown()])
def test_an_unavailable_database_is_a_503_that_says_so(client, monkeypatch,
                                                       error):
    # The conductor's answer when its database connection was lost (after
    # resending the call when that is safe): never a 500, never SQL.
    def unavailable(*args, **kwargs):
        raise error
    monkeypatch.setattr(client.conductor, 'flavor_get_all', unavailable)
    resp = client.simulate_get('/v2.1/flavors')
    assert resp.status_code == 503
    assert resp.json == {'serviceUnavailable': {
        'code': 503, 'message': error.message}}
    assert 'database' in error.message and 'SELECT' not in error.message
