"""Booting from an external Glance: deployment B's [glance] api_servers is
deployment A's /image.

Two deployments side by side on PostgreSQL, each with its own vhost,
database, port and hosts. Images are uploaded only to A; B's own registry
never has them. B's API reads them with the caller's token, B's conductor
and compute hosts with [glance]'s (none: the anonymous admin of A's noauth
API), and B's simulated nodes download their data from A and check the
hash.
"""

import hashlib
import os
import subprocess
import textwrap
import time
import uuid

import pytest
import requests

from tests.functional import deployment as deployment_mod


def _upload(dep, name, path, token='admin:admin', visibility='public',
            **properties):
    """An active image in `dep`'s registry, through its Glance v2 API."""
    headers = {'X-Auth-Token': token}
    created = requests.post(dep.api + '/image/v2/images', headers=headers,
                            timeout=30, json=dict(
                                properties, name=name, disk_format='qcow2',
                                container_format='bare',
                                visibility=visibility))
    assert created.status_code == 201, created.text
    image = created.json()
    with open(path, 'rb') as f:
        put = requests.put(
            dep.api + '/image/v2/images/%s/file' % image['id'], data=f,
            timeout=60, headers=dict(
                headers, **{'Content-Type': 'application/octet-stream'}))
    assert put.status_code == 204, put.text
    return image['id']


def _sha512(path):
    with open(path, 'rb') as f:
        return hashlib.sha512(f.read()).hexdigest()


@pytest.fixture(scope='module')
def glance_dep():
    """Deployment A: the image service."""
    dep = deployment_mod.Deployment('postgresql', compute_hosts=('a1',))
    dep.start()
    yield dep
    dep.stop()


@pytest.fixture(scope='module')
def qcow2(glance_dep):
    path = os.path.join(glance_dep.dir, 'upload.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, '32M'],
                   check=True)
    return path


@pytest.fixture(scope='module')
def images(glance_dep, qcow2):
    return {'public': _upload(glance_dep, 'ext-public', qcow2,
                              os_distro='first'),
            'rebuild': _upload(glance_dep, 'ext-rebuild', qcow2,
                               os_distro='rebuilt'),
            'private': _upload(glance_dep, 'ext-private', qcow2,
                               token='alice:p1', visibility='private')}


@pytest.fixture(scope='module')
def dep(glance_dep):
    """Deployment B: computes against A's image service."""
    dep = deployment_mod.Deployment('postgresql', extra_conf=textwrap.dedent(
        '''\
        [glance]
        api_servers = %s/image
        num_retries = 0
        [libvirt]
        test_node_fetch_images = true
        ''') % glance_dep.api)
    dep.start()
    yield dep
    dep.stop()


def _boot(dep, image_id, name='vm', token='admin:admin'):
    return dep.request('POST', '/v2.1/servers', token=token, json={
        'server': {'name': name, 'flavorRef': '1', 'imageRef': image_id,
                   'networks': 'none'}})


def _action(dep, server_id, body):
    return dep.request('POST', '/v2.1/servers/%s/action' % server_id,
                       json=body)


