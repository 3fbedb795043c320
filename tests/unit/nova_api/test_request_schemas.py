"""Every responder that takes a body declares it, with the one decorator
that also reads and checks it; the declarations are valid schemas the
tests (and the API fuzzer) can read from the router."""

import os
import re

import falcon
import falcon.testing
import jsonschema
import pytest

from common import exception
from nova_api import errors
from nova_api import microversion
from nova_api import validation
from tests import api_routes

APP = api_routes.falcon_app()
ROUTES = api_routes.routes(APP)
NOVA_API = os.path.dirname(validation.__file__)
VERSIONS = [(2, minor) for minor in range(1, microversion.MAX_VERSION[1] + 1)]
MEMBER = {'X-Auth-Token': 'maria:proj-a:member,reader'}


def _sources():
    for folder, _, files in os.walk(NOVA_API):
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                with open(path) as f:
                    yield os.path.relpath(path, NOVA_API), f.read()


def test_the_router_lists_the_api_routes():
    templates = {r.template for r in ROUTES}
    assert {'/v2.1/servers', '/v2.1/servers/{server_id}/action',
            '/image/v2/images/{image_id}'} <= templates
    assert len(ROUTES) > 50


def test_every_post_put_and_patch_responder_declares_its_body():
    undeclared = ['%s %s' % (method, r.template) for r in ROUTES
                  for method in r.methods
                  if method in api_routes.BODY_METHODS and
                  api_routes.declared(r, method) is None]
    assert undeclared == []


def test_only_the_declarations_read_request_bodies():
    """No responder reads a body around its declaration: read_json is
    called by validation.py alone, the raw stream by request_body.py
    alone, and request_body by the modules of raw-body responders."""
    raw_modules = {'validation.py'} | {
        os.path.relpath(type(r.resource).__module__.replace('.', '/') +
                        '.py', 'nova_api')
        for r in ROUTES for m in r.methods
        if getattr(api_routes.declared(r, m), 'kind', None) == 'raw'} | {
        # The metadata service's one body, a guest's password.
        'metadata/app.py'}
    for path, text in _sources():
        code = re.sub(r'"""[\s\S]*?"""|#.*', '', text)
        if path != 'validation.py':
            assert 'read_json(' not in code, path
        if path != 'request_body.py':
            for reader in ('bounded_stream', 'req.stream', 'req.media',
                           'get_media('):
                assert reader not in code, (path, reader)
        if 'request_body.' in code:
            assert path in raw_modules, path


def test_every_declared_schema_is_valid_at_every_version():
    checked = 0
    for route in ROUTES:
        for method in route.methods:
            spec = api_routes.declared(route, method)
            if spec is None or spec.kind != 'json':
                continue
            for version in VERSIONS:
                bodies = spec.bodies(version)
                assert bodies, (method, route.template, version)
                for params, schema in bodies:
                    jsonschema.Draft4Validator.check_schema(schema)
                    assert set(params) <= set(route.params)
                    checked += 1
    assert checked > 1000


def test_action_routes_declare_each_action():
    def actions(template, version=(2, 1)):
        [route] = [r for r in ROUTES if r.template == template]
        spec = api_routes.declared(route, 'PUT' if 'services' in template
                                   else 'POST')
        return {tuple(params.items()) or tuple(schema['required'])
                for params, schema in spec.bodies(version)}
    assert {('reboot',), ('rebuild',), ('os-stop',), ('lock',)} <= actions(
        '/v2.1/servers/{server_id}/action')
    assert actions('/v2.1/os-aggregates/{aggregate_id}/action') == {
        ('add_host',), ('remove_host',), ('set_metadata',)}
    assert actions('/v2.1/flavors/{flavor_id}/action') == {
        ('addTenantAccess',), ('removeTenantAccess',)}
    # Before 2.53 the action is the path's last segment; force-down came
    # in 2.11; from 2.53 a PUT to a service's uuid takes one body.
    assert (('service_id', 'force-down'),) not in actions(
        '/v2.1/os-services/{service_id}')
    assert (('service_id', 'force-down'),) in actions(
        '/v2.1/os-services/{service_id}', (2, 11))
    [(params, schema)] = api_routes.declared(
        [r for r in ROUTES if r.template == '/v2.1/os-services/{service_id}'
         ][0], 'PUT').bodies((2, 53))
    assert params == {} and 'status' in schema['properties']


