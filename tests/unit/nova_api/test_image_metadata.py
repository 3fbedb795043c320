"""/v2.1/images/{id}/metadata and DELETE /v2.1/images/{id} over the local
registry (a real conductor and SQLite): Tempest's image metadata calls,
Nova's errors, the metadata_items quota, who may change what."""

import pytest

from nova_conductor.db import catalog
from tests.unit.nova_api import shape_fixture

ALICE = {'X-Auth-Token': 'alice:proj-a:member,reader'}
RITA = {'X-Auth-Token': 'rita:proj-a:reader'}
BOB = {'X-Auth-Token': 'bob:proj-b:member,reader'}
MISSING = '3f6a7c51-94a2-4f0e-8d1b-5b0d6a2c9e10'
NOT_FOUND = {'itemNotFound': {'code': 404, 'message': 'Image not found.'}}


@pytest.fixture(scope='module')
def client(tmp_path_factory):
    from nova_conductor.db import session
    client = shape_fixture.make_client(tmp_path_factory.mktemp('imgmeta'))
    yield client
    client.manager.cleanup_host()
    session.dispose()


@pytest.fixture
def image():
    """A private active image of proj-a, with Tempest's two keys."""
    return catalog.image_create({
        'name': 'img', 'status': 'active', 'owner': 'proj-a',
        'visibility': 'private',
        'properties': {'os_version': 'value1', 'os_distro': 'value2'}})['id']


def _call(client, method, path, headers=ALICE, version=None, **kwargs):
    headers = dict(headers)
    if version:
        headers['OpenStack-API-Version'] = 'compute %s' % version
    return client.simulate_request(method, '/v2.1/images/' + path,
                                   headers=headers, **kwargs)


def _metadata(client, image):
    resp = _call(client, 'GET', '%s/metadata' % image)
    assert resp.status_code == 200
    return resp.json


def test_tempest_flow_list_set_update_show_set_item_delete_item(client,
                                                                 image):
    assert _metadata(client, image) == {'metadata': {
        'os_version': 'value1', 'os_distro': 'value2'}}
    # PUT replaces the whole set, and answers it.
    new = {'os_version': 'value2', 'architecture': 'value3'}
    resp = _call(client, 'PUT', '%s/metadata' % image,
                 json={'metadata': new})
    assert (resp.status_code, resp.json) == (200, {'metadata': new})
    assert _metadata(client, image) == {'metadata': new}
    # POST merges, and answers the merged set.
    resp = _call(client, 'POST', '%s/metadata' % image,
                 json={'metadata': {'os_version': 'alt1', 'k': 'v'}})
    merged = {'os_version': 'alt1', 'architecture': 'value3', 'k': 'v'}
    assert (resp.status_code, resp.json) == (200, {'metadata': merged})
    assert _metadata(client, image) == {'metadata': merged}
    resp = _call(client, 'GET', '%s/metadata/architecture' % image)
    assert resp.json == {'meta': {'architecture': 'value3'}}
    resp = _call(client, 'PUT', '%s/metadata/os_version' % image,
                 json={'meta': {'os_version': 'alt'}})
    assert (resp.status_code, resp.json) == (200,
                                             {'meta': {'os_version': 'alt'}})
    resp = _call(client, 'DELETE', '%s/metadata/os_version' % image)
    assert (resp.status_code, resp.text) == (204, '')
    assert _metadata(client, image) == {'metadata': {
        'architecture': 'value3', 'k': 'v'}}
    # The image's own view shows the same, as its metadata.
    shown = _call(client, 'GET', image).json['image']
    assert shown['metadata'] == {'architecture': 'value3', 'k': 'v'}


@pytest.mark.parametrize('method,path,body', [
    ('GET', '%s/metadata', None),
    ('POST', '%s/metadata', {'metadata': {'os_distro': 'alt1'}}),
    ('PUT', '%s/metadata', {'metadata': {'os_distro': 'alt1'}}),
    ('GET', '%s/metadata/os_version', None),
    ('PUT', '%s/metadata/os_distro', {'meta': {'os_distro': 'alt'}}),
    ('DELETE', '%s/metadata/os_distro', None),
    ('DELETE', '%s', None),
])
def test_a_missing_image_is_404(client, method, path, body):
    resp = _call(client, method, path % MISSING, json=body)
    assert (resp.status_code, resp.json) == (404, NOT_FOUND)


def test_another_projects_private_image_is_404_for_every_call(client,
                                                               image):
    for method, path, body in (
            ('GET', '%s/metadata', None),
            ('POST', '%s/metadata', {'metadata': {'a': 'b'}}),
            ('DELETE', '%s/metadata/os_distro', None), ('DELETE', '%s', None)):
        resp = _call(client, method, path % image, headers=BOB, json=body)
        assert resp.status_code == 404, (method, path)
    assert _metadata(client, image)['metadata']['os_distro'] == 'value2'


def test_a_missing_key_is_404(client, image):
    resp = _call(client, 'GET', '%s/metadata/nope' % image)
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['code'] == 404
    resp = _call(client, 'DELETE', '%s/metadata/nope' % image)
    assert resp.json == {'itemNotFound': {'code': 404,
                                          'message': 'Invalid metadata key'}}


@pytest.mark.parametrize('body', [
    {'meta': {'other': 'x'}},
    {'meta': {'os_distro': 'x', 'other': 'y'}},
    {'meta': {}}, {'metadata': {'os_distro': 'x'}},
    {'meta': {'os_distro': 1}}, {'meta': {'os_distro': 'x' * 256}}])
