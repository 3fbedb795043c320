"""The API with an external Glance: server create and rebuild read the image
with the caller's token, /v2.1/images shows Glance's images, and a missing
or unreachable Glance gives Nova-shaped 400/404/503 answers."""

import falcon.testing
import pytest

from common import exception
from common import glance_client
from nova_api import app as api_app
from nova_api import policy
from tests.unit.common import fake_glance
from tests.unit.common.fake_glance import IMAGE_ID

FLAVOR = {'flavorid': '1', 'name': 'm1.small', 'vcpus': 1, 'memory_mb': 512,
          'root_gb': 10, 'ephemeral_gb': 0, 'swap': 0, 'rxtx_factor': 1.0,
          'is_public': True, 'disabled': False, 'extra_specs': {}}
SERVER_ID = '0b0c7a4e-8d3f-4f43-a3a9-7d6f1c1b2a10'
INSTANCE = {'uuid': SERVER_ID, 'display_name': 'vm', 'project_id': 'p1',
            'user_id': 'alice', 'vm_state': 'active', 'task_state': None,
            'power_state': 1, 'flavor': FLAVOR, 'image_ref': IMAGE_ID,
            'host': 'h1', 'node': 'h1', 'created_at': None,
            'updated_at': None}


class FakeConductor:
    """A conductor whose registry is empty: every image is Glance's."""

    def __init__(self):
        self.specs = []
        self.rebuilds = []

    def flavor_get(self, ctxt, flavorid, *args, **kwargs):
        return FLAVOR

    def image_get(self, ctxt, image_id):
        raise exception.ImageNotFound(image_id=image_id)

    def image_get_all(self, ctxt, filters=None):
        return []

    def create_instances(self, ctxt, instances, request_spec):
        self.specs.append(request_spec)
        return instances

    def instance_get(self, ctxt, uuid, *args, **kwargs):
        return INSTANCE

    def rebuild_instance(self, ctxt, uuid, image_id, values=None):
        self.rebuilds.append(image_id)
        return INSTANCE


@pytest.fixture
def glance():
    with fake_glance.configured() as fake:
        yield fake


@pytest.fixture
def client(glance):
    policy.reset()
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    yield test_client
    policy.reset()


def _boot(client, image_id=IMAGE_ID, token='alice:p1'):
    return client.simulate_post(
        '/v2.1/servers', headers={'X-Auth-Token': token},
        json={'server': {'name': 'vm', 'flavorRef': '1',
                         'imageRef': image_id}})


def test_boot_reads_the_image_from_glance_with_the_callers_token(client,
                                                                 glance):
    resp = _boot(client)
    assert resp.status_code == 202, resp.text
    assert glance.seen == [('/v2/images/%s' % IMAGE_ID, 'alice:p1')]
    # The whole record travels to the conductor: it never asks again.
    [spec] = client.conductor.specs
    assert spec['image'] == glance_client.from_glance(
        fake_glance.glance_image())
    assert spec['image']['properties']['os_distro'] == 'cirros'


def test_boot_without_a_token_asks_glance_without_one(client, glance):
    resp = client.simulate_post('/v2.1/servers', json={'server': {
        'name': 'vm', 'flavorRef': '1', 'imageRef': IMAGE_ID}})
    assert resp.status_code == 202, resp.text
    assert glance.seen == [('/v2/images/%s' % IMAGE_ID, None)]


def test_boot_from_an_image_glance_does_not_know_is_400(client):
    missing = '11111111-2222-3333-4444-555555555555'
    resp = _boot(client, missing)
    assert resp.status_code == 400
    assert resp.json == {'badRequest': {
        'code': 400, 'message': 'Image %s could not be found.' % missing}}
    assert client.conductor.specs == []


def test_boot_while_glance_is_unreachable_is_503(client, glance):
    glance.stop()
    resp = _boot(client)
    assert resp.status_code == 503
    message = resp.json['serviceUnavailable']['message']
    assert message.startswith('The image service at %s/v2/images/%s is '
                              'unavailable' % (glance.endpoint, IMAGE_ID))
    assert 'Traceback' not in message


def test_boot_when_glance_fails_is_503(client, glance):
    glance.fail['/v2/images/%s' % IMAGE_ID] = 500
    resp = _boot(client)
    assert resp.status_code == 503
    assert 'answered 500' in resp.json['serviceUnavailable']['message']


def test_glance_refusing_the_token_is_403(client, glance):
    glance.fail['/v2/images/%s' % IMAGE_ID] = 401
    resp = _boot(client)
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'] == (
        'The image service at %s/v2/images/%s refused the request (401).'
        % (glance.endpoint, IMAGE_ID))


@pytest.mark.parametrize('fields, message', [
    ({'status': 'queued'}, 'Image %s is not active.' % IMAGE_ID),
    ({'min_ram': 4096}, 'Flavor\'s memory is too small for requested image.'
                        ' Flavor memory is 512 MB, minimum is 4096 MB.'),
    ({'min_disk': 20}, 'Flavor\'s disk is too small for requested image.'),
])
def test_glance_image_is_checked_against_the_flavor(client, glance, fields,
                                                    message):
    glance.images = [fake_glance.glance_image(**fields)]
    resp = _boot(client)
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'].startswith(message)


def test_rebuild_reads_the_new_image_from_glance(client, glance):
    resp = client.simulate_post(
        '/v2.1/servers/%s/action' % SERVER_ID,
        headers={'X-Auth-Token': 'alice:p1'},
        json={'rebuild': {'imageRef': IMAGE_ID}})
    assert resp.status_code == 202, resp.text
    assert client.conductor.rebuilds == [IMAGE_ID]
    assert glance.seen == [('/v2/images/%s' % IMAGE_ID, 'alice:p1')]


def test_compute_image_api_lists_and_shows_glances_images(client, glance):
    glance.images = [fake_glance.glance_image(),
                     fake_glance.glance_image('second', name='other')]
    listed = client.simulate_get('/v2.1/images/detail',
                                 headers={'X-Auth-Token': 'bob:p2'})
    assert listed.status_code == 200
    assert [i['id'] for i in listed.json['images']] == [IMAGE_ID, 'second']
    first = listed.json['images'][0]
    assert first['status'] == 'ACTIVE' and first['minRam'] == 64
    assert first['metadata']['os_distro'] == 'cirros'
    assert first['OS-EXT-IMG-SIZE:size'] == 4096
    assert first['created'] == '2026-01-02T03:04:05Z'
    named = client.simulate_get('/v2.1/images?name=other')
    assert [i['name'] for i in named.json['images']] == ['other']
    shown = client.simulate_get('/v2.1/images/%s' % IMAGE_ID)
    assert shown.json['image']['name'] == 'cirros'
    assert {token for _p, token in glance.seen} == {'bob:p2', None}


def test_compute_image_api_404_for_an_image_glance_lacks(client):
    resp = client.simulate_get('/v2.1/images/nope')
    assert resp.status_code == 404
    assert resp.json == {'itemNotFound': {
        'code': 404, 'message': 'Image nope could not be found.'}}
