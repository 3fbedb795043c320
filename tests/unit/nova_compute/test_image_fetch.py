"""Compute's image fetch: HTTP download verified against the record."""

import hashlib
import http.server
import threading

import pytest

from common import exception
from common.conf import CONF
from nova_compute import image_fetch
from nova_compute import manager
from tests.unit.common import fake_glance

DATA = b'image-bytes' * 1000


class _Handler(http.server.BaseHTTPRequestHandler):
    files = {}
    seen = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get('X-Auth-Token')))
        body = self.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.files = {'/image/v2/images/img-1/file': DATA}
    _Handler.seen = []
    CONF.set_override('api_servers', ['http://127.0.0.1:%d/image'
                                      % httpd.server_address[1]], 'glance')
    yield _Handler
    CONF.clear_override('api_servers', 'glance')
    httpd.shutdown()
    httpd.server_close()


def _image(**fields):
    image = {'id': 'img-1', 'size': len(DATA),
             'checksum': hashlib.md5(DATA).hexdigest(),
             'os_hash_algo': 'sha512',
             'os_hash_value': hashlib.sha512(DATA).hexdigest(),
             'location': '/nonexistent/img-1'}
    image.update(fields)
    return image


def test_download_streams_and_verifies_without_a_token(server, tmp_path):
    dest = tmp_path / 'out'
    image_fetch.ImageFetcher(CONF).fetch(_image(), str(dest))
    assert dest.read_bytes() == DATA
    # auth_type unset: no token, which noauth nova-api takes as its admin.
    assert server.seen == [('/image/v2/images/img-1/file', None)]


@pytest.mark.parametrize('fields, words', [
    ({'os_hash_value': 'f' * 128}, 'sha512 hash'),
    ({'os_hash_algo': None, 'checksum': '0' * 32}, 'md5 hash'),
    ({'size': 3}, 'got 11000 bytes, the image has 3'),
])
def test_download_not_matching_the_record_is_unacceptable(server, tmp_path,
                                                          fields, words):
    with pytest.raises(exception.ImageUnacceptable) as err:
        image_fetch.ImageFetcher(CONF).fetch(_image(**fields),
                                             str(tmp_path / 'out'))
    assert words in str(err.value)


def test_missing_image_is_a_download_failure(server, tmp_path):
    with pytest.raises(exception.ImageDownloadFailed) as err:
        image_fetch.ImageFetcher(CONF).fetch(_image(id='gone'),
                                             str(tmp_path / 'out'))
    assert 'answered 404' in str(err.value)


def test_readable_local_file_is_copied_unless_disabled(server, tmp_path):
    local = tmp_path / 'img-1'
    local.write_bytes(DATA)
    fetcher = image_fetch.ImageFetcher(CONF)
    fetcher.fetch(_image(location=str(local)), str(tmp_path / 'a'))
    assert server.seen == []
    CONF.set_override('copy_from_local_store', False, 'glance')
    try:
        fetcher.fetch(_image(location=str(local)), str(tmp_path / 'b'))
    finally:
        CONF.clear_override('copy_from_local_store', 'glance')
    assert len(server.seen) == 1
    assert (tmp_path / 'b').read_bytes() == DATA


def test_default_endpoint_is_this_deployments_api():
    CONF.set_override('osapi_compute_listen', '0.0.0.0')
    CONF.set_override('osapi_compute_listen_port', 9774)
    try:
        assert image_fetch.ImageFetcher(CONF).endpoints() == \
            ['http://127.0.0.1:9774/image']
    finally:
        CONF.clear_override('osapi_compute_listen')
        CONF.clear_override('osapi_compute_listen_port')


@pytest.mark.parametrize('endpoint, url', [
    ('http://g:9292', 'http://g:9292/v2/images/x/file'),
    ('http://g:9292/', 'http://g:9292/v2/images/x/file'),
    ('http://g:9292/v2', 'http://g:9292/v2/images/x/file'),
    ('http://g:9292/v2.9/', 'http://g:9292/v2.9/images/x/file'),
    ('http://api:8774/image', 'http://api:8774/image/v2/images/x/file'),
])
def test_file_url_accepts_versioned_and_bare_endpoints(endpoint, url):
    assert image_fetch.file_url(endpoint, 'x') == url


def test_kernel_images_are_located_in_an_external_glance(driver):
    """With api_servers set, image_locator reads Glance, not the conductor
    (whose registry may not have the image)."""
    class Conductor:
        def image_get(self, ctxt, image_id):
            raise exception.ImageNotFound(image_id=image_id)

    glance = fake_glance.FakeGlance().start()
    CONF.set_override('api_servers', [glance.endpoint], 'glance')
    try:
        manager.ComputeManager(driver, Conductor(), 'h1')
        found = driver.image_locator(fake_glance.IMAGE_ID)
    finally:
        CONF.clear_override('api_servers', 'glance')
        glance.stop()
    assert found['os_hash_value'] == 'f' * 128
    assert found['location'] is None


def test_kernel_images_come_from_the_conductor_without_glance(driver):
    class Conductor:
        def image_get(self, ctxt, image_id):
            return {'id': image_id, 'location': '/store/%s' % image_id}

    manager.ComputeManager(driver, Conductor(), 'h1')
    assert driver.image_locator('k1') == {'id': 'k1',
                                          'location': '/store/k1'}
