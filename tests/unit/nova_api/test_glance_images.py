"""The Glance v2 endpoint over the conductor's real image queries (SQLite).

Only RPC is missing: a stand-in passes each call to ConductorManager.
"""

import hashlib
import json
import os
import subprocess
import sys

import falcon.testing
import pytest
from oslo_messaging._drivers import common as rpc_common

from common import exception
from common import rpc
from common.conf import CONF
from nova_api import app as api_app
from nova_conductor import manager as conductor_manager
from nova_conductor.db import migration
from nova_conductor.db import session

PATCH = 'application/openstack-images-v2.1-json-patch'
ADMIN = {'X-Auth-Token': 'admin:admin'}
ALICE = {'X-Auth-Token': 'alice:proj-a'}
BOB = {'X-Auth-Token': 'bob:proj-b'}


class ManagerConductor:
    """The RPC client's shape, calling the manager in-process."""

    def __init__(self):
        self.manager = conductor_manager.ConductorManager(
            scheduler_api=object(), compute_api=object())

    def __getattr__(self, name):
        method = getattr(self.manager, name)
        return lambda ctxt, *args, **kwargs: method(ctxt, *args, **kwargs)


class RemoteConductor(ManagerConductor):
    """Errors come back as over RPC: str() of one ends with the
    conductor's traceback."""

    def __getattr__(self, name):
        local = super().__getattr__(name)

        def call(*args, **kwargs):
            try:
                return local(*args, **kwargs)
            except exception.NovaException:
                raise rpc_common.deserialize_remote_exception(
                    rpc_common.serialize_remote_exception(sys.exc_info()),
                    rpc.ALLOWED_EXMODS)
        return call


@pytest.fixture
def store(tmp_path):
    CONF.set_override('image_store_path', str(tmp_path / 'store'))
    yield tmp_path / 'store'
    CONF.clear_override('image_store_path')


@pytest.fixture
def client(tmp_path, store):
    session.configure('sqlite:///%s' % (tmp_path / 'nova.sqlite'))
    migration.db_sync()
    conductor = RemoteConductor()
    yield falcon.testing.TestClient(api_app.create_app(conductor))
    conductor.manager.cleanup_host()
    session.dispose()


@pytest.fixture(scope='module')
def qcow2(tmp_path_factory):
    path = tmp_path_factory.mktemp('data') / 'disk.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(path),
                    '64M'], check=True)
    return path.read_bytes()


