"""image create uploads through Glance v2 (a fake one: the real endpoint
is not on main yet); image list/show use the Compute API."""

import json

from tests.unit.nova_cli import fake_api

IMAGE_ID = '4b4c6b8e-0c2e-4bd0-9a55-1d9b1f2c7e01'


def _glance(api, uploaded, prefix=''):
    image = {'id': IMAGE_ID, 'name': 'cirros', 'status': 'queued',
             'disk_format': 'qcow2', 'container_format': 'bare',
             'visibility': 'shared', 'min_disk': 0, 'min_ram': 0,
             'os_distro': 'cirros', 'self': '/v2/images/' + IMAGE_ID}

    def create(request):
        image.update(json.loads(request['body']))
        return 201, image

    def upload(request):
        uploaded.append(request)
        image.update(status='active', size=len(request['body']))
        return 204, None
    api.routes[('POST', prefix + '/v2/images')] = create
    api.routes[('PUT', prefix + '/v2/images/%s/file' % IMAGE_ID)] = upload
    api.routes[('GET', prefix + '/v2/images/%s' % IMAGE_ID)] = \
        lambda r: (200, image)


def test_image_create_posts_then_uploads_the_file(novalite, tmp_path):
    disk = tmp_path / 'disk.qcow2'
    disk.write_bytes(b'QFI\xfb' + b'\0' * 1020)
    uploaded = []
    with fake_api.FakeApi() as compute, fake_api.FakeApi() as glance:
        _glance(glance, uploaded)
        result = novalite(
            '--os-endpoint', compute.url, '--os-image-endpoint',
            glance.url + '/v2', 'image', 'create', 'cirros', '--file',
            str(disk), '--property', 'os_distro=cirros', '--min-disk', '1',
            '-f', 'json')
    assert result.code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown['id'], shown['status'], shown['size']) == (
        IMAGE_ID, 'active', 1024)
    assert shown['properties'] == {'os_distro': 'cirros'}
    created = json.loads(glance.requests[0]['body'])
    assert created == {'name': 'cirros', 'disk_format': 'qcow2',
                       'container_format': 'bare', 'os_distro': 'cirros',
                       'min_disk': 1}
    [put] = uploaded
    assert put['headers']['Content-Type'] == 'application/octet-stream'
    assert put['body'] == disk.read_bytes()
    # Glance is not a compute service: no compute microversion header.
    assert 'OpenStack-API-Version' not in put['headers']
    assert compute.requests == []


def test_noauth_image_endpoint_defaults_to_image_on_the_compute_host(
        novalite, tmp_path):
    disk = tmp_path / 'disk.raw'
    disk.write_bytes(b'\0' * 10)
    uploaded = []
    with fake_api.FakeApi() as api:
        _glance(api, uploaded, prefix='/image')
        result = novalite('--os-endpoint', api.url + '/v2.1', 'image',
                          'create', 'raw-one', '--file', str(disk))
    assert result.code == 0, result.stderr
    assert json.loads(api.requests[0]['body'])['disk_format'] == 'raw'
    assert len(uploaded) == 1


def test_missing_image_api_is_an_error_not_a_traceback(novalite, tmp_path):
    disk = tmp_path / 'disk.raw'
    disk.write_bytes(b'\0')
    with fake_api.FakeApi() as api:
        result = novalite('--os-endpoint', api.url, 'image', 'create', 'x',
                          '--file', str(disk))
    assert result.code == 1
    assert 'No route /image/v2/images' in result.stderr
    assert 'Traceback' not in result.stderr


def test_image_show_by_name(novalite):
    image = {'id': IMAGE_ID, 'name': 'cirros', 'status': 'ACTIVE',
             'minDisk': 0, 'minRam': 0, 'metadata': {},
             'OS-EXT-IMG-SIZE:size': 5}
    with fake_api.FakeApi() as api:
        api.route('GET', '/v2.1/images/detail?name=cirros',
                  body={'images': [image]})
        result = novalite('--os-endpoint', api.url, 'image', 'show',
                          'cirros', '-f', 'json')
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)['id'] == IMAGE_ID