@pytest.mark.parametrize('path, bad, good', [
    ('/v2.1/os-aggregates', {'aggregate': {}}, {'aggregate': {'name': 'a'}}),
    ('/v2.1/flavors', {'flavor': {'name': 'f'}},
     {'flavor': {'name': 'f', 'ram': 1, 'vcpus': 1, 'disk': 0}}),
    ('/v2.1/os-aggregates/1/action', {'add_host': {}},
     {'add_host': {'host': 'h'}}),
    ('/v2.1/flavors/1/os-extra_specs', {'extra_specs': []},
     {'extra_specs': {'a': 'b'}}),
])
def test_a_bad_body_is_400_before_the_policy_check(path, bad, good):
    """As in Nova: the schema first, then the rule (these are admin's)."""
    client = falcon.testing.TestClient(APP)
    resp = client.simulate_post(path, json=bad, headers=MEMBER)
    assert resp.status_code == 400, resp.text
    assert resp.json['badRequest']['message'].startswith(
        'Invalid input for field/attribute')
    resp = client.simulate_post(path, json=good, headers=MEMBER)
    assert resp.status_code == 403, resp.text


def test_a_quota_update_checks_its_body_before_the_rule():
    client = falcon.testing.TestClient(APP)
    resp = client.simulate_put('/v2.1/os-quota-sets/p', headers=MEMBER,
                               json={'quota_set': {'cores': 2 ** 31}})
    assert resp.status_code == 400
    resp = client.simulate_put('/v2.1/os-quota-sets/p', headers=MEMBER,
                               json={'quota_set': {'cores': 2}})
    assert resp.status_code == 403


# -- the decorator, on a resource of its own ------------------------------


class Resource:
    """Answers with what it was handed; its 'policy' refuses everyone."""

    @validation.schema(lambda version: dict({
        'type': 'object', 'properties': {'n': {'type': 'integer'}},
        'additionalProperties': False},
        **({'required': ['n']} if version >= (2, 10) else {})))
    def on_post(self, req, resp, body):
        resp.media = {'got': body}

    @validation.schema({'type': 'object'}, min_version=(2, 20))
    def on_put(self, req, resp, item_id, body):
        raise exception.Forbidden('never reached with a bad body')

    @validation.schema({'type': 'array'}, media_types=('application/x-p',),
                       describe=lambda error: 'not a list')
    def on_patch(self, req, resp, item_id, body):
        resp.media = {'got': body}


class ActionResource:

    @validation.schema(validation.Actions({
        'stop': validation.ANY,
        'go': {'type': 'object', 'properties': {'to': {'type': 'string'}},
               'required': ['to'], 'additionalProperties': False},
        'late': lambda version: {} if version >= (2, 5) else None}))
    def on_post(self, req, resp, item_id, body):
        resp.media = {'got': body, 'item': item_id}

    @validation.schema(validation.Actions(
        {'enable': {'type': 'object', 'required': ['host']}},
        in_path='item_id'))
    def on_put(self, req, resp, item_id, body):
        resp.media = {'got': body, 'item': item_id}


class RawResource:

    @validation.raw_body('application/octet-stream')
    def on_put(self, req, resp):
        resp.media = {'size': len(req.bounded_stream.read())}

    @validation.no_body
    def on_post(self, req, resp):
        resp.status = falcon.HTTP_204


@pytest.fixture(scope='module')
def client():
    app = falcon.App(middleware=[_Version()])
    errors.install(app)
    app.add_route('/things', Resource())
    app.add_route('/things/{item_id}', Resource())
    app.add_route('/things/{item_id}/action', ActionResource())
    app.add_route('/raw', RawResource())
    return falcon.testing.TestClient(app)