def create(client, headers=ADMIN, **body):
    body.setdefault('name', 'img')
    resp = client.simulate_post('/image/v2/images', json=body,
                                headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json


def upload(client, image_id, data, headers=ADMIN):
    return client.simulate_put(
        '/image/v2/images/%s/file' % image_id, body=data,
        headers=dict(headers, **{'Content-Type': 'application/octet-stream'}))


def patch(client, image_id, ops, headers=ADMIN, content_type=PATCH):
    return client.simulate_patch(
        '/image/v2/images/%s' % image_id, body=json.dumps(ops),
        headers=dict(headers, **{'Content-Type': content_type}))


def test_versions_document_points_at_v2(client):
    resp = client.simulate_get('/image')
    assert resp.status_code == 300
    current = [v for v in resp.json['versions'] if v['status'] == 'CURRENT']
    assert [v['id'] for v in current] == ['v2.9']
    assert current[0]['links'][0]['href'] == 'http://falconframework.org' \
        '/image/v2/'
    assert client.simulate_get('/image/versions').status_code == 200


def test_create_is_queued_with_properties_on_top(client):
    image = create(client, ALICE, disk_format='qcow2',
                   container_format='bare', os_distro='cirros', min_ram=64)
    assert image['status'] == 'queued'
    assert image['owner'] == 'proj-a'
    assert image['visibility'] == 'shared'
    assert image['os_distro'] == 'cirros'
    assert image['min_ram'] == 64
    assert image['file'] == '/v2/images/%s/file' % image['id']
    assert image['size'] is None and image['checksum'] is None


@pytest.mark.parametrize('body, status, words', [
    ({'status': 'active'}, 403, "Attribute 'status' is read-only."),
    ({'locations': []}, 403, "Attribute 'locations' is reserved."),
    ({'disk_format': 'floppy'}, 400, 'Invalid value "floppy"'),
    ({'min_disk': -1}, 400, 'min_disk'),
    ({'os_distro': 5}, 400, 'os_distro'),
    ({'id': 'not-a-uuid'}, 400, 'id'),
    ({'visibility': 'public'}, 403, 'Only an admin can publicize'),
])
def test_create_refusals_use_glance_error_bodies(client, body, status,
                                                 words):
    resp = client.simulate_post('/image/v2/images', json=body, headers=ALICE)
    assert resp.status_code == status
    assert resp.json['code'].startswith(str(status))
    assert resp.json['title']
    assert words in resp.json['message']


def test_upload_records_hashes_and_download_returns_the_bytes(client, store,
                                                              qcow2):
    image = create(client, disk_format='qcow2', container_format='bare')
    assert upload(client, image['id'], qcow2).status_code == 204
    shown = client.simulate_get('/image/v2/images/%s' % image['id']).json
    assert shown['status'] == 'active'
    assert shown['size'] == len(qcow2)
    assert shown['checksum'] == hashlib.md5(qcow2).hexdigest()
    assert shown['os_hash_algo'] == 'sha512'
    assert shown['os_hash_value'] == hashlib.sha512(qcow2).hexdigest()
    assert shown['virtual_size'] == 64 * 1024 * 1024
    assert os.listdir(store) == [image['id']]

    resp = client.simulate_get('/image/v2/images/%s/file' % image['id'])
    assert resp.status_code == 200
    assert resp.content == qcow2
    assert resp.headers['content-md5'] == shown['checksum']

    again = upload(client, image['id'], qcow2)
    assert again.status_code == 409
    assert 'active' in again.json['message']
    # Found by the API fuzzer: the conductor's traceback was in it.
    assert 'Traceback' not in again.text and 'File "' not in again.text


def test_mismatched_data_is_refused_and_leaves_nothing(client, store):
    image = create(client, disk_format='qcow2', container_format='bare')
    resp = upload(client, image['id'], b'\0' * 4096)
    assert resp.status_code == 400
    assert 'does not match disk_format qcow2' in resp.json['message']
    assert 'declared qcow2 but the data is raw' in resp.json['message']
    shown = client.simulate_get('/image/v2/images/%s' % image['id']).json
    assert shown['status'] == 'queued'
    assert os.listdir(store) == []


def test_raw_claim_on_qcow2_data_is_refused(client, qcow2):
    image = create(client, disk_format='raw', container_format='bare')
    resp = upload(client, image['id'], qcow2)
    assert resp.status_code == 400
    assert 'declared raw but the data is qcow2' in resp.json['message']


def test_upload_needs_formats_and_octet_stream(client, qcow2):
    image = create(client)
    resp = upload(client, image['id'], qcow2)
    assert resp.status_code == 400
    assert 'disk_format, container_format must be set' in \
        resp.json['message']
    resp = client.simulate_put(
        '/image/v2/images/%s/file' % image['id'], body=qcow2,
        headers={'Content-Type': 'application/json'})
    assert resp.status_code == 415


def test_download_without_data_is_no_content(client):
    image = create(client)
    resp = client.simulate_get('/image/v2/images/%s/file' % image['id'])
    assert resp.status_code == 204 and resp.content == b''


def test_list_filters_sorts_and_pages_with_next(client):
    for name in ('b', 'a', 'c'):
        create(client, name=name, os_distro='debian' if name != 'c'
               else 'ubuntu', tags=['x'] if name == 'a' else [])
    page = client.simulate_get('/image/v2/images',
                               params={'limit': 2, 'sort_key': 'name',
                                       'sort_dir': 'asc'}).json
    assert [i['name'] for i in page['images']] == ['a', 'b']
    assert page['next'].startswith('/v2/images?')
    nxt = client.simulate_get('/image' + page['next'].split('?')[0],
                              query_string=page['next'].split('?')[1]).json
    assert [i['name'] for i in nxt['images']] == ['c']
    assert 'next' not in nxt

    def names(**params):
        return sorted(i['name'] for i in client.simulate_get(
            '/image/v2/images', params=params).json['images'])
    assert names(name='b') == ['b']
    assert names(os_distro='debian') == ['a', 'b']
    assert names(tag='x') == ['a']
    assert names(status='active') == []
    assert names(sort='name:desc') == ['a', 'b', 'c']


@pytest.mark.parametrize('params, words', [
    ({'limit': 'x'}, 'limit param must be an integer'),
    ({'limit': -1}, 'limit param must be positive'),
    ({'sort_dir': 'up'}, 'Invalid sort direction'),
    ({'sort_key': 'checksum'}, 'Unsupported sort_key'),
    ({'marker': 'nope'}, 'Invalid marker'),
    ({'visibility': 'secret'}, 'Invalid visibility'),
])
def test_list_refuses_bad_parameters(client, params, words):
    resp = client.simulate_get('/image/v2/images', params=params)
    assert resp.status_code == 400
    assert words in resp.json['message']


def test_projects_see_own_public_and_asked_for_community(client):
    mine = create(client, ALICE, name='mine')
    community = create(client, ALICE, name='comm', visibility='community')
    public = create(client, ADMIN, name='pub', visibility='public')

    def listed(headers, **params):
        return sorted(i['name'] for i in client.simulate_get(
            '/image/v2/images', headers=headers, params=params
        ).json['images'])
    assert listed(ALICE) == ['comm', 'mine', 'pub']
    assert listed(BOB) == ['pub']
    assert listed(BOB, visibility='community') == ['comm']
    assert listed(ADMIN) == ['comm', 'mine', 'pub']
    resp = client.simulate_get('/image/v2/images/%s' % mine['id'],
                               headers=BOB)
    assert resp.status_code == 404
    assert client.simulate_get('/image/v2/images/%s' % community['id'],
                               headers=BOB).status_code == 200
    # Seen is not owned: no changes, no upload, no delete.
    assert patch(client, public['id'], [
        {'op': 'replace', 'path': '/name', 'value': 'x'}], BOB
    ).status_code == 403
    assert client.simulate_delete('/image/v2/images/%s' % public['id'],
                                  headers=BOB).status_code == 403


def test_patch_changes_attributes_and_properties(client):
    image = create(client, disk_format='qcow2', container_format='bare',
                   os_distro='cirros', hw_disk_bus='virtio')
    resp = patch(client, image['id'], [
        {'op': 'replace', 'path': '/name', 'value': 'renamed'},
        {'op': 'replace', 'path': '/min_disk', 'value': 2},
        {'op': 'add', 'path': '/os_version', 'value': '0.6'},
        {'op': 'replace', 'path': '/os_distro', 'value': 'debian'},
        {'op': 'remove', 'path': '/hw_disk_bus'},
        {'op': 'replace', 'path': '/tags', 'value': ['t1', 't2']},
    ])
    assert resp.status_code == 200, resp.text
    image = resp.json
    assert (image['name'], image['min_disk']) == ('renamed', 2)
    assert (image['os_version'], image['os_distro']) == ('0.6', 'debian')
    assert 'hw_disk_bus' not in image
    assert image['tags'] == ['t1', 't2']
    assert client.simulate_get('/image/v2/images/%s' % image['id']
                               ).json['os_version'] == '0.6'


@pytest.mark.parametrize('ops, status, words', [
    ([{'op': 'replace', 'path': '/nope', 'value': 'x'}], 409,
     'Property nope does not exist.'),
    ([{'op': 'remove', 'path': '/nope'}], 409, 'does not exist'),
    ([{'op': 'replace', 'path': '/status', 'value': 'active'}], 403,
     "Attribute 'status' is read-only."),
    ([{'op': 'remove', 'path': '/name'}], 403, 'cannot be removed'),
    ([{'op': 'move', 'path': '/name', 'from': '/x'}], 400, 'operations'),
    ([{'op': 'replace', 'path': '/a/b', 'value': 'x'}], 400, 'pointer'),
    ([{'op': 'replace', 'path': '/name'}], 400, 'needs a value'),
    ({'op': 'replace'}, 400, 'must be a list'),
])
def test_patch_refusals(client, ops, status, words):
    image = create(client)
    resp = patch(client, image['id'], ops)
    assert resp.status_code == status
    assert words in resp.json['message']


def test_patch_needs_glance_media_type_and_queued_for_formats(client, qcow2):
    image = create(client, disk_format='qcow2', container_format='bare')
    resp = patch(client, image['id'], [], content_type='application/json')
    assert resp.status_code == 415
    upload(client, image['id'], qcow2)
    resp = patch(client, image['id'], [
        {'op': 'replace', 'path': '/disk_format', 'value': 'raw'}])
    assert resp.status_code == 403
    assert 'queued' in resp.json['message']


def test_delete_removes_record_and_data(client, store, qcow2):
    image = create(client, disk_format='qcow2', container_format='bare')
    upload(client, image['id'], qcow2)
    resp = client.simulate_delete('/image/v2/images/%s' % image['id'])
    assert resp.status_code == 204
    assert os.listdir(store) == []
    resp = client.simulate_get('/image/v2/images/%s' % image['id'])
    assert resp.status_code == 404
    assert resp.json == {'code': '404 Not Found', 'title': 'Not Found',
                         'message': 'Image %s could not be found.'
                         % image['id']}


def test_protected_image_cannot_be_deleted(client):
    image = create(client, protected=True)
    resp = client.simulate_delete('/image/v2/images/%s' % image['id'])
    assert resp.status_code == 403
    assert 'protected' in resp.json['message']
    patch(client, image['id'], [
        {'op': 'replace', 'path': '/protected', 'value': False}])
    assert client.simulate_delete('/image/v2/images/%s' % image['id']
                                  ).status_code == 204


def test_compute_api_lists_images_made_through_glance(client, qcow2):
    image = create(client, name='via-glance', disk_format='qcow2',
                   container_format='bare', os_distro='cirros')
    upload(client, image['id'], qcow2)
    shown = client.simulate_get('/v2.1/images/%s' % image['id']).json
    assert shown['image']['status'] == 'ACTIVE'
    assert shown['image']['metadata'] == {'os_distro': 'cirros'}
    assert shown['image']['OS-EXT-IMG-SIZE:size'] == len(qcow2)


def test_non_json_body_is_a_glance_shaped_400(client):
    resp = client.simulate_post('/image/v2/images', body=b'{nope',
                                headers={'Content-Type': 'application/json'})
    assert resp.status_code == 400
    assert resp.json['code'] == '400 Bad Request'


def test_list_takes_the_in_operator(client):
    ids = {name: create(client, name=name)['id'] for name in 'xyz'}
    found = client.simulate_get('/image/v2/images', params={
        'id': 'in:%s,%s' % (ids['x'], ids['z'])}).json['images']
    assert sorted(i['name'] for i in found) == ['x', 'z']
    found = client.simulate_get('/image/v2/images', params={
        'name': 'in:y,nothing'}).json['images']
    assert [i['name'] for i in found] == ['y']


def test_compute_images_api_shows_only_what_the_caller_may_see(client):
    private = create(client, headers=ALICE, name='alice-private',
                     visibility='private')
    public = create(client, name='everyone', visibility='public')

    def listed(path, headers):
        resp = client.simulate_get(path, headers=headers)
        assert resp.status_code == 200, resp.text
        return {i['id'] for i in resp.json['images']}

    for path in ('/v2.1/images', '/v2.1/images/detail'):
        assert listed(path, BOB) == {public['id']}
        assert listed(path, ALICE) == {public['id'], private['id']}
        assert listed(path, ADMIN) == {public['id'], private['id']}
    resp = client.simulate_get('/v2.1/images/%s' % private['id'],
                               headers=BOB)
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['code'] == 404
    resp = client.simulate_get('/v2.1/images/%s' % private['id'],
                               headers=ALICE)
    assert resp.json['image']['name'] == 'alice-private'
