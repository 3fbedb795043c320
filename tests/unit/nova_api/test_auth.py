"""Authentication strategies without a Keystone: what reaches the app, and
what the caller gets back when it should not."""

import json

import falcon
import falcon.testing
import pytest
from keystonemiddleware import auth_token

from common.conf import CONF
from nova_api import app as api_app
from nova_api import auth
from nova_api import errors
from nova_api import middleware
from tests.unit.nova_api.test_app import FakeConductor

KEYSTONE_URI = 'http://keystone.example:5000/v3'
UNAUTHORIZED = {'unauthorized': {
    'code': 401,
    'message': 'The request you have made requires authentication.'}}


@pytest.fixture
def keystone_client():
    CONF.set_override('auth_strategy', 'keystone', group='api')
    CONF.set_override('www_authenticate_uri', KEYSTONE_URI,
                      group='keystone_authtoken')
    return falcon.testing.TestClient(api_app.create_app(FakeConductor()))


def test_keystone_mode_without_token_is_401_with_keystone_uri(
        keystone_client):
    resp = keystone_client.simulate_get('/v2.1/flavors')
    assert resp.status_code == 401
    assert resp.headers['WWW-Authenticate'] == \
        'Keystone uri="%s"' % KEYSTONE_URI
    assert resp.json == UNAUTHORIZED
    assert resp.headers['x-openstack-request-id'].startswith('req-')


def test_keystone_mode_ignores_identity_headers_sent_by_the_client(
        keystone_client):
    resp = keystone_client.simulate_get('/v2.1/os-hypervisors', headers={
        'X-Identity-Status': 'Confirmed', 'X-Roles': 'admin',
        'X-User-Id': 'mallory', 'X-Project-Id': 'p1'})
    assert resp.status_code == 401
    assert resp.json == UNAUTHORIZED


def test_keystone_mode_serves_version_documents_without_token(
        keystone_client):
    for path in ('/', '/v2.1', '/v2.1/', '/image/versions'):
        resp = keystone_client.simulate_get(path)
        assert resp.status_code == 200, path
    assert keystone_client.simulate_get('/image/v2/images').status_code \
        == 401
    # Clients discover identity at Keystone itself, not here.
    assert keystone_client.simulate_get('/identity').status_code == 401


def test_keystone_mode_serves_the_dashboard_page_without_token(
        keystone_client):
    assert keystone_client.simulate_get('/dashboard').status_code == 200
    assert keystone_client.simulate_get(
        '/dashboard/config.json').json['auth_strategy'] == 'keystone'
    assert keystone_client.simulate_get('/dashboardx').status_code == 401


def test_auth_token_failure_is_a_nova_style_503(keystone_client,
                                                monkeypatch):
    def explode(self, environ, start_response):
        raise RuntimeError('catalog has no identity endpoint')
    monkeypatch.setattr(auth_token.AuthProtocol, '__call__', explode)
    resp = keystone_client.simulate_get('/v2.1/flavors', headers={
        'X-Auth-Token': 'some-token'})
    assert resp.status_code == 503
    assert resp.json == {'serviceUnavailable': {
        'code': 503,
        'message': 'The identity service could not validate the token.'}}


class Recorder:

    def on_get(self, req, resp, **kwargs):
        self.ctxt = req.context.ctxt
        resp.media = {}


@pytest.fixture
def confirmed():
    """An app behind KeystoneContext alone, as auth_token would leave it."""
    recorder = Recorder()
    app = falcon.App(middleware=[middleware.RequestIdMiddleware(),
                                 middleware.ProjectPrefixMiddleware({'servers'}),
                                 auth.KeystoneContext()])
    errors.install(app)
    app.add_route('/v2.1/servers', recorder)
    client = falcon.testing.TestClient(app)
    client.recorder = recorder
    return client


def _headers(roles, project='p1', **extra):
    headers = {'X-Identity-Status': 'Confirmed', 'X-User-Id': 'u1',
               'X-User-Name': 'alice', 'X-Project-Name': 'demo',
               'X-Roles': roles, 'X-Auth-Token': 'tok'}
    if project:
        headers['X-Project-Id'] = project
    headers.update(extra)
    return headers


def test_context_carries_keystone_identity_and_roles(confirmed):
    catalog = [{'type': 'image', 'endpoints': []}]
    resp = confirmed.simulate_get('/v2.1/servers', headers=_headers(
        'reader,member', **{'X-Service-Catalog': json.dumps(catalog)}))
    assert resp.status_code == 200
    ctxt = confirmed.recorder.ctxt
    assert (ctxt.user_id, ctxt.project_id) == ('u1', 'p1')
    assert (ctxt.user_name, ctxt.project_name) == ('alice', 'demo')
    assert ctxt.roles == ['reader', 'member']
    assert not ctxt.is_admin and not ctxt.is_admin_user
    assert ctxt.auth_token == 'tok'
    assert ctxt.service_catalog == catalog
    assert ctxt.request_id == resp.headers['x-openstack-request-id']


def test_admin_role_makes_an_admin_context(confirmed):
    confirmed.simulate_get('/v2.1/servers',
                           headers=_headers('admin,member,reader'))
    assert confirmed.recorder.ctxt.is_admin


def test_unscoped_token_is_403(confirmed):
    resp = confirmed.simulate_get('/v2.1/servers',
                                  headers=_headers('member', project=None))
    assert resp.status_code == 403
    assert 'project-scoped' in resp.json['forbidden']['message']


def test_url_project_must_match_the_token(confirmed):
    ok = confirmed.simulate_get('/v2.1/p1/servers', headers=_headers('member'))
    assert ok.status_code == 200
    resp = confirmed.simulate_get('/v2.1/p2/servers',
                                  headers=_headers('member'))
    assert resp.status_code == 400
    assert "doesn't match" in resp.json['badRequest']['message']


@pytest.fixture
def noauth_client():
    conductor = FakeConductor()
    client = falcon.testing.TestClient(api_app.create_app(conductor))
    client.conductor = conductor
    return client


def test_noauth_answers_identity_discovery(noauth_client):
    versions = noauth_client.simulate_get('/identity')
    assert versions.status_code == 200
    [v3] = versions.json['versions']['values']
    assert v3['id'].startswith('v3.') and v3['status'] == 'stable'
    assert v3['links'][0]['href'].endswith('/identity/v3/')
    version = noauth_client.simulate_get('/identity/v3/')
    assert version.json == {'version': v3}


def test_noauth_identity_finds_any_project_by_id_or_name(noauth_client):
    project = noauth_client.simulate_get('/identity/v3/projects/p7').json
    assert (project['project']['id'], project['project']['name']) == \
        ('p7', 'p7')
    listed = noauth_client.simulate_get('/identity/v3/projects',
                                        params={'name': 'p8'}).json
    assert [p['id'] for p in listed['projects']] == ['p8']


def test_noauth_none_plugin_placeholder_token_is_the_default_admin(
        noauth_client):
    noauth_client.simulate_get('/v2.1/flavors',
                               headers={'X-Auth-Token': 'notused'})
    assert noauth_client.conductor.calls[-1] == (
        'flavor_get_all', 'admin', None)