def test_item_put_needs_exactly_the_key_of_the_url(client, image, body):
    resp = _call(client, 'PUT', '%s/metadata/os_distro' % image, json=body)
    assert resp.status_code == 400, resp.text
    assert _metadata(client, image)['metadata']['os_distro'] == 'value2'


def test_mismatch_says_so(client, image):
    resp = _call(client, 'PUT', '%s/metadata/os_distro' % image,
                 json={'meta': {'other': 'x'}})
    assert resp.json == {'badRequest': {
        'code': 400, 'message': 'Request body and URI mismatch'}}


@pytest.mark.parametrize('metadata', [
    {'': 'x'}, {'a/b': 'x'}, {'k' * 256: 'x'}, {'k': None}, []])
def test_bad_metadata_is_400(client, image, metadata):
    for method in ('POST', 'PUT'):
        resp = _call(client, method, '%s/metadata' % image,
                     json={'metadata': metadata})
        assert resp.status_code == 400, (method, resp.text)


def test_metadata_items_quota_bounds_the_result(client, image):
    quota = client.simulate_put('/v2.1/os-quota-sets/proj-a', json={
        'quota_set': {'metadata_items': 3}})
    assert quota.status_code == 200, quota.text
    try:
        over = _call(client, 'POST', '%s/metadata' % image,
                     json={'metadata': {'a': '1', 'b': '2'}})
        assert over.status_code == 403
        assert over.json == {'forbidden': {
            'code': 403, 'message': 'Image metadata limit exceeded'}}
        assert len(_metadata(client, image)['metadata']) == 2
        # Within it: a merge to 3, a replace by 3.
        assert _call(client, 'POST', '%s/metadata' % image, json={
            'metadata': {'a': '1'}}).status_code == 200
        assert _call(client, 'PUT', '%s/metadata' % image, json={
            'metadata': {'x': '1', 'y': '2', 'z': '3'}}).status_code == 200
        assert _call(client, 'PUT', '%s/metadata' % image, json={
            'metadata': dict.fromkeys('wxyz', 'v')}).status_code == 403
        assert _call(client, 'PUT', '%s/metadata/w' % image, json={
            'meta': {'w': 'v'}}).status_code == 403
    finally:
        client.simulate_delete('/v2.1/os-quota-sets/proj-a')


def test_only_members_of_the_owner_or_admins_change_an_image(client, image):
    public = catalog.image_create({
        'name': 'pub', 'status': 'active', 'owner': 'proj-a',
        'visibility': 'public', 'properties': {'a': '1'}})['id']
    # Readers may look, not change (policy).
    assert _call(client, 'GET', '%s/metadata' % image,
                 headers=RITA).status_code == 200
    resp = _call(client, 'POST', '%s/metadata' % image, headers=RITA,
                 json={'metadata': {'a': 'b'}})
    assert resp.status_code == 403
    assert 'os_compute_api:image-metadata' in resp.json['forbidden'][
        'message']
    # Another project sees a public image, and may not change it.
    assert _call(client, 'GET', '%s/metadata/a' % public,
                 headers=BOB).status_code == 200
    resp = _call(client, 'POST', '%s/metadata' % public, headers=BOB,
                 json={'metadata': {'a': 'b'}})
    assert resp.status_code == 403
    assert _call(client, 'DELETE', public, headers=BOB).json == {
        'forbidden': {'code': 403,
                      'message': 'You are not allowed to delete the '
                                 'image.'}}
    # An admin may.
    assert client.simulate_post('/v2.1/images/%s/metadata' % public, json={
        'metadata': {'a': 'c'}}).json == {'metadata': {'a': 'c'}}


@pytest.mark.parametrize('version,served', [
    ('2.1', True), ('2.38', True), ('2.39', False), ('2.100', False)])
def test_served_up_to_2_38(client, image, version, served):
    for method, path, body in (
            ('GET', '%s/metadata', None),
            ('POST', '%s/metadata', {'metadata': {'a': 'b'}}),
            ('PUT', '%s/metadata', {'metadata': {'os_distro': 'b'}}),
            ('GET', '%s/metadata/os_distro', None),
            ('PUT', '%s/metadata/os_distro', {'meta': {'os_distro': 'x'}}),
            ('DELETE', '%s/metadata/os_distro', None)):
        resp = _call(client, method, path % image, version=version,
                     json=body)
        if served:
            assert resp.status_code < 300, (method, path, resp.text)
        else:
            assert resp.status_code == 404, (method, path)
            assert resp.json == {'itemNotFound': {
                'code': 404,
                'message': 'The resource could not be found.'}}


def test_delete_image_is_204_then_404(client, image):
    assert _call(client, 'DELETE', image, headers=RITA).status_code == 403
    resp = _call(client, 'DELETE', image)
    assert (resp.status_code, resp.text) == (204, '')
    assert _call(client, 'GET', image).status_code == 404
    assert _call(client, 'DELETE', image).json == NOT_FOUND
    protected = catalog.image_create({'name': 'p', 'status': 'active',
                                      'owner': 'proj-a', 'protected': True})
    resp = _call(client, 'DELETE', protected['id'])
    assert resp.status_code == 403
    assert 'protected' in resp.json['forbidden']['message']
