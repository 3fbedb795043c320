"""The image API with real clients, and compute downloading image data.

One deployment on PostgreSQL. Its compute hosts may not read the image
store ([glance] copy_from_local_store = false) and their simulated nodes
fetch every image they boot, so each boot below goes through
GET /image/v2/images/{id}/file on nova-api and the hash check.
"""

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import openstack
import pytest

from tests.functional import deployment as deployment_mod

BIN = os.path.dirname(sys.executable)
COMPUTE_CONF = textwrap.dedent('''\
    [glance]
    copy_from_local_store = false
    num_retries = 0
    [libvirt]
    test_node_fetch_images = true
    ''')


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment('postgresql', extra_conf=COMPUTE_CONF)
    d.start()
    yield d
    d.stop()


@pytest.fixture(scope='module')
def qcow2(dep):
    path = os.path.join(dep.dir, 'upload.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, '32M'],
                   check=True)
    return path


@pytest.fixture(scope='module')
def conn(dep):
    return openstack.connect(
        auth_type='none', image_endpoint_override=dep.api + '/image',
        compute_endpoint_override=dep.api + '/v2.1')


@pytest.fixture(scope='module')
def uploaded(conn, qcow2):
    image = conn.image.create_image(
        'sdk-cirros', filename=qcow2, disk_format='qcow2',
        container_format='bare', os_distro='cirros', wait=True)
    return conn.image.get_image(image.id)


def _openstack(dep, *args):
    """The real openstack CLI, pointed at the deployment by clouds.yaml."""
    clouds = os.path.join(dep.dir, 'clouds.yaml')
    with open(clouds, 'w') as f:
        f.write(textwrap.dedent('''\
            clouds:
              nova-lite:
                auth_type: none
                auth:
                  endpoint: %(api)s/v2.1
                image_endpoint_override: %(api)s/image
                compute_endpoint_override: %(api)s/v2.1
            ''') % {'api': dep.api})
    proc = subprocess.run(
        [os.path.join(BIN, 'openstack'), '--os-cloud', 'nova-lite'] +
        list(args), capture_output=True, text=True, timeout=120,
        env=dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _sha512(path):
    with open(path, 'rb') as f:
        return hashlib.sha512(f.read()).hexdigest()


def test_sdk_upload_is_active_with_hashes(uploaded, qcow2):
    assert uploaded.status == 'active'
    assert uploaded.size == os.path.getsize(qcow2)
    assert uploaded.hash_algo == 'sha512'
    assert uploaded.hash_value == _sha512(qcow2)
    assert uploaded.virtual_size == 32 * 1024 * 1024
    assert uploaded.os_distro == 'cirros'


def test_openstack_cli_lists_and_shows_images(dep, uploaded):
    listed = json.loads(_openstack(dep, 'image', 'list', '-f', 'json'))
    assert {'sdk-cirros', 'test-image'} <= {i['Name'] for i in listed}
    shown = json.loads(_openstack(dep, 'image', 'show', 'sdk-cirros',
                                  '-f', 'json'))
    assert shown['id'] == uploaded.id
    assert shown['status'] == 'active'
    assert shown['checksum'] == uploaded.checksum
    # The endpoint given on the command line works too.
    out = subprocess.run(
        [os.path.join(BIN, 'openstack'), '--os-auth-type', 'none',
         '--os-endpoint', dep.api + '/image', 'image', 'list', '-f', 'json',
         '--name', 'sdk-cirros'], capture_output=True, text=True,
        timeout=120, env=dict(os.environ, OS_CLIENT_CONFIG_FILE='/dev/null'))
    assert out.returncode == 0, out.stderr
    assert [i['ID'] for i in json.loads(out.stdout)] == [uploaded.id]


def test_download_returns_the_uploaded_bytes(dep, uploaded, qcow2):
    resp = dep.request('GET', '/image/v2/images/%s/file' % uploaded.id)
    assert resp.status_code == 200
    with open(qcow2, 'rb') as f:
        assert resp.content == f.read()
    assert resp.headers['Content-MD5'] == uploaded.checksum


def test_boot_downloads_the_image_through_the_api(dep, uploaded, qcow2):
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'from-glance', 'flavorRef': '1', 'imageRef': uploaded.id,
        'networks': 'none'}})
    assert resp.status_code == 202, resp.text
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ACTIVE', server
    host = server['OS-EXT-SRV-ATTR:host']
    assert 'Downloaded image %s from %s/image/v2/images/%s/file' % (
        uploaded.id, dep.api, uploaded.id) in dep.log(host)
    base = os.path.join(dep.dir, 'instances', '_base', uploaded.id)
    assert _sha512(base) == _sha512(qcow2)


def test_openstack_server_create_resolves_the_image_name(dep, uploaded):
    server = json.loads(_openstack(
        dep, 'server', 'create', '--image', 'sdk-cirros', '--flavor',
        'm1.tiny', '--nic', 'auto', '--wait', 'cli-vm', '-f', 'json'))
    assert server['status'] == 'ACTIVE'
    assert uploaded.id in server['image']


def test_data_altered_in_the_store_fails_the_build(dep, conn, qcow2):
    image = conn.image.create_image(
        'tampered', filename=qcow2, disk_format='qcow2',
        container_format='bare', wait=True)
    stored = os.path.join(dep.dir, 'images', image.id)
    with open(stored, 'r+b') as f:
        f.seek(-1, os.SEEK_END)
        f.write(b'\x01')
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'tampered', 'flavorRef': '1', 'imageRef': image.id,
        'networks': 'none'}})
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ERROR'
    assert 'does not match the recorded sha512 hash' in \
        server['fault']['message']


def test_upload_not_matching_disk_format_is_refused(dep, conn):
    image = conn.image.create_image('liar', disk_format='qcow2',
                                    container_format='bare')
    resp = dep.request(
        'PUT', '/image/v2/images/%s/file' % image.id, data=b'\0' * 65536,
        headers={'Content-Type': 'application/octet-stream'})
    assert resp.status_code == 400
    body = resp.json()
    assert body['code'] == '400 Bad Request'
    assert 'declared qcow2 but the data is raw' in body['message']
    assert conn.image.get_image(image.id).status == 'queued'
    store = os.listdir(os.path.join(dep.dir, 'images'))
    assert not [n for n in store if image.id in n]


def test_delete_then_404(dep, conn, qcow2):
    image = conn.image.create_image(
        'short-lived', filename=qcow2, disk_format='qcow2',
        container_format='bare', wait=True)
    assert dep.request('DELETE', '/image/v2/images/%s' % image.id
                       ).status_code == 204
    resp = dep.request('GET', '/image/v2/images/%s' % image.id)
    assert resp.status_code == 404
    assert resp.json()['title'] == 'Not Found'
    assert not os.path.exists(os.path.join(dep.dir, 'images', image.id))
    assert dep.request('GET', '/v2.1/images/%s' % image.id
                       ).status_code == 404
