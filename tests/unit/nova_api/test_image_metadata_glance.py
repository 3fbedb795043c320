"""Image metadata and image delete through the Compute API with an
external Glance: changes go to Glance as one JSON patch, with the caller's
token; Glance's answers become Nova's."""

import falcon.testing
import pytest

from common import exception
from nova_api import app as api_app
from nova_api import policy
from tests.unit.common import fake_glance
from tests.unit.common.fake_glance import IMAGE_ID

ALICE = {'X-Auth-Token': 'alice:p1'}
PATH = '/v2/images/%s' % IMAGE_ID
PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'


class FakeConductor:
    """No local registry; a metadata_items quota of `limit`."""

    limit = 128

    def image_get(self, ctxt, image_id):
        raise exception.ImageNotFound(image_id=image_id)

    def quota_get(self, ctxt, project_id):
        return {'limits': {'metadata_items': self.limit}, 'usage': {}}


@pytest.fixture
def glance():
    with fake_glance.configured() as fake:
        fake.images = [fake_glance.glance_image(visibility='private',
                                                owner='p1')]
        yield fake


@pytest.fixture
def client(glance):
    policy.reset()
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    yield test_client
    policy.reset()


def _call(client, method, path, **kwargs):
    return client.simulate_request(method, '/v2.1/images/%s%s' % (
        IMAGE_ID, path), headers=ALICE, **kwargs)


def test_metadata_is_glances_custom_properties(client, glance):
    resp = _call(client, 'GET', '/metadata')
    assert resp.json == {'metadata': {'os_distro': 'cirros',
                                      'hw_architecture': 'x86_64'}}
    assert _call(client, 'GET', '/metadata/os_distro').json == {
        'meta': {'os_distro': 'cirros'}}
    assert glance.seen[-1] == (PATH, 'alice:p1')


def test_merge_sends_only_what_changes_as_the_caller(client, glance):
    resp = _call(client, 'POST', '/metadata', json={'metadata': {
        'os_distro': 'cirros', 'os_version': '0.6'}})
    assert resp.status_code == 200, resp.text
    assert resp.json == {'metadata': {'os_distro': 'cirros',
                                      'hw_architecture': 'x86_64',
                                      'os_version': '0.6'}}
    assert glance.changes == [('PATCH', PATH, 'alice:p1', PATCH_TYPE, [
        {'op': 'add', 'path': '/os_version', 'value': '0.6'}])]


def test_replace_removes_the_properties_it_does_not_name(client, glance):
    resp = _call(client, 'PUT', '/metadata', json={'metadata': {
        'os_distro': 'fedora'}})
    assert resp.json == {'metadata': {'os_distro': 'fedora'}}
    [(_m, _p, _t, _c, ops)] = glance.changes
    assert ops == [{'op': 'remove', 'path': '/hw_architecture'},
                   {'op': 'add', 'path': '/os_distro', 'value': 'fedora'}]
    assert glance.images[0]['os_distro'] == 'fedora'
    assert 'hw_architecture' not in glance.images[0]


def test_item_set_and_delete(client, glance):
    resp = _call(client, 'PUT', '/metadata/os_distro',
                 json={'meta': {'os_distro': 'alt'}})
    assert resp.json == {'meta': {'os_distro': 'alt'}}
    assert _call(client, 'DELETE', '/metadata/os_distro').status_code == 204
    assert [ops for *_, ops in glance.changes] == [
        [{'op': 'add', 'path': '/os_distro', 'value': 'alt'}],
        [{'op': 'remove', 'path': '/os_distro'}]]
    resp = _call(client, 'DELETE', '/metadata/os_distro')
    assert resp.json == {'itemNotFound': {'code': 404,
                                          'message': 'Invalid metadata key'}}
    assert len(glance.changes) == 2


def test_over_the_quota_sends_nothing(client, glance):
    client.conductor.limit = 2
    resp = _call(client, 'POST', '/metadata', json={'metadata': {'a': 'b'}})
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'] == \
        'Image metadata limit exceeded'
    assert glance.changes == []


def test_glance_refusing_the_change_is_403(client, glance):
    glance.fail[PATH] = 403
    resp = _call(client, 'POST', '/metadata', json={'metadata': {'a': 'b'}})
    assert resp.status_code == 403
    assert resp.json['forbidden']['code'] == 403


def test_an_image_glance_lacks_is_404(client, glance):
    resp = client.simulate_post('/v2.1/images/nope/metadata', headers=ALICE,
                                json={'metadata': {'a': 'b'}})
    assert resp.json == {'itemNotFound': {'code': 404,
                                          'message': 'Image not found.'}}
    assert glance.changes == []


def test_delete_image_goes_to_glance_as_the_caller(client, glance):
    resp = _call(client, 'DELETE', '')
    assert (resp.status_code, resp.text) == (204, '')
    assert glance.changes == [('DELETE', PATH, 'alice:p1', None, None)]
    assert glance.images == []
    assert _call(client, 'DELETE', '').json == {
        'itemNotFound': {'code': 404, 'message': 'Image not found.'}}


def test_delete_glance_refuses_is_nova_403(client, glance):
    glance.fail[PATH] = 403
    resp = _call(client, 'DELETE', '')
    assert resp.json == {'forbidden': {
        'code': 403, 'message': 'You are not allowed to delete the image.'}}


def test_glance_pages_are_paged_again_by_limit_and_marker(client, glance):
    glance.page_size = 2
    glance.images = [fake_glance.glance_image('img-%d' % n)
                     for n in range(5)]
    first = client.simulate_get('/v2.1/images', params={'limit': '3'},
                                headers=ALICE).json
    assert [i['id'] for i in first['images']] == ['img-0', 'img-1', 'img-2']
    assert 'marker=img-2' in first['images_links'][0]['href']
    rest = client.simulate_get('/v2.1/images', params={
        'limit': '3', 'marker': 'img-2'}, headers=ALICE).json
    assert [i['id'] for i in rest['images']] == ['img-3', 'img-4']
    assert 'images_links' not in rest
    link = first['images'][0]['links'][2]
    assert link == {'rel': 'alternate',
                    'type': 'application/vnd.openstack.image',
                    'href': glance.endpoint + '/images/img-0'}
