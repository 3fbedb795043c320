"""The one error mapper: every domain exception the API raises answers
with its status and Nova's body (Glance's under /image, Keystone's under
/identity), and the headers the exception carries; and no resource
builds a status-coded error by hand any more."""

import pathlib
import re

import falcon
import falcon.testing
import pytest

from common import exception
from nova_api import errors

# (exception, status, Nova's body name): each class nova_api raises.
RAISED = [
    (exception.Invalid('a bad value'), 400, 'badRequest'),
    (exception.ValidationError('a bad field'), 400, 'badRequest'),
    (exception.MarkerNotFound(marker='m1'), 400, 'badRequest'),
    (exception.InvalidImageRef(image_href='x'), 400, 'badRequest'),
    (exception.ImageNotActive(image_id='i1'), 400, 'badRequest'),
    (exception.InvalidAPIVersionString(version='2.x'), 400, 'badRequest'),
    (exception.Unauthenticated(), 401, 'unauthorized'),
    (exception.Forbidden('not you'), 403, 'forbidden'),
    (exception.PolicyNotAuthorized(action='rule'), 403, 'forbidden'),
    (exception.ImageChangeForbidden(image_id='i1'), 403, 'forbidden'),
    (exception.NotFound('no such thing'), 404, 'itemNotFound'),
    (exception.ResourceNotFound(), 404, 'itemNotFound'),
    (exception.InstanceNotFound(instance_id='s1'), 404, 'itemNotFound'),
    (exception.ImageNotFound('Image not found.'), 404, 'itemNotFound'),
    (exception.MetadataKeyNotFound(), 404, 'itemNotFound'),
    (exception.APIVersionNotSupported(version='3.0', minimum='2.1',
                                      maximum='2.100'), 406, 'notAcceptable'),
    (exception.Conflict('in the way'), 409, 'conflictingRequest'),
    (exception.InstanceIsLocked(instance_uuid='s1'), 409,
     'conflictingRequest'),
    (exception.NovaNetworkRemoved(), 410, 'computeFault'),
    (exception.RequestTooLarge(limit=10), 413, 'overLimit'),
    (exception.ImageSizeCapExceeded(size_cap=10), 413, 'overLimit'),
    (exception.UnsupportedMediaType(content_type='text/plain',
                                    expected='application/json'), 415,
     'badMediaType'),
    (exception.ActionNotImplemented(action='shelve'), 501, 'notImplemented'),
]


class Raiser:
    error = None

    def on_get(self, req, resp):
        raise self.error


def _client():
    app = falcon.App()
    errors.install(app)
    raiser = Raiser()
    for path in ('/v2.1/thing', '/image/v2/thing', '/identity/thing'):
        app.add_route(path, raiser)
    client = falcon.testing.TestClient(app)
    client.raiser = raiser
    return client


@pytest.mark.parametrize('error, code, name', RAISED,
                         ids=[type(e).__name__ for e, _, _ in RAISED])
def test_each_domain_exception_answers_novas_body(error, code, name):
    client = _client()
    client.raiser.error = error
    resp = client.simulate_get('/v2.1/thing')
    assert resp.status_code == code
    assert resp.json == {name: {'code': code, 'message': error.message}}


def test_the_image_and_identity_apis_keep_their_own_shapes():
    client = _client()
    client.raiser.error = exception.ResourceNotFound()
    message = 'The resource could not be found.'
    assert client.simulate_get('/image/v2/thing').json == {
        'code': '404 Not Found', 'title': 'Not Found', 'message': message}
    assert client.simulate_get('/identity/thing').json == {'error': {
        'code': 404, 'title': 'Not Found', 'message': message}}


def test_headers_an_exception_carries_are_sent():
    client = _client()
    client.raiser.error = exception.RequestTooLarge(
        limit=10, headers={'Connection': 'close'})
    resp = client.simulate_get('/v2.1/thing')
    assert resp.status_code == 413
    assert resp.headers['Connection'] == 'close'
    client.raiser.error = exception.InstanceNotFound(instance_id='s1')
    assert 'Retry-After' not in client.simulate_get('/v2.1/thing').headers


def test_headers_stay_out_of_the_kwargs_that_cross_rpc():
    error = exception.RequestTooLarge(limit=10, headers={'A': 'b'})
    assert error.kwargs == {'limit': 10}
    assert exception.RequestTooLarge(limit=10).headers == {}


ROOT = pathlib.Path(__file__).resolve().parents[3]
# Hand-built status-coded errors: the old helpers, and falcon's HTTP
# error classes (falcon.HTTP_204 and the like are statuses, not errors).
HAND_BUILT = re.compile(r'errors\.(HTTPError|bad_request|not_found)\b|'
                        r'falcon\.HTTP[A-Z][A-Za-z]*\(')


@pytest.mark.parametrize('folder', ['nova_api/resources', 'nova_api/glance',
                                    'nova_api'])
def test_no_resource_builds_a_status_coded_error_by_hand(folder):
    found = [
        '%s:%d' % (path.relative_to(ROOT), number)
        for path in sorted((ROOT / folder).glob('*.py'))
        if path.name != 'errors.py'
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if HAND_BUILT.search(line)]
    assert found == []
