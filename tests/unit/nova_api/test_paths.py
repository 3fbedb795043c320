"""Which path segment is a project id, what a path nothing serves answers,
and the legacy /v2 endpoint."""

import falcon
import falcon.testing
import pytest

from nova_api import app as api_app
from nova_api import auth
from nova_api import errors
from nova_api import middleware
from tests import api_routes
from tests.unit.nova_api.test_app import FakeConductor

NOT_FOUND = {'itemNotFound': {'code': 404,
                              'message': 'The resource could not be found.'}}


@pytest.fixture
def client():
    return falcon.testing.TestClient(api_app.create_app(FakeConductor()))


def test_the_collections_are_read_from_the_router():
    app = api_routes.falcon_app()
    known = middleware.collections(app)
    served = {r.template.split('/')[2] for r in api_routes.routes(app)
              if r.template.startswith('/v2.1/') and r.template != '/v2.1/'}
    assert known == served
    assert {'servers', 'flavors', 'images', 'limits', 'os-hypervisors',
            'os-scheduler', 'os-quota-sets', 'os-quota-class-sets',
            'os-hosts', 'os-simple-tenant-usage',
            'os-instance_usage_audit_log', 'os-migrations',
            'os-server-external-events', 'os-networks',
            'extensions'} <= known


class Recorder:

    def on_get(self, req, resp, **params):
        self.path = req.path
        self.project = req.context.get('path_project_id')
        resp.media = {}


def _app_with(*collections):
    """A bare app whose router serves `collections`, learned as
    create_app learns them."""
    recorder = Recorder()
    paths = middleware.ProjectPrefixMiddleware()
    app = falcon.App(middleware=[middleware.RequestIdMiddleware(), paths])
    errors.install(app)
    for name in collections:
        app.add_route('/v2.1/%s/{item}' % name, recorder)
    paths.learn_routes(app)
    client = falcon.testing.TestClient(app)
    client.recorder = recorder
    return client


def test_a_routed_collection_is_never_taken_for_a_project():
    client = _app_with('servers', 'os-quota-class-sets')
    assert client.simulate_get(
        '/v2.1/os-quota-class-sets/default').status_code == 200
    assert client.recorder.project is None
    assert client.recorder.path == '/v2.1/os-quota-class-sets/default'
    client.simulate_get('/v2.1/p1/os-quota-class-sets/default')
    assert client.recorder.project == 'p1'
    assert client.recorder.path == '/v2.1/os-quota-class-sets/default'


def test_a_segment_before_no_collection_is_no_project():
    client = _app_with('servers')
    resp = client.simulate_get('/v2.1/os-quota-class-sets/default')
    assert resp.status_code == 404
    assert resp.json == NOT_FOUND


@pytest.mark.parametrize('path', [
    '/v2.1/os-no-such-api/default', '/v2.1/nothing',
    '/v2.1/p1/nothing/here', '/v2.1/servers/x/nothing', '/nothing'])
def test_paths_nothing_serves_answer_nova_404(client, path):
    resp = client.simulate_get(path)
    assert resp.status_code == 404
    assert resp.json == NOT_FOUND


def test_keystone_mode_unknown_path_is_404_not_a_project_mismatch():
    paths = middleware.ProjectPrefixMiddleware()
    app = falcon.App(middleware=[middleware.RequestIdMiddleware(), paths,
                                 auth.KeystoneContext()])
    errors.install(app)
    app.add_route('/v2.1/servers', Recorder())
    paths.learn_routes(app)
    client = falcon.testing.TestClient(app)
    headers = {'X-Identity-Status': 'Confirmed', 'X-User-Id': 'u1',
               'X-Project-Id': 'p1', 'X-Roles': 'member'}
    resp = client.simulate_get('/v2.1/os-quota-class-sets/default',
                               headers=headers)
    assert (resp.status_code, resp.json) == (404, NOT_FOUND)
    mismatch = client.simulate_get('/v2.1/p2/servers', headers=headers)
    assert mismatch.status_code == 400
    assert "doesn't match" in mismatch.json['badRequest']['message']
    assert client.simulate_get('/v2.1/p1/servers',
                               headers=headers).status_code == 200


def test_v2_version_document_matches_the_version_list(client):
    listed = client.simulate_get('/').json['versions']
    assert [v['id'] for v in listed] == ['v2.0', 'v2.1']
    for entry in listed:
        [self_link] = [x for x in entry['links'] if x['rel'] == 'self']
        path = self_link['href'].split('falconframework.org', 1)[1]
        doc = client.simulate_get(path)
        assert doc.status_code == 200, path
        version = doc.json['version']
        assert version['id'] == entry['id']
        assert [x for x in version['links'] if x['rel'] == 'self'] == \
            [self_link]
        assert version['media-types'][0]['base'] == 'application/json'
    v2 = client.simulate_get('/v2/').json['version']
    assert (v2['status'], v2['version'], v2['min_version']) == \
        ('SUPPORTED', '', '')
    assert v2['media-types'][0]['type'] == \
        'application/vnd.openstack.compute+json;version=2'


def test_keystone_mode_serves_the_v2_document_without_a_token():
    assert auth.is_public('/v2/') and auth.is_public('/v2')
    assert not auth.is_public('/v2/servers')


def test_the_legacy_v2_endpoint_serves_v21_without_microversions(client):
    resp = client.simulate_get('/v2/p1/flavors/1', headers={
        'OpenStack-API-Version': 'compute 2.61'})
    assert resp.status_code == 200
    flavor = resp.json['flavor']
    # 2.1's shape: no description (2.55), no extra_specs (2.61).
    assert 'description' not in flavor and 'extra_specs' not in flavor
    assert 'OpenStack-API-Version' not in resp.headers
    assert flavor['links'][0]['href'].endswith('/v2/p1/flavors/1')
    assert client.simulate_get('/v2/flavors').status_code == 200
    assert client.simulate_get('/v2/nothing').json == NOT_FOUND
    # A bad version header is not read there at all.
    assert client.simulate_get('/v2/flavors', headers={
        'OpenStack-API-Version': 'compute 9.9'}).status_code == 200