def _settle(dep, server_id, status, timeout=60):
    """The server once in `status` with no task, at 2.98 (image
    properties from its request spec)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = dep.request('GET', '/v2.1/servers/%s' % server_id, headers={
            'OpenStack-API-Version': 'compute 2.98'}).json()['server']
        if server['status'] == status and \
                server['OS-EXT-STS:task_state'] is None:
            return server
        assert server['status'] != 'ERROR', server
        time.sleep(0.1)
    raise AssertionError('%s never %s:\n%s' % (server_id, status,
                                              dep.logs()))


def test_boot_from_an_image_only_the_external_glance_has(dep, glance_dep,
                                                         images, qcow2):
    image_id = images['public']
    # B's own registry does not have it ...
    assert dep.request('GET', '/image/v2/images/%s' % image_id
                       ).status_code == 404
    # ... yet B boots it: the API and conductor read A's record and the
    # compute host downloads A's data.
    resp = _boot(dep, image_id, 'from-a')
    assert resp.status_code == 202, resp.text
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ACTIVE', server
    assert server['image']['id'] == image_id
    host = server['OS-EXT-SRV-ATTR:host']
    assert 'Downloaded image %s from %s/image/v2/images/%s/file' % (
        image_id, glance_dep.api, image_id) in dep.log(host)
    base = os.path.join(dep.dir, 'instances', '_base', image_id)
    assert _sha512(base) == _sha512(qcow2)


def test_compute_image_api_shows_the_external_glance(dep, glance_dep,
                                                     images):
    listed = dep.request('GET', '/v2.1/images/detail')
    assert listed.status_code == 200, listed.text
    names = {i['name'] for i in listed.json()['images']}
    assert {'ext-public', 'ext-rebuild', 'test-image'} <= names
    ids = {i['id'] for i in listed.json()['images']}
    assert glance_dep.image['id'] in ids and dep.image['id'] not in ids
    shown = dep.request('GET', '/v2.1/images/%s' % images['public'])
    assert shown.status_code == 200
    assert shown.json()['image']['status'] == 'ACTIVE'
    assert dep.request('GET', '/v2.1/images/%s' % dep.image['id']
                       ).status_code == 404


def test_image_missing_from_the_external_glance_is_400(dep):
    missing = str(uuid.uuid4())
    resp = _boot(dep, missing)
    assert resp.status_code == 400
    assert resp.json() == {'badRequest': {
        'code': 400, 'message': 'Image %s could not be found.' % missing}}
    # The local registry's image is not what B boots from any more.
    resp = _boot(dep, dep.image['id'])
    assert resp.status_code == 400
    assert 'could not be found' in resp.json()['badRequest']['message']


def test_visibility_is_the_external_glances_decision(dep, images):
    """B passes the caller's token to A: the owner sees a private image,
    another project gets 'not found'."""
    other = _boot(dep, images['private'], token='bob:p2')
    assert other.status_code == 400
    assert 'could not be found' in other.json()['badRequest']['message']
    owner = _boot(dep, images['private'], 'private', token='alice:p1')
    assert owner.status_code == 202, owner.text
    server = dep.wait_for_server(owner.json()['server']['id'])
    assert server['status'] == 'ACTIVE', server


def test_rebuild_then_evacuate_keep_the_external_image(dep, images):
    """The request spec follows the rebuild's image (read by B's conductor
    with [glance]'s credentials), so the evacuation recreates that one."""
    resp = _boot(dep, images['public'], 'mover')
    server_id = resp.json()['server']['id']
    booted = _settle(dep, server_id, 'ACTIVE')
    assert booted['image']['properties'] == {'os_distro': 'first'}
    resp = _action(dep, server_id, {'rebuild': {
        'imageRef': images['rebuild']}})
    assert resp.status_code == 202, resp.text
    rebuilt = _settle(dep, server_id, 'ACTIVE')
    assert rebuilt['image']['id'] == images['rebuild']
    assert rebuilt['image']['properties'] == {'os_distro': 'rebuilt'}
    source = rebuilt['OS-EXT-SRV-ATTR:host']

    dep.kill(source)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        resp = _action(dep, server_id, {'evacuate': {
            'onSharedStorage': False}})
        if resp.status_code != 409:
            break
        time.sleep(0.5)
    assert resp.status_code == 200, resp.text
    moved = _settle(dep, server_id, 'ACTIVE')
    assert moved['OS-EXT-SRV-ATTR:host'] != source
    assert moved['image']['id'] == images['rebuild']
    assert moved['image']['properties'] == {'os_distro': 'rebuilt'}
    dep.start_compute(source)


def test_snapshot_and_shelve_go_to_the_external_glance(dep, glance_dep,
                                                       images):
    """createImage and shelve: B's conductor creates the image in A (the
    caller's token), B's compute uploads its data there; B's registry
    never has them, and an offloaded server comes back from A's copy."""
    resp = _boot(dep, images['public'], 'snap-ext')
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    _settle(dep, server_id, 'ACTIVE')
    resp = dep.request('POST', '/v2.1/servers/%s/action' % server_id,
                       json={'createImage': {'name': 'ext-snap'}},
                       headers={'OpenStack-API-Version': 'compute 2.45'})
    assert resp.status_code == 202, resp.text
    image_id = resp.json()['image_id']
    _settle(dep, server_id, 'ACTIVE')
    snap = glance_dep.request('GET', '/image/v2/images/%s' % image_id).json()
    assert (snap['status'], snap['instance_uuid'], snap['os_distro'],
            snap['base_image_ref']) == ('active', server_id, 'first',
                                        images['public'])
    assert dep.request('GET', '/image/v2/images/%s' % image_id
                       ).status_code == 404

    assert _action(dep, server_id, {'shelve': None}).status_code == 202
    _settle(dep, server_id, 'SHELVED_OFFLOADED')
    [shelved] = [i for i in glance_dep.request(
        'GET', '/image/v2/images?name=snap-ext-shelved').json()['images']]
    assert shelved['status'] == 'active'
    assert _action(dep, server_id, {'unshelve': None}).status_code == 202
    _settle(dep, server_id, 'ACTIVE')
    # Unshelved from A's copy, which then went.
    assert glance_dep.request('GET', '/image/v2/images/%s' % shelved['id']
                              ).status_code == 404
    assert dep.request('DELETE', '/v2.1/servers/%s' % server_id
                       ).status_code == 204
    dep.wait_gone(server_id)


def test_unreachable_external_glance_is_a_clear_error(dep, glance_dep,
                                                      images):
    """Runs last: it stops A."""
    glance_dep.stop()
    resp = _boot(dep, images['public'])
    assert resp.status_code == 503, resp.text
    message = resp.json()['serviceUnavailable']['message']
    assert message.startswith('The image service at %s/image/v2/images/%s '
                              'is unavailable' % (glance_dep.api,
                                                  images['public']))
    assert 'Traceback' not in message
    listed = dep.request('GET', '/v2.1/images')
    assert listed.status_code == 503
    assert 'serviceUnavailable' in listed.json()
