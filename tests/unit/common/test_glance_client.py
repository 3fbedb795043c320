"""The Glance v2 client: which image API is external, GET and list of
records, and what each failure of the image service becomes."""

import socket

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import pytest

from common import context
from common import exception
from common import glance_client
from common.conf import CONF
from tests.unit.common import fake_glance
from tests.unit.common.fake_glance import IMAGE_ID


@pytest.fixture
def glance():
    fake = fake_glance.FakeGlance(prefix='/image').start()
    CONF.set_override('api_servers', [fake.endpoint], 'glance')
    yield fake
    CONF.clear_override('api_servers', 'glance')
    fake.stop()


def _dead_endpoint():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return 'http://127.0.0.1:%d' % s.getsockname()[1]


def _ctxt(token):
    return context.RequestContext(user_id='alice', project_id='p1',
                                  auth_token=token)


def test_glance_image_becomes_the_registry_shape():
    image = glance_client.from_glance(fake_glance.glance_image())
    assert image == {
        'id': IMAGE_ID, 'name': 'cirros', 'status': 'active',
        'disk_format': 'qcow2', 'container_format': 'bare', 'size': 4096,
        'virtual_size': 1 << 30, 'min_disk': 1, 'min_ram': 64,
        'checksum': 'c' * 32, 'os_hash_algo': 'sha512',
        'os_hash_value': 'f' * 128, 'owner': 'p-glance',
        'visibility': 'public', 'protected': False, 'location': None,
        'properties': {'os_distro': 'cirros', 'hw_architecture': 'x86_64'},
        'tags': ['t1'], 'created_at': '2026-01-02T03:04:05Z',
        'updated_at': '2026-01-02T03:04:06Z'}


def test_sparse_glance_image_gets_registry_defaults():
    image = glance_client.from_glance({'id': 'x', 'status': 'queued'})
    assert image['min_disk'] == 0 and image['min_ram'] == 0
    assert image['properties'] == {} and image['tags'] == []
    assert image['size'] is None and image['visibility'] == 'shared'


def test_no_api_servers_and_no_auth_is_the_local_registry():
    client = glance_client.GlanceClient(CONF)
    assert not client.is_external()
    assert client.endpoints() == [glance_client.local_image_endpoint(CONF)]


def test_api_servers_make_glance_external(glance):
    client = glance_client.GlanceClient(CONF)
    assert client.is_external()
    assert client.endpoints() == [glance.endpoint]


def test_catalog_image_endpoint_makes_glance_external():
    client = glance_client.GlanceClient(CONF)
    client._session = ks_session.Session(auth=token_endpoint.Token(
        'http://glance.example:9292', 'service-token'))
    assert client.external_endpoints() == ['http://glance.example:9292']


def test_unreadable_catalog_is_the_image_service_unavailable():
    class Unreachable(token_endpoint.Token):
        def get_endpoint(self, session, **kwargs):
            raise ks_exc.ConnectFailure('keystone is down')

    client = glance_client.GlanceClient(CONF)
    client._session = ks_session.Session(auth=Unreachable('x', 'y'))
    with pytest.raises(exception.ImageServiceUnavailable) as err:
        client.is_external()
    assert 'keystone is down' in err.value.message


def test_get_with_the_service_credentials_sends_no_user_token(glance):
    image = glance_client.GlanceClient(CONF).get(IMAGE_ID)
    assert image['id'] == IMAGE_ID and image['location'] is None
    assert glance.seen == [('/image/v2/images/%s' % IMAGE_ID, None)]


@pytest.mark.parametrize('token', ['alice:p1', None])
def test_get_as_a_caller_sends_exactly_their_token(glance, token):
    glance_client.GlanceClient(CONF).get(IMAGE_ID, _ctxt(token))
    assert glance.seen == [('/image/v2/images/%s' % IMAGE_ID, token)]


def test_caller_token_replaces_the_service_token(glance):
    client = glance_client.GlanceClient(CONF)
    client._session = ks_session.Session(auth=token_endpoint.Token(
        glance.endpoint, 'service-token'))
    client.get(IMAGE_ID)
    client.get(IMAGE_ID, _ctxt('user-token'))
    client.get(IMAGE_ID, _ctxt(None))
    assert [token for _path, token in glance.seen] == [
        'service-token', 'user-token', None]