class _Version:
    def process_request(self, req, resp):
        req.context.api_version = microversion.parse(req)


def _v(version):
    return {'OpenStack-API-Version': 'compute %s' % version}


def _message(resp, code=400):
    assert resp.status_code == code, resp.text
    [(name, error)] = resp.json.items()
    assert error['code'] == code
    return error['message']


def test_the_checked_body_is_handed_to_the_responder(client):
    assert client.simulate_post('/things', json={'n': 1}).json == {
        'got': {'n': 1}}


def test_a_callable_schema_is_the_requests_microversions(client):
    assert client.simulate_post('/things', json={}).status_code == 200
    assert "'n' is a required property" in _message(
        client.simulate_post('/things', json={}, headers=_v('2.10')))


def test_schema_errors_and_bad_json_are_400_before_the_responder(client):
    _message(client.simulate_put('/things/1', body='[]',
                                 headers=_v('2.20')))
    assert _message(client.simulate_put('/things/1', body='{',
                                        headers=_v('2.20'))) == \
        'Malformed request body'
    assert _message(client.simulate_put('/things/1', body='',
                                        headers=_v('2.20'))) == \
        'The request body is missing.'


def test_before_its_first_version_a_route_is_404_whatever_the_body(client):
    _message(client.simulate_put('/things/1', body='{'), 404)


def test_declared_media_types_and_words(client):
    assert 'use application/x-p' in _message(client.simulate_patch(
        '/things/1', json=[]), 415)
    assert _message(client.simulate_patch(
        '/things/1', body='{}', headers={'Content-Type': 'application/x-p'}
    )) == 'not a list'
    assert client.simulate_patch(
        '/things/1', body='[1]', headers={'Content-Type': 'application/x-p'}
    ).json == {'got': [1]}


def test_a_body_action_is_checked_whole_and_null_means_no_parameters(
        client):
    post = client.simulate_post
    assert post('/things/1/action', json={'stop': None}).json == {
        'got': {'stop': {}}, 'item': '1'}
    assert 'field/attribute go' in _message(
        post('/things/1/action', json={'go': {}}))
    assert _message(post('/things/1/action', json={'fly': {}})) == \
        'There is no such action: fly'
    assert _message(post('/things/1/action', json={'stop': 1, 'go': 2})) \
        == 'The request body must name exactly one action.'
    assert _message(post('/things/1/action', json=[])) == \
        'The request body must name exactly one action.'
    # An action a version lacks is unknown to it.
    assert 'no such action' in _message(
        post('/things/1/action', json={'late': 1}))
    assert post('/things/1/action', json={'late': 1},
                headers=_v('2.5')).status_code == 200


def test_a_path_action_takes_its_schema_from_the_path(client):
    assert client.simulate_put('/things/enable/action',
                               json={'host': 'h'}).json == {
        'got': {'host': 'h'}, 'item': 'enable'}
    _message(client.simulate_put('/things/enable/action', json={}))
    assert _message(client.simulate_put('/things/fly/action',
                                        json={'host': 'h'}), 404) == \
        'Unknown action fly'


def test_a_raw_body_takes_its_type_or_none_and_is_read_by_the_responder(
        client):
    assert client.simulate_put('/raw', body=b'abc').json == {'size': 3}
    assert client.simulate_put('/raw', body=b'abc', headers={
        'Content-Type': 'application/octet-stream'}).json == {'size': 3}
    assert 'use application/octet-stream' in _message(client.simulate_put(
        '/raw', body=b'{}', headers={'Content-Type': 'application/json'}),
        415)


def test_declarations_are_readable_from_the_responders():
    assert validation.declared(RawResource(), 'POST').kind == 'none'
    assert validation.declared(RawResource(), 'PUT').kind == 'raw'
    assert validation.declared(RawResource(), 'GET') is None
    spec = validation.declared(ActionResource(), 'POST')
    assert [s['required'] for _, s in spec.bodies((2, 1))] == [
        ['stop'], ['go']]
    assert len(spec.bodies((2, 5))) == 3
