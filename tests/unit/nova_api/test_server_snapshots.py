"""createImage, createBackup, shelve, shelveOffload and unshelve at the
API: answers by microversion, schemas, policies, what the conductor is
asked."""

import falcon.testing
import pytest

from common import exception
from nova_api import app as api_app

UUID = '6f4c3c2a-1b7e-4a8e-9a52-0c8d7e3f5a11'
OWNER = {'X-Auth-Token': 'u1:p1'}
ADMIN = {'X-Auth-Token': 'admin:p1'}
IMAGE = 'a1b2c3d4-0000-4000-8000-000000000001'


class FakeConductor:

    def __init__(self):
        self.asked = []

    def instance_get(self, ctxt, uuid, read_deleted=False):
        if uuid != UUID:
            raise exception.InstanceNotFound(instance_id=uuid)
        return {'uuid': UUID, 'project_id': 'p1', 'user_id': 'u1',
                'vm_state': 'active', 'task_state': None, 'locked_by': None}

    def quota_get(self, ctxt, project_id):
        return {'limits': {'metadata_items': 2}}

    def snapshot_instance(self, ctxt, uuid, name, kind='snapshot',
                          extra=None, backup_type=None, rotation=None):
        self.asked.append(('snapshot', name, kind, extra, backup_type,
                           rotation))
        return {'id': IMAGE}

    def shelve_instance(self, ctxt, uuid):
        self.asked.append(('shelve',))

    def shelve_offload_instance(self, ctxt, uuid):
        self.asked.append(('shelve_offload',))

    def unshelve_instance(self, ctxt, uuid, **kwargs):
        self.asked.append(('unshelve', kwargs))


@pytest.fixture
def client():
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    return test_client


def _post(client, body, version='2.1', headers=OWNER):
    return client.simulate_post(
        '/v2.1/servers/%s/action' % UUID, json=body,
        headers=dict(headers, **{'OpenStack-API-Version':
                                 'compute ' + version}))


def test_create_image_location_before_245_and_body_after(client):
    resp = _post(client, {'createImage': {'name': 'snap'}})
    assert resp.status_code == 202
    assert resp.headers['location'].endswith('/image/images/%s' % IMAGE)
    assert not resp.content
    resp = _post(client, {'createImage': {'name': 'snap', 'metadata': {
        'k': 'v'}}}, '2.45')
    assert resp.status_code == 202
    assert resp.json == {'image_id': IMAGE}
    assert 'location' not in resp.headers
    assert client.conductor.asked[-1] == ('snapshot', 'snap', 'snapshot',
                                          {'k': 'v'}, None, None)


def test_create_backup_and_its_schema(client):
    resp = _post(client, {'createBackup': {
        'name': 'b', 'backup_type': 'daily', 'rotation': '2'}}, '2.45')
    assert resp.status_code == 202 and resp.json == {'image_id': IMAGE}
    assert client.conductor.asked[-1] == ('snapshot', 'b', 'backup', {},
                                          'daily', 2)
    # Rotation 0: no image to point at.
    resp = _post(client, {'createBackup': {
        'name': 'b', 'backup_type': 'daily', 'rotation': 0}}, '2.45')
    assert resp.status_code == 202 and not resp.content
    for bad in ({'name': 'b', 'backup_type': 'daily', 'rotation': -1},
                {'name': 'b', 'backup_type': 'daily', 'rotation': 'x'},
                {'name': 'b', 'rotation': 1},
                {'name': '', 'backup_type': 'daily', 'rotation': 1}):
        assert _post(client, {'createBackup': bad}).status_code == 400


def test_metadata_over_quota_is_refused(client):
    resp = _post(client, {'createImage': {'name': 's', 'metadata': {
        'a': '1', 'b': '2', 'c': '3'}}})
    assert resp.status_code == 403, resp.text
    assert client.conductor.asked == []


def test_shelve_policies(client):
    assert _post(client, {'shelve': None}).status_code == 202
    assert _post(client, {'shelveOffload': None}).status_code == 403
    assert _post(client, {'shelveOffload': None},
                 headers=ADMIN).status_code == 202
    assert client.conductor.asked == [('shelve',), ('shelve_offload',)]


def test_unshelve_by_microversion(client):
    asked = client.conductor.asked
    # Before 2.77 the body is ignored.
    assert _post(client, {'unshelve': {'availability_zone': 'az'}}
                 ).status_code == 202
    assert asked[-1] == ('unshelve', {})
    assert _post(client, {'unshelve': {'availability_zone': 'az'}},
                 '2.77').status_code == 202
    assert asked[-1] == ('unshelve', {'availability_zone': 'az'})
    assert _post(client, {'unshelve': {'availability_zone': None}},
                 '2.77').status_code == 400
    assert _post(client, {'unshelve': {'host': 'h'}},
                 '2.77').status_code == 400
    # 2.91: null unpins the zone; a host needs an admin.
    assert _post(client, {'unshelve': {'availability_zone': None}},
                 '2.91').status_code == 202
    assert asked[-1] == ('unshelve', {'availability_zone': None})
    assert _post(client, {'unshelve': {'host': 'h'}},
                 '2.91').status_code == 403
    assert _post(client, {'unshelve': {'host': 'h'}}, '2.91',
                 ADMIN).status_code == 202
    assert asked[-1] == ('unshelve', {'host': 'h'})


def test_image_tasks_and_a_delete_naming_no_image(client):
    """What Tempest's backup test and its blank-id delete ask."""
    client.conductor.image_get = lambda ctxt, image_id: {
        'id': IMAGE, 'owner': 'p1', 'visibility': 'private'}
    resp = client.simulate_get('/image/v2/images/%s/tasks' % IMAGE,
                               headers=OWNER)
    assert resp.status_code == 200 and resp.json == {'tasks': []}
    resp = client.simulate_get('/image/v2/images/%s/tasks' % IMAGE,
                               headers={'X-Auth-Token': 'u2:p2'})
    assert resp.status_code == 404
    resp = client.simulate_delete('/v2.1/images/', headers=OWNER)
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == 'Image not found.'