def test_missing_image_is_image_not_found(glance):
    with pytest.raises(exception.ImageNotFound) as err:
        glance_client.GlanceClient(CONF).get('nope')
    assert err.value.message == 'Image nope could not be found.'


@pytest.mark.parametrize('code, error, status', [
    (401, exception.ImageNotAuthorized, 403),
    (403, exception.ImageNotAuthorized, 403),
    (400, exception.Invalid, 400),
    (500, exception.ImageServiceUnavailable, 503),
    (503, exception.ImageServiceUnavailable, 503),
])
def test_each_failure_of_glance_has_its_error(glance, code, error, status):
    glance.fail['/image/v2/images/%s' % IMAGE_ID] = code
    with pytest.raises(error) as err:
        glance_client.GlanceClient(CONF).get(IMAGE_ID)
    assert err.value.code == status


def test_answer_that_is_not_json_is_unavailable(glance, monkeypatch):
    client = glance_client.GlanceClient(CONF)

    class NotJson:
        status_code = 200
        text = '<html>'

        def json(self):
            raise ValueError('no')

    monkeypatch.setattr(client, '_send', lambda url, ctxt: NotJson())
    with pytest.raises(exception.ImageServiceUnavailable) as err:
        client.get(IMAGE_ID)
    assert 'not JSON' in err.value.message


def test_service_credentials_without_a_token_are_unavailable(glance):
    class NoToken(token_endpoint.Token):
        def get_token(self, session):
            raise ks_exc.Unauthorized('wrong password')

    client = glance_client.GlanceClient(CONF)
    client._session = ks_session.Session(auth=NoToken('x', 'y'))
    with pytest.raises(exception.ImageServiceUnavailable) as err:
        client.get(IMAGE_ID)
    assert 'wrong password' in err.value.message


def test_unreachable_glance_is_unavailable_after_every_retry():
    dead = _dead_endpoint()
    CONF.set_override('api_servers', [dead], 'glance')
    CONF.set_override('num_retries', 2, 'glance')
    try:
        with pytest.raises(exception.ImageServiceUnavailable) as err:
            glance_client.GlanceClient(CONF).get(IMAGE_ID)
    finally:
        CONF.clear_override('api_servers', 'glance')
        CONF.clear_override('num_retries', 'glance')
    assert err.value.code == 503
    assert dead in err.value.message


def test_unreachable_server_is_skipped_for_the_next_one(glance):
    CONF.set_override('api_servers', [_dead_endpoint(), glance.endpoint],
                      'glance')
    assert glance_client.GlanceClient(CONF).get(IMAGE_ID)['id'] == IMAGE_ID


def test_list_follows_every_page_with_the_filters(glance):
    glance.images = [fake_glance.glance_image('id-%d' % i, name='n')
                     for i in range(5)] + [fake_glance.glance_image('other')]
    glance.page_size = 2
    images = glance_client.GlanceClient(CONF).list(_ctxt('bob:p2'),
                                                   {'name': 'n'})
    assert [i['id'] for i in images] == ['id-%d' % i for i in range(5)]
    assert [path for path, _t in glance.seen] == [
        '/image/v2/images?name=n', '/image/v2/images?name=n&marker=id-1',
        '/image/v2/images?name=n&marker=id-3']
    assert {token for _p, token in glance.seen} == {'bob:p2'}


@pytest.mark.parametrize('endpoint, url', [
    ('http://g:9292', 'http://g:9292/v2/images/x'),
    ('http://g:9292/v2/', 'http://g:9292/v2/images/x'),
    ('http://g:9292/v2.9', 'http://g:9292/v2.9/images/x'),
    ('http://api:8774/image/', 'http://api:8774/image/v2/images/x'),
])
def test_v2_url_takes_versioned_and_bare_endpoints(endpoint, url):
    assert glance_client.v2_url(endpoint, 'images/x') == url


def test_spec_image_is_the_whole_record():
    image = glance_client.from_glance(fake_glance.glance_image())
    assert glance_client.spec_image(image) == image
    assert glance_client.spec_image(None) == {}
    assert glance_client.is_record(image)
    summary = {'id': IMAGE_ID, 'min_disk': 1, 'min_ram': 64,
               'properties': image['properties']}
    assert not glance_client.is_record(summary)
