"""The Cinder v3 client: where Cinder is, volumes and their status,
attachments (3.44), and what each failure of the volume service becomes."""

import socket

import pytest

from common import cinder_client
from common import context
from common import exception
from common.conf import CONF
from tests.unit.common import fake_cinder

CONNECTOR = {'host': 'compute1', 'ip': '127.0.0.1', 'initiator': None,
             'multipath': False}
INSTANCE = '9d3c9a7e-0c0e-4b53-9d8c-3e2f1a0b4c5d'


def _ctxt(token='tok-alice', project='0a1b2c3d4e5f', catalog=None):
    return context.RequestContext(user_id='alice', project_id=project,
                                  auth_token=token, service_catalog=catalog)


class _Clock:
    """A clock that sleeping moves on: waits take no time."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


@pytest.fixture
def cinder():
    with fake_cinder.running() as (fake, url):
        CONF.set_override('endpoint_template', url + '/v3/%(project_id)s',
                          'cinder')
        clock = _Clock()
        client = cinder_client.CinderClient(CONF, sleep=clock.sleep,
                                            clock=clock)
        yield fake, client, clock
        CONF.clear_override('endpoint_template', 'cinder')


def test_endpoint_template_names_the_callers_project(cinder):
    fake, client, _ = cinder
    volume = client.create(_ctxt(), 1, name='data')
    method, path, token, version, body = fake.requests[-1]
    assert (method, path) == ('POST', '/v3/0a1b2c3d4e5f/volumes')
    assert token == 'tok-alice' and version == 'volume 3.44'
    assert body == {'volume': {'size': 1, 'name': 'data'}}
    assert volume['status'] == 'creating' and volume['size'] == 1


def test_create_from_an_image_in_a_zone(cinder):
    fake, client, _ = cinder
    client.create(_ctxt(), 2, image_id='img-1', availability_zone='az1')
    assert fake.requests[-1][4] == {'volume': {
        'size': 2, 'imageRef': 'img-1', 'availability_zone': 'az1'}}


def test_the_callers_catalog_is_used_without_a_template():
    catalog = [{'type': 'image', 'endpoints': [
                   {'interface': 'public', 'url': 'http://glance'}]},
               {'type': 'volumev3', 'name': 'cinderv3', 'endpoints': [
                   {'interface': 'admin', 'url': 'http://admin/v3/p'},
                   {'interface': 'public', 'region': 'r2',
                    'url': 'http://r2/v3/p'},
                   {'interface': 'public', 'region': 'r1',
                    'url': 'http://r1/v3/p/'}]}]
    client = cinder_client.CinderClient(CONF)
    CONF.set_override('os_region_name', 'r1', 'cinder')
    try:
        assert client.endpoint(_ctxt(catalog=catalog)) == 'http://r1/v3/p'
    finally:
        CONF.clear_override('os_region_name', 'cinder')


def test_no_template_and_no_catalog_is_a_clear_error():
    client = cinder_client.CinderClient(CONF)
    with pytest.raises(exception.VolumeServiceUnavailable) as err:
        client.endpoint(_ctxt())
    assert 'endpoint_template' in str(err.value)
    assert err.value.code == 503


@pytest.mark.parametrize('info', ['volumev3', 'volumev3::', '::publicURL',
                                  'a:b:c:d'])
def test_bad_catalog_info_is_named(info):
    with pytest.raises(exception.Invalid) as err:
        cinder_client.parse_catalog_info(info)
    assert 'catalog_info' in str(err.value)


def test_catalog_info_parts():
    assert cinder_client.parse_catalog_info('volumev3::publicURL') == \
        ('volumev3', None, 'public')
    assert cinder_client.parse_catalog_info('block-storage:c:internal') == \
        ('block-storage', 'c', 'internal')


def test_wait_for_status_polls_with_growing_pauses(cinder):
    fake, client, clock = cinder
    vol = client.create(_ctxt(), 1)
    fake.script[vol['id']] = ['creating', 'creating', 'downloading',
                              'downloading', 'downloading', 'available']
    found = client.wait_for_status(_ctxt(), vol['id'], 'available', 60)
    assert found['status'] == 'available'
    assert clock.sleeps == [0.1, 0.2, 0.4, 0.5, 0.5]


def test_a_volume_in_error_fails_the_wait_at_once(cinder):
    fake, client, clock = cinder
    vol = client.create(_ctxt(), 1)
    fake.script[vol['id']] = ['creating', 'error']
    with pytest.raises(exception.VolumeStatusFailed) as err:
        client.wait_for_status(_ctxt(), vol['id'], 'available', 60)
    assert 'error' in str(err.value) and vol['id'] in str(err.value)
    assert len(clock.sleeps) == 1


def test_a_wait_is_bounded(cinder):
    fake, client, clock = cinder
    vol = client.create(_ctxt(), 1)
    fake.script[vol['id']] = ['creating'] * 100
    with pytest.raises(exception.VolumeStatusTimeout) as err:
        client.wait_for_status(_ctxt(), vol['id'], ('available',), 5)
    assert 'within 5 s' in str(err.value) and 'creating' in str(err.value)
    assert clock.now <= 5
    assert err.value.code == 409


def test_a_missing_volume_is_volume_not_found(cinder):
    _, client, _ = cinder
    with pytest.raises(exception.VolumeNotFound) as err:
        client.get(_ctxt(), 'nope')
    assert err.value.code == 404
    with pytest.raises(exception.VolumeNotFound):
        client.delete(_ctxt(), 'nope')


def test_volume_ids_are_quoted_into_the_path(cinder):
    fake, client, _ = cinder
    with pytest.raises(exception.VolumeNotFound):
        client.get(_ctxt(), '../attachments')
    assert fake.requests[-1][1] == '/v3/0a1b2c3d4e5f/volumes/..%2Fattachments'


def test_attach_flow_reserve_connect_complete_detach(cinder):
    fake, client, _ = cinder
    vol = client.create(_ctxt(), 1)
    fake.volumes[vol['id']]['status'] = 'available'
    att = client.attachment_create(_ctxt(), vol['id'], INSTANCE)
    assert att['status'] == 'reserved' and att['connection_info'] is None
    att = client.attachment_update(_ctxt(), att['id'], CONNECTOR)
    # Cinder's flat answer in the drivers' shape.
    assert att['connection_info'] == {
        'driver_volume_type': 'rbd',
        'data': {'name': 'volumes/volume-%s' % vol['id'],
                 'hosts': ['127.0.0.1'], 'ports': ['6789'],
                 'auth_username': 'cinder'}}
    client.attachment_complete(_ctxt(), att['id'])
    assert client.get(_ctxt(), vol['id'])['status'] == 'in-use'
    assert fake.requests[-2][4] == {'os-complete': None}
    client.attachment_delete(_ctxt(), att['id'])
    assert client.get(_ctxt(), vol['id'])['status'] == 'available'


def test_attachment_create_with_a_connector_connects_at_once(cinder):
    fake, client, _ = cinder
    vol = client.create(_ctxt(), 1)
    att = client.attachment_create(_ctxt(), vol['id'], INSTANCE, CONNECTOR)
    assert att['connection_info']['driver_volume_type'] == 'rbd'
    assert fake.requests[-1][4]['attachment']['connector'] == CONNECTOR


def test_attaching_a_missing_volume_is_volume_not_found(cinder):
    _, client, _ = cinder
    with pytest.raises(exception.VolumeNotFound):
        client.attachment_create(_ctxt(), 'gone', INSTANCE)


def test_deleting_an_attachment_twice_is_fine(cinder):
    _, client, _ = cinder
    vol = client.create(_ctxt(), 1)
    att = client.attachment_create(_ctxt(), vol['id'], INSTANCE)
    client.attachment_delete(_ctxt(), att['id'])
    client.attachment_delete(_ctxt(), att['id'])  # no error
    with pytest.raises(exception.VolumeAttachmentNotFound):
        client.attachment_get(_ctxt(), att['id'])


@pytest.mark.parametrize('code,error', [
    (400, exception.Invalid), (401, exception.VolumeNotAuthorized),
    (403, exception.VolumeNotAuthorized), (413, exception.Invalid),
    (500, exception.VolumeServiceUnavailable),
    (503, exception.VolumeServiceUnavailable)])
def test_each_failure_has_its_error(cinder, code, error):
    fake, client, _ = cinder
    fake.fail['/v3/0a1b2c3d4e5f/volumes'] = code
    with pytest.raises(error) as err:
        client.create(_ctxt(), 1)
    if code == 400:
        # Cinder's own message reaches the user.
        assert 'refused' in str(err.value)


def test_an_unreachable_cinder_is_retried_then_unavailable():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    CONF.set_override('endpoint_template',
                      'http://127.0.0.1:%d/v3/%%(project_id)s' % port,
                      'cinder')
    CONF.set_override('http_retries', 1, 'cinder')
    try:
        client = cinder_client.CinderClient(CONF)
        with pytest.raises(exception.VolumeServiceUnavailable) as err:
            client.get(_ctxt(), 'v1')
        assert '127.0.0.1:%d' % port in str(err.value)
        with pytest.raises(exception.VolumeServiceUnavailable):
            client.create(_ctxt(), 1)
    finally:
        CONF.clear_override('endpoint_template', 'cinder')
        CONF.clear_override('http_retries', 'cinder')
